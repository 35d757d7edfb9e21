import Foundation
import Testing

import Checkpoints

/// Published checkpoints from `../shared/data` (not in the repository), compared with what
/// PyTorch and numpy read from them (`real_data_expected.json`).
@Suite("Real checkpoints", .enabled(if: Fixtures.realDataAvailable,
                                    "../shared/data is absent: real-checkpoint tests skipped"))
struct RealDataTests {
    @Test("InterFaceGAN, GANSpace, StylePrompter directions, LPIPS (legacy) and MTCNN (pickled npy)",
          arguments: Fixtures.realExpected.keys.sorted())
    func matchesReference(name: String) throws {
        let url = Fixtures.realData.appendingPathComponent(name)
        let value = name.hasSuffix(".npy") ? try NumpyFile.read(contentsOf: url) : try TorchCheckpoint.load(contentsOf: url)
        try expectMatches(StateDict(flattening: value), try #require(Fixtures.realExpected[name]), name)
    }

    @Test("the expected shapes of the published files")
    func shapes() throws {
        func list(_ path: String) throws -> CheckpointListing {
            try CheckpointFile.list(contentsOf: Fixtures.realData.appendingPathComponent(path))
        }
        #expect(try list("directions/interfacegan_age.pt").entries.map(\.shape) == [[1, 512]])
        #expect(try list("directions/interfacegan_pose.pt").entries.map(\.shape) == [[1, 18, 512]])
        #expect(try list("directions/ganspace_ffhq_pca.pt").entries.map(\.key) == ["mean", "comp", "std"])
        #expect(try list("directions/wplus_Smiling.npy").entries.map(\.shape) == [[18, 512]])
        #expect(try list("directions/flat_Heavy_Makeup.npy").entries.map(\.shape) == [[1, 9216]])
        let lpips = try list("lpips/v0.1_alex.pth")
        #expect(lpips.format == .torchLegacy)
        #expect(lpips.entries.first?.key == "lin0.model.1.weight")
        #expect(try list("mtcnn/pnet.npy").entries.first?.key == "features.conv1.weight")
    }
}
