/// A linear-blend colour with channels in [0, 1] (values above 1 are clipped when stored).
///
/// ```swift
/// let skin = RGBColor(bytes: 241, 194, 160) * 0.9
/// ```
struct RGBColor: Sendable, Equatable {
    var red: Float
    var green: Float
    var blue: Float

    init(_ red: Float, _ green: Float, _ blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    init(bytes red: Int, _ green: Int, _ blue: Int) {
        self.init(Float(red) / 255, Float(green) / 255, Float(blue) / 255)
    }

    static func * (color: RGBColor, scale: Float) -> RGBColor {
        RGBColor(color.red * scale, color.green * scale, color.blue * scale)
    }

    static func * (color: RGBColor, other: RGBColor) -> RGBColor {
        RGBColor(color.red * other.red, color.green * other.green, color.blue * other.blue)
    }

    static func + (left: RGBColor, right: RGBColor) -> RGBColor {
        RGBColor(left.red + right.red, left.green + right.green, left.blue + right.blue)
    }

    /// `self` moved a fraction `t` of the way to `other`.
    func mixed(with other: RGBColor, _ t: Float) -> RGBColor {
        RGBColor(red + (other.red - red) * t, green + (other.green - green) * t, blue + (other.blue - blue) * t)
    }

    /// Piecewise-linear lookup in `ramp` at `t` in [0, 1].
    static func ramp(_ ramp: [RGBColor], at t: Float) -> RGBColor {
        let position = PortableMath.clamp(t, 0, 1) * Float(ramp.count - 1)
        let index = min(Int(position), ramp.count - 2)
        return ramp[index].mixed(with: ramp[index + 1], position - Float(index))
    }

    /// A fully saturated hue (0 red, 1/3 green, 2/3 blue, wrapping), piecewise linear like HSV.
    static func hue(_ h: Float) -> RGBColor {
        let x = (h - h.rounded(.down)) * 6
        func channel(_ offset: Float) -> Float {
            var d = x - offset
            if d < -3 { d += 6 } else if d > 3 { d -= 6 }
            return PortableMath.clamp(2 - abs(d), 0, 1)
        }
        return RGBColor(channel(0), channel(2), channel(4))
    }
}
