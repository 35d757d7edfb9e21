extension FaceRenderer {
    /// Glasses: a rim round each eye (thin and round, or thick and rectangular), a faint tint of
    /// the frame colour on the lenses, a bridge, and a temple arm from each rim back to the head's
    /// edge (visible on the side the face turns away from).
    static func paintGlasses(_ canvas: inout Canvas, _ face: FaceGeometry) {
        let kind = face.attributes.glasses
        guard kind != .none else { return }
        let ramp = canvas.ramp
        let a = face.halfWidth
        let thick = kind == .thick
        let rim = a * (thick ? 0.05 : 0.024) + 0.35 * face.pixelSize
        let squareness: Float = thick ? 0.85 : 0
        let radius = face.eyeScale * 1.5
        let color = face.frameColor
        var innerEdges: [Float] = []
        let rimY = face.eyes[0].centerY + 0.05 * face.eyeScale
        for eye in face.eyes {
            let radiusX = radius * max(eye.foreshortening, 0.2), radiusY = radius * 0.82
            let centerX = eye.centerX
            innerEdges.append(centerX - eye.side * radiusX)
            let box = canvas.box(around: (centerX, rimY), halfExtent: (radiusX + rim, radiusY + rim), in: face.frame)
            canvas.paint(box, in: face.frame, color: color) { x, y in
                let qx = (x - centerX) / radiusX, qy = (y - rimY) / radiusY
                let qx2 = qx * qx, qy2 = qy * qy
                let round = (qx2 + qy2).squareRoot()
                let level = round + squareness * ((qx2 * qx2 + qy2 * qy2).squareRoot().squareRoot() - round)
                let gradientX = qx / radiusX, gradientY = qy / radiusY
                let gradient = max((gradientX * gradientX + gradientY * gradientY).squareRoot() / max(round, 1e-6), 1 / radiusX)
                let distance = (level - 1) / gradient
                return (max(ramp(abs(distance) - rim), 0.14 * ramp(distance)), 1)
            }
            // Temple arm: from the outer side of the rim to the silhouette.
            let armStart = centerX + eye.side * radiusX, armEnd = eye.side * a * 0.98
            if (armEnd - armStart) * eye.side > 0 {
                let middle = (armStart + armEnd) * 0.5, halfLength = abs(armEnd - armStart) * 0.5
                let armY = rimY - 0.3 * radiusY
                let armBox = canvas.box(around: (middle, armY), halfExtent: (halfLength, rim), in: face.frame)
                canvas.paint(armBox, in: face.frame, color: color) { x, y in
                    (ramp(ShapeDistance.capsule(x - middle, y - armY, halfLength: halfLength, radius: 0.8 * rim)), 1)
                }
            }
        }
        let bridgeMiddle = (innerEdges[0] + innerEdges[1]) * 0.5
        let bridgeHalfLength = max(abs(innerEdges[1] - innerEdges[0]) * 0.5, 0)
        let bridgeY = rimY - 0.25 * radius
        let bridge = canvas.box(around: (bridgeMiddle, bridgeY), halfExtent: (bridgeHalfLength, rim), in: face.frame)
        canvas.paint(bridge, in: face.frame, color: color) { x, y in
            (ramp(ShapeDistance.capsule(x - bridgeMiddle, y - bridgeY, halfLength: bridgeHalfLength, radius: 0.85 * rim)), 1)
        }
    }
}
