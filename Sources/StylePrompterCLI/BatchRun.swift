import Foundation
import Inversion

/// Bookkeeping for commands that process many inputs: per-input failures are collected and
/// reported at the end (the batch goes on), finished items leave a marker so an interrupted
/// run resumes where it stopped.
final class BatchRun {
    let folder: URL
    let work: URL
    private(set) var failures: [(name: String, message: String)] = []

    init(output: String) throws {
        folder = URL(fileURLWithPath: output, isDirectory: true)
        work = folder.appendingPathComponent(".styleprompter-work", isDirectory: true)
        try CommandErrors.reporting { try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true) }
    }

    func fail(_ item: PhotoInput.Item, _ error: Error) {
        failures.append((item.url.lastPathComponent, "\(error)"))
        StatusLine.write("skipping \(item.url.lastPathComponent): \(error)")
    }

    /// A per-item file in the work folder.
    func workFile(_ item: PhotoInput.Item, _ suffix: String) -> URL { workFile(named: item.name, suffix) }

    func isDone(_ item: PhotoInput.Item, needing suffixes: [String]) -> Bool { isDone(named: item.name, needing: suffixes) }

    /// The same by output name, for inputs that are not whole photos (the faces `--align` finds).
    func workFile(named name: String, _ suffix: String) -> URL { work.appendingPathComponent("\(name).\(suffix)") }

    func isDone(named name: String, needing suffixes: [String]) -> Bool {
        suffixes.allSatisfy { FileManager.default.fileExists(atPath: workFile(named: name, $0).path) }
    }

    /// Prints the failures; throws (exit status 1) if there were any.
    func finish(total: Int) throws {
        guard !failures.isEmpty else { return }
        let lines = failures.map { "  \($0.name): \($0.message)" }.joined(separator: "\n")
        StatusLine.write("\(failures.count) of \(total) inputs failed:\n\(lines)")
        throw CommandErrors.Failure(message: "\(failures.count) of \(total) inputs failed (listed above); the others were written")
    }
}
