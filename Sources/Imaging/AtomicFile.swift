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
}
