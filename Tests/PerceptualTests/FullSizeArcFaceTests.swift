import Foundation
import Perceptual
import Tensors
import Testing
import TestSupport

/// The real IR-SE50 shape (43.8 M parameters, 175 MB) on seeded perturbed weights — too large to
/// commit. Opt in with `STYLEPROMPTER_LARGE_FIXTURES=1` after
/// `.venv/bin/python Scripts/make_perceptual_fixtures.py --large` has written `.fixtures-large/`.
@Suite(.enabled(if: FullSizeArcFace.available, "set STYLEPROMPTER_LARGE_FIXTURES=1 and run Scripts/make_perceptual_fixtures.py --large"))
struct FullSizeArcFaceTests {
    @Test func irSE50IdentityLossMatchesReleased() throws {
        let facenet = try IRSEBackbone.load(contentsOf: FullSizeArcFace.folder.appendingPathComponent("irse50.pt"))
        #expect(facenet.configuration == .irSE50)
        let fixtures = try FixtureFile(contentsOf: FullSizeArcFace.folder.appendingPathComponent("irse50_outputs.safetensors"))
        try ArcFaceTests.checkIdentityLoss(IdentityLoss(facenet: facenet), fixtures: fixtures, label: "irse50")
    }
}

enum FullSizeArcFace {
    static let folder = LargeFixtures.folder
    static var available: Bool { LargeFixtures.available("irse50.pt") }
}
