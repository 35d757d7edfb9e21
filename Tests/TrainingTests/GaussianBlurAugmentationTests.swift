import Foundation
import Tensors
import Testing
import Training

@Suite struct GaussianBlurAugmentationTests {
    /// The blur as one 2-D sum in float64 with the edges clamped: what the separable float32
    /// passes must give.
    static func reference(_ values: [Float], height: Int, width: Int, sigma: Double) -> [Double] {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let weights = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        var out = [Double](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                var sum = 0.0
                for (i, wy) in weights.enumerated() {
                    for (j, wx) in weights.enumerated() {
                        let sy = min(max(y + i - radius, 0), height - 1), sx = min(max(x + j - radius, 0), width - 1)
                        sum += wy * wx * Double(values[sy * width + sx])
                    }
                }
                out[y * width + x] = sum / (total * total)
            }
        }
        return out
    }

    @Test("each image is blurred with its own σ, as a float64 2-D Gaussian with clamped edges")
    func matchesReference() throws {
        let (channels, height, width) = (3, 9, 13)
        let random = RandomGenerator(seed: 4)
        let scalars = (0..<(3 * channels * height * width)).map { _ in random.nextUniform() * 2 - 1 }
        let images = Tensor(shape: [3, channels, height, width], scalars: scalars)
        let sigmas: [Float] = [0, 0.7, 1.5]
        let blurred = GaussianBlurAugmentation.blurred(images, sigmas: sigmas).scalars
        let plane = height * width
        for image in 0..<3 {
            for channel in 0..<channels {
                let base = (image * channels + channel) * plane
                let input = Array(scalars[base..<(base + plane)]), output = Array(blurred[base..<(base + plane)])
                if sigmas[image] == 0 {
                    #expect(output == input, "σ 0 leaves the image as it is")
                    continue
                }
                let expected = Self.reference(input, height: height, width: width, sigma: Double(sigmas[image]))
                let error = zip(output, expected).map { abs(Double($0) - $1) }.max()!
                #expect(error < 1e-6, "image \(image) channel \(channel): max error \(error)")
                #expect(output != input)
            }
        }
    }

    @Test("a flat image stays flat; the kernel sums to one")
    func flatStaysFlat() {
        let images = Tensor(shape: [1, 1, 6, 6], scalars: Array(repeating: 0.25, count: 36))
        let blurred = GaussianBlurAugmentation.blurred(images, sigmas: [2])
        #expect(blurred.scalars.allSatisfy { abs($0 - 0.25) < 1e-6 })
        for sigma: Float in [0.3, 1, 3.3, 8] {
            let kernel = GaussianBlurAugmentation.kernel(sigma: sigma)
            #expect(abs(kernel.reduce(0, +) - 1) < 1e-6 && kernel.count % 2 == 1)
            #expect(kernel == kernel.reversed())
        }
    }

    @Test("training σ: about half the faces sharp, the rest in [0.3, maximum], repeated by the seed")
    func trainingSigmas() {
        let first = GaussianBlurAugmentation.trainingSigmas(count: 2000, maximum: 1.5, random: RandomGenerator(seed: 9))
        let again = GaussianBlurAugmentation.trainingSigmas(count: 2000, maximum: 1.5, random: RandomGenerator(seed: 9))
        #expect(first == again)
        let sharp = first.filter { $0 == 0 }.count
        #expect((900...1100).contains(sharp), "\(sharp) of 2000 sharp")
        #expect(first.allSatisfy { $0 == 0 || (0.3...1.5).contains($0) })
        #expect(first.max()! > 1.4 && first.filter { $0 > 0 }.min()! < 0.4)
        #expect(GaussianBlurAugmentation.trainingSigmas(count: 10, maximum: 0, random: RandomGenerator(seed: 9)).allSatisfy { $0 == 0 })
    }
}
