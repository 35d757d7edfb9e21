import Foundation
import HTTPTypes
import Hummingbird

/// A request the editor refuses or could not serve: its status and a one-line message, sent as
/// `{"error": "…"}` so that the page can show it as it is.
///
/// ```swift
/// throw EditorError(.notFound, "no session abc: it expired or never existed; upload the photo again")
/// ```
package struct EditorError: HTTPResponseError, CustomStringConvertible {
    package let status: HTTPResponse.Status
    let message: String
    /// Seconds after which a retry may succeed (sent as Retry-After with 429).
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        // One line, whatever a library error held.
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        self.retryAfter = retryAfter
    }

    package var description: String { "\(status.code) \(message)" }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension EditorError {
    static func tooBusy(_ refusal: AdmissionControl.Refusal) -> EditorError {
        switch refusal {
        case .queueFull: EditorError(.tooManyRequests, "the editor is busy: too many requests are waiting; try again shortly", retryAfter: 1)
        case .clientBusy: EditorError(.tooManyRequests, "too many requests from this client at once; wait for the ones in flight", retryAfter: 1)
        }
    }

    /// The id is not repeated back: it came from the client.
    static var unknownSession: EditorError {
        EditorError(.notFound, "no such session (it expired or never existed): upload the photo again")
    }
}
