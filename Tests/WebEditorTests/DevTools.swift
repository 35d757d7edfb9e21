import Foundation
import Logging
import WSClient

/// Headless Chromium driven over the DevTools protocol: the browser is started with
/// `--remote-debugging-port=0`, its port read from `DevToolsActivePort`, and one page is
/// attached (flattened session) on the browser's WebSocket.
///
/// ```swift
/// try await Chromium.withPage(folder: temp) { page in
///     try await page.call("Page.navigate", ["url": "http://127.0.0.1:8080/"])
/// }
/// ```
enum Chromium {
    static let path = "/usr/bin/chromium"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Starts the browser with its profile in `folder`, runs `body` on a fresh page and quits.
    static func withPage<T: Sendable>(folder: URL, _ body: @escaping @Sendable (DevToolsPage) async throws -> T) async throws -> T {
        let profile = folder.appendingPathComponent("profile")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                             "--remote-debugging-port=0", "--remote-allow-origins=*",
                             "--user-data-dir=\(profile.path)", "--window-size=1280,1200", "about:blank"]
        let log = folder.appendingPathComponent("chromium.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? handle.close()
        }
        // DevToolsActivePort: the port, then the browser's WebSocket path.
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let deadline = Date().addingTimeInterval(30)
        var lines: [Substring] = []
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8) {
                lines = text.split(separator: "\n")
                if lines.count >= 2 { break }
            }
            guard process.isRunning else {
                throw Failure("chromium exited (status \(process.terminationStatus)); see \(log.path)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard lines.count >= 2 else { throw Failure("chromium wrote no DevToolsActivePort within 30 s; see \(log.path)") }
        let url = "ws://127.0.0.1:\(lines[0])\(lines[1])"

        var logger = Logger(label: "devtools")
        logger.logLevel = .error
        let result = ResultBox<T>()
        try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 26), logger: logger) { inbound, outbound, _ in
            let connection = DevToolsConnection(inbound: inbound.messages(maxSize: 1 << 28).makeAsyncIterator(), outbound: outbound)
            let target = try await connection.call("Target.createTarget", ["url": "about:blank"])
            guard let targetID = target["targetId"] as? String else { throw Failure("Target.createTarget gave no targetId") }
            let attached = try await connection.call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
            guard let session = attached["sessionId"] as? String else { throw Failure("Target.attachToTarget gave no sessionId") }
            let page = DevToolsPage(connection: connection, session: session)
            result.value = try await body(page)
            _ = try? await connection.call("Browser.close")
        }
        guard let value = result.value else { throw Failure("the DevTools connection closed before the test finished") }
        return value
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }
}

/// Commands and their answers over one WebSocket, in one task: `call` sends and reads until
/// its answer arrives, keeping events for whoever asks later.
final class DevToolsConnection: @unchecked Sendable {
    private var inbound: WebSocketInboundMessageStream.AsyncIterator
    private let outbound: WebSocketOutboundWriter
    private var nextID = 1

    init(inbound: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
        self.inbound = inbound
        self.outbound = outbound
    }

    @discardableResult
    func call(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil) async throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
        try await outbound.write(.text(text))
        while let received = try await inbound.next() {
            guard case .text(let reply) = received,
                  let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any],
                  object["id"] as? Int == id else { continue }
            if let error = object["error"] as? [String: Any] {
                throw Chromium.Failure("\(method): \(error["message"] ?? error)")
            }
            return object["result"] as? [String: Any] ?? [:]
        }
        throw Chromium.Failure("\(method): the DevTools connection closed")
    }
}

/// One attached page.
struct DevToolsPage: @unchecked Sendable {
    let connection: DevToolsConnection
    let session: String

    @discardableResult
    func call(_ method: String, _ parameters: [String: Any] = [:]) async throws -> [String: Any] {
        try await connection.call(method, parameters, session: session)
    }

    /// The value of a JavaScript expression (promises awaited), as JSON-compatible values.
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw Chromium.Failure("JavaScript failed: \(exception["text"] ?? ""): \((exception["exception"] as? [String: Any])?["description"] ?? "")")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Polls `expression` until it is true; fails naming `what` after `seconds`.
    func waitUntil(_ expression: String, _ what: String, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await evaluate(expression) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let status = try await evaluate("document.getElementById('status').textContent") as? String ?? ""
        throw Chromium.Failure("timed out after \(Int(seconds)) s waiting for \(what) (page status: '\(status)')")
    }

    /// The centre of an element's box, in CSS pixels.
    func centre(of selector: String) async throws -> (x: Double, y: Double, width: Double) {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self).dropFirst().dropLast()
        let box = try await evaluate("""
            (() => { const e = document.querySelector(\(quoted)); e.scrollIntoView({block: 'center'});
                     const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2, r.width]; })()
            """) as? [Double]
        guard let box, box.count == 3 else { throw Chromium.Failure("no element \(selector)") }
        return (box[0], box[1], box[2])
    }

    func mouse(_ type: String, x: Double, y: Double, buttons: Int = 1) async throws {
        try await call("Input.dispatchMouseEvent", ["type": type, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1])
    }

    func click(_ selector: String) async throws {
        let point = try await centre(of: selector)
        try await mouse("mousePressed", x: point.x, y: point.y)
        try await mouse("mouseReleased", x: point.x, y: point.y, buttons: 0)
    }
}
