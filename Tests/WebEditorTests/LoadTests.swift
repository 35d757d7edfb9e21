import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SynthFaces
import Testing
import WebEditor

extension EndToEndTests {
    /// Many clients on loopback at once: every answer is a success or 429, memory stays bounded and
    /// /healthz keeps answering quickly. CI runs 50 clients for 10 s on the small model in-process;
    /// `Scripts/load_test_serve.sh` points the same clients at a real `styleprompter serve` for 60 s
    /// (STYLEPROMPTER_LOAD_URL, _SECONDS, _CLIENTS, _PID).
    @Suite(.serialized) struct LoadTests {
        static let environment = ProcessInfo.processInfo.environment
        static let seconds = Double(environment["STYLEPROMPTER_LOAD_SECONDS"] ?? "") ?? 10
        static let clients = Int(environment["STYLEPROMPTER_LOAD_CLIENTS"] ?? "") ?? 50

        @Test(.timeLimit(.minutes(10))) func fiftyClientsGetAnswersOr429AndHealthStaysUp() async throws {
            if let url = Self.environment["STYLEPROMPTER_LOAD_URL"] {
                let pid = Self.environment["STYLEPROMPTER_LOAD_PID"].flatMap(Int32.init)
                let report = try await LoadRun(base: url, clients: Self.clients, seconds: Self.seconds, serverPID: pid).run()
                print(report.summary)
                report.check()
                return
            }
            let limits = {
                var limits = EditorLimits()
                limits.maximumSessions = 64
                return limits
            }()
            let server = try EditorFixtures.server(limits: limits)
            try await server.application().test(.live) { client in
                let port = try #require(client.port)
                let report = try await LoadRun(base: "http://127.0.0.1:\(port)", clients: Self.clients, seconds: Self.seconds, serverPID: nil).run()
                print(report.summary)
                report.check()
                // In-process the resident size is every running suite's; what the server holds is
                // bounded by its store (the script measures a separate server's peak).
                let (count, bytes) = (await server.sessions.count, await server.sessions.totalBytes)
                #expect(count <= limits.maximumSessions && bytes <= limits.sessionMemoryBytes)
            }
        }
    }
}

/// Resident memory from /proc (Linux); nil elsewhere.
enum MemoryUse {
    /// VmHWM: the peak resident size.
    static func peakBytes(of pid: Int32?) -> Int? { field("VmHWM", pid) }

    private static func field(_ name: String, _ pid: Int32?) -> Int? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
}

/// One load run: `clients` loops, each uploading a photo, then rendering previews (most),
/// full-size images and latents with random slider values, backing off 50 ms after a 429;
/// a monitor polls /healthz (and the server's memory when its pid is known) twice a second.
struct LoadRun {
    let base: String
    let clients: Int
    let seconds: Double
    let serverPID: Int32?

    struct Report {
        var requests = 0
        var statuses: [Int: Int] = [:]
        var transportErrors: [String] = []
        var healthChecks = 0
        var healthFailures = 0
        var slowestHealthSeconds = 0.0
        var previewSeconds: [Double] = []
        var peakServerBytes: Int?
        /// Whether the peak is the server's own (a separate process) or this test process's.
        var serverMeasured = false
        var seconds = 0.0

        mutating func merge(_ other: Report) {
            requests += other.requests
            for (status, count) in other.statuses { statuses[status, default: 0] += count }
            transportErrors += other.transportErrors
            previewSeconds += other.previewSeconds
        }

        var unexpected: [Int: Int] { statuses.filter { ![200, 201, 429].contains($0.key) } }

        var summary: String {
            let sorted = previewSeconds.sorted()
            func percentile(_ p: Double) -> String {
                sorted.isEmpty ? "-" : String(format: "%.0f ms", 1000 * sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))])
            }
            return """
                load: \(requests) requests in \(String(format: "%.1f", seconds)) s (\(String(format: "%.0f", Double(requests) / max(seconds, 0.001))) requests/s); \
                statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")); \
                \(transportErrors.count) transport errors; successful previews \(sorted.count), median \(percentile(0.5)), p95 \(percentile(0.95)) \
                (queueing included); /healthz \(healthChecks) checks, \(healthFailures) failed, slowest \(String(format: "%.0f ms", slowestHealthSeconds * 1000))\
                \(peakServerBytes.map { "; \(serverMeasured ? "server" : "test process (every suite)") peak RSS \($0 >> 20) MiB" } ?? "")
                """
        }

        func check() {
            #expect(unexpected.isEmpty, "statuses other than 200, 201 and 429: \(unexpected)")
            #expect(transportErrors.isEmpty, "transport errors: \(transportErrors.prefix(5))")
            #expect(healthFailures == 0 && healthChecks > 0)
            #expect(slowestHealthSeconds < 3, "/healthz took \(slowestHealthSeconds) s under load")
            #expect(statuses[200, default: 0] > 0 && statuses[201, default: 0] > 0)
            if serverMeasured, let peakServerBytes {
                #expect(peakServerBytes < 1 << 30, "the server's peak resident memory was \(peakServerBytes >> 20) MiB")
            }
        }
    }

    func run() async throws -> Report {
        let photo = FaceRenderer.render(seed: 21, size: 128).pngData()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = clients + 4
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let config = try await Self.json(http, "\(base)/api/config")
        let sliders = ((config["sliders"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        let started = Date()
        let deadline = started.addingTimeInterval(seconds)
        var report = try await withThrowingTaskGroup(of: Report.self) { group in
            for k in 0..<clients {
                group.addTask { await client(k, http: http, photo: photo, sliders: sliders, until: deadline) }
            }
            group.addTask { await monitor(http: http, until: deadline) }
            var total = Report()
            for try await part in group {
                total.merge(part)
                total.healthChecks += part.healthChecks
                total.healthFailures += part.healthFailures
                total.slowestHealthSeconds = max(total.slowestHealthSeconds, part.slowestHealthSeconds)
                if let peak = part.peakServerBytes { total.peakServerBytes = max(total.peakServerBytes ?? 0, peak) }
            }
            return total
        }
        report.seconds = Date().timeIntervalSince(started)
        report.serverMeasured = serverPID != nil
        try await http.shutdown()
        return report
    }

    private func client(_ index: Int, http: HTTPClient, photo: [UInt8], sliders: [String], until deadline: Date) async -> Report {
        var report = Report()
        var random = SystemRandomNumberGenerator()
        var session: String?
        while Date() < deadline {
            do {
                guard let id = session else {
                    let (status, body) = try await send(http, "\(base)/api/sessions", method: .POST, body: photo, report: &report)
                    if status == 201, let created = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                        session = created["id"] as? String
                    } else if status == 429 {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    continue
                }
                let roll = Int.random(in: 0..<100, using: &random)
                var edits: [String: Float] = [:]
                for slider in sliders.shuffled(using: &random).prefix(2) { edits[slider] = Float.random(in: -3...3, using: &random) }
                let settings = String(decoding: try JSONSerialization.data(withJSONObject: ["edits": edits, "beta1": 1, "beta2": 0.9,
                                                                                            "preview": roll < 75]), as: UTF8.self)
                let path = roll < 92 ? "render" : "latents"
                let sent = Date()
                let (status, _) = try await send(http, "\(base)/api/sessions/\(id)/\(path)", method: .POST, body: Array(settings.utf8), report: &report)
                if status == 200 && roll < 75 { report.previewSeconds.append(Date().timeIntervalSince(sent)) }
                if status == 404 { session = nil }
                if status == 429 { try await Task.sleep(for: .milliseconds(50)) }
            } catch {
                report.transportErrors.append("\(error)")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        return report
    }

    private func monitor(http: HTTPClient, until deadline: Date) async -> Report {
        var report = Report()
        while Date() < deadline {
            let sent = Date()
            do {
                let (status, _) = try await send(http, "\(base)/healthz", method: .GET, body: nil, report: &report)
                if status != 200 { report.healthFailures += 1 }
            } catch {
                report.healthFailures += 1
            }
            report.healthChecks += 1
            report.slowestHealthSeconds = max(report.slowestHealthSeconds, Date().timeIntervalSince(sent))
            if let peak = MemoryUse.peakBytes(of: serverPID) { report.peakServerBytes = max(report.peakServerBytes ?? 0, peak) }
            try? await Task.sleep(for: .milliseconds(500))
        }
        report.requests = 0
        report.statuses = [:]
        return report
    }

    private func send(_ http: HTTPClient, _ url: String, method: HTTPMethod, body: [UInt8]?, report: inout Report) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: method == .POST && url.hasSuffix("/sessions") ? "image/png" : "application/json")
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let status = Int(response.status.code)
        report.requests += 1
        report.statuses[status, default: 0] += 1
        return (status, Array(bytes.readableBytesView))
    }

    private static func json(_ http: HTTPClient, _ url: String) async throws -> [String: Any] {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }
}
