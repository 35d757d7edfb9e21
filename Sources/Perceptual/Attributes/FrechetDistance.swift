import CPUKernels
import Foundation
import Tensors

/// The Fréchet distance between two sets of feature vectors, each summarised as a Gaussian:
/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½) — FID's formula, on any features (here the attribute
/// predictor's embedding). The trace of the square root is taken as Σ √λᵢ of the symmetric
/// matrix Σ₁^½ Σ₂ Σ₁^½, which has the same eigenvalues as Σ₁Σ₂.
///
/// ```swift
/// let fd = FrechetDistance.between(realFeatures, fakeFeatures)   // [N, D] each
/// ```
public enum FrechetDistance {
    public static func between(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1], "FrechetDistance: features \(a.shape) and \(b.shape)")
        let (meanA, covarianceA) = moments(a), (meanB, covarianceB) = moments(b)
        let d = a.shape[1]
        let rootA = symmetricSquareRoot(covarianceA, size: d)
        let product = multiply(multiply(rootA, covarianceB, d), rootA, d)
        let eigen = SymmetricEigen.decompose(product, size: d)
        let traceRoot = eigen.values.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
        var distance = zip(meanA, meanB).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        for i in 0..<d { distance += covarianceA[i * d + i] + covarianceB[i * d + i] }
        return distance - 2 * traceRoot
    }

    /// Mean and (unbiased) covariance in double precision.
    static func moments(_ x: Tensor) -> ([Double], [Double]) {
        let n = x.shape[0], d = x.shape[1], values = x.scalars.map(Double.init)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += values[i * d + j] } }
        mean = mean.map { $0 / Double(n) }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for j in 0..<d {
                let dj = values[i * d + j] - mean[j]
                for k in j..<d { covariance[j * d + k] += dj * (values[i * d + k] - mean[k]) }
            }
        }
        for j in 0..<d { for k in j..<d {
            covariance[j * d + k] /= Double(Swift.max(n - 1, 1))
            covariance[k * d + j] = covariance[j * d + k]
        } }
        return (mean, covariance)
    }

    static func symmetricSquareRoot(_ m: [Double], size d: Int) -> [Double] {
        let eigen = SymmetricEigen.decompose(m, size: d)
        var result = [Double](repeating: 0, count: d * d)
        for (value, vector) in zip(eigen.values, eigen.vectors) {
            let root = Swift.max(value, 0).squareRoot()
            for i in 0..<d { for j in 0..<d { result[i * d + j] += root * vector[i] * vector[j] } }
        }
        return result
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let aik = a[i * d + k]; for j in 0..<d { c[i * d + j] += aik * b[k * d + j] } } }
        return c
    }
}
