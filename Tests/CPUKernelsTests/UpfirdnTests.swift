import Testing
import CPUKernels

/// upfirdn2d's fast paths (separable plain filter, upsampling) against a direct evaluation of its
/// definition in double precision: zero-insert, pad (negative crops), correlate with the flipped
/// kernel, decimate.
@Suite struct UpfirdnTests {
    static func reference(_ g: UpfirdnGeometry, _ x: UnsafePointer<Float>, _ kernel: [Float]) -> [Double] {
        let (ho, wo) = (g.outputHeight, g.outputWidth)
        var out = [Double](repeating: 0, count: g.planes * ho * wo)
        for plane in 0..<g.planes {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var sum = 0.0
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let uy = oy * g.downY + ky - g.padY0, ux = ox * g.downX + kx - g.padX0
                            guard uy >= 0, ux >= 0, uy % g.upY == 0, ux % g.upX == 0,
                                  uy / g.upY < g.inputHeight, ux / g.upX < g.inputWidth else { continue }
                            let tap = kernel[(g.kernelHeight - 1 - ky) * g.kernelWidth + (g.kernelWidth - 1 - kx)]
                            sum += Double(tap) * Double(x[(plane * g.inputHeight + uy / g.upY) * g.inputWidth + ux / g.upX])
                        }
                    }
                    out[(plane * ho + oy) * wo + ox] = sum
                }
            }
        }
        return out
    }

    static let blur: [Float] = { let t: [Float] = [1, 3, 3, 1]; return t.flatMap { a in t.map { a * $0 / 64 } } }()

    @Test(arguments: [(2, 1, 2, 1, 1, 1), (1, 2, 1, 2, 1, 1), (0, 0, 0, 0, 1, 1), (-1, 2, 2, -1, 1, 1), (2, 1, 2, 1, 2, 2)])
    func fastPathsMatchTheDefinition(padX0: Int, padX1: Int, padY0: Int, padY1: Int, up: Int, down: Int) {
        for kernel in [Self.blur, (0..<16).map { Float($0 % 5) - 1.5 }] {      // separable, and not
            let g = UpfirdnGeometry(planes: 3, inputHeight: 9, inputWidth: 13, kernelHeight: 4, kernelWidth: 4,
                                    upX: up, upY: up, downX: down, downY: down,
                                    padX0: padX0, padX1: padX1, padY0: padY0, padY1: padY1)
            let x = TestBuffer(count: 3 * 9 * 13, seed: 3)
            let output = TestBuffer(count: g.planes * g.outputHeight * g.outputWidth, seed: 4)
            kernel.withUnsafeBufferPointer { Upfirdn.forward(g, input: x.pointer, kernel: $0.baseAddress!, output: output.pointer) }
            let expected = Self.reference(g, x.pointer, kernel)
            let worst = expected.indices.map { abs(Double(output.pointer[$0]) - expected[$0]) }.max() ?? 0
            #expect(worst <= 1e-5, "pad \(padX0),\(padX1),\(padY0),\(padY1) up \(up): \(worst)")
        }
    }

    @Test func separabilityIsDetected() {
        #expect(Upfirdn.separableFactors(Self.blur, 4, 4) != nil)
        #expect(Upfirdn.separableFactors((0..<16).map { Float($0 % 5) - 1.5 }, 4, 4) == nil)
        #expect(Upfirdn.separableFactors([Float](repeating: 0, count: 16), 4, 4) == nil)
    }
}
