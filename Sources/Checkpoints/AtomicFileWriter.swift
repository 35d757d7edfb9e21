import FileAccess
import Foundation

/// Writes a whole file under a temporary name in the destination folder, then renames it into
/// place, so readers never see a half-written checkpoint and a crash leaves the old file intact.
enum AtomicFileWriter {
    static func write(_ parts: [Data], to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let manager = FileManager.default
        guard manager.createFile(atPath: temporary.path, contents: nil) else {
            throw CheckpointError(.fileSystem, file: displayName(url),
                "cannot create temporary file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            for part in parts { try handle.write(contentsOf: part) }
            try handle.synchronize()
        } catch {
            try? manager.removeItem(at: temporary)
            throw CheckpointError(.fileSystem, file: displayName(url), "write failed: \(error)")
        }
        // rename(2) replaces an existing destination atomically on POSIX systems.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(at: temporary)
            throw CheckpointError(.fileSystem, file: displayName(url), "cannot rename into place: \(reason)")
        }
    }
}

/// Maps a file into memory, turning Foundation's errors into `CheckpointError`.
///
/// A folder, FIFO, socket or device is refused by its kind before it is opened (opening a FIFO
/// would block until a writer appears), so messages say what the path is, not "permission".
func mapFile(_ url: URL) throws -> Data {
    if let problem = FileKind.problemReading(url.path) {
        throw CheckpointError(.fileSystem, file: displayName(url), problem)
    }
    do {
        return try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
        throw CheckpointError(.fileSystem, file: displayName(url), "cannot read the file")
    }
}
