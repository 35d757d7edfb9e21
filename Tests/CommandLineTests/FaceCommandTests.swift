import Faces
import Foundation
import Imaging
import Testing
import TestSupport
import StylePrompterCLI

/// `align`, and `--align` / `--paste-back` on `invert` and `edit`, on the shared photos and the
/// Faces fixtures' scenes with the small fixture model.
@Suite(.serialized, .enabled(if: SharedTestData.exists("mtcnn/pnet.npy") && SharedTestData.exists("faces"),
                             "../shared/data (mtcnn, faces) is absent: skipping face command tests"))
struct FaceCommandTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let model = tests.appendingPathComponent("InversionTests/Fixtures/stylePrompter_small.pt").path
    static let scenes = tests.appendingPathComponent("FacesTests/Fixtures/mtcnn_scenes")
    static let mtcnn = SharedTestData.url("mtcnn").path

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faces-cli-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func files(_ subfolder: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(subfolder).path)) ?? [])
    }

    /// A folder with a photo of several faces, one of one face and one without a face.
    private func inputs() throws -> URL {
        let input = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.scenes.appendingPathComponent("group.jpg"), to: input.appendingPathComponent("group.jpg"))
        try FileManager.default.copyItem(at: SharedTestData.url("faces/celebahq_00044.jpg"), to: input.appendingPathComponent("single.jpg"))
        try Image(width: 300, height: 200, red: 90, green: 120, blue: 150).write(to: input.appendingPathComponent("empty.png"))
        return input
    }

    @Test func alignWritesCropsAndAlignmentJSON() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try inputs()
        try run(["align", input.path, "--out", folder.appendingPathComponent("all").path, "--size", "128", "--all-faces", "--mtcnn", Self.mtcnn])
        #expect(files("all") == ["alignment.json", "group_face0.png", "group_face1.png", "group_face2.png", "group_face3.png", "single_face0.png", ".styleprompter-work"])
        struct Listing: Decodable {
            struct Photo: Decodable { let file: String; let faces: [Face] }
            struct Face: Decodable { let crop: String; let landmarks: [[Double]]; let transform: AlignmentTransform }
            let photos: [Photo]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(contentsOf: folder.appendingPathComponent("all/alignment.json")))
        #expect(listing.photos.map { $0.faces.count } == [0, 4, 1])     // empty.png, group.jpg, single.jpg
        #expect(listing.photos[1].faces.allSatisfy { $0.landmarks.count == 5 && $0.transform.outputSize == 128 })
        let crop = try Image(contentsOf: folder.appendingPathComponent("all/single_face0.png"))
        #expect(crop.width == 128 && crop.height == 128)

        // The default is the largest face, named after the photo.
        try run(["align", input.appendingPathComponent("group.jpg").path, "--out", folder.appendingPathComponent("largest").path, "--size", "64", "--mtcnn", Self.mtcnn])
        #expect(files("largest").contains("group.png"))
    }

    @Test func missingWeightsSayHowToProvideThem() throws {
        guard ProcessInfo.processInfo.environment[DetectionOptions.environmentVariable] == nil else { return }
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try run(["align", SharedTestData.url("faces/celebahq_00044.jpg").path, "--out", folder.path])
            Issue.record("align without weights succeeded")
        } catch {
            #expect("\(error)".contains("--mtcnn") && "\(error)".contains("STYLEPROMPTER_MTCNN") && !"\(error)".contains("\n"))
        }
    }

    @Test func invertAndEditAlignEveryFaceAndPasteBack() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try inputs()
        try run(["invert", "--model", Self.model, input.path, "--out", folder.appendingPathComponent("inverted").path,
                 "--align", "--all-faces", "--paste-back", "--mtcnn", Self.mtcnn])
        let inverted = files("inverted")
        #expect(inverted.isSuperset(of: ["group_face0.png", "group_face3.png", "group_face0_aligned.png", "single_face0.png",
                                         "group_pasted.jpg", "single_pasted.jpg", "latents.npy", "names.txt"]))
        #expect(!inverted.contains { $0.hasPrefix("empty") })
        let names = try String(contentsOf: folder.appendingPathComponent("inverted/names.txt"), encoding: .utf8)
        #expect(names.split(separator: "\n") == ["group_face0", "group_face1", "group_face2", "group_face3", "single_face0"])
        // The pasted photo keeps the original's size; far from the faces it is the original.
        let original = try Image(contentsOf: input.appendingPathComponent("group.jpg"))
        let pasted = try Image(contentsOf: folder.appendingPathComponent("inverted/group_pasted.jpg"))
        #expect(pasted.width == original.width && pasted.height == original.height)

        try run(["edit", "--model", Self.model, input.appendingPathComponent("group.jpg").path, "--sefa", "0", "--strength", "-2:2:2",
                 "--out", folder.appendingPathComponent("edited").path, "--align", "--paste-back", "--mtcnn", Self.mtcnn])
        #expect(files("edited").isSuperset(of: ["group_sefa-0_grid.png", "group_pasted.jpg", "group_sefa-0_-2.00_pasted.jpg", "group_sefa-0_+2.00_pasted.jpg"]))
    }

    @Test func unalignedPhotosFarFromSquareOrSizeAreWarnedAbout() {
        #expect(EncoderInputs.shapeWarning(Image(width: 300, height: 200), size: 256)?.contains("--align") == true)
        #expect(EncoderInputs.shapeWarning(Image(width: 100, height: 100), size: 256) != nil)
        #expect(EncoderInputs.shapeWarning(Image(width: 1024, height: 1024), size: 256) == nil)
        #expect(EncoderInputs.shapeWarning(Image(width: 256, height: 256), size: 256) == nil)
    }

    @Test func pasteBackAndAllFacesNeedAlign() {
        #expect(throws: (any Error).self) {
            try StylePrompterCommand.parseAsRoot(["invert", "--model", Self.model, "x.png", "--out", "o", "--paste-back"])
        }
    }
}
