import Foundation
import StyleGAN
import Tensors
import Testing
import TestSupport

/// The real direction files of the ecosystem (`../shared/data/directions`), applied as e4e and
/// StylePrompter apply them (`Scripts/make_edit_fixtures.py` computed the references in PyTorch).
enum SharedData {
    static let directions = SharedTestData.url("directions")
    static var available: Bool { SharedTestData.exists("directions") }
}

@Suite struct EditDirectionTests {
    let fx = StyleGANFixtures.load("edits.safetensors")

    private func vector(_ name: String) throws -> Tensor {
        guard case .vector(let d) = try EditDirection.load(contentsOf: SharedData.directions.appendingPathComponent(name)) else {
            throw EditError("\(name) did not load as a vector direction")
        }
        return d
    }

    /// Additions of float32 values: PyTorch and we round identically, up to one ulp.
    private func expectEdit(_ actual: Tensor, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = relativeError(actual, try fx.tensor(key))
        #expect(error <= ParityTolerance.bound(gap: nil), "\(key): relative L2 \(error)", sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: SharedData.available, "../shared/data/directions is absent"))
    func interfaceGANAndWPlusDirections() throws {
        let latent = try fx.tensor("latent")
        let age = try vector("interfacegan_age.pt")
        #expect(age.shape == [1, 512])
        try expectEdit(try LatentEditing.apply(age, to: latent, strength: 2.5), "interfacegan_age")
        let pose = try vector("interfacegan_pose.pt")          // saved from a CUDA device
        #expect(pose.shape == [1, 18, 512])
        try expectEdit(try LatentEditing.apply(pose, to: latent, strength: 2.5), "interfacegan_pose")
        try expectEdit(try LatentEditing.apply(try vector("wplus_Smiling.npy"), to: latent, strength: 2.5), "wplus_smiling")
        let makeup = try vector("flat_Heavy_Makeup.npy")
        #expect(makeup.shape == [1, 9216])
        try expectEdit(try LatentEditing.apply(makeup, to: latent, strength: 2.5), "flat_makeup")
    }

    @Test(.enabled(if: SharedData.available, "../shared/data/directions is absent"))
    func ganspaceEditsMoveTheComponentCoordinate() throws {
        guard case .ganspace(let pca) = try EditDirection.load(contentsOf: SharedData.directions.appendingPathComponent("ganspace_ffhq_pca.pt")) else {
            Issue.record("ganspace_ffhq_pca.pt did not load as GANSpace")
            return
        }
        #expect(pca.components.shape == [80, 512])
        let latent = try fx.tensor("latent")
        try expectEdit(try pca.edit(latent, component: 54, layers: 7..<8, strength: 20), "ganspace_54_7_8_20")
        try expectEdit(try pca.edit(latent, component: 0, layers: 0..<5, strength: -3), "ganspace_0_0_5_m3")
        #expect(throws: EditError.self) { try pca.edit(latent, component: 80, layers: 0..<5, strength: 1) }
        #expect(throws: EditError.self) { try pca.edit(latent, component: 1, layers: 10..<19, strength: 1) }
    }

    @Test func mismatchedDirectionsAreRejectedWithTheirShape() throws {
        let latent = Tensor.zeros([1, 18, 512])
        do {
            _ = try LatentEditing.apply(Tensor.zeros([14, 512]), to: latent, strength: 1)
            Issue.record("a [14, 512] direction was applied to 18 latents")
        } catch let error as EditError {
            #expect(error.description.contains("[14, 512]"))
        }
    }

    /// SeFa against rosinality's closed_form_factorization (torch.svd in double). Eigenvectors
    /// have no sign, so |cos| is compared; the Jacobi solver works in double too.
    @Test func sefaMatchesTheClosedFormFactorisation() throws {
        let g = try GeneratorCheckpoint.load(contentsOf: StyleGANFixtures.folder.appendingPathComponent("g64.pt")).generator
        let (directions, values) = try SeFa.directions(of: g, count: 5)
        let expected = try fx.tensor("sefa_vectors"), expectedValues = try fx.tensor("sefa_values").scalars
        for k in 0..<5 {
            let a = directions.narrow(0, start: k, length: 1), b = expected.narrow(0, start: k, length: 1)
            let cosine = abs((a * b).sum().item())
            #expect(abs(cosine - 1) < 1e-5, "direction \(k): |cos| \(cosine)")
            #expect(abs(values[k] - expectedValues[k]) <= 1e-5 * expectedValues[k], "eigenvalue \(k): \(values[k]) vs \(expectedValues[k])")
        }
        // Interpolation is the straight line between codes.
        let mid = LatentEditing.interpolate(Tensor.zeros([1, 2]), Tensor.ones([1, 2]), t: 0.25)
        #expect(mid.scalars == [0.25, 0.25])
    }
}
