import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain sentences for the paths a reader cannot use.
public enum FileKind {
    /// Why `path` cannot be read as a regular file, or nil when it can.
    ///
    /// ```swift
    /// FileKind.problemReading("photos")   // "is a folder, not a file"
    /// ```
    public static func problemReading(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            return code == ENOENT ? "no such file" : code == EACCES ? "permission denied" : String(cString: strerror(code))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "is a folder, not a file"
        case S_IFIFO: return "is a FIFO (named pipe), not a regular file"
        case S_IFSOCK: return "is a socket, not a regular file"
        case S_IFCHR, S_IFBLK: return "is a device, not a regular file"
        default: return "is not a regular file"
        }
        guard access(path, R_OK) == 0 else { return "permission denied: the file is not readable" }
        return nil
    }
}
