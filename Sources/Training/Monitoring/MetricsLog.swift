import FileAccess
import Foundation
import Imaging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only JSON-lines log of run records (`metrics.jsonl`, `validation.jsonl`).
///
/// Each record goes out as one whole line in one `write` to a descriptor opened with
/// `O_APPEND`, so killing the run leaves whole lines only; a line torn by a crash mid-write (or a
/// full disk) is cut off when the log is next opened and skipped when it is read. A resumed run
/// rewinds the log to its checkpoint with `truncate(afterStep:)`, so no step appears twice.
///
/// ```swift
/// let log = try TrainingLog(url: run.appendingPathComponent("metrics.jsonl"))
/// try log.truncate(afterStep: checkpoint.step)          // on resume
/// try log.append(TrainingRecord(step: 120, kimg: 0.48, seconds: 12.3, imagesPerSecond: 40.1, terms: terms))
/// let records = try TrainingLog.read(contentsOf: log.url)
/// ```
public final class MetricsLog<Record: RunRecord> {
    public let url: URL
    private var descriptor: Int32 = -1

    /// Opens (creating) the log for appending, cutting off a torn last line.
    public init(url: URL) throws {
        self.url = url
        try open()
    }

    deinit { close() }

    /// Appends `record` as one line.
    public func append(_ record: Record) throws {
        if descriptor < 0 { try open() }
        let bytes = Array((record.jsonLine() + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw error("cannot append")
            }
            written += count
        }
    }

    /// Drops every record after `step` (and any unreadable line), rewriting the file atomically:
    /// a kill during the rewrite leaves the old log or the new one, never a mix.
    public func truncate(afterStep step: Int) throws {
        close()
        let (bytes, lines) = try Self.lines(of: url)
        var kept: [UInt8] = []
        for line in lines {
            guard let record = JSONLine.parseObject(bytes, line: line).flatMap(Record.init(jsonObject:)),
                  record.step <= step else { continue }
            kept += bytes[line]
            kept.append(UInt8(ascii: "\n"))
        }
        do {
            try AtomicFile.write(kept, to: url)
        } catch {
            throw RunLogError(path: url.path, message: "cannot rewrite: \(error)")
        }
        try open()
    }

    /// Releases the descriptor (nothing is buffered: every append is its own system call); a
    /// later `append` reopens the file.
    public func close() {
        if descriptor >= 0 { closeDescriptor(descriptor) }
        descriptor = -1
    }

    /// Every readable record of the log at `url`, in file order; an absent file has none. Lines
    /// that are not a record — a torn last line — are skipped.
    public static func read(contentsOf url: URL) throws -> [Record] {
        let (bytes, lines) = try lines(of: url)
        return lines.compactMap { JSONLine.parseObject(bytes, line: $0).flatMap(Record.init(jsonObject:)) }
    }

    /// The file's bytes and the ranges of its non-empty lines (the last even without its newline).
    static func lines(of url: URL) throws -> (bytes: [UInt8], lines: [Range<Int>]) {
        guard FileManager.default.fileExists(atPath: url.path) else { return ([], []) }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw RunLogError(path: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        var lines: [Range<Int>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            if index > start { lines.append(start..<index) }
            start = index + 1
        }
        if bytes.count > start { lines.append(start..<bytes.count) }
        return (bytes, lines)
    }

    private func open() throws {
        descriptor = openDescriptor(url.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw error("cannot open") }
        // A torn last line would otherwise glue itself to the next record.
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(descriptor, &last, 1, size - 1) == 1 else { throw error("cannot read") }
        if last == UInt8(ascii: "\n") { return }
        let data = try Data(contentsOf: url)
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 - data.startIndex + 1 } ?? 0
        guard ftruncate(descriptor, off_t(keep)) == 0 else { throw error("cannot cut off a torn last line") }
    }

    private func error(_ what: String) -> RunLogError {
        RunLogError(path: url.path, message: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// The training-step log, `metrics.jsonl`.
public typealias TrainingLog = MetricsLog<TrainingRecord>
/// The validation log, `validation.jsonl`.
public typealias ValidationLog = MetricsLog<ValidationRecord>

// The log's own `open`/`close` methods hide the C functions inside the class.
private func openDescriptor(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
