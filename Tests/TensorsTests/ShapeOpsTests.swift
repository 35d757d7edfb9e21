import Foundation
import Tensors
import Testing
import TestSupport

@Suite("Shape ops against PyTorch")
struct ShapeOpsTests {
    static let cases: [OpCase] = [
        OpCase("reshape") { $0[0].reshape([4, -1]) },
        OpCase("permute") { $0[0].permute([2, 0, 1]) },
        OpCase("transposed") { $0[0].transposed(0, 2) },
        OpCase("narrow_axis1") { $0[0].narrow(1, start: 1, length: 2) },
        OpCase("narrow_axis0_view") { $0[0].narrow(0, start: 1, length: 1) },
        OpCase("slice_step2") { $0[0].slice(1, start: 1, end: 7, step: 2) },
        OpCase("slice_step3_axis0") { $0[0].slice(0, start: 0, end: 7, step: 3) },
        OpCase("pad_positive") { $0[0].pad([(1, 2), (0, 3)], value: 0.5) },
        OpCase("pad_negative") { $0[0].pad([(-1, 0), (1, -2)]) },
        OpCase("concat_axis1") { Tensor.concat($0, axis: 1) },
        OpCase("stack_axis1") { Tensor.stack($0, axis: 1) },
        OpCase("roll") { $0[0].roll(2, axis: 2).roll(-1, axis: 0) },
        OpCase("index_select") { $0[0].indexSelect(1, indices: [2, 0, 2, 1]) },
        OpCase("gather") { $0[0].gather(1, index: fixtureIndex("gather"), indexShape: [2, 4, 3]) },
        OpCase("scatter_add") { $0[0].scatterAdd(0, index: fixtureIndex("scatter_add"), into: [4, 2]) },
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }

    @Test func reshapeAndNarrowAlongTheFirstAxisAreViews() {
        let x = Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))
        #expect(x.reshape([4, 3]).storage === x.storage)
        let rows = x.narrow(0, start: 1, length: 2)
        #expect(rows.storage === x.storage && rows.offset == 4 && rows.scalars == (4..<12).map(Float.init))
        #expect(x.unsqueeze(0).shape == [1, 3, 4] && x.unsqueeze(-1).shape == [3, 4, 1])
        #expect(x.unsqueeze(1).squeeze(1).shape == [3, 4])
        #expect(x.reshape([2, 3, 2]).flatten(from: 1).shape == [2, 6])
    }
}

/// The integer index list the script stored in the case's `params.index`.
func fixtureIndex(_ name: String) -> [Int] {
    struct Info: Decodable { struct Params: Decodable { let index: [Int] }; let params: Params }
    let json = opFixtures.metadata[name] ?? "{}"
    return (try? JSONDecoder().decode(Info.self, from: Data(json.utf8)))?.params.index ?? []
}

@Suite("Ops on views that start inside their storage")
struct ViewOffsetTests {
    /// `narrow` along the first axis is a view with a non-zero offset; every op must read from
    /// that offset, so results equal those on a contiguous copy.
    @Test func opsReadViewsAtTheirOffset() {
        var rng = SplitMix64(seed: 21)
        let base = Tensor(shape: [3, 2, 4, 5], scalars: (0..<120).map { _ in rng.nextSigned() })
        let view = base.narrow(0, start: 1, length: 2), copy = view.copy()
        #expect(view.offset == 40 && view.storage === base.storage)
        let weight = Tensor(shape: [3, 2, 3, 3], scalars: (0..<54).map { _ in rng.nextSigned() })
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("exp", { $0.exp() }),
            ("add", { $0 + Tensor(shape: [5], scalars: [1, 2, 3, 4, 5]) }),
            ("matmul", { Tensor.matmul($0, $0, transposeB: true) }),
            ("conv2d", { Tensor.conv2d($0, weight: weight, options: .init(padding: 1)) }),
            ("permute", { $0.permute([3, 1, 0, 2]) }),
            ("pad", { $0.pad([(1, -1)]) }),
            ("slice", { $0.slice(3, start: 0, end: 5, step: 2) }),
            ("sum", { $0.sum(axes: [1, 3]) }),
            ("softmax", { $0.softmax(axis: 2) }),
            ("layerNorm", { Tensor.layerNorm($0, weight: nil, bias: nil) }),
            ("upfirdn2d", { Tensor.upfirdn2d($0, kernel: Tensor.ones([2, 2]), padding: (1, 0, 0, 1)) }),
            ("resize", { $0.resizeBilinear(height: 3, width: 7) }),
            ("gather", { $0.gather(0, index: [Int](repeating: 1, count: 40), indexShape: [1, 2, 4, 5]) }),
        ]
        for (name, op) in ops {
            #expect(op(view).scalars == op(copy).scalars, "\(name) on a view")
        }
    }
}
