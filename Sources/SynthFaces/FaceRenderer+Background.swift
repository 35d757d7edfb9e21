extension FaceRenderer {
    /// A soft colour (hue wheel, mixed a little towards white), plain or fading linearly into a
    /// darker neighbouring hue along `backgroundAngle`.
    static func paintBackground(_ canvas: inout Canvas, _ face: FaceGeometry) {
        typealias M = PortableMath
        let attributes = face.attributes
        let hue = (attributes.backgroundHue + 1) * 0.5
        let lightness = M.mix(0.38, 0.95, label: attributes.backgroundLightness)
        let first = RGBColor(1, 1, 1).mixed(with: RGBColor.hue(hue), 0.5) * lightness
        let second = RGBColor(1, 1, 1).mixed(with: RGBColor.hue(hue + 0.1), 0.65) * (lightness * 0.55)
        let strength = (attributes.backgroundGradient + 1) * 0.5
        let angle = M.pi * attributes.backgroundAngle
        let directionX = M.cos(angle) * 0.5, directionY = M.sin(angle) * 0.5
        canvas.fill { x, y in
            let t = M.clamp(0.5 + directionX * x + directionY * y, 0, 1) * strength
            return first.mixed(with: second, t)
        }
    }

    /// The neck (a column under the head, shadowed below the chin) and shirt-coloured shoulders.
    static func paintNeckAndShoulders(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let a = face.halfWidth, b = face.halfHeight
        let shirt = RGBColor.hue((face.attributes.backgroundHue + 1) * 0.5 + 0.45) * 0.45 + RGBColor(0.12, 0.12, 0.14)
        // The body does not roll with the head.
        let upright = HeadFrame(centerX: face.frame.centerX, centerY: face.frame.centerY, roll: 0)
        let shoulderY = b + 0.62
        let shoulders = canvas.box(around: (0, shoulderY), halfExtent: (1.3, 0.5), in: upright)
        canvas.paint(shoulders, in: upright, color: shirt) { x, y in
            let d = ShapeDistance.ellipse(x, y - shoulderY, 1.25, 0.48)
            return (ramp(d), PortableMath.clamp(1.05 - 0.4 * (y - shoulderY + 0.48), 0.7, 1.05))
        }
        let neckX = 0.15 * a * face.sinYaw, neckHalfWidth = 0.42 * a
        let neck = canvas.box(around: (neckX, 1.2 * b), halfExtent: (neckHalfWidth, 0.75 * b), in: face.frame)
        canvas.paint(neck, in: face.frame, color: face.skin) { x, y in
            let d = ShapeDistance.roundedBox(x - neckX, y - 1.2 * b, halfWidth: neckHalfWidth, halfHeight: 0.7 * b, radius: 0.05)
            let shade = PortableMath.clamp(0.66 + 0.3 * (y - 0.85 * b) / b, 0.66, 0.85)
            return (ramp(d), shade)
        }
    }
}
