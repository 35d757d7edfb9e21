import Checkpoints
import Faces
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import NIOCore
import StyleGAN
import Tensors
import Testing
import TestSupport
import WebEditor

/// Sliders from GANSpace files and bad direction files; face alignment and the pasted view.
@Suite struct SliderAndAlignmentTests {
    /// A GANSpace file {mean [1, 64], comp [4, 1, 64], std [4]} in a fresh folder.
    static func ganspaceFile() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("editor-ganspace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let rng = RandomGenerator(seed: 5)
        let url = folder.appendingPathComponent("pca.safetensors")
        try Safetensors.write([("mean", StoredTensor(Tensor.randomNormal([1, 64], generator: rng))),
                               ("comp", StoredTensor(Tensor.randomNormal([4, 1, 64], generator: rng))),
                               ("std", try StoredTensor(shape: [4], floats: [3, 2, 1, 0.5]))], to: url)
        return url
    }

    @Test func ganspaceComponentsBecomeSlidersInDeviations() async throws {
        let file = try Self.ganspaceFile()
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let sources = SliderSources(files: try SliderSources.directionFiles(in: [file.path]), sefaCount: 0, ganspaceComponents: 3)
        let server = try EditorServer(model: EditorFixtures.smallModel(), sliders: sources, logger: EditorFixtures.quietLogger)
        #expect(server.sliders.map(\.id) == ["g0", "g1", "g2"] && server.sliders[1].label == "pca PC1")
        try await server.application().test(.router) { client in
            let id = try await client.upload(EditorFixtures.photoPNG)
            let base = try RouteTests.tensor(npy: try await client.postJSON("/api/sessions/\(id)/latents", "{}").bytes)
            let moved = try RouteTests.tensor(npy: try await client.postJSON("/api/sessions/\(id)/latents", #"{"edits": {"g1": 1.5}}"#).bytes)
            // Component 1 (std 2), 1.5 deviations, on every row.
            let stored = try CheckpointFile.load(contentsOf: file).tensors
            let comp = try stored["comp"]!.floats()
            for row in 0..<10 {
                for k in 0..<64 {
                    let i = row * 64 + k
                    #expect(abs(moved.scalars[i] - base.scalars[i] - 1.5 * 2 * comp[64 + k]) < 1e-4)
                }
            }
        }
    }

    @Test func directionFilesThatDoNotFitAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("editor-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let wide = folder.appendingPathComponent("wide.npy")
        try NumpyFile.write(StoredTensor(Tensor.zeros([1, 512])), to: wide)
        let sources = SliderSources(files: try SliderSources.directionFiles(in: [wide.path]), sefaCount: 0)
        #expect {
            _ = try EditorServer(model: EditorFixtures.smallModel(), sliders: sources, logger: EditorFixtures.quietLogger)
        } throws: { error in
            "\(error)".contains("wide.npy") && "\(error)".contains("512") && !"\(error)".contains("\n")
        }
        #expect(throws: SliderError.self) { try SliderSources.directionFiles(in: [folder.appendingPathComponent("none").path]) }
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: SliderError.self) { try SliderSources.directionFiles(in: [empty.path]) }
    }

    /// With MTCNN (the shared weights), an upload is aligned first and the edit can be seen
    /// pasted back into the whole photo.
    @Test(.enabled(if: SharedTestData.exists("mtcnn/pnet.npy") && SharedTestData.exists("faces/celebahq_00044.jpg"),
                   "../shared/data/mtcnn or faces is absent"))
    func alignedUploadsArePastedBack() async throws {
        let detector = try MTCNN(weightsDirectory: SharedTestData.url("mtcnn"))
        let folder = try EditorFixtures.directionFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sources = SliderSources(files: try SliderSources.directionFiles(in: [folder.path]), sefaCount: 0)
        let server = try EditorServer(model: EditorFixtures.smallModel(), sliders: sources, detector: detector, logger: EditorFixtures.quietLogger)
        let photoBytes = try Data(contentsOf: SharedTestData.url("faces/celebahq_00044.jpg"))
        let photo = try Image(encoded: Array(photoBytes))
        try await server.application().test(.router) { client in
            let config = try await client.execute(uri: "/api/config", method: .get)
            #expect(String(buffer: config.body).contains("\"canAlign\":true"))
            let response = try await client.execute(uri: "/api/sessions?align=1", method: .post, body: ByteBuffer(bytes: Array(photoBytes)))
            #expect(response.status == .created)
            let created = try JSONDecoder().decode(EditorServer.CreatedSession.self, from: Data(response.body.readableBytesView))
            #expect(created.aligned)
            let pasted = try await client.postJSON("/api/sessions/\(created.id)/render", #"{"edits": {"d0": 2}, "view": "pasted"}"#)
            #expect(pasted.status == .ok && pasted.headers[.contentType] == "image/jpeg")
            let image = try Image(encoded: pasted.bytes)
            #expect(image.width == photo.width && image.height == photo.height)
            // Unaligned uploads of the same server still work, and have no pasted view.
            let plain = try await client.upload(Array(photoBytes))
            #expect(try await client.postJSON("/api/sessions/\(plain)/render", #"{"view": "pasted"}"#).status == .badRequest)
        }
        // A picture with no face is refused with a clear line.
        try await server.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/sessions?align=1", method: .post, body: ByteBuffer(bytes: EditorFixtures.photoPNG))
            #expect(response.status == .unprocessableContent && response.errorMessage?.contains("no face") == true)
        }
    }
}
