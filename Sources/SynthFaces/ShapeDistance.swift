/// Signed distances (negative inside) to the few primitives faces are built from. Off the zero
/// set they are first-order estimates — exact enough for a one-pixel coverage ramp, which is all
/// they are used for.
///
/// ```swift
/// let d = ShapeDistance.ellipse(x - 0.2, y, 0.1, 0.05)    // < 0 inside the ellipse
/// ```
enum ShapeDistance {
    /// An axis-aligned ellipse with radii `radiusX`, `radiusY` centred at the origin:
    /// (q − 1) / |∇q| for q = (x/rx)² + (y/ry)² (at the centre −∞, which is "inside").
    @inline(__always) static func ellipse(_ x: Float, _ y: Float, _ radiusX: Float, _ radiusY: Float) -> Float {
        let inverseX = 1 / radiusX, inverseY = 1 / radiusY
        let qx = x * inverseX, qy = y * inverseY
        let gx = qx * inverseX, gy = qy * inverseY
        return (qx * qx + qy * qy - 1) / (2 * (gx * gx + gy * gy).squareRoot())
    }

    /// A horizontal segment from −halfLength to +halfLength on y = 0, thickened by `radius`.
    @inline(__always) static func capsule(_ x: Float, _ y: Float, halfLength: Float, radius: Float) -> Float {
        let along = max(abs(x) - halfLength, 0)
        return (along * along + y * y).squareRoot() - radius
    }

    /// The intersection of two regions given as distances `a` and `b`, with the corner rounded the
    /// way a box's is: exact outside the corner, max inside.
    @inline(__always) static func roundedIntersection(_ a: Float, _ b: Float) -> Float {
        let outsideA = max(a, 0), outsideB = max(b, 0)
        return (outsideA * outsideA + outsideB * outsideB).squareRoot() + min(max(a, b), 0)
    }

    /// A rectangle `|x| ≤ halfWidth`, `|y| ≤ halfHeight` with corners rounded by `radius`.
    @inline(__always) static func roundedBox(_ x: Float, _ y: Float, halfWidth: Float, halfHeight: Float, radius: Float) -> Float {
        roundedIntersection(abs(x) - halfWidth + radius, abs(y) - halfHeight + radius) - radius
    }
}
