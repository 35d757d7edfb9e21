import ArgumentParser
import Faces
import FileAccess
import Foundation
import Imaging
import Inversion

/// `styleprompter align`: photos → FFHQ-aligned face crops and `alignment.json`.
struct AlignCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Detect faces (MTCNN) and write FFHQ-aligned crops with alignment.json (boxes, landmarks, transforms).")

    @Argument(help: "Image files or folders of images.") var inputs: [String]
    @Option(help: "Output folder.") var out: String
    @Option(help: "Side of the aligned crops (1024 for FFHQ generators, 256 for the encoder's input).") var size: Int = 1024
    @Option(help: "Warp resolution before the antialiased resize (default: 4 × size, at most 4096, as FFHQ).") var transformSize: Int?
    @OptionGroup var detection: DetectionOptions
    @OptionGroup var compute: ComputeOptions

    /// `alignment.json`: one record per photo, in input order.
    struct Record: Codable {
        struct Face: Codable {
            let crop: String
            let box: FaceBox
            let score: Double
            /// `[leftEye, rightEye, nose, mouthLeft, mouthRight]`, photo pixel coordinates.
            let landmarks: [FacePoint]
            let transform: AlignmentTransform
        }
        let file: String
        let width: Int
        let height: Int
        let faces: [Face]
        var error: String? = nil
    }

    func validate() throws {
        guard size >= 8 && size <= 8192 else { throw ValidationError("--size must be between 8 and 8192, got \(size)") }
        if let transformSize, transformSize < 8 || transformSize > 16384 { throw ValidationError("--transform-size must be between 8 and 16384") }
    }

    func execute() throws {
        try compute.apply()
        let items = try CommandErrors.reporting { try PhotoInput.collect(inputs) }
        let detector = try detection.detector()
        let run = try BatchRun(output: out)
        let progress = Progress(total: items.count, label: "align")
        var records: [Record] = []
        var written = 0, withoutFace = 0
        for item in items {
            defer { progress.advance() }
            do {
                let photo = try Image(contentsOf: item.url)
                let faces = detection.faces(in: photo, detector: detector)
                if faces.isEmpty {
                    withoutFace += 1
                    StatusLine.write("no face found in \(item.url.lastPathComponent): skipped")
                }
                var entries: [Record.Face] = []
                for (index, face) in faces.enumerated() {
                    let aligned = try FaceAlignment.align(photo, face: face, outputSize: size, transformSize: transformSize)
                    let name = detection.allFaces ? "\(item.name)_face\(index).png" : "\(item.name).png"
                    try aligned.image.write(to: run.folder.appendingPathComponent(name))
                    entries.append(.init(crop: name, box: face.box, score: face.score, landmarks: face.landmarks.points, transform: aligned.transform))
                    written += 1
                }
                records.append(Record(file: item.url.path, width: photo.width, height: photo.height, faces: entries))
            } catch {
                run.fail(item, error)
                records.append(Record(file: item.url.path, width: 0, height: 0, faces: [], error: "\(error)"))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(["photos": records])), to: run.folder.appendingPathComponent("alignment.json"))
        print("wrote \(written) aligned \(size)² faces from \(items.count - withoutFace - run.failures.count) photos" +
              (withoutFace > 0 ? " (\(withoutFace) without a face, skipped)" : "") + " and alignment.json to \(run.folder.path)")
        try run.finish(total: items.count)
    }
}
