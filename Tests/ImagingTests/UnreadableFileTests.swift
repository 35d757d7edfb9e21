import Foundation
import Testing

import Imaging

/// Issue 9: paths that are not readable files give a sentence naming the file, not a
/// Foundation error dump, and a FIFO is never opened (which would block).
@Suite struct UnreadableFileTests {
    @Test func foldersFIFOsAndMissingFilesAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("photo.jpg"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.png")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        for (name, expected) in [("photo.jpg", "is a folder, not a file"), ("pipe.png", "is a FIFO (named pipe), not a regular file"),
                                 ("absent.png", "no such file")] {
            let url = folder.appendingPathComponent(name)
            #expect(throws: ImagingError.file(path: url.path, underlying: .invalidArgument(expected))) { _ = try Image(contentsOf: url) }
        }
    }
}
