import Foundation

/// Admits model requests: at most `concurrent` run at once, at most `queued` more wait in
/// arrival order, and one client never holds more than `perClient` of either. Anything beyond
/// is refused at once (the route answers 429), so a burst never grows an unbounded queue.
///
/// ```swift
/// let admission = AdmissionControl(concurrent: 1, queued: 8, perClient: 4)
/// try await admission.admitted(client: "127.0.0.1") { try await work() }
/// ```
package actor AdmissionControl {
    /// Why a request was turned away.
    package enum Refusal: Error, Equatable {
        case queueFull
        case clientBusy
    }

    let concurrent: Int
    let queued: Int
    let perClient: Int

    private var running = 0
    private var waiting: [(client: String, turn: CheckedContinuation<Void, Never>)] = []
    private var heldByClient: [String: Int] = [:]
    /// Requests refused since start (for /healthz and the load test).
    package private(set) var refusals = 0

    package init(concurrent: Int, queued: Int, perClient: Int) {
        precondition(concurrent >= 1 && queued >= 0 && perClient >= 1, "AdmissionControl: limits must be positive")
        self.concurrent = concurrent
        self.queued = queued
        self.perClient = perClient
    }

    /// Requests running and waiting now.
    package var load: (running: Int, waiting: Int) { (running, waiting.count) }

    /// Runs `body` once admitted, or throws a `Refusal` without running it.
    package func admitted<T: Sendable>(client: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await admit(client)
        defer { release(client) }
        return try await body()
    }

    private func admit(_ client: String) async throws {
        let held = heldByClient[client, default: 0]
        guard held < perClient else {
            refusals += 1
            throw Refusal.clientBusy
        }
        if running < concurrent {
            running += 1
            heldByClient[client] = held + 1
            return
        }
        guard waiting.count < queued else {
            refusals += 1
            throw Refusal.queueFull
        }
        heldByClient[client] = held + 1
        // The slot is handed over by `release`: `running` stays counted for the waiter.
        await withCheckedContinuation { waiting.append((client, $0)) }
    }

    private func release(_ client: String) {
        let held = heldByClient[client, default: 1] - 1
        heldByClient[client] = held > 0 ? held : nil
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().turn.resume()
        }
    }
}
