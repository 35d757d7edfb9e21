import FileAccess
import Foundation

/// Why a checkpoint file could not be read or written.
///
/// Every error names the file, the part of it that was at fault (a zip entry, a tensor key, a
/// pickle opcode) and what was found against what was expected, on one line, so a log shows the
/// cause without a debugger:
///
/// ```swift
/// do { _ = try TorchCheckpoint.load(contentsOf: url) }
/// catch let error as CheckpointError {
///     print(error)  // interfacegan_age.pt: entry 'archive/data/0' holds 1024 bytes, storage needs 2048
/// }
/// ```
public struct CheckpointError: ContextualError, Sendable, Equatable {
    /// The broad class of failure, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// The bytes end before a structure they announce.
        case truncated
        /// The bytes contradict the format (bad magic, inconsistent sizes, bad syntax).
        case malformed
        /// Valid for the format, but a feature this reader does not implement.
        case unsupported
        /// A pickle named a global outside the allow-list; the payload is its dotted name.
        case refusedGlobal(String)
        /// The file system refused to read or write.
        case fileSystem
        /// A well-formed file that lacks a part the caller asked for (a generator in an
        /// encoder-only checkpoint), so a caller can fall back to another file without reading
        /// the message.
        case missingPart
    }

    public var kind: Kind
    /// The file's name (last path component), as given to the reader.
    public var file: String
    /// One line describing the fault, naming the entry or key concerned.
    public var message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind
        self.file = file
        // Names inside hostile files may hold newlines; keep the promise of one line.
        self.message = message.replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    public var description: String { "\(file): \(message)" }
}

extension CheckpointError {
    /// Shows a name taken from a file safely inside a message: quoted, control characters escaped,
    /// long names shortened.
    static func quote(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(120) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                shown += String(format: "\\x%02x", scalar.value)
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        if text.unicodeScalars.count > 120 { shown += "…" }
        return "'\(shown)'"
    }
}

/// Text taken from a file, made safe to print.
public enum CheckpointText {
    /// `text` with control characters (C0, DEL, C1) escaped as `\xNN` / `\u{NNNN}` and, past
    /// `limit` characters, shortened with "…"; keys and metadata of a hostile file can then not
    /// move the cursor, clear the screen or forge lines in `inspect`'s output.
    ///
    /// ```swift
    /// CheckpointText.printable("a\u{1b}[2Jb")   // "a\x1b[2Jb"
    /// ```
    public static func printable(_ text: String, limit: Int = Int.max) -> String {
        var shown = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { return shown + "…" }
            count += 1
            switch scalar.value {
            case 0..<0x20, 0x7F: shown += String(format: "\\x%02x", scalar.value)
            case 0x80..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }
}

/// The file name errors report for `url`.
func displayName(_ url: URL) -> String { url.lastPathComponent }

extension CheckpointError {
    public var context: ErrorContext { ErrorContext(file: file) }
}
