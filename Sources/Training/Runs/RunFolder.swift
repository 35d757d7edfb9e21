import FileAccess
import Foundation

/// A training run's folder: `config.json` (what the run was started with, read back by
/// `--resume`), `log.txt` (warnings, skipped files), `checkpoints/`, `samples/`, `metrics.jsonl`,
/// `validation.jsonl` and `report.html`.
///
/// ```swift
/// let run = try RunFolder(url, creating: true)
/// try run.writeConfiguration(configuration, kind: "train-generator", totalSteps: 6250)
/// run.log("skipped bad.jpg: not PNG or JPEG")
/// ```
public final class RunFolder: @unchecked Sendable {
    public let url: URL
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var samples: URL { url.appendingPathComponent("samples") }
    public var configurationFile: URL { url.appendingPathComponent("config.json") }
    public var logFile: URL { url.appendingPathComponent("log.txt") }
    public var metricsFile: URL { url.appendingPathComponent("metrics.jsonl") }
    public var validationFile: URL { url.appendingPathComponent("validation.jsonl") }
    private let lock = NSLock()

    /// Opens (or with `creating`, makes) a run folder and removes temporary files a killed run
    /// left behind (unless `removingTemporaries` is false: a data-parallel rank other than 0,
    /// which must not touch files rank 0 may be writing).
    public init(_ url: URL, creating: Bool, removingTemporaries: Bool = true) throws {
        self.url = url.standardizedFileURL
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        let exists = manager.fileExists(atPath: url.path, isDirectory: &isFolder)
        if exists && !isFolder.boolValue { throw TrainingError.run("\(url.path): exists and is not a folder") }
        if !exists {
            guard creating else { throw TrainingError.run("\(url.path): no such run folder") }
        }
        do {
            for folder in [url, checkpoints, samples] { try manager.createDirectory(at: folder, withIntermediateDirectories: true) }
        } catch {
            throw TrainingError.run("\(url.path): cannot create the run folder (\(error.localizedDescription))")
        }
        if removingTemporaries { removeTemporaryFiles() }
    }

    /// Whether a run was already started here (it has a configuration).
    public var hasConfiguration: Bool { FileManager.default.fileExists(atPath: configurationFile.path) }

    /// Writes `config.json`: the configuration's fields plus `kind` and `total_steps`, which the
    /// report shows (readers of the configuration ignore the two).
    public func writeConfiguration<C: Encodable>(_ configuration: C, kind: String, totalSteps: Int) throws {
        var object = (try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as? [String: Any]) ?? [:]
        object["kind"] = kind
        object["total_steps"] = totalSteps
        try writeAtomically(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), to: configurationFile)
    }

    public func readConfiguration<C: Decodable>(_ type: C.Type) throws -> C {
        guard let data = FileManager.default.contents(atPath: configurationFile.path) else {
            throw TrainingError.run("\(configurationFile.path): missing — is \(url.path) a run folder?")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw TrainingError.run("\(configurationFile.path): not a valid configuration (\(error))")
        }
    }

    /// Appends a time-stamped line to `log.txt` (and never fails the run over it).
    public func log(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        let line = "\(ISO8601DateFormatter().string(from: Date())) \(message)\n"
        if let handle = FileHandle(forWritingAtPath: logFile.path) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
        } else {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: Data(line.utf8))
        }
    }

    /// Writes `data` through `AtomicFile` (temporary name, fsync, rename): readers never see half
    /// a file, and a kill leaves the previous version.
    public func writeAtomically(_ data: Data, to destination: URL) throws {
        do { try AtomicFile.write(data, to: destination) } catch let failure as AtomicFile.Failure {
            throw TrainingError.run(failure.description)
        }
    }

    /// Temporary files (`.NAME.UUID.tmp`) of saves that a kill interrupted.
    private func removeTemporaryFiles() {
        for folder in [url, checkpoints, samples] { AtomicFile.removeLeftovers(in: folder) }
    }
}
