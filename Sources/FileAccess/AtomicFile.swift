import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way this package writes a file: the bytes go to `.NAME.UUID.tmp` in the destination's
/// folder, are synced to disk, and the file is renamed over the destination (atomic on one file
/// system) and the folder synced — so a reader never sees half a file, and a crash or `kill -9`
/// at any moment leaves either the old file or the new one (plus, at worst, a temporary that
/// `removeLeftovers` clears on the next run).
///
/// ```swift
/// try AtomicFile.write(Array("hello".utf8), to: URL(fileURLWithPath: "out.txt"))
/// ```
public enum AtomicFile {
    /// A write that failed: the destination and why, in a plain sentence.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public static func write(_ bytes: [UInt8], to url: URL) throws { try write([Data(bytes)], to: url) }

    public static func write(_ data: Data, to url: URL) throws { try write([data], to: url) }

    /// Writes the concatenation of `parts` (a header and a body need not be joined in memory).
    public static func write(_ parts: [Data], to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure(path: url.path, reason: "cannot create a temporary file beside it (\(String(cString: strerror(errno))))")
        }
        func fail(_ what: String, _ code: Int32) -> Failure {
            close(descriptor)
            unlink(temporary.path)
            return Failure(path: url.path, reason: "\(what) (\(String(cString: strerror(code))))")
        }
        for part in parts {
            let failed = part.withUnsafeBytes { buffer -> Int32? in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc_write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += written
                }
                return nil
            }
            if let failed { throw fail("write failed", failed) }
        }
        guard fsync(descriptor) == 0 else { throw fail("cannot sync to disk", errno) }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw Failure(path: url.path, reason: "write failed (\(String(cString: strerror(code))))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw Failure(path: url.path, reason: "cannot rename into place (\(String(cString: strerror(code))))")
        }
        // The rename itself is durable once the folder is synced (best effort: some file
        // systems refuse to open a folder for this).
        let folderDescriptor = open(folder.path, O_RDONLY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
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

    /// Whether `name` is `.NAME.UUID.tmp` as `write` names its temporaries.
    public static func isLeftover(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let last = parts.last else { return false }
        return UUID(uuidString: String(last)) != nil
    }
}

#if canImport(Glibc)
private let Glibc_write = Glibc.write
#elseif canImport(Darwin)
private let Glibc_write = Darwin.write
#endif
