import Foundation

/// One-line progress on standard error: count, rate and time left, redrawn in place on a
/// terminal and printed every few items otherwise.
final class Progress {
    let total: Int
    let label: String
    let start = Date()
    private var done = 0
    private let interactive = isatty(2) != 0

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func advance(by count: Int = 1) {
        done += count
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "%@ %d/%d  %.2f/s  %.1fs elapsed  ETA %.0fs", label, done, total, rate, elapsed, remaining)
        if interactive {
            FileHandle.standardError.write(Data(("\r" + line + (done == total ? "\n" : "")).utf8))
        } else if done == total || done % max(1, total / 10) == 0 {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
