import Foundation
import Testing
import CPUKernels

/// Layer norm against float64 direct computation. Normalised values are O(1) (|h| ≲ √columns);
/// float32 mean/variance sums of `columns` terms give errors ~columns·ε relative, so 2e-5
/// absolute (inputs shifted by 3 to exercise the centring) covers widths ≤ 300.
@Suite(.serialized) struct LayerNormalizationTests {
    @Test(arguments: [1, 5, 16, 96, 97, 300])
    func forwardAndBackward(columns: Int) {
        let rows = 23
        let x = TestBuffer(count: rows * columns, seed: 1)
        for i in 0..<x.count { x.pointer[i] = x.pointer[i] * 2 + 3 }
        let weight = TestBuffer(count: columns, seed: 2), bias = TestBuffer(count: columns, seed: 3)
        let g = TestBuffer(count: rows * columns, seed: 4)
        let epsilon: Float = 1e-5
        for affine in [true, false] {
            let y = TestBuffer(count: x.count, seed: 5), d = TestBuffer(count: x.count, seed: 6)
            let mean = TestBuffer(count: rows, seed: 7), rstd = TestBuffer(count: rows, seed: 8)
            let dW = TestBuffer(count: columns, seed: 9), dB = TestBuffer(count: columns, seed: 10)
            LayerNormalization.forward(rows: rows, columns: columns, input: x.pointer,
                                       weight: affine ? weight.pointer : nil, bias: affine ? bias.pointer : nil,
                                       epsilon: epsilon, output: y.pointer, mean: mean.pointer, rstd: rstd.pointer)
            LayerNormalization.backward(rows: rows, columns: columns, input: x.pointer, gradOutput: g.pointer,
                                        weight: affine ? weight.pointer : nil, mean: mean.pointer, rstd: rstd.pointer,
                                        gradInput: d.pointer, gradWeight: affine ? dW.pointer : nil,
                                        gradBias: affine ? dB.pointer : nil)
            var expectedDW = [Double](repeating: 0, count: columns), expectedDB = expectedDW
            for r in 0..<rows {
                let xr = (0..<columns).map { Double(x.pointer[r * columns + $0]) }
                let gr = (0..<columns).map { Double(g.pointer[r * columns + $0]) }
                let w = (0..<columns).map { affine ? Double(weight.pointer[$0]) : 1 }
                let b = (0..<columns).map { affine ? Double(bias.pointer[$0]) : 0 }
                let mu = xr.reduce(0, +) / Double(columns)
                let variance = xr.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(columns)
                let inv = 1 / (variance + Double(epsilon)).squareRoot()
                let h = xr.map { ($0 - mu) * inv }
                #expect(abs(Double(mean.pointer[r]) - mu) <= 1e-5)
                #expect(abs(Double(rstd.pointer[r]) - inv) <= 1e-4 * inv)
                let gw = (0..<columns).map { gr[$0] * w[$0] }
                let meanG = gw.reduce(0, +) / Double(columns)
                let meanGH = zip(gw, h).map(*).reduce(0, +) / Double(columns)
                for c in 0..<columns {
                    #expect(abs(Double(y.pointer[r * columns + c]) - (h[c] * w[c] + b[c])) <= 2e-5,
                            "forward width \(columns) affine \(affine)")
                    let expected = inv * (gw[c] - meanG - h[c] * meanGH)
                    // rstd can reach ~1/0.58 here; gradients are O(1)·rstd.
                    #expect(abs(Double(d.pointer[r * columns + c]) - expected) <= 4e-5 * max(1, inv),
                            "backward width \(columns) affine \(affine)")
                    expectedDW[c] += gr[c] * h[c]; expectedDB[c] += gr[c]
                }
            }
            if affine {
                // Sums over 23 rows of O(1) terms.
                for c in 0..<columns {
                    #expect(abs(Double(dW.pointer[c]) - expectedDW[c]) <= 1e-4)
                    #expect(abs(Double(dB.pointer[c]) - expectedDB[c]) <= 1e-4)
                }
            }
        }
    }
}
