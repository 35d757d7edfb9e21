import Imaging

/// The frame a face is drawn in: shapes are written in head-local coordinates (x to the right, y
/// down, in image units where the image spans [−1, 1]) and the frame turns them by the head's roll
/// about its centre.
///
/// ```swift
/// let frame = HeadFrame(centerX: 0, centerY: 0.02, roll: 0.1)
/// let (x, y) = frame.imagePoint(localX: 0.3, localY: -0.2)
/// ```
struct HeadFrame {
    let centerX: Float
    let centerY: Float
    let cosRoll: Float
    let sinRoll: Float

    init(centerX: Float, centerY: Float, roll: Float) {
        self.centerX = centerX
        self.centerY = centerY
        cosRoll = PortableMath.cos(roll)
        sinRoll = PortableMath.sin(roll)
    }

    /// The image's own frame (for the background).
    static let image = HeadFrame(centerX: 0, centerY: 0, roll: 0)

    func imagePoint(localX: Float, localY: Float) -> (x: Float, y: Float) {
        (centerX + cosRoll * localX - sinRoll * localY, centerY + sinRoll * localX + cosRoll * localY)
    }
}

/// Coverage from a signed distance (image units, negative inside): 1 inside, 0 outside, a linear
/// ramp `softness` pixels wide across the edge — the renderer's anti-aliasing.
///
/// ```swift
/// let ramp = EdgeRamp(inversePixelSize: 32)      // 64 px image
/// let alpha = ramp(distance)
/// ```
struct EdgeRamp {
    let inversePixelSize: Float

    @inline(__always) func callAsFunction(_ distance: Float, softness: Float = 1) -> Float {
        PortableMath.clamp(0.5 - distance * inversePixelSize / softness, 0, 1)
    }
}

/// A half-open rectangle of pixels, `x0..<x1` × `y0..<y1`; shapes are evaluated only inside theirs.
struct PixelBox {
    var x0: Int, x1: Int, y0: Int, y1: Int
}

/// A float RGB frame being painted back to front: `pixels` holds size·size·3 values in [0, 1]
/// (rows top to bottom, R G B per pixel). Every shape gives a coverage in [0, 1] per pixel —
/// from its signed distance through a one-pixel ramp, which is the anti-aliasing — and is blended
/// over what is there.
///
/// ```swift
/// var canvas = Canvas(size: 64)
/// let ramp = canvas.ramp
/// let box = canvas.box(around: (0, 0), halfExtent: (0.5, 0.5), in: .image)
/// canvas.paint(box, in: .image, color: RGBColor(1, 0, 0)) { x, y in
///     (ramp(ShapeDistance.ellipse(x, y, 0.5, 0.5)), 1)
/// }
/// ```
struct Canvas {
    let size: Int
    /// The width of one pixel in image units (the image spans 2).
    let pixelSize: Float
    let inversePixelSize: Float
    var pixels: [Float]

    init(size: Int) {
        self.size = size
        pixelSize = 2 / Float(size)
        inversePixelSize = Float(size) / 2
        pixels = [Float](repeating: 0, count: size * size * 3)
    }

    /// The coverage function for this pixel size (a value, so shape closures can use it while the
    /// canvas is being painted).
    var ramp: EdgeRamp { EdgeRamp(inversePixelSize: inversePixelSize) }

    /// The pixels that may be touched by a shape inside the head-local rectangle `center ±
    /// halfExtent`, after the frame's roll, plus two pixels for the edge ramp.
    func box(around center: (x: Float, y: Float), halfExtent: (x: Float, y: Float), in frame: HeadFrame) -> PixelBox {
        let middle = frame.imagePoint(localX: center.x, localY: center.y)
        let extentX = abs(frame.cosRoll) * halfExtent.x + abs(frame.sinRoll) * halfExtent.y + 2 * pixelSize
        let extentY = abs(frame.sinRoll) * halfExtent.x + abs(frame.cosRoll) * halfExtent.y + 2 * pixelSize
        func pixelIndex(_ coordinate: Float) -> Int {
            let position = (coordinate + 1) * inversePixelSize
            return Int(PortableMath.clamp(position, -1, Float(size + 1)).rounded(.down))
        }
        return PixelBox(x0: max(0, pixelIndex(middle.x - extentX)), x1: min(size, pixelIndex(middle.x + extentX) + 1),
                        y0: max(0, pixelIndex(middle.y - extentY)), y1: min(size, pixelIndex(middle.y + extentY) + 1))
    }

    /// The whole image.
    var everything: PixelBox { PixelBox(x0: 0, x1: size, y0: 0, y1: size) }

    /// Blends `color · shade` with weight `coverage` over every pixel of `box`, where `shape` maps
    /// the pixel centre in `frame`'s head-local coordinates to (coverage, shade).
    @inline(__always)
    mutating func paint(_ box: PixelBox, in frame: HeadFrame, color: RGBColor,
                        _ shape: (_ x: Float, _ y: Float) -> (coverage: Float, shade: Float)) {
        guard box.x0 < box.x1 && box.y0 < box.y1 else { return }
        let pixelSize = self.pixelSize, size = self.size
        let cosRoll = frame.cosRoll, sinRoll = frame.sinRoll
        pixels.withUnsafeMutableBufferPointer { buffer in
            for row in box.y0..<box.y1 {
                let dy = (Float(row) + 0.5) * pixelSize - 1 - frame.centerY
                for column in box.x0..<box.x1 {
                    let dx = (Float(column) + 0.5) * pixelSize - 1 - frame.centerX
                    let x = cosRoll * dx + sinRoll * dy
                    let y = cosRoll * dy - sinRoll * dx
                    let (alpha, shade) = shape(x, y)
                    if alpha > 0 {
                        let offset = (row * size + column) * 3
                        buffer[offset] += (color.red * shade - buffer[offset]) * alpha
                        buffer[offset + 1] += (color.green * shade - buffer[offset + 1]) * alpha
                        buffer[offset + 2] += (color.blue * shade - buffer[offset + 2]) * alpha
                    }
                }
            }
        }
    }

    /// Each pixel set to `color(x, y)` in image coordinates (for the background).
    mutating func fill(_ color: (_ x: Float, _ y: Float) -> RGBColor) {
        let pixelSize = self.pixelSize, size = self.size
        pixels.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<size {
                let y = (Float(row) + 0.5) * pixelSize - 1
                for column in 0..<size {
                    let value = color((Float(column) + 0.5) * pixelSize - 1, y)
                    let offset = (row * size + column) * 3
                    buffer[offset] = value.red
                    buffer[offset + 1] = value.green
                    buffer[offset + 2] = value.blue
                }
            }
        }
    }

    /// The 8-bit image: each value clipped to [0, 1] (a NaN, which no shape should produce, to 0),
    /// times 255, rounded half up.
    func image() -> Image {
        var bytes = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBufferPointer { destination in
                for i in 0..<source.count {
                    let value = source[i]
                    destination[i] = UInt8((value > 0 ? (value < 1 ? value : 1) : 0) * 255 + 0.5)
                }
            }
        }
        return Image(width: size, height: size, pixels: bytes)
    }
}
