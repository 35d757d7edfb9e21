import Tensors

/// Checks autograd against central finite differences for any function of tensors.
///
/// For a function `f(inputs) → out` and an upstream gradient `gout`, autograd's gradient of
/// `L = Σ out·gout` with respect to each differentiable input is compared with
/// `(L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h` at every element `i` (or a fixed random subset of the
/// elements of larger inputs).
///
/// Float32 finite differences are noisy, so `L` is summed in double from the float32 outputs
/// (only the outputs' own rounding remains), the step is the difference of the perturbed values
/// as actually stored, and the comparison is the relative L2 error over all checked elements
/// rather than element by element.
///
/// ```swift
/// let errors = FiniteDifferences.relativeErrors(of: { $0[0].tanh() }, at: [x])
/// #expect(errors[0] < 1e-2)
/// ```
public enum FiniteDifferences {
    /// Per differentiable input (in order), the relative L2 error of autograd's gradient against
    /// the finite-difference estimate. `differentiable` lists input positions (default: all);
    /// `gout` defaults to a seeded random tensor.
    public static func relativeErrors(of f: ([Tensor]) -> Tensor, at inputs: [Tensor], differentiable: [Int]? = nil,
                                      gout: Tensor? = nil, step: Float = 1e-2, maxElementsPerInput: Int = 48,
                                      seed: UInt64 = 0x5eed) -> [Double] {
        let positions = differentiable ?? Array(inputs.indices)
        let leaves = inputs.enumerated().map { i, t in
            let leaf = t.copy()
            leaf.requiresGrad = positions.contains(i)
            return leaf
        }
        var random = SplitMix64(seed: seed)
        let out = f(leaves)
        let upstream = gout ?? Tensor(shape: out.shape, scalars: (0..<out.count).map { _ in random.nextSigned() })
        let analytic = gradients(of: out, withRespectTo: positions.map { leaves[$0] }, seed: upstream)
        let weights = upstream.scalars.map(Double.init)

        func loss() -> Double {
            let y = GradientMode.withoutGradients { f(leaves) }
            return zip(y.scalars, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
        }

        return zip(positions, analytic).map { position, gradient in
            let leaf = leaves[position]
            let elements = leaf.count <= maxElementsPerInput
                ? Array(0..<leaf.count) : random.sample(maxElementsPerInput, from: leaf.count)
            var numeric: [Double] = [], autograd: [Double] = []
            let g = gradient.scalars
            for i in elements {
                let value = leaf.data[i]
                let plus = value + step, minus = value - step
                leaf.data[i] = plus
                let lossPlus = loss()
                leaf.data[i] = minus
                let lossMinus = loss()
                leaf.data[i] = value
                numeric.append((lossPlus - lossMinus) / (Double(plus) - Double(minus)))
                autograd.append(Double(g[i]))
            }
            return relativeError(autograd, numeric)
        }
    }
}

/// A tiny seeded generator for test points and element subsets (reproducible everywhere).
public struct SplitMix64 {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    public mutating func nextSigned() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    /// `count` distinct indices of `0..<n`, sorted.
    public mutating func sample(_ count: Int, from n: Int) -> [Int] {
        var chosen = Set<Int>()
        while chosen.count < Swift.min(count, n) { chosen.insert(Int(next() % UInt64(n))) }
        return chosen.sorted()
    }
}
