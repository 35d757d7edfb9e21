import Foundation

/// One-line progress on standard error: count, rate and time left, redrawn in place on a
/// terminal (clearing the rest of the line) and printed every few items otherwise. Warnings
/// written with `StatusLine.write` meanwhile get their own lines.
package final class Progress {
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
            // ESC[K clears what a longer previous line (or a warning) left to the right.
            FileHandle.standardError.write(Data(Self.frame(line, final: done == total).utf8))
            StatusLine.progressOpen = done < total
        } else if done == total || done % max(1, total / 10) == 0 {
            StatusLine.write(line)
        }
    }

    /// One redraw on a terminal: back to the line's start, the line, ESC[K to clear the rest.
    package static func frame(_ line: String, final: Bool) -> String {
        "\r" + line + "\u{1B}[K" + (final ? "\n" : "")
    }
}
