import CPUKernelVariants
import Foundation
import Testing
import CPUKernels

/// Every kernel level this CPU runs, in one process, against float64 references — so a level that
/// the CI machine does not pick by default is still checked directly (besides the whole suite run
/// once per level with `STYLEPROMPTER_KERNELS`, `Scripts/test_kernel_levels.sh`).
@Suite struct KernelLevelTests {
    static let levels = KernelLevel.supported.map { ($0, sp_kernel_table($0.cLevel)!.pointee) }

    @Test func theEnvironmentVariableIsParsedAndChecked() throws {
        #expect(try KernelDispatch.requestedLevel(environment: [:]) == nil)
        #expect(try KernelDispatch.requestedLevel(environment: ["STYLEPROMPTER_KERNELS": ""]) == nil)
        let best = try #require(KernelLevel.supported.last)
        #expect(try KernelDispatch.requestedLevel(environment: ["STYLEPROMPTER_KERNELS": best.rawValue.uppercased()]) == best)
        do {
            _ = try KernelDispatch.requestedLevel(environment: ["STYLEPROMPTER_KERNELS": "avx9"])
            Issue.record("avx9 was accepted")
        } catch {
            #expect(error.description.contains("STYLEPROMPTER_KERNELS=avx9 is not a kernel level"))
            #expect(error.description.contains("baseline, avx2, avx512, neon"))
        }
        // A level of the other architecture is never runnable here.
        let foreign: KernelLevel = KernelLevel.supported.contains(.neon) ? .avx2 : .neon
        do {
            _ = try KernelDispatch.requestedLevel(environment: ["STYLEPROMPTER_KERNELS": foreign.rawValue])
            Issue.record("\(foreign) was accepted")
        } catch {
            #expect(error.description.contains("cannot run \(foreign.rawValue)"))
        }
        #expect(KernelLevel.supported.contains(KernelDispatch.level))
    }

    @Test(arguments: levels.map(\.0))
    func gemmTilesMatchTheReference(_ level: KernelLevel) {
        let table = sp_kernel_table(level.cLevel)!.pointee
        let mr = Int(table.mr), nr = Int(table.nr), kc = 37
        let a = TestBuffer(count: kc * mr, seed: 1), b = TestBuffer(count: kc * nr, seed: 2)
        for rows in 1...mr {
            for accumulate in [false, true] {
                let ldc = nr + 3
                let c = TestBuffer(count: rows * ldc, seed: 3), before = TestBuffer(copying: c)
                table.gemmTile(Int32(rows), kc, a.pointer, b.pointer, c.pointer, ldc, accumulate ? 1 : 0)
                var worst = 0.0
                for r in 0..<rows {
                    for j in 0..<nr {
                        var expected = accumulate ? Double(before.pointer[r * ldc + j]) : 0
                        for p in 0..<kc { expected += Double(a.pointer[p * mr + r]) * Double(b.pointer[p * nr + j]) }
                        worst = max(worst, abs(Double(c.pointer[r * ldc + j]) - expected))
                    }
                    // Past the tile's nr columns nothing is written.
                    for j in nr..<ldc { #expect(c.pointer[r * ldc + j] == before.pointer[r * ldc + j]) }
                }
                #expect(worst <= 1e-5, "\(level) rows \(rows) accumulate \(accumulate): \(worst)")
            }
        }
    }

    /// Every tile shape of every level against float64, with and without bias, and every shape of
    /// a level against the others bit for bit (so the tuner's choice never changes a result).
    @Test(arguments: levels.map(\.0))
    func convolutionTilesMatchTheReference(_ level: KernelLevel) {
        let table = sp_kernel_table(level.cLevel)!.pointee
        let shapes = withUnsafeBytes(of: table.convolutionTiles) { raw in
            Array(raw.bindMemory(to: SPConvolutionTile.self).prefix(Int(table.convolutionTileCount)))
        }
        #expect(shapes.count >= 2)
        let lanes = Int(table.lanes), channels = 5, kh = 3, kw = 3
        let widest = shapes.map { Int($0.vectors) * lanes }.max()!, most = shapes.map { Int($0.channels) }.max()!
        let rowStride = widest + kw - 1 + 5, planeStride = rowStride * kh + 7
        let input = TestBuffer(count: channels * planeStride, seed: 4)
        // One weight per (channel, tap, output channel): each shape gets them packed its way.
        let weightsByChannel = TestBuffer(count: channels * kh * kw * most, seed: 5), bias = TestBuffer(count: most, seed: 6)
        for withBias in [false, true] {
            var results: [[Float]] = []
            for shape in shapes {
                let ch = Int(shape.channels), pixels = Int(shape.vectors) * lanes, outStride = pixels + 3
                var packed = [Float](repeating: 0, count: channels * kh * kw * ch)
                for k in 0..<channels * kh * kw { for r in 0..<ch { packed[k * ch + r] = weightsByChannel.pointer[k * most + r] } }
                var out = [Float](repeating: .nan, count: ch * outStride)
                shape.tile(channels, kh, kw, planeStride, rowStride, input.pointer, packed, withBias ? bias.pointer : nil, &out, outStride)
                var worst = 0.0
                var common: [Float] = []
                for r in 0..<ch {
                    for x in 0..<pixels {
                        var expected = withBias ? Double(bias.pointer[r]) : 0
                        for k in 0..<channels * kh * kw {
                            let (c, i, j) = (k / (kh * kw), k % (kh * kw) / kw, k % kw)
                            expected += Double(weightsByChannel.pointer[k * most + r]) * Double(input.pointer[c * planeStride + i * rowStride + x + j])
                        }
                        worst = max(worst, abs(Double(out[r * outStride + x]) - expected))
                    }
                    // The part every shape computes: the first 3 channels, the first lanes pixels.
                    if r < 3 { common += out[r * outStride..<r * outStride + lanes] }
                }
                #expect(worst <= 1e-5, "\(level) \(shape.channels)×\(shape.vectors) bias \(withBias): \(worst)")
                results.append(common)
            }
            #expect(results.allSatisfy { $0 == results[0] }, "\(level): tile shapes disagree bit for bit")
        }
    }

    @Test(arguments: levels.map(\.0))
    func rowKernelsMatchTheReference(_ level: KernelLevel) {
        let table = sp_kernel_table(level.cLevel)!.pointee
        for count in [1, 3, 4, 7, 8, 15, 16, 17, 33, 96, 100] {
            let x = TestBuffer(count: count, seed: UInt64(count)), y = TestBuffer(count: count, seed: UInt64(count) + 100)
            let weight = TestBuffer(count: count, seed: 7)
            // exp(x − shift) and its sum
            var e = [Float](repeating: .nan, count: count)
            let sum = table.shiftedExponentials(x.pointer, &e, count, 0.5)
            var exactSum = 0.0
            for i in 0..<count {
                let exact = Foundation.exp(Double(x.pointer[i]) - 0.5)
                exactSum += exact
                #expect(abs(Double(e[i]) - exact) <= 3e-7 * exact, "\(level) exp count \(count)")
            }
            #expect(abs(Double(sum) - exactSum) <= 1e-6 * exactSum)
            // Σ x·y and Σ (x − m)²
            let dot = (0..<count).reduce(0.0) { $0 + Double(x.pointer[$1]) * Double(y.pointer[$1]) }
            #expect(abs(Double(table.dotProduct(x.pointer, y.pointer, count)) - dot) <= 1e-6 * Double(count))
            let squares = (0..<count).reduce(0.0) { $0 + pow(Double(x.pointer[$1] - 0.25), 2) }
            #expect(abs(Double(table.squaredDeviations(x.pointer, count, 0.25)) - squares) <= 1e-6 * max(1, squares))
            // Layer norm's forward row, with weight and bias
            var normalized = [Float](repeating: .nan, count: count)
            var rowMean: Float = .nan, rowRstd: Float = .nan
            table.layerNormRow(x.pointer, weight.pointer, y.pointer, count, 1e-5, &normalized, &rowMean, &rowRstd)
            let exactMean = (0..<count).reduce(0.0) { $0 + Double(x.pointer[$1]) } / Double(count)
            let variance = (0..<count).reduce(0.0) { $0 + pow(Double(x.pointer[$1]) - exactMean, 2) } / Double(count)
            let exactRstd = 1 / (variance + 1e-5).squareRoot()
            #expect(abs(Double(rowMean) - exactMean) <= 1e-6 && abs(Double(rowRstd) - exactRstd) <= 1e-5 * exactRstd, "\(level) count \(count)")
            for i in 0..<count {
                let expected = (Double(x.pointer[i]) - exactMean) * exactRstd * Double(weight.pointer[i]) + Double(y.pointer[i])
                #expect(abs(Double(normalized[i]) - expected) <= 1e-4, "\(level) count \(count) element \(i)")
            }
            // Layer norm's backward sums, with and without a weight
            for useWeight in [false, true] {
                var gradWeight = [Float](repeating: 1, count: count), gradBias = [Float](repeating: 2, count: count)
                var sums: [Float] = [0, 0]
                table.layerNormGradientSums(x.pointer, y.pointer, useWeight ? weight.pointer : nil, 0.1, 1.5, count,
                                            &gradWeight, &gradBias, &sums)
                var sumG = 0.0, sumGH = 0.0
                for i in 0..<count {
                    let h = (Double(x.pointer[i]) - 0.1) * 1.5, g = Double(y.pointer[i])
                    let gw = g * (useWeight ? Double(weight.pointer[i]) : 1)
                    sumG += gw; sumGH += gw * h
                    #expect(abs(Double(gradWeight[i]) - (1 + g * h)) <= 1e-6)
                    #expect(abs(Double(gradBias[i]) - (2 + g)) <= 1e-6)
                }
                #expect(abs(Double(sums[0]) - sumG) <= 1e-5 && abs(Double(sums[1]) - sumGH) <= 1e-5, "\(level) count \(count)")
            }
        }
    }
}
