/// Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method, in double.
///
/// Slower than Householder + QL for large matrices but simple and accurate to a few ulps; it
/// serves SeFa's 512×512 `WᵀW` (about a second).
package enum SymmetricEigen {
    /// Eigenvalues (descending) and eigenvectors (`vectors[k]` belongs to `values[k]`, unit
    /// length) of the `n×n` row-major symmetric `matrix`.
    package static func decompose(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [[Double]]) {
        precondition(matrix.count == n * n, "SymmetricEigen: \(matrix.count) values for a \(n)×\(n) matrix")
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = max(a.reduce(0) { max($0, abs($1)) }, .leastNormalMagnitude)
        for _ in 0..<100 {
            var off: Double = 0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off.squareRoot() <= 1e-15 * scale * Double(n) { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = a[p * n + q]
                    if abs(apq) <= 1e-300 { continue }
                    // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        return (order.map { a[$0 * n + $0] }, order.map { j in (0..<n).map { v[$0 * n + j] } })
    }
}
