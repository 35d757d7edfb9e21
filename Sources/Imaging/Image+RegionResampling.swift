extension Image {
    /// One rectangle of `resized(width:height:filter:)`, computed without the rest: the same
    /// bytes as resizing the whole image and cropping (PIL's `resize` then `crop`), for the cost
    /// of the rectangle. Passes run in the order the whole resize would use, on only the input
    /// rows or columns the rectangle's coefficients reach.
    ///
    /// ```swift
    /// // The face region of a 12-MP photo shrunk 4×, without shrinking the rest of it.
    /// let face = photo.resized(width: 1000, height: 750, filter: .lanczos, region: (x: 300, y: 200, width: 256, height: 256))
    /// ```
    public func resized(width outWidth: Int, height outHeight: Int, filter: ResamplingFilter = .bilinear,
                        region: (x: Int, y: Int, width: Int, height: Int)) -> Image {
        precondition(outWidth > 0 && outHeight > 0 && region.width > 0 && region.height > 0 && region.x >= 0 && region.y >= 0
                        && region.x + region.width <= outWidth && region.y + region.height <= outHeight,
                     "resized: region \(region) outside \(outWidth)×\(outHeight)")
        let columns = region.x..<(region.x + region.width), rows = region.y..<(region.y + region.height)
        let horizontal = outWidth != width ? Self.coefficients(inputSize: width, outputSize: outWidth, filter: filter) : nil
        let vertical = outHeight != height ? Self.coefficients(inputSize: height, outputSize: outHeight, filter: filter) : nil
        // The input span a set of outputs reads (all of it when the axis is not resampled).
        func span(_ c: (bounds: [(Int, Int)], weights: [Int32], kernelSize: Int)?, _ outputs: Range<Int>) -> Range<Int> {
            guard let c else { return outputs }
            let lower = outputs.map { c.bounds[$0].0 }.min()!
            let upper = outputs.map { c.bounds[$0].0 + c.bounds[$0].1 }.max()!
            return lower..<Swift.max(upper, lower + 1)
        }
        func horizontalPass(_ image: Image, shift: Int) -> Image {
            guard let c = horizontal else { return image }
            let bounds = columns.map { (c.bounds[$0].0 - shift, c.bounds[$0].1) }
            let weights = Array(c.weights[(columns.lowerBound * c.kernelSize)..<(columns.upperBound * c.kernelSize)])
            return image.resampledHorizontally(columns.count, bounds, weights, c.kernelSize)
        }
        func verticalPass(_ image: Image, shift: Int) -> Image {
            guard let c = vertical else { return image }
            let bounds = rows.map { (c.bounds[$0].0 - shift, c.bounds[$0].1) }
            let weights = Array(c.weights[(rows.lowerBound * c.kernelSize)..<(rows.upperBound * c.kernelSize)])
            return image.resampledVertically(rows.count, bounds, weights, c.kernelSize)
        }
        // The same pass order as `resized(width:height:filter:)`.
        let verticalFirst = outHeight < height && height - outHeight > 2 * (width - outWidth)
        if verticalFirst {
            let inputColumns = span(horizontal, columns)
            var part = cutOut(x: horizontal == nil ? columns.lowerBound : inputColumns.lowerBound, y: 0,
                              width: horizontal == nil ? columns.count : inputColumns.count, height: height)
            part = verticalPass(part, shift: 0)
            if vertical == nil { part = part.cutOut(x: 0, y: rows.lowerBound, width: part.width, height: rows.count) }
            return horizontalPass(part, shift: inputColumns.lowerBound)
        }
        let inputRows = span(vertical, rows)
        var part = cutOut(x: 0, y: vertical == nil ? rows.lowerBound : inputRows.lowerBound,
                          width: width, height: vertical == nil ? rows.count : inputRows.count)
        part = horizontalPass(part, shift: 0)
        if horizontal == nil { part = part.cutOut(x: columns.lowerBound, y: 0, width: columns.count, height: part.height) }
        return verticalPass(part, shift: inputRows.lowerBound)
    }

    /// A rectangle known to lie inside the image.
    private func cutOut(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        if x == 0 && y == 0 && w == width && h == height { return self }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { source in
            for row in 0..<h {
                let from = ((y + row) * width + x) * 3
                for k in 0..<(w * 3) { out[row * w * 3 + k] = source[from + k] }
            }
        }
        return Image(width: w, height: h, pixels: out)
    }
}
