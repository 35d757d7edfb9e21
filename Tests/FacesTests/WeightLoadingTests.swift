import Faces
import Foundation
import NeuralNetwork
import TestSupport
import Testing

/// MTCNN weights from either layout.
@Suite("MTCNN weights")
struct WeightLoadingTests {
    @Test("pSp's pickled .npy dicts load strictly", .enabled(if: FacesFixtures.weightsAvailable, "../shared/data/mtcnn is absent"))
    func numpyDicts() throws {
        let detector = try MTCNN(weightsDirectory: SharedTestData.url("mtcnn"))
        #expect(detector.proposal.namedParameters().count == 13)
        #expect(detector.refinement.namedParameters().count == 16)
        #expect(detector.output.namedParameters().count == 21)
    }

    /// facenet-pytorch ships the same Caffe weights under other names, with its dense layers
    /// reading a channels-last flattening. Set `FACENET_MTCNN` to its `facenet_pytorch/data`
    /// folder (the wheel's `pnet.pt`, `rnet.pt`, `onet.pt`) to run this: every parameter must
    /// equal pSp's after the renaming and column reordering.
    @Test("facenet-pytorch's .pt files give pSp's parameters exactly",
          .enabled(if: ProcessInfo.processInfo.environment["FACENET_MTCNN"] != nil && FacesFixtures.weightsAvailable,
                   "set FACENET_MTCNN to facenet-pytorch's data folder to compare its weights"))
    func facenetLayout() throws {
        let facenet = try MTCNN(weightsDirectory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["FACENET_MTCNN"]!))
        let psp = try MTCNN(weightsDirectory: SharedTestData.url("mtcnn"))
        for (a, b) in [(facenet.proposal, psp.proposal), (facenet.refinement, psp.refinement), (facenet.output, psp.output)] as [(Module, Module)] {
            for ((key, x), (_, y)) in zip(a.namedParameters(), b.namedParameters()) {
                #expect(x.scalars == y.scalars, "\(key) differs")
            }
        }
    }

    @Test("a folder without weights names what is missing")
    func missing() {
        do {
            _ = try MTCNN(weightsDirectory: URL(fileURLWithPath: "/nonexistent-mtcnn"))
            Issue.record("loaded from nowhere")
        } catch {
            #expect("\(error)".contains("pnet.npy") && "\(error)".contains("pnet.pt"))
        }
    }
}
