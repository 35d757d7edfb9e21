import Tensors

/// DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN
/// Training"): the same random, differentiable transforms applied to real and generated images
/// before the discriminator, so D cannot memorise a small dataset and G still gets gradients
/// through the transform. The three policies of the official `DiffAugment_pytorch.py`:
///
/// - `color`: brightness `x + (u − 0.5)`, saturation `(x − mean_c)·2u + mean_c`, contrast
///   `(x − mean_chw)·(u + 0.5) + mean_chw`, one u ~ U[0, 1) per image for each;
/// - `translation`: shift by whole pixels, up to `translationRatio`·size (rounded) each way,
///   filling with zeros;
/// - `cutout`: zero a square of `cutoutRatio`·size (rounded) at a random centre (clipped at the
///   border).
///
/// Every random number comes from the generator passed in (uniforms for the colour factors,
/// integers for shifts and offsets), so a seed reproduces the augmentation.
///
/// ```swift
/// let augment = DifferentiableAugmentation(policy: [.color, .translation, .cutout])
/// let prediction = discriminator(augment(fake, generator: rng))
/// ```
public struct DifferentiableAugmentation: Sendable {
    public struct Policy: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let color = Policy(rawValue: 1)
        public static let translation = Policy(rawValue: 2)
        public static let cutout = Policy(rawValue: 4)
        /// `color,translation,cutout`, the paper's choice for small datasets.
        public static let all: Policy = [.color, .translation, .cutout]
    }

    public var policy: Policy
    public var translationRatio: Float = 0.125
    public var cutoutRatio: Float = 0.5

    public init(policy: Policy = .all) {
        self.policy = policy
    }

    /// `images` [N, C, H, W] → the augmented batch, differentiable with respect to `images`.
    public func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        precondition(images.rank == 4, "DifferentiableAugmentation: input \(images.shape) is not NCHW")
        var x = images
        if policy.contains(.color) { x = Self.color(x, generator: generator) }
        if policy.contains(.translation) { x = Self.translate(x, ratio: translationRatio, generator: generator) }
        if policy.contains(.cutout) { x = Self.cutout(x, ratio: cutoutRatio, generator: generator) }
        return x
    }

    static func color(_ x: Tensor, generator: RandomGenerator) -> Tensor {
        let n = x.shape[0]
        var y = x + (Tensor.randomUniform([n, 1, 1, 1], generator: generator) - 0.5)
        let channelMean = y.mean(axis: 1, keepDims: true)
        y = (y - channelMean) * (Tensor.randomUniform([n, 1, 1, 1], generator: generator) * 2) + channelMean
        let imageMean = y.mean(axes: [1, 2, 3], keepDims: true)
        return (y - imageMean) * (Tensor.randomUniform([n, 1, 1, 1], generator: generator) + 0.5) + imageMean
    }

    /// An integer in `low...high`.
    static func integer(_ low: Int, _ high: Int, generator: RandomGenerator) -> Int {
        low + Int(generator.next() % UInt64(high - low + 1))
    }

    static func translate(_ x: Tensor, ratio: Float, generator: RandomGenerator) -> Tensor {
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let maxShiftY = Int(Float(h) * ratio + 0.5), maxShiftX = Int(Float(w) * ratio + 0.5)
        let shifts = (0..<n).map { _ in (y: integer(-maxShiftY, maxShiftY, generator: generator),
                                         x: integer(-maxShiftX, maxShiftX, generator: generator)) }
        // out[i, j] = x[i + dy, j + dx], zero outside: crop `d` on one side, pad `d` zeros on the other.
        let samples = shifts.enumerated().map { b, shift in
            x.slice(0, start: b, end: b + 1).pad([(before: -shift.y, after: shift.y), (before: -shift.x, after: shift.x)])
        }
        return n == 1 ? samples[0] : Tensor.concat(samples, axis: 0)
    }

    static func cutout(_ x: Tensor, ratio: Float, generator: RandomGenerator) -> Tensor {
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let sizeY = Int(Float(h) * ratio + 0.5), sizeX = Int(Float(w) * ratio + 0.5)
        var mask = [Float](repeating: 1, count: n * h * w)
        for b in 0..<n {
            // The official offsets: randint(0, size + (1 − cut % 2)), the square starting cut/2 before.
            let offsetY = integer(0, h - sizeY % 2, generator: generator), offsetX = integer(0, w - sizeX % 2, generator: generator)
            let top = max(0, offsetY - sizeY / 2), bottom = min(h, offsetY - sizeY / 2 + sizeY)
            let left = max(0, offsetX - sizeX / 2), right = min(w, offsetX - sizeX / 2 + sizeX)
            for i in top..<max(top, bottom) { for j in left..<max(left, right) { mask[(b * h + i) * w + j] = 0 } }
        }
        return x * Tensor(shape: [n, 1, h, w], scalars: mask)
    }
}
