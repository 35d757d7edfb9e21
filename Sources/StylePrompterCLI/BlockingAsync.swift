import Foundation

/// Runs async work from a synchronous command (the commands are `ParsableCommand`s) and waits.
enum BlockingAsync {
    static func run(_ work: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task.detached {
            do { try await work() } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw CommandErrors.Failure(message: "\(error)") }
    }

    private final class FailureBox: @unchecked Sendable {
        var error: (any Error)?
    }
}
