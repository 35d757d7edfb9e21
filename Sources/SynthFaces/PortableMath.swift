/// Elementary functions from + − × ÷ and square root only, so that rendered pixels are the same
/// bits on every machine: the platform's `sin`/`cos` differ in the last unit between libm
/// versions, and one unit can flip a pixel's rounding. Accuracy ~1e-7 is far beyond what 8-bit
/// pixels need.
///
/// ```swift
/// let (s, c) = (PortableMath.sin(0.5), PortableMath.cos(0.5))
/// ```
enum PortableMath {
    static let pi: Float = 3.14159265358979
    static let halfPi: Float = 1.57079632679490
    static let twoPi: Float = 6.28318530717959

    /// sin(x), reduced to [−π/2, π/2] and evaluated as a Taylor polynomial to x¹¹ (Horner form,
    /// no fused multiply-add, so every platform rounds the same way).
    static func sin(_ x: Float) -> Float {
        var r = x - (x * (1 / twoPi)).rounded() * twoPi          // [−π, π]
        if r > halfPi { r = pi - r } else if r < -halfPi { r = -pi - r }
        let r2 = r * r
        var p: Float = -1.0 / 39_916_800
        p = p * r2 + 1.0 / 362_880
        p = p * r2 - 1.0 / 5040
        p = p * r2 + 1.0 / 120
        p = p * r2 - 1.0 / 6
        return r + r * r2 * p
    }

    static func cos(_ x: Float) -> Float { sin(x + halfPi) }

    /// asin(x) for x in [−1, 1] (clamped), Abramowitz & Stegun 4.4.45: error below 7e-5 rad,
    /// plenty for placing shapes.
    static func asin(_ x: Float) -> Float {
        let magnitude = min(abs(x), 1)
        var p: Float = -0.0187293
        p = p * magnitude + 0.0742610
        p = p * magnitude - 0.2121144
        p = p * magnitude + 1.5707288
        let angle = halfPi - (1 - magnitude).squareRoot() * p
        return x < 0 ? -angle : angle
    }

    @inline(__always) static func clamp(_ x: Float, _ low: Float, _ high: Float) -> Float {
        x < low ? low : (x > high ? high : x)
    }

    /// Maps a label in [−1, 1] linearly onto [low, high].
    @inline(__always) static func mix(_ low: Float, _ high: Float, label: Float) -> Float {
        low + (high - low) * ((label + 1) * 0.5)
    }
}
