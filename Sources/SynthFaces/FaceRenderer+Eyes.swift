extension FaceRenderer {
    /// Each eye: the white, an iris and pupil clipped to it (looking the way the face turns), a
    /// catch-light, and a dark upper lid line.
    static func paintEyes(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let lid = face.eyeScale * 0.1 + 0.45 * face.pixelSize
        for eye in face.eyes {
            let rx = eye.halfWidth, ry = eye.halfHeight
            let box = canvas.box(around: (eye.centerX, eye.centerY), halfExtent: (rx + lid, ry + lid), in: face.frame)
            canvas.paint(box, in: face.frame, color: RGBColor(0.97, 0.97, 0.96)) { x, y in
                (ramp(ShapeDistance.ellipse(x - eye.centerX, y - eye.centerY, rx, ry)), 1)
            }
            let irisRadius = face.eyeScale * 0.62
            let irisX = eye.centerX + 0.3 * rx * face.sinYaw
            canvas.paint(box, in: face.frame, color: face.iris) { x, y in
                let white = ramp(ShapeDistance.ellipse(x - eye.centerX, y - eye.centerY, rx, ry))
                return (white * ramp(ShapeDistance.ellipse(x - irisX, y - eye.centerY, irisRadius * eye.foreshortening, irisRadius)), 1)
            }
            canvas.paint(box, in: face.frame, color: RGBColor(0.04, 0.04, 0.05)) { x, y in
                let white = ramp(ShapeDistance.ellipse(x - eye.centerX, y - eye.centerY, rx, ry))
                return (white * ramp(ShapeDistance.ellipse(x - irisX, y - eye.centerY, 0.5 * irisRadius * eye.foreshortening, 0.5 * irisRadius)), 1)
            }
            let glintX = irisX - 0.3 * irisRadius * eye.foreshortening, glintY = eye.centerY - 0.35 * irisRadius
            let glintRadius = 0.22 * irisRadius
            canvas.paint(box, in: face.frame, color: RGBColor(1, 1, 1)) { x, y in
                let white = ramp(ShapeDistance.ellipse(x - eye.centerX, y - eye.centerY, rx, ry))
                let dx = x - glintX, dy = y - glintY
                return (0.9 * white * ramp((dx * dx + dy * dy).squareRoot() - glintRadius), 1)
            }
            canvas.paint(box, in: face.frame, color: RGBColor(0.08, 0.06, 0.06)) { x, y in
                let outline = abs(ShapeDistance.ellipse(x - eye.centerX, y - eye.centerY, rx, ry)) - lid
                return (ramp(max(outline, y - eye.centerY)), 1)
            }
        }
    }

    /// Brows: thick arcs above the eyes in a darker hair colour; `browTilt` lowers (+) or raises
    /// (−) their inner ends, `browRaise` lifts them.
    static func paintBrows(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let ramp = canvas.ramp
        let thickness = face.browHalfThickness
        for eye in face.eyes {
            let centerX = eye.centerX, centerY = eye.centerY - face.browLift
            let halfLength = face.eyeScale * 1.1 * eye.foreshortening
            let arch = face.eyeScale * 0.22
            // The inner end points towards the face's mid-line: +x for the left eye.
            let inward = -eye.side, tilt = face.browTilt
            let box = canvas.box(around: (centerX, centerY), halfExtent: (halfLength + thickness, abs(tilt) + arch + thickness),
                                 in: face.frame)
            canvas.paint(box, in: face.frame, color: face.brow) { x, y in
                let p = PortableMath.clamp((x - centerX) / halfLength, -1, 1)
                let curveY = centerY - arch * (1 - p * p) + tilt * p * inward
                let slope = (2 * arch * p + tilt * inward) / halfLength
                let across = (y - curveY) / (1 + slope * slope).squareRoot()
                let along = max(abs(x - centerX) - halfLength, 0)
                return (ramp((along * along + across * across).squareRoot() - thickness), 1)
            }
        }
    }
}
