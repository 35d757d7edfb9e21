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

/// Parses "0-7", "3", "1,4,9-11" into integers.
func parseIntegerList(_ text: String, option: String) throws -> [Int] {
    var values: [Int] = []
    for part in text.split(separator: ",") {
        let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        switch bounds.count {
        case 1 where bounds[0] != nil: values.append(bounds[0]!)
        case 2 where bounds[0] != nil && bounds[1] != nil && bounds[0]! <= bounds[1]!: values += Array(bounds[0]!...bounds[1]!)
        default: throw CommandErrors.Failure(message: "\(option): '\(part)' is not a number or a range like 0-7")
        }
    }
    guard !values.isEmpty else { throw CommandErrors.Failure(message: "\(option): no values in '\(text)'") }
    return values
}
