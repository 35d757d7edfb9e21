extension FaceRenderer {
    /// Ears behind the head's silhouette: turning the face shows more of the near ear (the side
    /// the face turns away from) and hides the far one.
    static func paintEars(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let a = face.halfWidth, b = face.halfHeight
        for side in [Float(-1), 1] {
            let scale = PortableMath.clamp(1 - 0.9 * side * face.attributes.yaw, 0, 1.4)
            guard scale > 0.15 else { continue }
            let centerX = side * a * 0.96, centerY = 0.1 * b
            let radiusX = 0.17 * a * scale, radiusY = 0.21 * b
            let box = canvas.box(around: (centerX, centerY), halfExtent: (radiusX, radiusY), in: face.frame)
            canvas.paint(box, in: face.frame, color: face.skin) { x, y in
                let d = ShapeDistance.ellipse(x - centerX, y - centerY, radiusX, radiusY)
                let inner = ShapeDistance.ellipse(x - centerX - side * 0.25 * radiusX, y - centerY, 0.45 * radiusX, 0.6 * radiusY)
                return (ramp(d), 0.84 - 0.14 * ramp(inner, softness: 2))
            }
        }
    }

    /// The head, lit as a sphere from `lightDirection`.
    static func paintHead(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let a = face.halfWidth, b = face.halfHeight
        let box = canvas.box(around: (0, 0), halfExtent: (a, b), in: face.frame)
        canvas.paint(box, in: face.frame, color: face.skin) { x, y in
            let (d, u, v) = face.head(x, y)
            return (ramp(d), face.sphereShade(u, v))
        }
    }

    /// Pink cheeks: a soft round falloff under each eye, kept inside the head.
    static func paintBlush(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let strength = (face.attributes.blush + 1) * 0.5 * 0.6
        guard strength > 0 else { return }
        let ramp = canvas.ramp
        let a = face.halfWidth, b = face.halfHeight
        for side in [Float(-1), 1] {
            let angle = side * 0.62 + face.yawAngle
            let centerX = 0.9 * a * PortableMath.sin(angle), centerY = 0.27 * b
            let radiusX = 0.22 * a * max(PortableMath.cos(angle), 0.2), radiusY = 0.14 * a
            let box = canvas.box(around: (centerX, centerY), halfExtent: (radiusX, radiusY), in: face.frame)
            canvas.paint(box, in: face.frame, color: RGBColor(0.93, 0.36, 0.44)) { x, y in
                let qx = (x - centerX) / radiusX, qy = (y - centerY) / radiusY
                let falloff = max(1 - qx * qx - qy * qy, 0)
                return (strength * falloff * falloff * ramp(face.head(x, y).distance), 1)
            }
        }
    }
}
