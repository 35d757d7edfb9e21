import FileAccess
import Foundation
import Imaging

/// An identity of a file that changes when the file is replaced or rewritten, cheap enough for
/// multi-gigabyte checkpoints: resolved path, size, modification time, inode, and a 64-bit
/// FNV-1a hash of the first and last MiB.
enum FileFingerprint {
    static func of(_ url: URL) throws -> String {
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CommandErrors.Failure(message: "\(path): \(String(cString: strerror(errno)))")
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            let window = 1 << 20
            var chunks = [(try? handle.read(upToCount: window)) ?? nil]
            if Int(info.st_size) > window {
                try? handle.seek(toOffset: UInt64(Int(info.st_size) - window))
                chunks.append((try? handle.read(upToCount: window)) ?? nil)
            }
            // Through a raw buffer: iterating `Data` byte by byte cost 20 ms per command.
            for chunk in chunks {
                chunk?.withUnsafeBytes { bytes in for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 } }
            }
        }
        return "\(path) size \(info.st_size) mtime \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) inode \(info.st_ino) fnv \(String(hash, radix: 16))"
    }
}

/// Foundation file errors as short phrases rather than `NSCocoaErrorDomain` dumps.
enum FileKindText {
    static func reason(_ error: Error) -> String {
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
        case .fileWriteFileExists: return "a file is in the way"
        case .fileWriteOutOfSpace: return "the disk is full"
        case .fileWriteVolumeReadOnly: return "the volume is read-only"
        default:
            if let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(underlying.code)))
            }
            return "error \(cocoa.code.rawValue)"
        }
    }
}
