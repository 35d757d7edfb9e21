import Testing
import CPUKernels

/// The up-convolution with its blur fused (`StridePhases.backwardInputBlurred`) against the two
/// steps it replaces — `Convolution.backwardInput`, then `Upfirdn.forward` — bit for bit: the rows
/// go through the same tiles and the same per-row filter, only never stored whole. Thread counts
/// 1–3 split the blocks differently, so a thread's run of blocks starts mid-image (the rows its
/// first outputs reach back to are recomputed) and ends mid-image.
@Suite(.serialized) struct BlurredPhasesTests {
    static let blur4: [Float] = { let t: [Float] = [1, 3, 3, 1]; return t.flatMap { a in t.map { a * $0 / 16 } } }()
    static let blur3: [Float] = { let t: [Float] = [1, 2, 1]; return t.flatMap { a in t.map { a * $0 / 4 } } }()

    /// (geometry, kernel, kernel size, padding y0, y1, x0, x1).
    static let cases: [(ConvolutionGeometry, [Float], Int, Int, Int, Int, Int)] = {
        var list: [(ConvolutionGeometry, [Float], Int, Int, Int, Int, Int)] = []
        for g in ConvolutionTests.stridePhaseGeometries {
            list.append((g, blur4, 4, 1, 1, 1, 1))                           // StyleGAN2's blur after ×2
            list.append((g, blur3, 3, 0, 2, 2, 0))                           // asymmetric padding
        }
        // Tall images: many blocks of rows per image, StyleGAN2's channel shape per group.
        list.append((ConvolutionGeometry(batch: 1, inputChannels: 2 * 8, inputHeight: (37 - 1) * 2 + 3, inputWidth: (30 - 1) * 2 + 3,
                                         outputChannels: 2 * 16, kernelHeight: 3, kernelWidth: 3,
                                         strideHeight: 2, strideWidth: 2, groups: 2), blur4, 4, 1, 1, 1, 1))
        list.append((ConvolutionGeometry(batch: 2, inputChannels: 6, inputHeight: (64 - 1) * 2 + 3, inputWidth: (26 - 1) * 2 + 3,
                                         outputChannels: 5, kernelHeight: 3, kernelWidth: 3,
                                         strideHeight: 2, strideWidth: 2), blur4, 4, 2, 2, 1, 2))
        return list
    }()

    @Test(arguments: 0..<cases.count)
    func fusedBlurIsTheTwoStepsBitForBit(index: Int) {
        let (g, kernel, k, y0, y1, x0, x1) = Self.cases[index]
        guard let phases = StridePhases(g) else { Issue.record("case \(index): not a phase geometry"); return }
        let blurGeometry = UpfirdnGeometry(planes: g.batch * g.inputChannels, inputHeight: g.inputHeight, inputWidth: g.inputWidth,
                                           kernelHeight: k, kernelWidth: k, upX: 1, upY: 1, downX: 1, downY: 1,
                                           padX0: x0, padX1: x1, padY0: y0, padY1: y1)
        guard let blur = kernel.withUnsafeBufferPointer({ SeparableBlur(blurGeometry, kernel: $0.baseAddress!) }) else {
            Issue.record("case \(index): not a separable blur")
            return
        }
        let gradOutput = TestBuffer(count: g.batch * g.outputChannels * g.outputHeight * g.outputWidth, seed: 11)
        let weight = TestBuffer(count: g.outputChannels * g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth, seed: 12)
        let unblurred = TestBuffer(count: g.batch * g.inputChannels * g.inputHeight * g.inputWidth, seed: 13)
        let outputCount = blurGeometry.planes * blurGeometry.outputHeight * blurGeometry.outputWidth
        let expected = TestBuffer(count: outputCount, seed: 14)
        Convolution.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer, gradInput: unblurred.pointer)
        kernel.withUnsafeBufferPointer { Upfirdn.forward(blurGeometry, input: unblurred.pointer, kernel: $0.baseAddress!, output: expected.pointer) }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for threads in 1...3 {
            Parallel.threadCount = threads
            let fused = TestBuffer(count: outputCount, seed: 15)         // garbage: every element must be written
            phases.backwardInputBlurred(gradOutput: gradOutput.pointer, weight: weight.pointer, blur: blur, output: fused.pointer)
            let same = (0..<outputCount).allSatisfy { fused.pointer[$0].bitPattern == expected.pointer[$0].bitPattern }
            #expect(same, "case \(index), \(threads) thread(s): largest difference \(maxAbsoluteDifference(fused.pointer, expected.pointer, count: outputCount))")
        }
    }

    @Test func nonSeparableOrResamplingKernelsAreNotBlurs() {
        let plain = UpfirdnGeometry(planes: 1, inputHeight: 5, inputWidth: 5, kernelHeight: 4, kernelWidth: 4,
                                    upX: 1, upY: 1, downX: 1, downY: 1, padX0: 1, padX1: 1, padY0: 1, padY1: 1)
        let notSeparable = (0..<16).map { Float($0 % 5) - 1.5 }
        #expect(notSeparable.withUnsafeBufferPointer { SeparableBlur(plain, kernel: $0.baseAddress!) } == nil)
        var upsampling = plain
        upsampling.upX = 2
        upsampling.upY = 2
        #expect(Self.blur4.withUnsafeBufferPointer { SeparableBlur(upsampling, kernel: $0.baseAddress!) } == nil)
        #expect(Self.blur4.withUnsafeBufferPointer { SeparableBlur(plain, kernel: $0.baseAddress!) } != nil)
    }
}
