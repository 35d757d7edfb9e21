import Foundation
import Tensors

/// A Gaussian blur of each image in a batch, with its own σ: the softness of a small generator's
/// samples, shown to a network trained on sharp renders so that it reads them the same way.
///
/// The attribute predictor trained on sharp SynthFaces alone misreads blur: on renders blurred
/// with σ = 1 px its smile reading fell from r 0.93 to 0.75 and it took gold frames for a smile
/// (0.14–0.16 more than the other frame colours) — the confound the generator's smeared samples
/// showed, and that the smile direction fitted from its labels learned to draw. (Trained 5,000
/// steps with half its faces blurred up to σ 1.5 — with the learning rate decaying, so no late
/// loss spike — it read renders and blurred renders alike but worse, smile r 0.67 and 0.64, and
/// half its smile reading was the mouth's width; so the shipped predictor is trained without it.
/// README, *The default model*.)
///
/// Separable, with the edges replicated (a blurred face keeps its background's colour at the
/// border); a σ of 0 or less leaves the image as it is. Deterministic: no randomness inside.
public enum GaussianBlurAugmentation {
    /// The largest σ, in pixels: the kernel has 2·⌈3σ⌉ + 1 taps.
    public static let maximumSigma: Float = 8

    /// `images` [N, C, H, W] blurred image by image with `sigmas[n]`.
    public static func blurred(_ images: Tensor, sigmas: [Float]) -> Tensor {
        precondition(images.rank == 4 && sigmas.count == images.shape[0], "blurred: one σ per image of an [N, C, H, W] batch")
        let (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3])
        let plane = height * width
        var scalars = images.scalars
        var rowPass = [Float](repeating: 0, count: plane)
        for (image, sigma) in sigmas.enumerated() where sigma > 0 {
            let taps = kernel(sigma: min(sigma, maximumSigma))
            let radius = taps.count / 2
            for channel in 0..<channels {
                let base = (image * channels + channel) * plane
                scalars.withUnsafeMutableBufferPointer { values in
                    // Along x into rowPass, then along y back into the image.
                    for y in 0..<height {
                        for x in 0..<width {
                            var sum: Float = 0
                            for t in 0..<taps.count {
                                let sx = min(max(x + t - radius, 0), width - 1)
                                sum += taps[t] * values[base + y * width + sx]
                            }
                            rowPass[y * width + x] = sum
                        }
                    }
                    for y in 0..<height {
                        for x in 0..<width {
                            var sum: Float = 0
                            for t in 0..<taps.count {
                                let sy = min(max(y + t - radius, 0), height - 1)
                                sum += taps[t] * rowPass[sy * width + x]
                            }
                            values[base + y * width + x] = sum
                        }
                    }
                }
            }
        }
        return Tensor(shape: images.shape, scalars: scalars)
    }

    /// The normalised 1-D Gaussian of standard deviation `sigma`, 2·⌈3σ⌉ + 1 taps.
    public static func kernel(sigma: Float) -> [Float] {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let taps = (-radius...radius).map { offset -> Float in
            let x = Double(offset), s = Double(sigma)
            return Float(exp(-x * x / (2 * s * s)))
        }
        let total = taps.reduce(0, +)
        return taps.map { $0 / total }
    }

    /// σ for each of `count` training images: none for about half (the renders as they are),
    /// uniform in [0.3, `maximum`] for the rest. Drawn from `random`, so a seed repeats it.
    public static func trainingSigmas(count: Int, maximum: Float, random: RandomGenerator) -> [Float] {
        (0..<count).map { _ in
            let blurs = random.nextUniform() < 0.5
            let draw = random.nextUniform()
            return blurs && maximum > 0 ? 0.3 + draw * max(maximum - 0.3, 0) : 0
        }
    }
}
