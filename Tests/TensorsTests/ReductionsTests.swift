import Tensors
import Testing
import TestSupport

@Suite("Reductions against PyTorch")
struct ReductionsTests {
    static let cases: [OpCase] = [
        OpCase("sum_all") { $0[0].sum() },
        OpCase("sum_axes_keep") { $0[0].sum(axes: [0, 2], keepDims: true) },
        OpCase("sum_axis_last") { $0[0].sum(axis: -1) },
        OpCase("mean_all") { $0[0].mean() },
        OpCase("mean_axis_keep") { $0[0].mean(axis: 1, keepDims: true) },
        OpCase("mean_axes") { $0[0].mean(axes: [0, -1]) },
        OpCase("variance_unbiased") { $0[0].variance(axes: [1, 2]) },
        OpCase("variance_biased_keep") { $0[0].variance(axes: [-1], unbiased: false, keepDims: true) },
        // Fixture values are ≥ 0.1 apart, so the step 1e-2 never changes which element is largest.
        OpCase("max_axis1") { $0[0].max(axis: 1).values },
        OpCase("max_last_keep") { $0[0].max(axis: -1, keepDims: true).values },
        // Ties: the gradient goes to the first largest element, as PyTorch's CPU max does.
        OpCase("max_ties", finiteDifferences: false) { $0[0].max(axis: 1).values },
    ]

    @Test(arguments: cases)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkAgainstPyTorch(opCase) }

    @Test(arguments: [("max_axis1", 1, false), ("max_last_keep", -1, true)])
    func maxIndicesMatchArgmax(name: String, axis: Int, keepDims: Bool) throws {
        let x = try opFixtures.tensor("\(name).x")
        let expected = try opFixtures.tensor("\(name).indices")
        let (values, indices) = x.max(axis: axis, keepDims: keepDims)
        #expect(values.shape == expected.shape)
        #expect(indices == expected.scalars.map { Int($0) })
    }

    @Test func maxTakesTheFirstOfTies() {
        let x = Tensor(shape: [1, 4], scalars: [1, 3, 3, 2], requiresGrad: true)
        let (values, indices) = x.max(axis: 1)
        #expect(indices == [1])
        values.sum().backward()
        #expect(x.grad?.scalars == [0, 1, 0, 0])
    }
}
