import FileAccess
import Foundation
import Testing

import Imaging

@Suite struct AtomicFileTests {
    @Test("a killed write's temporary is removed on the next run; a user's own .tmp files stay")
    func leftoversAreRemovedAndNothingElse() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let leftover = ".seed0001.png.\(UUID().uuidString).tmp"
        let kept = [".notes.tmp", "data.tmp", ".a.b.not-a-uuid.tmp", "seed0001.png"]
        for name in [leftover] + kept { try Data([1]).write(to: folder.appendingPathComponent(name)) }
        #expect(AtomicFile.removeLeftovers(in: folder) == 1)
        let remaining = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(remaining == Set(kept))
        // What the writer itself leaves on success: the file only.
        try AtomicFile.write([1, 2, 3], to: folder.appendingPathComponent("out.bin"))
        #expect(AtomicFile.removeLeftovers(in: folder) == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("out.bin")) == Data([1, 2, 3]))
    }
}
