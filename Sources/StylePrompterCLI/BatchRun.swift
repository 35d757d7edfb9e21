import Foundation
import StylePrompter

/// A command's batch over many inputs: the library's `ResultWriter` for the files, plus the
/// command-line side — per-input failures collected and reported at the end (the batch goes on).
final class BatchRun {
    let writer: ResultWriter
    private(set) var failures: [(name: String, message: String)] = []

    /// `fingerprint`: how results are made, for a resumable job (nil for one that does not resume).
    init(output: String, fingerprint: String? = nil) throws {
        writer = try CommandErrors.reporting { try ResultWriter(folder: URL(fileURLWithPath: output, isDirectory: true), fingerprint: fingerprint) }
        if writer.discardedStaleResults {
            print("note: \(writer.folder.path) holds results made with another model or settings; recomputing them")
        }
    }

    var folder: URL { writer.folder }

    func fail(_ item: PhotoInput.Item, _ error: Error) {
        failures.append((item.url.lastPathComponent, "\(error)"))
        StatusLine.write("skipping \(item.url.lastPathComponent): \(error)")
    }

    /// A per-input file in the work folder.
    func workFile(named name: String, _ suffix: String) -> URL { writer.workFile(name, suffix) }

    func isDone(named name: String, needing suffixes: [String]) -> Bool { writer.isDone(name, needing: suffixes) }

    /// Prints the failures; throws (exit status 1) if there were any.
    func finish(total: Int) throws {
        guard !failures.isEmpty else { return }
        let lines = failures.map { "  \($0.name): \($0.message)" }.joined(separator: "\n")
        StatusLine.write("\(failures.count) of \(total) inputs failed:\n\(lines)")
        throw CommandErrors.Failure(message: "\(failures.count) of \(total) inputs failed (listed above); the others were written")
    }
}
