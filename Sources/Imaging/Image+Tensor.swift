import Tensors

extension Image {
    /// The image as a `[1, 3, H, W]` tensor in [−1, 1], as pSp/StylePrompter feed their encoders:
    /// `transforms.ToTensor()` (v / 255) then `Normalize([0.5]*3, [0.5]*3)` ((x − 0.5) / 0.5),
    /// computed in float32 in that order so values match PyTorch bit for bit.
    ///
    /// ```swift
    /// let x = try Image(contentsOf: url).resized(width: 256, height: 256).tensor()  // [1, 3, 256, 256]
    /// ```
    public func tensor() -> Tensor {
        let plane = width * height
        let out = Tensor(uninitializedShape: [1, 3, height, width])
        let data = out.data
        for i in 0..<plane {
            for c in 0..<3 {
                let unit = Float(pixels[3 * i + c]) / 255
                data[c * plane + i] = (unit - 0.5) / 0.5
            }
        }
        return out
    }

    /// Images from a `[B, 3, H, W]` (or `[3, H, W]`) tensor in [−1, 1], converted like pSp's
    /// `tensor2im`: `((x + 1) / 2)`, clipped to [0, 1], `· 255`, then truncated to `uint8`
    /// (`astype('uint8')`, not rounded). NaN becomes 0.
    ///
    /// ```swift
    /// let outputs = try Image.images(from: generated)   // one Image per batch item
    /// ```
    public static func images(from tensor: Tensor) throws -> [Image] {
        let shape = tensor.shape
        guard (shape.count == 4 && shape[1] == 3) || (shape.count == 3 && shape[0] == 3) else {
            throw ImagingError.invalidArgument("images(from:): expected a [B, 3, H, W] or [3, H, W] tensor, got \(shape)")
        }
        let batch = shape.count == 4 ? shape[0] : 1
        let height = shape[shape.count - 2], width = shape[shape.count - 1]
        let plane = width * height
        // Read in place (a copy of the values first was 12 MiB of fresh pages per 1024² image).
        return withExtendedLifetime(tensor) {
            let values = tensor.readData
            return (0..<batch).map { b in
                let base = b * 3 * plane
                let pixels = [UInt8](unsafeUninitializedCapacity: plane * 3) { bytes, initialized in
                    for i in 0..<plane {
                        for c in 0..<3 {
                            var v = (values[base + c * plane + i] + 1) / 2
                            if v < 0 { v = 0 }
                            if v > 1 { v = 1 }
                            bytes[3 * i + c] = v.isNaN ? 0 : UInt8(v * 255)
                        }
                    }
                    initialized = plane * 3
                }
                return Image(width: width, height: height, pixels: pixels)
            }
        }
    }

    /// A `[B, 3, H, W]` tensor holding `images` (all the same size), normalised as `tensor()`.
    public static func batchTensor(_ images: [Image]) throws -> Tensor {
        guard let first = images.first else { throw ImagingError.invalidArgument("batchTensor: no images") }
        guard images.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw ImagingError.invalidArgument("batchTensor: images differ in size")
        }
        let per = 3 * first.width * first.height
        let out = Tensor(uninitializedShape: [images.count, 3, first.height, first.width])
        for (b, image) in images.enumerated() {
            let single = image.tensor()
            withExtendedLifetime(single) { (out.data + b * per).update(from: single.readData, count: per) }
        }
        return out
    }
}
