import Testing
import CPUKernels

/// The direct convolution's tile choice: every candidate computes the same bits (so the tuner can
/// never change a result), the model ranks by wasted work, and a choice is timed once and kept.
@Suite(.serialized) struct ConvolutionTuningTests {
    /// Every tile shape of the active level, run through the whole direct path (ragged channel and
    /// pixel tiles, groups, batch, bias, row blocks), against the reference — and bit for bit
    /// against each other.
    @Test(arguments: ConvolutionTests.directGeometries + [
        ConvolutionGeometry(batch: 1, inputChannels: 4, inputHeight: 30, inputWidth: 100, outputChannels: 32,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
    ])
    func everyTileShapeComputesTheSameBits(_ g: ConvolutionGeometry) {
        let input = TestBuffer(count: g.inputCount, seed: 11), weight = TestBuffer(count: g.weightCount, seed: 12)
        let bias = TestBuffer(count: g.outputChannels, seed: 13), expected = TestBuffer(count: g.outputCount, seed: 14)
        ConvolutionReference.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer, output: expected.pointer)
        var outputs: [[Float]] = []
        for shape in KernelDispatch.convolutionTiles {
            let plan = DirectConvolutionPlan(g, shape: shape)
            let output = TestBuffer(count: g.outputCount, seed: 15)
            plan.withPackedWeights(weight.pointer, bias: bias.pointer) { weights, biases in
                plan.run(units: 0..<plan.units, input: input.pointer, weights: weights, biases: biases, output: output.pointer)
            }
            let error = maxAbsoluteDifference(output.pointer, expected.pointer, count: g.outputCount)
            #expect(error <= dotProductTolerance(g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth + 1), "\(shape): \(error)")
            outputs.append(Array(UnsafeBufferPointer(start: output.pointer, count: g.outputCount)))
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] }, "tile shapes disagree bit for bit")
    }

    @Test func theModelRanksByUsefulWork() {
        let lanes = KernelDispatch.lanes
        // A layer whose channel count every candidate divides and whose rows every tile width
        // divides wastes nothing: all rank at 1, the largest tile first.
        let channels = KernelDispatch.convolutionTiles.map(\.channels).reduce(1) { lcm($0, $1) }
        let width = KernelDispatch.convolutionTiles.map(\.pixels).reduce(1) { lcm($0, $1) }
        let g = ConvolutionGeometry(batch: 1, inputChannels: 8, inputHeight: 8, inputWidth: width, outputChannels: channels,
                                    kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        let ranked = ConvolutionTuning.rankedCandidates(g)
        #expect(ranked.allSatisfy { abs($0.efficiency - 1) < 1e-12 })
        #expect(ranked[0].shape.channels * ranked[0].shape.pixels == KernelDispatch.convolutionTiles.map { $0.channels * $0.pixels }.max())
        // One output channel more: every tile computes a mostly empty last tile; the ranking follows.
        let odd = ConvolutionGeometry(batch: 1, inputChannels: 8, inputHeight: 8, inputWidth: 3 * lanes, outputChannels: 7,
                                      kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        let oddRanked = ConvolutionTuning.rankedCandidates(odd)
        #expect(zip(oddRanked, oddRanked.dropFirst()).allSatisfy { $0.efficiency >= $1.efficiency - 1e-12 })
    }

    @Test func aLargeLayerIsTimedOnceAndTheFastestKept() {
        ConvolutionTuning.reset()
        defer { ConvolutionTuning.reset() }
        guard ConvolutionTuning.mode == .measure else { return }   // STYLEPROMPTER_TUNING=estimate: nothing is timed
        let g = Self.timedLayer()
        #expect(g.flops >= ConvolutionTuning.measuredFlops)
        let fastest = KernelDispatch.convolutionTiles.last!
        var timed = 0
        let chosen = ConvolutionTuning.shape(for: g) { candidate in
            timed += 1
            return candidate == fastest ? 100 : 1_000
        }
        #expect(chosen == fastest)
        #expect(timed == 3 * KernelDispatch.convolutionTiles.count + 1)   // + one warm-up
        let again = ConvolutionTuning.shape(for: g) { _ in timed += 1; return 1 }
        #expect(again == fastest && timed == 3 * KernelDispatch.convolutionTiles.count + 1)
        // Other suites run convolutions concurrently and may log their own layers: read this one's line.
        let lines = ConvolutionTuning.report.filter { $0.hasPrefix("conv 64→\(g.outputChannels) 3×3 width \(g.outputWidth):") }
        #expect(lines.count == 1 && lines[0].contains("measured"), "\(ConvolutionTuning.report)")
    }

    @Test func aSmallLayerTakesTheModelsChoiceUntimed() {
        ConvolutionTuning.reset()
        defer { ConvolutionTuning.reset() }
        let g = ConvolutionTests.directGeometries[0]
        #expect(g.flops < ConvolutionTuning.measuredFlops)
        let chosen = ConvolutionTuning.shape(for: g) { _ in
            Issue.record("a small layer was timed")
            return 0
        }
        #expect(chosen == ConvolutionTuning.rankedCandidates(g)[0].shape)
    }

    /// The default measurement runs a real trial of the layer's shape and takes time.
    @Test func aTrialRunsTheLayersShape() {
        let g = ConvolutionGeometry(batch: 1, inputChannels: 16, inputHeight: 64, inputWidth: 100, outputChannels: 32,
                                    kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        for shape in KernelDispatch.convolutionTiles {
            #expect(ConvolutionTuning.trialNanoseconds(shape, like: g) > 0)
        }
        // A 2×2 kernel padded by 1 (the widest up-convolution phase): the trial still has a row.
        let phase = ConvolutionGeometry(batch: 1, inputChannels: 64, inputHeight: 40, inputWidth: 40, outputChannels: 32,
                                        kernelHeight: 2, kernelWidth: 2, paddingHeight: 1, paddingWidth: 1)
        #expect(ConvolutionTuning.trialNanoseconds(KernelDispatch.convolutionTiles[0], like: phase) > 0)
    }

    @Test func theEnvironmentVariableIsParsed() throws {
        #expect(try ConvolutionTuning.requestedMode(environment: [:]) == nil)
        #expect(try ConvolutionTuning.requestedMode(environment: ["STYLEPROMPTER_TUNING": "Estimate"]) == .estimate)
        #expect(try ConvolutionTuning.requestedMode(environment: ["STYLEPROMPTER_TUNING": "measure"]) == .measure)
        #expect(throws: ConvolutionTuning.ModeError.self) {
            try ConvolutionTuning.requestedMode(environment: ["STYLEPROMPTER_TUNING": "fast"])
        }
    }

    /// A layer every candidate tile fits exactly (all rank equal, all are contenders), large
    /// enough to be timed.
    static func timedLayer() -> ConvolutionGeometry {
        let channels = KernelDispatch.convolutionTiles.map(\.channels).reduce(1) { lcm($0, $1) }
        let width = KernelDispatch.convolutionTiles.map(\.pixels).reduce(1) { lcm($0, $1) }
        let rowFlops = 2.0 * Double(channels * 64 * 9 * width)
        return ConvolutionGeometry(batch: 1, inputChannels: 64, inputHeight: Int(ConvolutionTuning.measuredFlops / rowFlops) + 2,
                                   inputWidth: width, outputChannels: channels,
                                   kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
    }
}

func lcm(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return a / x * b
}
