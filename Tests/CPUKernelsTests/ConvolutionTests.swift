import Testing
import CPUKernels

/// Fast convolutions against the direct-loop `ConvolutionReference` (float64 sums).
/// Each output is a dot product of cpg·kh·kw (forward), Cout/groups·kh·kw (input gradient) or
/// N·Ho·Wo (weight gradient) terms in [-1, 1]; `dotProductTolerance` bounds float32 summation.
@Suite(.serialized) struct ConvolutionTests {
    static let geometries: [ConvolutionGeometry] = {
        var list: [ConvolutionGeometry] = []
        // kernel, stride, padding, groups, batch, odd sizes.
        for (kernel, stride, padding) in [(1, 1, 0), (3, 1, 1), (3, 2, 1), (3, 1, 0), (4, 4, 0), (3, 2, 2), (1, 2, 0), (1, 1, 1)] {
            for (groups, batch) in [(1, 1), (2, 3), (4, 2)] {
                list.append(ConvolutionGeometry(batch: batch, inputChannels: 4 * groups, inputHeight: 13, inputWidth: 11,
                                                outputChannels: 3 * groups, kernelHeight: kernel, kernelWidth: kernel,
                                                strideHeight: stride, strideWidth: stride,
                                                paddingHeight: padding, paddingWidth: padding, groups: groups))
            }
        }
        // Larger channel counts (several K blocks, several units in backwardInput), non-square kernels.
        list.append(ConvolutionGeometry(batch: 1, inputChannels: 70, inputHeight: 9, inputWidth: 35,
                                        outputChannels: 40, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        list.append(ConvolutionGeometry(batch: 2, inputChannels: 2 * 96, inputHeight: 8, inputWidth: 7,
                                        outputChannels: 2 * 33, kernelHeight: 3, kernelWidth: 3,
                                        strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1, groups: 2))
        list.append(ConvolutionGeometry(batch: 1, inputChannels: 3, inputHeight: 17, inputWidth: 16,
                                        outputChannels: 5, kernelHeight: 2, kernelWidth: 5,
                                        strideHeight: 1, strideWidth: 3, paddingHeight: 0, paddingWidth: 2))
        list.append(ConvolutionGeometry(batch: 3, inputChannels: 6, inputHeight: 1, inputWidth: 1,
                                        outputChannels: 7, kernelHeight: 1, kernelWidth: 1))
        // The implicit-im2col GEMM path with rows wider than a panel (32 columns at AVX-512): over
        // 256 output channels, so not the direct path; panels inside one row, across rows, and at
        // the zero padding; two depth blocks (K = 630); and stride 2.
        list.append(ConvolutionGeometry(batch: 1, inputChannels: 70, inputHeight: 5, inputWidth: 64,
                                        outputChannels: 260, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        list.append(ConvolutionGeometry(batch: 2, inputChannels: 20, inputHeight: 9, inputWidth: 70,
                                        outputChannels: 6, kernelHeight: 3, kernelWidth: 3,
                                        strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1))
        list += directGeometries + stridePhaseGeometries + winogradGeometries + batchedGeometries + tapwiseGeometries
            + batchWinogradGeometries
        return list
    }()

    /// Several images with small outputs, which `forward` and `backwardWeight` multiply in one
    /// product for the whole batch (`Convolution.multipliesImagesTogether`): 16 pixels per image
    /// (NR panels of 32 columns at AVX-512 straddle two images), odd pieces (5×5 and 3×7 outputs),
    /// stride 2, two depth blocks of K (630), and a weight gradient deeper than one depth block
    /// (9 images × 64 pixels).
    static let batchedGeometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(batch: 5, inputChannels: 20, inputHeight: 4, inputWidth: 4, outputChannels: 33,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        ConvolutionGeometry(batch: 3, inputChannels: 9, inputHeight: 9, inputWidth: 9, outputChannels: 14,
                            kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1),
        ConvolutionGeometry(batch: 4, inputChannels: 70, inputHeight: 3, inputWidth: 7, outputChannels: 40,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        ConvolutionGeometry(batch: 9, inputChannels: 12, inputHeight: 8, inputWidth: 8, outputChannels: 7,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
    ]

    @Test func batchedGeometriesMultiplyImagesTogether() {
        #expect(Self.batchedGeometries.allSatisfy(Convolution.multipliesImagesTogether))
        func variant(batch: Int, size: Int, groups: Int = 1, kernel: Int = 3) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: batch, inputChannels: 4 * groups, inputHeight: size, inputWidth: size,
                                outputChannels: 4 * groups, kernelHeight: kernel, kernelWidth: kernel,
                                paddingHeight: kernel / 2, paddingWidth: kernel / 2, groups: groups)
        }
        #expect(Convolution.multipliesImagesTogether(variant(batch: 2, size: 16)))
        #expect(!Convolution.multipliesImagesTogether(variant(batch: 1, size: 4)))              // one image
        #expect(!Convolution.multipliesImagesTogether(variant(batch: 2, size: 17)))             // 289 pixels
        #expect(!Convolution.multipliesImagesTogether(variant(batch: 2, size: 4, groups: 2)))   // grouped
        #expect(!Convolution.multipliesImagesTogether(variant(batch: 2, size: 4, kernel: 1)))   // pointwise
    }

    /// The batched forward gives every image the bits of a product for that image alone: the
    /// same depth blocks and multiply-add order for each output.
    @Test(arguments: batchedGeometries)
    func batchedForwardSameBitsAsEachImageAlone(_ g: ConvolutionGeometry) {
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3)
        let output = TestBuffer(count: g.outputCount, seed: 4)
        Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer, output: output.pointer)
        let single = ConvolutionGeometry(batch: 1, inputChannels: g.inputChannels, inputHeight: g.inputHeight,
                                         inputWidth: g.inputWidth, outputChannels: g.outputChannels,
                                         kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                                         strideHeight: g.strideHeight, strideWidth: g.strideWidth,
                                         paddingHeight: g.paddingHeight, paddingWidth: g.paddingWidth)
        let inputImage = single.inputCount, outputImage = single.outputCount
        for n in 0..<g.batch {
            let alone = TestBuffer(count: outputImage, seed: 5)
            Convolution.forward(single, input: input.pointer + n * inputImage, weight: weight.pointer, bias: bias.pointer,
                                output: alone.pointer)
            let batched = Array(UnsafeBufferPointer(start: output.pointer + n * outputImage, count: outputImage))
            #expect(batched == Array(UnsafeBufferPointer(start: alone.pointer, count: outputImage)), "\(describe(g)) image \(n)")
        }
    }

    /// Batches of small images that `forward` runs tap by tap (`TapwiseConvolution`), NR images
    /// to a tile at this process's kernel level: a partial last group of images, output channels
    /// that are not a whole number of MR panels (and ≥ 64, so the input gradient's flipped
    /// convolution takes the path too), a non-square kernel with unequal padding over two full
    /// groups, and an input deeper than one depth block (K = 520 > 512).
    static let tapwiseGeometries: [ConvolutionGeometry] = {
        let nr = TapwiseConvolution.imagesPerTile
        return [
            ConvolutionGeometry(batch: nr + 3, inputChannels: 64, inputHeight: 4, inputWidth: 4, outputChannels: 70,
                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
            ConvolutionGeometry(batch: 2 * nr, inputChannels: 80, inputHeight: 5, inputWidth: 7, outputChannels: 12,
                                kernelHeight: 3, kernelWidth: 5, paddingHeight: 1, paddingWidth: 2),
            ConvolutionGeometry(batch: nr, inputChannels: 520, inputHeight: 4, inputWidth: 4, outputChannels: 13,
                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        ]
    }()

    /// A square layer with "same" padding, for the tests of which path `forward` chooses.
    static func squareLayer(batch: Int, size: Int, channels: Int = 256, kernel: Int = 3, stride: Int = 1,
                            groups: Int = 1) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: batch, inputChannels: channels, inputHeight: size, inputWidth: size, outputChannels: channels,
                            kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                            paddingHeight: kernel / 2, paddingWidth: kernel / 2, groups: groups)
    }

    @Test func tapwiseChosenForSmallImagesInBatches() {
        let nr = TapwiseConvolution.imagesPerTile
        #expect(Self.tapwiseGeometries.allSatisfy(TapwiseConvolution.isFaster))
        // GAN training's 4×4 and 8×8 layers at batch 32 (NR is at most 32) pass its test; at 256
        // channels `forward` asks `BatchWinogradConvolution` first, which takes them.
        #expect(TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 4)) && TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 8)))
        #expect(!TapwiseConvolution.isFaster(Self.squareLayer(batch: nr - 1, size: 4)))            // fewer images than a tile's columns
        #expect(!TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 9)))               // 81 pixels
        #expect(!TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, kernel: 1)))     // pointwise
        #expect(!TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 8, stride: 2)))     // strided
        #expect(!TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, groups: 2)))     // grouped
        #expect(!TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, channels: 32)))  // too shallow
        // It comes before Winograd (which would take the 8×8 layer) and so never hands out row bands.
        #expect(!Convolution.takesDirectPath(Self.squareLayer(batch: 32, size: 8)))
    }

    /// The path itself on geometries `forward` would not give it: an output pixel whose every
    /// tap lies on the padding (padding 3 around a 2×2 input), and fewer images than NR.
    @Test func tapwiseForwardOnEdgeCases() {
        let nr = TapwiseConvolution.imagesPerTile
        checkForward(ConvolutionGeometry(batch: nr, inputChannels: 9, inputHeight: 2, inputWidth: 2, outputChannels: 7,
                                         kernelHeight: 3, kernelWidth: 3, paddingHeight: 3, paddingWidth: 3),
                     TapwiseConvolution.forward)
        checkForward(ConvolutionGeometry(batch: 3, inputChannels: 20, inputHeight: 3, inputWidth: 5, outputChannels: 5,
                                         kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
                     TapwiseConvolution.forward)
    }

    /// Each output is summed by one thread in one order: the same bits for 1, 2 and 3 threads;
    /// and equal input windows give equal outputs at the border and inside (a skipped tap adds
    /// what a zero would), as a direct sum does.
    @Test func tapwiseSameBitsForEveryThreadCountAndWindow() {
        let g = Self.tapwiseGeometries[0]
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3)
        // Image 0: small integers in its top-left 3×3 pixels, zero elsewhere; image 1: image 0
        // moved down and right by one pixel. Image 0's output pixel (0, 0) — its window half on
        // the padding — and image 1's (1, 1) — zeros inside the image there — see equal windows.
        let plane = g.inputHeight * g.inputWidth
        for c in 0..<g.inputChannels {
            for q in 0..<plane {
                let y = q / g.inputWidth, x = q % g.inputWidth
                input.pointer[c * plane + q] = (y < 3 && x < 3) ? Float((c * 7 + y * 3 + x) % 5) - 2 : 0
                input.pointer[(g.inputChannels + c) * plane + q] = (y >= 1 && x >= 1) ? input.pointer[c * plane + (y - 1) * g.inputWidth + x - 1] : 0
            }
        }
        let outputs = forwardWithEachThreadCount(g, input: input, weight: weight, bias: bias)
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
        let outPlane = g.outputHeight * g.outputWidth, image = g.outputChannels * outPlane
        for o in 0..<g.outputChannels {
            #expect(outputs[0][o * outPlane] == outputs[0][image + o * outPlane + 1 * g.outputWidth + 1], "channel \(o)")
        }
    }

    /// Batches of small images that `forward` runs on Winograd with the images as lanes
    /// (`BatchWinogradConvolution`), NR to a group at this process's kernel level: a partial last
    /// group and output channels that are not a whole number of MR panels; odd output sizes (half
    /// tiles at the right and bottom: 7×5 at padding 1, 7×6 at padding 0, 6×4 at padding 2 and 1);
    /// and an input deeper than one depth block (K = 520 > 512).
    static let batchWinogradGeometries: [ConvolutionGeometry] = {
        let nr = TapwiseConvolution.imagesPerTile
        func layer(batch: Int, cin: Int, cout: Int, height: Int, width: Int, padding: (Int, Int)) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: batch, inputChannels: cin, inputHeight: height, inputWidth: width, outputChannels: cout,
                                kernelHeight: 3, kernelWidth: 3, paddingHeight: padding.0, paddingWidth: padding.1)
        }
        return [
            layer(batch: nr + 3, cin: 128, cout: 130, height: 4, width: 4, padding: (1, 1)),
            layer(batch: nr, cin: 128, cout: 131, height: 7, width: 5, padding: (1, 1)),
            layer(batch: nr, cin: 130, cout: 128, height: 9, width: 8, padding: (0, 0)),
            layer(batch: nr, cin: 129, cout: 128, height: 4, width: 4, padding: (2, 1)),
            layer(batch: nr, cin: 520, cout: 128, height: 4, width: 4, padding: (1, 1)),
        ]
    }()

    @Test func batchWinogradChosenForSmallImagesWithManyChannels() {
        let nr = TapwiseConvolution.imagesPerTile
        #expect(Self.batchWinogradGeometries.allSatisfy(BatchWinogradConvolution.isFaster))
        // GAN training's 4×4 and 8×8 layers at batch 32 (NR is at most 32), and 512 channels.
        #expect(BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 4)) && BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 8)))
        #expect(BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 8, channels: 512)))
        #expect(!BatchWinogradConvolution.isFaster(Self.squareLayer(batch: nr - 1, size: 4)))            // fewer images than lanes
        #expect(!BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 9)))               // 81 pixels
        #expect(!BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, kernel: 5)))     // not 3×3
        #expect(!BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 8, stride: 2)))     // strided
        #expect(!BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, groups: 2)))     // grouped
        #expect(!BatchWinogradConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, channels: 64)))  // too shallow: tapwise
        #expect(TapwiseConvolution.isFaster(Self.squareLayer(batch: 32, size: 4, channels: 64)))
        #expect(!Convolution.takesDirectPath(Self.squareLayer(batch: 32, size: 8)))
    }

    @Test(arguments: batchWinogradGeometries)
    func batchWinogradForward(_ g: ConvolutionGeometry) {
        checkForward(g, { BatchWinogradConvolution.forward($0, input: $1, weight: $2, bias: $3, output: $4) })
    }

    /// The path on what `forward` would not give it — fewer images than lanes, a 1×1 and a 2×3
    /// output, padding 2 all round — and in bands of one tile row (an 8×8 output in four bands).
    @Test func batchWinogradForwardOnEdgeCasesAndInBands() {
        for g in [
            ConvolutionGeometry(batch: 3, inputChannels: 9, inputHeight: 3, inputWidth: 3, outputChannels: 7,
                                kernelHeight: 3, kernelWidth: 3),
            ConvolutionGeometry(batch: 2, inputChannels: 20, inputHeight: 2, inputWidth: 3, outputChannels: 5,
                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
            ConvolutionGeometry(batch: 5, inputChannels: 16, inputHeight: 2, inputWidth: 2, outputChannels: 13,
                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 2),
        ] {
            checkForward(g, { BatchWinogradConvolution.forward($0, input: $1, weight: $2, bias: $3, output: $4) })
        }
        let g = Self.batchWinogradGeometries[0]
        let banded = ConvolutionGeometry(batch: g.batch, inputChannels: g.inputChannels, inputHeight: 8, inputWidth: 8,
                                         outputChannels: g.outputChannels, kernelHeight: 3, kernelWidth: 3,
                                         paddingHeight: 1, paddingWidth: 1)
        checkForward(banded, { BatchWinogradConvolution.forward($0, input: $1, weight: $2, bias: $3, output: $4, bandFloats: 1) })
    }

    /// Each output's product is summed by one thread in one order and each lane is transformed on
    /// its own: the same bits for 1, 2 and 3 threads, in a batch or alone, in bands or whole.
    @Test func batchWinogradSameBitsForEveryThreadCountImageAndBand() {
        let g = Self.batchWinogradGeometries[0]
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3)
        let outputs = forwardWithEachThreadCount(g, input: input, weight: weight, bias: bias)
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
        let single = ConvolutionGeometry(batch: 1, inputChannels: g.inputChannels, inputHeight: g.inputHeight,
                                         inputWidth: g.inputWidth, outputChannels: g.outputChannels,
                                         kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        for n in [0, g.batch - 1] {
            let alone = TestBuffer(count: single.outputCount, seed: 5)
            BatchWinogradConvolution.forward(single, input: input.pointer + n * single.inputCount, weight: weight.pointer,
                                             bias: bias.pointer, output: alone.pointer)
            #expect(Array(outputs[1][(n * single.outputCount)..<((n + 1) * single.outputCount)])
                    == Array(UnsafeBufferPointer(start: alone.pointer, count: single.outputCount)), "image \(n)")
        }
        let banded = TestBuffer(count: g.outputCount, seed: 6)
        BatchWinogradConvolution.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                                         output: banded.pointer, bandFloats: 1)
        #expect(outputs[1] == Array(UnsafeBufferPointer(start: banded.pointer, count: g.outputCount)))
    }

    /// 3×3 stride-1 layers for Winograd F(2×2, 3×3) (`WinogradConvolution`): odd output sizes
    /// (half tiles at the right and bottom), padding 0, 1 and 2, groups with a batch, few channels,
    /// and a band of tile rows smaller than the image (17 tile rows of 33, 15 per band). Only the
    /// last is large enough for `Convolution.forward` to choose Winograd (its input gradient goes
    /// there too: flipped weights, padding 2 − p); `winogradForward` runs all of them directly.
    static let winogradGeometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(batch: 1, inputChannels: 130, inputHeight: 9, inputWidth: 13, outputChannels: 135,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        ConvolutionGeometry(batch: 1, inputChannels: 128, inputHeight: 10, inputWidth: 11, outputChannels: 129,
                            kernelHeight: 3, kernelWidth: 3),
        ConvolutionGeometry(batch: 1, inputChannels: 129, inputHeight: 7, inputWidth: 8, outputChannels: 128,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 2),
        ConvolutionGeometry(batch: 2, inputChannels: 2 * 128, inputHeight: 8, inputWidth: 9, outputChannels: 2 * 131,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2),
        ConvolutionGeometry(batch: 3, inputChannels: 5, inputHeight: 3, inputWidth: 2, outputChannels: 7,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 2),
        // Small images several to a band (`WinogradPlan.imagesPerBand`): 49 tiles an image, 10
        // images a band, so 11 images make a full band and a band of one.
        ConvolutionGeometry(batch: 11, inputChannels: 128, inputHeight: 16, inputWidth: 16, outputChannels: 130,
                            kernelHeight: 3, kernelWidth: 3),
        ConvolutionGeometry(batch: 1, inputChannels: 128, inputHeight: 33, inputWidth: 65, outputChannels: 260,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
    ]

    @Test(arguments: winogradGeometries)
    func winogradForward(_ g: ConvolutionGeometry) {
        checkForward(g, WinogradConvolution.forward)
    }

    @Test func winogradChosenForLargeLayersOnly() {
        #expect(Self.winogradGeometries.allSatisfy(WinogradConvolution.isSuitable))
        #expect(WinogradConvolution.isFaster(Self.winogradGeometries.last!))
        #expect(!DirectConvolution.isSuitable(Self.winogradGeometries.last!))
        // The 512-channel benchmark layer, StyleGAN2's 512-channel 32×32 and 64×64 layers and its
        // 256- and 128-channel ones do; 16×16 and smaller outputs, 127 channels, 5×5 and stride 2 do not.
        func layer(channels: Int, size: Int, kernel: Int = 3, stride: Int = 1) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: 1, inputChannels: channels, inputHeight: size, inputWidth: size,
                                outputChannels: channels, kernelHeight: kernel, kernelWidth: kernel,
                                strideHeight: stride, strideWidth: stride, paddingHeight: kernel / 2, paddingWidth: kernel / 2)
        }
        #expect(WinogradConvolution.isFaster(layer(channels: 512, size: 64)))
        #expect(WinogradConvolution.isFaster(layer(channels: 512, size: 32)))
        #expect(WinogradConvolution.isFaster(layer(channels: 256, size: 128)))
        #expect(WinogradConvolution.isFaster(layer(channels: 128, size: 256)))
        // Suitable for the direct path too, but Winograd comes first (so no row bands on it).
        #expect(DirectConvolution.isSuitable(layer(channels: 128, size: 256)))
        #expect(!Convolution.takesDirectPath(layer(channels: 128, size: 256)))
        #expect(Convolution.takesDirectPath(layer(channels: 64, size: 256)))
        #expect(!WinogradConvolution.isFaster(layer(channels: 512, size: 16)))
        // Small images count together, as many as share a band: GAN training's 8×8 and 16×16
        // layers at batch 32 do, its 4×4 ones (512 pixels a band) do not.
        func batch(_ images: Int, _ g: ConvolutionGeometry) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: images, inputChannels: g.inputChannels, inputHeight: g.inputHeight,
                                inputWidth: g.inputWidth, outputChannels: g.outputChannels, kernelHeight: 3, kernelWidth: 3,
                                paddingHeight: 1, paddingWidth: 1)
        }
        #expect(WinogradConvolution.isFaster(batch(32, layer(channels: 256, size: 8))))
        #expect(WinogradConvolution.isFaster(batch(32, layer(channels: 128, size: 16))))
        #expect(!WinogradConvolution.isFaster(batch(32, layer(channels: 256, size: 4))))
        #expect(!WinogradConvolution.isFaster(batch(8, layer(channels: 256, size: 8))))
        #expect(!WinogradConvolution.isFaster(layer(channels: 127, size: 64)))
        #expect(!WinogradConvolution.isSuitable(layer(channels: 512, size: 64, kernel: 5)))
        #expect(!WinogradConvolution.isSuitable(layer(channels: 512, size: 64, stride: 2)))
    }

    /// Several small images to a band give each image the bits of Winograd on it alone: every
    /// tile's products sum over the channels in the same order wherever the tile sits.
    @Test func winogradBatchedSameBitsAsEachImageAlone() {
        let g = Self.winogradGeometries[Self.winogradGeometries.count - 2]
        #expect(g.batch > 1)
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3), output = TestBuffer(count: g.outputCount, seed: 4)
        WinogradConvolution.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer, output: output.pointer)
        let single = ConvolutionGeometry(batch: 1, inputChannels: g.inputChannels, inputHeight: g.inputHeight,
                                         inputWidth: g.inputWidth, outputChannels: g.outputChannels,
                                         kernelHeight: 3, kernelWidth: 3,
                                         paddingHeight: g.paddingHeight, paddingWidth: g.paddingWidth)
        for n in [0, 9, 10] {
            let alone = TestBuffer(count: single.outputCount, seed: 5)
            WinogradConvolution.forward(single, input: input.pointer + n * single.inputCount, weight: weight.pointer,
                                        bias: bias.pointer, output: alone.pointer)
            #expect(Array(UnsafeBufferPointer(start: output.pointer + n * single.outputCount, count: single.outputCount))
                        == Array(UnsafeBufferPointer(start: alone.pointer, count: single.outputCount)), "image \(n)")
        }
    }

    /// Winograd's products are split over threads by (ξ, slice of tiles) and its transforms by
    /// channel: the same bits for 1, 2 and 3 threads.
    @Test func winogradSameBitsForEveryThreadCount() {
        let g = Self.winogradGeometries.last!
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3)
        let outputs = forwardWithEachThreadCount(g, input: input, weight: weight, bias: bias)
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    /// `Convolution.forward`'s outputs with 1, 2 and 3 threads.
    func forwardWithEachThreadCount(_ g: ConvolutionGeometry, input: TestBuffer, weight: TestBuffer, bias: TestBuffer) -> [[Float]] {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        return [1, 2, 3].map { threads in
            Parallel.threadCount = threads
            let output = TestBuffer(count: g.outputCount, seed: 4)
            Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer, output: output.pointer)
            return Array(UnsafeBufferPointer(start: output.pointer, count: g.outputCount))
        }
    }

    /// Stride-1 layers with few output channels and rows of ≥ 24 pixels: the direct path
    /// (partial channel tiles, partial pixel tiles, groups, padding 0–2, non-square kernels).
    static let directGeometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(batch: 2, inputChannels: 5, inputHeight: 20, inputWidth: 30, outputChannels: 7,
                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1),
        ConvolutionGeometry(batch: 1, inputChannels: 8, inputHeight: 9, inputWidth: 40, outputChannels: 13,
                            kernelHeight: 5, kernelWidth: 5, paddingHeight: 2, paddingWidth: 2),
        ConvolutionGeometry(batch: 2, inputChannels: 2 * 4, inputHeight: 7, inputWidth: 33, outputChannels: 2 * 6,
                            kernelHeight: 3, kernelWidth: 3, groups: 2),
        ConvolutionGeometry(batch: 1, inputChannels: 3, inputHeight: 12, inputWidth: 70, outputChannels: 64,
                            kernelHeight: 2, kernelWidth: 5, paddingHeight: 0, paddingWidth: 2),
    ]

    /// Strided, unpadded, exactly covered convolutions whose input gradient runs as stride-1
    /// phases (`StridePhases`): StyleGAN2's up-convolution shape, groups, a 4-tap kernel, odd widths.
    static let stridePhaseGeometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(batch: 2, inputChannels: 5, inputHeight: (6 - 1) * 2 + 3, inputWidth: (30 - 1) * 2 + 3,
                            outputChannels: 7, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2),
        ConvolutionGeometry(batch: 1, inputChannels: 2 * 9, inputHeight: (5 - 1) * 2 + 3, inputWidth: (40 - 1) * 2 + 3,
                            outputChannels: 2 * 4, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, groups: 2),
        ConvolutionGeometry(batch: 1, inputChannels: 3, inputHeight: (4 - 1) * 2 + 4, inputWidth: (27 - 1) * 2 + 4,
                            outputChannels: 6, kernelHeight: 4, kernelWidth: 4, strideHeight: 2, strideWidth: 2),
        ConvolutionGeometry(batch: 1, inputChannels: 4, inputHeight: (3 - 1) * 3 + 4, inputWidth: (25 - 1) * 3 + 4,
                            outputChannels: 5, kernelHeight: 4, kernelWidth: 4, strideHeight: 3, strideWidth: 3),
    ]

    @Test func stridePhaseGeometriesTakeThePhasePath() {
        #expect(Self.stridePhaseGeometries.allSatisfy { StridePhases($0) != nil })
        // Padded, or not exactly covered: the GEMM and col2im path.
        #expect(StridePhases(ConvolutionGeometry(batch: 1, inputChannels: 4, inputHeight: 13, inputWidth: 61, outputChannels: 4,
                                                 kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                                 paddingHeight: 1, paddingWidth: 1)) == nil)
        #expect(StridePhases(ConvolutionGeometry(batch: 1, inputChannels: 4, inputHeight: 14, inputWidth: 62, outputChannels: 4,
                                                 kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2)) == nil)
    }

    @Test func directGeometriesTakeTheDirectPath() {
        #expect(Self.directGeometries.allSatisfy(DirectConvolution.isSuitable))
        #expect(!DirectConvolution.isSuitable(ConvolutionGeometry(batch: 1, inputChannels: 512, inputHeight: 64, inputWidth: 64,
                                                                 outputChannels: 512, kernelHeight: 3, kernelWidth: 3,
                                                                 paddingHeight: 1, paddingWidth: 1)))
    }

    func describe(_ g: ConvolutionGeometry) -> String {
        "N\(g.batch) C\(g.inputChannels)→\(g.outputChannels) \(g.inputHeight)×\(g.inputWidth) k\(g.kernelHeight)×\(g.kernelWidth) s\(g.strideHeight),\(g.strideWidth) p\(g.paddingHeight),\(g.paddingWidth) groups \(g.groups)"
    }

    @Test(arguments: geometries)
    func forward(_ g: ConvolutionGeometry) {
        checkForward(g, Convolution.forward)
    }

    /// `convolve` (a forward path) with and without bias against the float64 reference.
    func checkForward(_ g: ConvolutionGeometry,
                      _ convolve: (ConvolutionGeometry, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?,
                                   UnsafeMutablePointer<Float>) -> Void) {
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let bias = TestBuffer(count: g.outputChannels, seed: 3)
        for withBias in [true, false] {
            let output = TestBuffer(count: g.outputCount, seed: 4), expected = TestBuffer(count: g.outputCount, seed: 5)
            convolve(g, input.pointer, weight.pointer, withBias ? bias.pointer : nil, output.pointer)
            ConvolutionReference.forward(g, input: input.pointer, weight: weight.pointer,
                                         bias: withBias ? bias.pointer : nil, output: expected.pointer)
            let error = maxAbsoluteDifference(output.pointer, expected.pointer, count: g.outputCount)
            #expect(error <= dotProductTolerance(g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth + 1),
                    "\(describe(g)) bias \(withBias): \(error)")
        }
    }

    @Test(arguments: geometries)
    func backwardInput(_ g: ConvolutionGeometry) {
        let gradOutput = TestBuffer(count: g.outputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        let gradInput = TestBuffer(count: g.inputCount, seed: 3), expected = TestBuffer(count: g.inputCount, seed: 4)
        Convolution.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer, gradInput: gradInput.pointer)
        ConvolutionReference.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer,
                                           gradInput: expected.pointer)
        let error = maxAbsoluteDifference(gradInput.pointer, expected.pointer, count: g.inputCount)
        #expect(error <= dotProductTolerance(g.outputChannelsPerGroup * g.kernelHeight * g.kernelWidth),
                "\(describe(g)): \(error)")
    }

    @Test(arguments: geometries)
    func backwardWeight(_ g: ConvolutionGeometry) {
        let gradOutput = TestBuffer(count: g.outputCount, seed: 1), input = TestBuffer(count: g.inputCount, seed: 2)
        let gradWeight = TestBuffer(count: g.weightCount, seed: 3), expected = TestBuffer(count: g.weightCount, seed: 4)
        Convolution.backwardWeight(g, gradOutput: gradOutput.pointer, input: input.pointer, gradWeight: gradWeight.pointer)
        ConvolutionReference.backwardWeight(g, gradOutput: gradOutput.pointer, input: input.pointer,
                                            gradWeight: expected.pointer)
        let error = maxAbsoluteDifference(gradWeight.pointer, expected.pointer, count: g.weightCount)
        #expect(error <= dotProductTolerance(g.batch * g.outputHeight * g.outputWidth), "\(describe(g)): \(error)")
    }

    /// StyleGAN's upsampling layer: a stride-2 transposed 3×3 convolution, one group per image,
    /// run as `backwardInput` (x [1, B·Cin, H, W] → [1, B·Cout, 2H+1, 2W+1]).
    @Test func transposedConvolutionForUpsampling() {
        let batch = 3, cin = 20, cout = 12, h = 6, w = 5
        let g = ConvolutionGeometry(batch: 1, inputChannels: batch * cout, inputHeight: 2 * h + 1, inputWidth: 2 * w + 1,
                                    outputChannels: batch * cin, kernelHeight: 3, kernelWidth: 3,
                                    strideHeight: 2, strideWidth: 2, groups: batch)
        #expect(g.outputHeight == h && g.outputWidth == w)
        backwardInput(g)
    }
}
