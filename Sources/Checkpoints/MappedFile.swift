import FileAccess
import Foundation

/// Writes `parts` as one file through `AtomicFile` (temporary, fsync, rename), failures as
/// `CheckpointError`s naming the file.
func writeAtomically(_ parts: [Data], to url: URL) throws {
    do { try AtomicFile.write(parts, to: url) } catch let failure as AtomicFile.Failure {
        throw CheckpointError(.fileSystem, file: displayName(url), failure.reason)
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
