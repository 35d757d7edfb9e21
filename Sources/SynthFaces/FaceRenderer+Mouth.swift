extension FaceRenderer {
    /// The nose: a soft shadow on the side away from the light (and away from the turn), a lighter
    /// tip and two nostrils. It stands out of the face, so it shifts furthest with yaw.
    static func paintNose(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let size = face.noseSize
        let centerX = face.noseX, centerY = face.noseY
        let box = canvas.box(around: (centerX, centerY), halfExtent: (2 * size, 1.8 * size), in: face.frame)
        let shadowX = centerX - (0.5 * face.lightX + 0.6 * face.sinYaw) * size, shadowY = centerY - 0.2 * size
        canvas.paint(box, in: face.frame, color: face.skin * 0.72) { x, y in
            (0.6 * ramp(ShapeDistance.ellipse(x - shadowX, y - shadowY, 0.85 * size, 1.35 * size), softness: 2.5), 1)
        }
        canvas.paint(box, in: face.frame, color: face.skin * 1.07) { x, y in
            (0.7 * ramp(ShapeDistance.ellipse(x - centerX, y - centerY - 0.25 * size, 0.55 * size, 0.5 * size), softness: 1.5), 1)
        }
        let nostrilY = centerY + 0.6 * size
        for side in [Float(-1), 1] {
            let nostrilX = centerX + side * 0.5 * size * face.cosYaw
            canvas.paint(box, in: face.frame, color: face.skin * 0.42) { x, y in
                (0.85 * ramp(ShapeDistance.ellipse(x - nostrilX, y - nostrilY, 0.26 * size, 0.18 * size)), 1)
            }
        }
    }

    /// The mouth: lips along a parabola whose corners rise with `smile` (fall when negative), an
    /// opening across the centre line that grows with `mouthOpen` (dark inside, teeth at the top),
    /// and a dark parting line when closed. It is drawn on a cylinder round the face (x = r·sin(s/r
    /// + yaw) for the mouth's own coordinate s), so its far half narrows as the face turns and it
    /// is cut off by the silhouette rather than poking out of it.
    static func paintMouth(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let centerY = face.mouthY
        let halfWidth = face.mouthHalfWidth, curvature = face.mouthCurvature
        let opening = face.mouthOpening, lip = face.lipHalfThickness
        let radius = face.mouthRadius, yaw = face.yawAngle
        // The image-x extent of s in [−halfWidth − lip, halfWidth + lip].
        let left = radius * PortableMath.sin(max(-(halfWidth + lip) / radius + yaw, -PortableMath.halfPi))
        let right = radius * PortableMath.sin(min((halfWidth + lip) / radius + yaw, PortableMath.halfPi))
        let box = canvas.box(around: ((left + right) * 0.5, centerY + 0.15 * opening),
                             halfExtent: ((right - left) * 0.5, abs(curvature) + 0.65 * opening + lip), in: face.frame)

        /// (distance to the lips' outer edge, distance to the opening, vertical position in the opening / its height)
        @inline(__always) func mouth(_ imageX: Float, _ y: Float) -> (lips: Float, inside: Float, depth: Float) {
            let onCylinder = imageX / radius
            let x = radius * (PortableMath.asin(onCylinder) - yaw)
            // dx(image)/dx(mouth): horizontal distances shrink by this much on the way to pixels.
            let squeeze = max(1 - onCylinder * onCylinder, 0.01).squareRoot()
            let p = PortableMath.clamp(x / halfWidth, -1.2, 1.2)
            let lineY = centerY - curvature * (p * p - 0.3)
            let slope = -2 * curvature * p / (halfWidth * squeeze)
            let normal = 1 / (1 + slope * slope).squareRoot()
            let height = opening * max(1 - p * p, 0)
            // The opening straddles the centre line, a third of it above.
            let t = y - lineY + 0.35 * height, middle = 0.5 * height
            let edge = (abs(x) - halfWidth) * squeeze
            let band = (abs(t - middle) - middle) * normal
            let lips = ShapeDistance.roundedIntersection(edge, band - lip)
            let inside = max(band + 0.25 * face.pixelSize, edge + lip)
            return (lips, inside, height > 0 ? t / height : 1)
        }
        canvas.paint(box, in: face.frame, color: face.lips) { x, y in
            (ramp(mouth(x, y).lips) * ramp(face.head(x, y).distance), 1)
        }
        canvas.paint(box, in: face.frame, color: RGBColor(0.3, 0.05, 0.08)) { x, y in
            (ramp(mouth(x, y).inside) * ramp(face.head(x, y).distance), 1)
        }
        guard opening > 2 * face.pixelSize else { return }
        canvas.paint(box, in: face.frame, color: RGBColor(0.96, 0.95, 0.92)) { x, y in
            let shape = mouth(x, y)
            return (ramp(shape.inside) * ramp(face.head(x, y).distance) * PortableMath.clamp((0.42 - shape.depth) * 6, 0, 1), 1)
        }
    }
}
