import AsyncHTTPClient
import Checkpoints
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import NIOCore
import NIOHTTP1
import Tensors
import Testing
import WebEditor

/// The editor's routes through HummingbirdTesting, on a small seeded model.
@Suite struct RouteTests {
    @Test func pageConfigurationAndHealthAreServed() async throws {
        let server = try EditorFixtures.server()
        try await server.application().test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: page.body).contains("/editor.js"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            for asset in ["/editor.js", "/editor.css"] {
                #expect(try await client.execute(uri: asset, method: .get).status == .ok, "\(asset)")
            }
            let config = try await client.execute(uri: "/api/config", method: .get)
            let decoded = try JSONDecoder().decode(EditorServer.PageConfiguration.self, from: Data(config.body.readableBytesView))
            #expect(decoded.sliders.map(\.id) == ["d0", "s0", "s1", "s2"])
            #expect(decoded.sliders[0].label == "tilt" && decoded.sliders[0].kind == .direction)
            #expect(decoded.model.size == 64 && decoded.model.previewSize == 32 && decoded.model.latentCount == 10)
            #expect(decoded.model.hasSMART && !decoded.model.canAlign)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok && String(buffer: health.body).contains("\"status\":\"ok\""))
            // Paths outside the fixed table are not files.
            for path in ["/Page/index.html", "/../Package.swift", "/editor.js/../../Package.swift", "/index.html"] {
                #expect(try await client.execute(uri: path, method: .get).status == .notFound, "\(path)")
            }
        }
    }

    @Test func uploadEditAndDownload() async throws {
        let server = try EditorFixtures.server()
        // What the encoder gives the photo, resized to its input as the server does: [1, 10, 64].
        let expected = GradientMode.withoutGradients {
            EditorFixtures.smallModel().encode(EditorFixtures.photo().resized(width: 256, height: 256).tensor()).latents.scalars
        }
        try await server.application().test(.router) { client in
            let id = try await client.upload(EditorFixtures.photoPNG)
            #expect(EditorSession.isWellFormed(Substring(id)))
            for (name, side) in [("input.png", 256), ("stage1.png", 64), ("smart.png", 64)] {
                let response = try await client.execute(uri: "/api/sessions/\(id)/\(name)", method: .get)
                #expect(response.status == .ok && response.headers[.contentType] == "image/png", "\(name)")
                let image = try Image(encoded: response.bytes)
                #expect(image.width == side && image.height == side, "\(name)")
            }

            // A full render with no edit is the SMART inversion; a preview is smaller.
            let smart = try await client.execute(uri: "/api/sessions/\(id)/smart.png", method: .get).bytes
            let plain = try await client.postJSON("/api/sessions/\(id)/render", "{}")
            #expect(plain.status == .ok && plain.bytes == smart)
            #expect(plain.headers[EditorServer.serverTiming]?.hasPrefix("model;dur=") == true)
            let preview = try await client.postJSON("/api/sessions/\(id)/render", #"{"edits": {"d0": 3}, "preview": true}"#)
            #expect(try Image(encoded: preview.bytes).width == 32)

            // Each slider and β changes the picture.
            var seen: Set<[UInt8]> = [plain.bytes]
            for body in [#"{"edits": {"d0": 3}}"#, #"{"edits": {"s1": -8}}"#, #"{"beta1": 0.2, "beta2": 0.5}"#,
                         #"{"edits": {"d0": 3, "s1": -8}, "beta1": 0.2}"#] {
                let response = try await client.postJSON("/api/sessions/\(id)/render", body)
                #expect(response.status == .ok, "\(body): \(response.errorMessage ?? "")")
                #expect(seen.insert(response.bytes).inserted, "\(body) gave a picture seen before")
            }

            // Latents: the encoder's code, moved by strength × direction.
            let base = try await client.postJSON("/api/sessions/\(id)/latents", "{}")
            #expect(base.status == .ok && base.headers[.contentDisposition]?.contains("latents.npy") == true)
            let moved = try await client.postJSON("/api/sessions/\(id)/latents", #"{"edits": {"d0": 2}}"#)
            let (w, w2) = (try Self.tensor(npy: base.bytes), try Self.tensor(npy: moved.bytes))
            #expect(w.shape == [1, 10, 64])
            #expect(w.scalars == expected)
            let folder = try EditorFixtures.directionFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let d = try NumpyFile.readTensor(contentsOf: folder.appendingPathComponent("tilt.npy")).floats()
            for row in 0..<10 {
                for k in 0..<64 {
                    let i = row * 64 + k
                    #expect(abs(w2.scalars[i] - (w.scalars[i] + 2 * d[k])) < 1e-5)
                }
            }

            #expect(try await client.execute(uri: "/api/sessions/\(id)", method: .delete, body: ByteBuffer()).status == .noContent)
            #expect(try await client.postJSON("/api/sessions/\(id)/render", "{}").status == .notFound)
        }
    }

    @Test func jpegUploadsWork() async throws {
        let server = try EditorFixtures.server()
        try await server.application().test(.router) { client in
            let id = try await client.upload(EditorFixtures.photoJPEG)
            #expect(try await client.postJSON("/api/sessions/\(id)/render", #"{"preview": true}"#).status == .ok)
        }
    }

    @Test func badUploadsAreRefusedWithOneLine() async throws {
        var limits = EditorLimits()
        limits.maximumUploadBytes = 64 << 10
        limits.maximumPixels = 1_000_000
        let server = try EditorFixtures.server(limits: limits)
        let png = EditorFixtures.photoPNG, jpeg = EditorFixtures.photoJPEG
        var huge = Array(png.prefix(33))
        huge.replaceSubrange(16..<24, with: [0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10])      // IHDR claiming 10000×10000
        let cases: [(String, [UInt8], HTTPResponse.Status)] = [
            ("not an image", Array("hello, this is text".utf8), .unsupportedMediaType),
            ("a GIF", Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 64), .unsupportedMediaType),
            ("empty", [], .badRequest),
            ("too large", [UInt8](repeating: 0xFF, count: 100 << 10), .contentTooLarge),
            ("truncated PNG", Array(png.prefix(png.count / 2)), .unprocessableContent),
            ("truncated PNG header", Array(png.prefix(20)), .unprocessableContent),
            ("truncated JPEG", Array(jpeg.prefix(jpeg.count / 2)), .unprocessableContent),
            ("JPEG without a frame", [0xFF, 0xD8, 0xFF, 0xD9], .unprocessableContent),
            ("10000×10000 PNG header", huge, .unprocessableContent),
        ]
        try await server.application().test(.router) { client in
            for (name, bytes, status) in cases {
                let response = try await client.execute(uri: "/api/sessions", method: .post, body: ByteBuffer(bytes: bytes))
                #expect(response.status == status, "\(name): \(response.status)")
                let message = try #require(response.errorMessage, "\(name): no error message")
                #expect(!message.isEmpty && !message.contains("\n"), "\(name): \(message)")
            }
            // Alignment needs a detector this server does not have.
            let align = try await client.execute(uri: "/api/sessions?align=1", method: .post, body: ByteBuffer(bytes: png))
            #expect(align.status == .badRequest && align.errorMessage?.contains("--align") == true)
            // Nothing was kept.
            #expect(await server.sessions.count == 0)
        }
    }

    @Test func unknownSessionsAndBadSettingsAreRefused() async throws {
        let server = try EditorFixtures.server()
        try await server.application().test(.router) { client in
            let unknown = String(repeating: "ab", count: 16)
            for uri in ["/api/sessions/\(unknown)/render", "/api/sessions/nothex/render", "/api/sessions/..%2F..%2Fetc/render"] {
                let response = try await client.postJSON(uri, "{}")
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.errorMessage?.contains("upload") == true, "\(uri)")
            }
            #expect(try await client.execute(uri: "/api/sessions/\(unknown)/smart.png", method: .get).status == .notFound)
            let id = try await client.upload(EditorFixtures.photoPNG)
            #expect(try await client.execute(uri: "/api/sessions/\(id)/passwd", method: .get).status == .notFound)
            let bad: [(String, String)] = [
                (#"{"edits": {"nope": 1}}"#, "unknown slider"),
                (#"{"edits": {"d0": 50}}"#, "outside"),
                (#"{"beta1": -3}"#, "beta1"),
                (#"{"edits": {"d0": "x"}}"#, "JSON"),
                ("not json", "JSON"),
                (#"{"view": "pasted"}"#, "alignment"),
            ]
            for (body, phrase) in bad {
                let response = try await client.postJSON("/api/sessions/\(id)/render", body)
                #expect(response.status == .badRequest, "\(body): \(response.status)")
                #expect(response.errorMessage?.contains(phrase) == true, "\(body): \(response.errorMessage ?? "-")")
            }
            let big = "{\"edits\": {" + (0..<20_000).map { "\"k\($0)\": 0" }.joined(separator: ",") + "}}"
            #expect(try await client.postJSON("/api/sessions/\(id)/render", big).status == .contentTooLarge)
        }
    }

    @Test func leastRecentlyUsedSessionsAreEvicted() async throws {
        var limits = EditorLimits()
        limits.maximumSessions = 2
        let server = try EditorFixtures.server(limits: limits)
        try await server.application().test(.router) { client in
            let first = try await client.upload(EditorFixtures.photoPNG)
            let second = try await client.upload(EditorFixtures.photoJPEG)
            #expect(try await client.postJSON("/api/sessions/\(first)/render", #"{"preview": true}"#).status == .ok)  // first is now recent
            let third = try await client.upload(EditorFixtures.photoPNG)
            #expect(try await client.postJSON("/api/sessions/\(second)/render", "{}").status == .notFound)
            for id in [first, third] { #expect(try await client.postJSON("/api/sessions/\(id)/render", "{}").status == .ok) }
            let (count, evictions) = (await server.sessions.count, await server.sessions.evictions)
            #expect(count == 2 && evictions == 1)
        }
    }

    /// Renders sent at once over real connections: with room for all, each equals the same
    /// render made alone (the model is serialised, never shared mid-call); with a small queue,
    /// the overflow is 429 and nothing else.
    ///
    /// Sent through a client of our own with a 5-minute read timeout (`PatientClient`): the
    /// HummingbirdTesting client gives each request 15 s, and while other suites' synchronous work
    /// holds both of a 2-core machine's cooperative threads the queued renders can wait longer
    /// than that (CI saw `deadlineExceeded`) — slow is not wrong here; what differs is.
    @Test func concurrentEdits() async throws {
        var roomy = EditorLimits()
        roomy.queuedRequests = 64
        roomy.requestsPerClient = 64
        let server = try EditorFixtures.server(limits: roomy)
        try await server.application().test(.live) { client in
            let id = try await client.upload(EditorFixtures.photoPNG)
            let http = PatientClient(port: try #require(client.port))
            let strengths: [Float] = (0..<8).map { (Float($0) - 3.5) * 1.2 }
            func render(_ s: Float) async throws -> (HTTPResponseStatus, [UInt8]) {
                try await http.postJSON("/api/sessions/\(id)/render", "{\"edits\": {\"d0\": \(s)}, \"preview\": \(s < 0)}")
            }
            let together = try await withThrowingTaskGroup(of: (Float, [UInt8]).self) { group in
                for s in strengths {
                    group.addTask {
                        let (status, bytes) = try await render(s)
                        #expect(status == .ok)
                        return (s, bytes)
                    }
                }
                return try await group.reduce(into: [Float: [UInt8]]()) { $0[$1.0] = $1.1 }
            }
            for s in strengths {
                let alone = try await render(s)
                #expect(alone.1 == together[s], "strength \(s)")
            }
            try await http.shutdown()
        }

        var tight = EditorLimits()
        tight.queuedRequests = 1
        tight.requestsPerClient = 3
        let busy = try EditorFixtures.server(limits: tight)
        try await busy.application().test(.live) { client in
            let id = try await client.upload(EditorFixtures.photoPNG)
            let http = PatientClient(port: try #require(client.port))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for k in 0..<10 {
                    group.addTask { try await http.postJSON("/api/sessions/\(id)/render", "{\"edits\": {\"s0\": \(k)}}").0 }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            try await http.shutdown()
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .tooManyRequests }, "\(statuses)")
            #expect(statuses.contains(.ok) && statuses.contains(.tooManyRequests), "\(statuses)")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    static func tensor(npy bytes: [UInt8]) throws -> Tensor {
        guard case .tensor(let stored) = try NumpyFile.read(Data(bytes), file: "latents.npy") else {
            throw SliderError("not a tensor")
        }
        return try Tensor(stored)
    }
}
