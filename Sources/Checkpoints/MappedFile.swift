import FileAccess
import Foundation

/// Writes `parts` as one file through `AtomicFile` (temporary, fsync, rename), failures as
/// `CheckpointError`s naming the file.
func writeAtomically(_ parts: [Data], to url: URL) throws {
    do { try AtomicFile.write(parts, to: url) } catch let failure as AtomicFile.Failure {
        throw CheckpointError(.fileSystem, file: displayName(url), failure.reason)
    }
}

/// A file's bytes, memory-mapped (`MappedRegion`), with Foundation's and the system's errors
/// as `CheckpointError`s naming the file.
func mapFile(_ url: URL) throws -> Data {
    try MappedRegion.contents(of: url)
}
