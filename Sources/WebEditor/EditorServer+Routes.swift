import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension EditorServer {
    /// `{id, size, images: {…}}`, the answer to an upload.
    package struct CreatedSession: Codable {
        package let id: String
        package let aligned: Bool
        let images: [String: String]
    }

    /// `GET /api/config`.
    package struct PageConfiguration: Codable {
        package let model: EditorEngine.Summary
        package let sliders: [EditSlider]
        let beta: BetaSliders
        let limits: UploadLimits

        struct BetaSliders: Codable {
            let minimum: Float, maximum: Float, step: Float, beta1: Float, beta2: Float
        }
        struct UploadLimits: Codable {
            let maximumUploadBytes: Int, maximumPixels: Int
        }
    }

    /// `GET /healthz`: answered without touching the model, so it stays quick under load.
    struct Health: Codable {
        let status: String
        package let sessions: Int
        let sessionBytes: Int
        let running: Int
        let waiting: Int
        let refused: Int
        let evicted: Int
    }

    /// The pictures a session serves, by route name.
    static let sessionPictures = ["input.png", "stage1.png", "smart.png"]

    func makeRouter() -> Router<EditorRequestContext> {
        let router = Router(context: EditorRequestContext.self)
        router.addMiddleware {
            SecurityHeaders<EditorRequestContext>()
            LogRequestsMiddleware(.debug)
        }
        for (route, file) in page.files {
            router.get(RouterPath(route)) { _, _ in
                Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                         body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
            }
        }
        router.get("/healthz") { _, _ in
            let (running, waiting) = await modelAdmission.load
            return try json(Health(status: "ok", sessions: await sessions.count, sessionBytes: await sessions.totalBytes,
                                   running: running, waiting: waiting, refused: await modelAdmission.refusals,
                                   evicted: await sessions.evictions))
        }
        router.get("/api/config") { _, _ in
            let beta = PageConfiguration.BetaSliders(
                minimum: EditSettings.betaRange.lowerBound, maximum: EditSettings.betaRange.upperBound, step: 0.05,
                beta1: configuration.defaultWeights.values, beta2: configuration.defaultWeights.feedForward)
            let limits = PageConfiguration.UploadLimits(maximumUploadBytes: configuration.limits.maximumUploadBytes,
                                                        maximumPixels: configuration.limits.maximumPixels)
            return try json(PageConfiguration(model: engine.summary, sliders: engine.sliders, beta: beta, limits: limits))
        }
        router.post("/api/sessions") { request, context in
            try await upload(request, context: context)
        }
        router.get("/api/sessions/:id/:picture") { _, context in
            let session = try await session(context)
            let bytes: [UInt8]
            switch context.parameters.get("picture") {
            case "input.png": bytes = session.inputPNG
            case "stage1.png": bytes = session.stageOnePNG
            case "smart.png": bytes = session.smartPNG
            default: throw EditorError(.notFound, "a session serves only \(Self.sessionPictures.joined(separator: ", "))")
            }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "private, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.post("/api/sessions/:id/render") { request, context in
            let session = try await session(context)
            let render = try await decodeBody(RenderRequest.self, request)
            let picture = try await admitted(context) { try await engine.render(session, render) }
            context.logger.debug("rendered", metadata: ["session": "\(session.id.prefix(8))", "preview": "\(render.preview)",
                                                        "view": "\(render.view.rawValue)", "ms": "\(Int(picture.seconds * 1000))"])
            var headers: HTTPFields = [.contentType: picture.contentType, .cacheControl: "no-store"]
            headers[Self.serverTiming] = String(format: "model;dur=%.1f", picture.seconds * 1000)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: picture.bytes)))
        }
        router.post("/api/sessions/:id/latents") { request, context in
            let session = try await session(context)
            let settings = try await decodeBody(EditSettings.self, request)
            let data = try await admitted(context) { try await engine.latents(session, settings) }
            return Response(status: .ok,
                            headers: [.contentType: "application/octet-stream", .cacheControl: "no-store",
                                      .contentDisposition: "attachment; filename=\"latents.npy\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.delete("/api/sessions/:id") { _, context in
            let id = try sessionID(context)
            guard await sessions.remove(String(id)) else { throw EditorError.unknownSession }
            return Response(status: .noContent)
        }
        return router
    }

    package static var serverTiming: HTTPField.Name { HTTPField.Name("Server-Timing")! }

    private func upload(_ request: Request, context: EditorRequestContext) async throws -> Response {
        let align = ["1", "true", "yes"].contains(request.uri.queryParameters.get("align")?.lowercased() ?? "")
        let limit = configuration.limits.maximumUploadBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Self.tooLarge(length, limit: limit)
        }
        let bytes: [UInt8]
        do {
            bytes = try await uploadAdmission.admitted(client: context.client) {
                do {
                    return Array(buffer: try await request.body.collect(upTo: limit))
                } catch is NIOTooManyBytesError {
                    throw Self.tooLarge(nil, limit: limit)
                }
            }
        } catch let refusal as AdmissionControl.Refusal {
            throw EditorError.tooBusy(refusal)
        }
        try UploadedPhoto.checkHeader(bytes, maximumPixels: configuration.limits.maximumPixels)
        let started = Date()
        let session = try await admitted(context) { try await engine.invert(bytes, align: align) }
        await sessions.insert(session)
        let count = await sessions.count
        context.logger.info("photo inverted", metadata: [
            "session": "\(session.id.prefix(8))", "bytes": "\(bytes.count)", "aligned": "\(session.alignment != nil)",
            "ms": "\(Int(Date().timeIntervalSince(started) * 1000))", "sessions": "\(count)",
        ])
        let base = "/api/sessions/\(session.id)/"
        let created = CreatedSession(id: session.id, aligned: session.alignment != nil,
                                     images: ["input": base + "input.png", "stage1": base + "stage1.png", "smart": base + "smart.png"])
        var response = try json(created)
        response.status = .created
        return response
    }

    private static func tooLarge(_ length: Int?, limit: Int) -> EditorError {
        EditorError(.contentTooLarge, "the upload\(length.map { " (\($0) bytes)" } ?? "") is larger than the \(limit >> 20) MiB accepted")
    }

    private func admitted<T: Sendable>(_ context: EditorRequestContext, _ work: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await modelAdmission.admitted(client: context.client, work)
        } catch let refusal as AdmissionControl.Refusal {
            throw EditorError.tooBusy(refusal)
        }
    }

    private func sessionID(_ context: EditorRequestContext) throws -> Substring {
        let id = Substring(context.parameters.get("id") ?? "")
        guard EditorSession.isWellFormed(id) else {
            throw EditorError(.notFound, "no such session: ids are 32 hexadecimal digits; upload a photo first")
        }
        return id
    }

    private func session(_ context: EditorRequestContext) async throws -> EditorSession {
        let id = try sessionID(context)
        guard let session = await sessions.session(String(id)) else { throw EditorError.unknownSession }
        return session
    }

    private func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let limit = configuration.limits.maximumSettingsBytes
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw EditorError(.contentTooLarge, "the settings are larger than the \(limit >> 10) KiB accepted")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw EditorError(.badRequest, "the settings are not valid JSON of the form {\"edits\": {\"d0\": 1.5}, \"beta1\": 1, \"beta2\": 1}")
        }
    }

    private func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
