import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so readers never see it half-written: the bytes go to a temporary file in the
/// same directory, which is then renamed over the destination (atomic on one file system).
///
/// ```swift
/// try AtomicFile.write(Array("hello".utf8), to: URL(fileURLWithPath: "out.txt"))
/// ```
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            throw ImagingError.file(path: url.path, underlying: .invalidArgument("cannot write: \(error.localizedDescription)"))
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw ImagingError.file(path: url.path, underlying: .invalidArgument("cannot rename into place: \(String(cString: strerror(code)))"))
        }
    }

    /// Removes the temporary files (`.NAME.UUID.tmp`) that writes killed mid-way left in
    /// `folder`. Only names of exactly that shape go, so a user's own `.something.tmp` stays.
    /// Returns how many were removed.
    @discardableResult
    public static func removeLeftovers(in folder: URL) -> Int {
        let manager = FileManager.default
        var removed = 0
        for name in (try? manager.contentsOfDirectory(atPath: folder.path)) ?? [] where isLeftover(name) {
            if (try? manager.removeItem(at: folder.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

    /// Whether `name` is `.NAME.UUID.tmp` as the atomic writers here name their temporaries.
    public static func isLeftover(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let last = parts.last else { return false }
        return UUID(uuidString: String(last)) != nil
    }
}
