import Foundation

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop after the current step, save and exit
/// cleanly; a second signal ends the process at once.
///
/// ```swift
/// InterruptSignal.install()
/// while !InterruptSignal.isRequested { trainOneStep() }
/// ```
public enum InterruptSignal {
    nonisolated(unsafe) private static var requested: sig_atomic_t = 0

    /// Installs the handlers (idempotent).
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                if InterruptSignal.requested != 0 { _exit(128 + number) }
                InterruptSignal.requested = 1
            }
        }
    }

    public static var isRequested: Bool { requested != 0 }

    /// For tests: forget an earlier request.
    public static func reset() { requested = 0 }
}
