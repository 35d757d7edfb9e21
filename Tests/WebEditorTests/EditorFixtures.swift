import AsyncHTTPClient
import Checkpoints
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Inversion
import Logging
import NIOCore
import NIOHTTP1
import StyleGAN
import Tensors
import Testing
import WebEditor

/// Small seeded models, test photos and a server built on them, shared by the editor's tests.
enum EditorFixtures {
    static let encoderConfiguration = SwinConfiguration(embedDimension: 24, depths: [2, 2, 2, 2], heads: [2, 2, 4, 4],
                                                        latentTokens: 10, headHiddenDimension: 64, styleDimension: 64)
    static let generatorConfiguration = GeneratorConfiguration(size: 64, styleDimension: 64, mappingLayers: 4,
                                                               channels: [4: 32, 8: 32, 16: 32, 32: 16, 64: 16])

    /// A 64-px StylePrompter on seeded random weights (fast: the routes, not the pictures, are tested).
    static func smallModel(seed: UInt64 = 3) -> StylePrompterModel {
        let model = StylePrompterModel(encoder: encoderConfiguration, generator: generatorConfiguration, seed: seed)
        model.eval()
        return model
    }

    /// A smooth, face-sized test picture (a gradient with a darker disc), deterministic.
    static func photo(width: Int = 96, height: Int = 96) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x - width / 2) / Double(width), dy = Double(y - height / 2) / Double(height)
                let inside = dx * dx / 0.09 + dy * dy / 0.14 < 1
                let i = 3 * (y * width + x)
                pixels[i] = UInt8(inside ? 200 : 40 + 150 * x / width)
                pixels[i + 1] = UInt8(inside ? 160 : 90)
                pixels[i + 2] = UInt8(inside ? 130 : 60 + 150 * y / height)
            }
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    static var photoPNG: [UInt8] { photo().pngData() }
    static var photoJPEG: [UInt8] { photo().jpegData(quality: 90) }

    /// A folder with one direction file (`tilt.npy`, [1, 64]) for the direction slider `d0`.
    static func directionFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("editor-directions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let values = Tensor.randomNormal([1, 64], generator: RandomGenerator(seed: 11)).scalars
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let unit = Tensor(shape: [1, 64], scalars: values.map { $0 / norm })
        try NumpyFile.write(StoredTensor(unit), to: folder.appendingPathComponent("tilt.npy"))
        return folder
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "editor-tests")
        logger.logLevel = .error
        return logger
    }

    /// A server on the small model with one direction file and three SeFa sliders.
    static func server(limits: EditorLimits = EditorLimits(), previewSize: Int? = nil, port: Int = 0) throws -> EditorServer {
        let folder = try directionFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sources = SliderSources(files: try SliderSources.directionFiles(in: [folder.path]), sefaCount: 3)
        return try EditorServer(model: smallModel(), sliders: sources,
                                configuration: .init(port: port, limits: limits, previewSize: previewSize), logger: quietLogger)
    }
}

extension TestClientProtocol {
    /// POSTs `bytes` as an upload and returns the new session's id (expecting 201).
    func upload(_ bytes: [UInt8], query: String = "") async throws -> String {
        let response = try await execute(uri: "/api/sessions" + query, method: .post, body: ByteBuffer(bytes: bytes))
        #expect(response.status == .created, "upload: \(response.status) \(String(buffer: response.body))")
        let created = try JSONDecoder().decode(EditorServer.CreatedSession.self, from: Data(response.body.readableBytesView))
        return created.id
    }

    /// POSTs JSON to `uri`.
    func postJSON(_ uri: String, _ json: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json))
    }
}

extension TestResponse {
    var bytes: [UInt8] { Array(body.readableBytesView) }
    var errorMessage: String? {
        (try? JSONDecoder().decode([String: String].self, from: Data(body.readableBytesView)))?["error"]
    }
}

/// An HTTP client for tests whose requests may queue a long time behind a busy machine: its own
/// connection pool (room for 16 at once, so none waits for a pooled connection) and a 5-minute
/// read timeout.
struct PatientClient {
    let http: HTTPClient
    let base: String

    init(port: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(300))
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        base = "http://localhost:\(port)"
    }

    /// POSTs JSON to `uri`: the status and the body.
    func postJSON(_ uri: String, _ json: String) async throws -> (HTTPResponseStatus, [UInt8]) {
        var request = HTTPClientRequest(url: base + uri)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await http.execute(request, timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (response.status, Array(body.readableBytesView))
    }

    func shutdown() async throws { try await http.shutdown() }
}
