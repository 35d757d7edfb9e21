import Foundation

/// Writes and reads the flat JSON objects of the run logs, one per line.
///
/// JSON has no NaN or infinity, and `JSONSerialization` refuses them, so numbers are written by
/// hand: a non-finite value becomes `null` and `null` reads back as NaN (a diverged loss stays
/// visible in the log instead of stopping the writer).
///
/// ```swift
/// JSONLine.number(.nan)                      // "null"
/// JSONLine.object([("step", "12"), ("loss", JSONLine.number(0.5))])   // {"step": 12, "loss": 0.5}
/// ```
enum JSONLine {
    /// The shortest text that reads back as `value` (Swift's own round-trip rendering), or `null`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `value` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// An object of already-encoded values, in the order given.
    static func object(_ members: [(key: String, value: String)]) -> String {
        "{" + members.map { "\(string($0.key)): \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// `[name: number]` with keys sorted, so equal dictionaries give equal lines.
    static func numbers(_ values: [String: Double]) -> String {
        object(values.keys.sorted().map { ($0, number(values[$0]!)) })
    }

    /// The object on one line, or nil when the line is not a JSON object (a torn or foreign line).
    static func parseObject(_ bytes: [UInt8], line: Range<Int>) -> [String: JSONValue]? {
        guard case .object(let members) = JSONValue.parse(bytes, in: line) else { return nil }
        return members
    }
}
