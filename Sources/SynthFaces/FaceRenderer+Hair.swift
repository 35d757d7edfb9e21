extension FaceRenderer {
    /// The hair's shapes for one style, in head-local coordinates.
    ///
    /// - cap: an ellipse a little larger than the skull, shifted towards the back of the head as
    ///   the face turns.
    /// - back: a rounded box behind the head for long hair and the bangs' bob.
    /// - window: the face left uncovered, an ellipse whose top is the hairline (cut straight by
    ///   the fringe for bangs), shifted with the face's turn. Hair in front is the cap (and for
    ///   long hair and bangs the back box, off the neck) outside the window; short hair stops
    ///   above the ears.
    struct HairShape {
        let face: FaceGeometry
        let style: FaceAttributes.HairStyle
        let capCenterX: Float, capCenterY: Float, capRadiusX: Float, capRadiusY: Float
        let backCenterX: Float, backTop: Float, backBottom: Float, backHalfWidth: Float
        let windowCenterX: Float, windowCenterY: Float, windowRadiusX: Float, windowRadiusY: Float
        /// For bangs, the fringe's lower edge; −∞ otherwise.
        let fringeY: Float
        let neckX: Float

        init(_ face: FaceGeometry) {
            typealias M = PortableMath
            self.face = face
            style = face.attributes.hairStyle
            let a = face.halfWidth, b = face.halfHeight
            let length = (face.attributes.hairLength + 1) * 0.5
            let volume: Float = style == .short ? M.mix(1.03, 1.14, label: face.attributes.hairLength) : 1.09
            capCenterX = -0.07 * a * face.sinYaw
            capCenterY = -0.05 * b
            capRadiusX = a * volume
            capRadiusY = b * volume
            backCenterX = -0.1 * a * face.sinYaw
            backTop = -0.4 * b
            backBottom = style == .long ? b * (0.8 + 1.1 * length) : b * (0.45 + 0.45 * length)
            backHalfWidth = a * (style == .long ? 1.12 + 0.12 * length : 1.1)
            windowCenterX = 0.55 * a * face.sinYaw
            windowCenterY = 0.3 * b
            windowRadiusX = a * ((style == .short ? 0.95 : 0.84) - 0.1 * abs(face.sinYaw))
            let hairline: Float = style == .long ? -0.62 : (style == .bangs ? -0.8 : -0.6)
            windowRadiusY = (0.3 - hairline) * b
            fringeY = style == .bangs ? M.mix(-0.55, -0.3, label: face.attributes.hairLength) * b : -.infinity
            neckX = 0.15 * a * face.sinYaw
        }

        var hasBack: Bool { style == .long || style == .bangs }

        @inline(__always) func back(_ x: Float, _ y: Float) -> Float {
            let halfHeight = (backBottom - backTop) * 0.5
            return ShapeDistance.roundedBox(x - backCenterX, y - (backTop + halfHeight), halfWidth: backHalfWidth,
                                            halfHeight: halfHeight, radius: 0.4 * face.halfWidth)
        }

        /// Distance to the hair drawn over the face.
        @inline(__always) func front(_ x: Float, _ y: Float) -> Float {
            let a = face.halfWidth, b = face.halfHeight
            let cap = ShapeDistance.ellipse(x - capCenterX, y - capCenterY, capRadiusX, capRadiusY)
            let window = max(ShapeDistance.ellipse(x - windowCenterX, y - windowCenterY, windowRadiusX, windowRadiusY),
                             fringeY - y)
            if hasBack {
                let neck = max(abs(x - neckX) - 0.45 * a, 0.5 * b - y)
                return max(min(cap, back(x, y)), -window, -neck)
            }
            return max(cap, -window, y + 0.12 * b)
        }

        @inline(__always) func shade(_ x: Float, _ y: Float) -> Float {
            let u = x / face.halfWidth, v = y / face.halfHeight
            return PortableMath.clamp(0.88 + 0.25 * (u * face.lightX + v * face.lightY), 0.6, 1.15)
        }
    }

    static func paintHairBehind(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let hair = HairShape(face)
        guard hair.hasBack else { return }
        let ramp = canvas.ramp
        let halfHeight = (hair.backBottom - hair.backTop) * 0.5
        let box = canvas.box(around: (hair.backCenterX, hair.backTop + halfHeight),
                             halfExtent: (hair.backHalfWidth, halfHeight), in: face.frame)
        canvas.paint(box, in: face.frame, color: face.hair) { x, y in
            (ramp(hair.back(x, y)), 0.78 * hair.shade(x, y))
        }
    }

    static func paintHairInFront(_ canvas: inout Canvas, _ face: FaceGeometry) {
        guard face.attributes.hairStyle != .none else { return }
        let hair = HairShape(face)
        let ramp = canvas.ramp
        let a = face.halfWidth, b = face.halfHeight
        let bottom = hair.hasBack ? max(hair.backBottom, b) : b
        let top = -1.25 * b
        let box = canvas.box(around: (0, (top + bottom) * 0.5), halfExtent: (1.3 * a, (bottom - top) * 0.5), in: face.frame)
        canvas.paint(box, in: face.frame, color: face.hair) { x, y in
            (ramp(hair.front(x, y)), hair.shade(x, y))
        }
    }
}
