import Foundation
import Testing
import CPUKernels

/// Softmax kernels against a float64 direct computation. Tolerances: float32 results of O(1)
/// values from a vectorised exp (≤ 2 ulp) and sums of `columns` terms — a few ulp of the
/// largest value plus columns·ε for the sums; 1e-5 absolute covers every width tested (≤ 300).
@Suite(.serialized) struct SoftmaxTests {
    static let widths = [1, 7, 16, 33, 256, 300]

    /// Inputs spread over ±8, so exponentials span ~7 orders of magnitude.
    func input(rows: Int, columns: Int) -> TestBuffer {
        let x = TestBuffer(count: rows * columns, seed: 7)
        for i in 0..<x.count { x.pointer[i] *= 8 }
        return x
    }

    func softmax64(_ x: UnsafePointer<Float>, _ columns: Int) -> [Double] {
        let m = (0..<columns).map { Double(x[$0]) }.max()!
        let e = (0..<columns).map { Foundation.exp(Double(x[$0]) - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    @Test(arguments: widths)
    func forwardAndLogForward(columns: Int) {
        let rows = 37
        let x = input(rows: rows, columns: columns)
        let y = TestBuffer(count: x.count, seed: 1), logY = TestBuffer(count: x.count, seed: 2)
        Softmax.forward(rows: rows, columns: columns, input: x.pointer, output: y.pointer)
        Softmax.logForward(rows: rows, columns: columns, input: x.pointer, output: logY.pointer)
        var worst = 0.0, worstLog = 0.0
        for r in 0..<rows {
            let expected = softmax64(x.pointer + r * columns, columns)
            for c in 0..<columns {
                worst = max(worst, abs(Double(y.pointer[r * columns + c]) - expected[c]))
                worstLog = max(worstLog, abs(Double(logY.pointer[r * columns + c]) - Foundation.log(expected[c])))
            }
        }
        #expect(worst <= 1e-6, "softmax width \(columns): \(worst)")
        // log-softmax values reach ~−16: a few ulp of that.
        #expect(worstLog <= 1e-5, "log-softmax width \(columns): \(worstLog)")
    }

    @Test func forwardInPlaceAndMasked() {
        let columns = 40
        let x = input(rows: 2, columns: columns)
        for c in stride(from: 0, to: 2 * columns, by: 3) { x.pointer[c] = -.infinity }   // masked keys
        let expected = (0..<2).map { softmax64(x.pointer + $0 * columns, columns) }
        Softmax.forward(rows: 2, columns: columns, input: x.pointer, output: x.pointer)
        for r in 0..<2 {
            for c in 0..<columns {
                if (r * columns + c) % 3 == 0 { #expect(x.pointer[r * columns + c] == 0) }
                #expect(abs(Double(x.pointer[r * columns + c]) - expected[r][c]) <= 1e-6)
            }
        }
    }

    @Test(arguments: widths)
    func backwardAndLogBackward(columns: Int) {
        let rows = 9
        let x = input(rows: rows, columns: columns), g = TestBuffer(count: rows * columns, seed: 3)
        let y = TestBuffer(count: x.count, seed: 1), logY = TestBuffer(count: x.count, seed: 2)
        let d = TestBuffer(count: x.count, seed: 4), logD = TestBuffer(count: x.count, seed: 5)
        Softmax.forward(rows: rows, columns: columns, input: x.pointer, output: y.pointer)
        Softmax.logForward(rows: rows, columns: columns, input: x.pointer, output: logY.pointer)
        Softmax.backward(rows: rows, columns: columns, output: y.pointer, gradOutput: g.pointer, gradInput: d.pointer)
        Softmax.logBackward(rows: rows, columns: columns, output: logY.pointer, gradOutput: g.pointer,
                            gradInput: logD.pointer)
        for r in 0..<rows {
            let p = softmax64(x.pointer + r * columns, columns)
            let gr = (0..<columns).map { Double(g.pointer[r * columns + $0]) }
            let dot = zip(gr, p).map(*).reduce(0, +), sum = gr.reduce(0, +)
            for c in 0..<columns {
                let expected = p[c] * (gr[c] - dot), expectedLog = gr[c] - p[c] * sum
                #expect(abs(Double(d.pointer[r * columns + c]) - expected) <= 1e-5)
                #expect(abs(Double(logD.pointer[r * columns + c]) - expectedLog) <= 1e-5 * Double(columns).squareRoot())
            }
        }
    }

    /// The active level's vectorised exp, over the float range, a ragged tail (37 values: whole
    /// vectors and a remainder at every lane width) and the edges.
    @Test func vectorExpMatchesLibm() {
        var inputs: [Float] = []
        var x: Float = -87
        while x < 88.5 { inputs.append(x); x += 0.0137 }
        var outputs = [Float](repeating: .nan, count: inputs.count)
        _ = VectorMath.shiftedExponentials(inputs, &outputs, count: inputs.count, shift: 0)   // the sum overflows
        var worst: Float = 0
        for (x, y) in zip(inputs, outputs) {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, Float(abs(Double(y) - exact) / exact))
        }
        #expect(worst <= 3 * Float.ulpOfOne, "relative error \(worst)")

        let shifted: [Float] = (0..<37).map { Float($0) * 0.25 }
        var ragged = [Float](repeating: .nan, count: 37)
        let raggedSum = VectorMath.shiftedExponentials(shifted, &ragged, count: 37, shift: 2)
        for (x, y) in zip(shifted, ragged) {
            #expect(abs(Double(y) - Foundation.exp(Double(x - 2))) <= 3e-7 * Foundation.exp(Double(x - 2)))
        }
        #expect(abs(Double(raggedSum) - ragged.reduce(0.0) { $0 + Double($1) }) <= 1e-5 * Double(raggedSum))
        #expect(VectorMath.shiftedExponentials(shifted, nil, count: 37, shift: 2) == raggedSum)

        var edges: [Float] = [-.infinity, 0, 100, -100, 88.7, -87.4]
        _ = VectorMath.shiftedExponentials(edges, &edges, count: edges.count, shift: 0)
        #expect(edges[0] == 0 && edges[1] == 1 && edges[2] == .infinity && edges[3] == 0)
        #expect(edges[4].isFinite && edges[4] > 3e38 && edges[5] == 0)
    }
}
