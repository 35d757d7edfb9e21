/// The physical face behind a set of attributes: sizes and positions in head-local image units
/// (the image spans [−1, 1]; x right, y down; origin at the head's centre), colours and lighting.
///
/// Yaw turns the head about its vertical axis: a feature at angle θ from the face's mid-line
/// lands at x = r·sin(θ + yaw) and is foreshortened by cos(θ + yaw), so the eyes, brows, mouth
/// and glasses shift and the far side narrows; the nose stands out of the surface and shifts
/// further (parallax). The silhouette stays, and the hair shows more of the back of the head.
///
/// ```swift
/// let geometry = FaceGeometry(FaceAttributes(seed: 3), pixelSize: 2 / 64)
/// let leftEye = geometry.eyes[0]
/// ```
struct FaceGeometry {
    struct Eye {
        /// −1 for the eye on the image's left, +1 on the right.
        let side: Float
        let centerX: Float
        let centerY: Float
        /// cos of the eye's angle on the turned head: its horizontal foreshortening.
        let foreshortening: Float
        let halfWidth: Float
        let halfHeight: Float
    }

    let pixelSize: Float
    package let frame: HeadFrame
    /// Head half-width and half-height.
    let halfWidth: Float
    let halfHeight: Float
    /// How much the jaw narrows towards the chin (fraction of the width at the chin).
    let chinTaper: Float
    /// Blend from an ellipse (0) towards a superellipse of power 4 (squarer jaw and temples).
    let squareness: Float
    let sinYaw: Float
    let cosYaw: Float
    let lightX: Float, lightY: Float, lightZ: Float

    let skin: RGBColor
    let hair: RGBColor
    let brow: RGBColor
    let iris: RGBColor
    let lips: RGBColor
    let frameColor: RGBColor

    let eyes: [Eye]
    /// Eye size before openness and foreshortening.
    let eyeScale: Float
    let browHalfThickness: Float
    let browLift: Float
    let browTilt: Float
    let noseX: Float, noseY: Float, noseSize: Float
    /// The head's turn in radians (0.7 rad ≈ 40° at `yaw` ±1).
    let yawAngle: Float
    /// The face's radius at mouth height: the mouth is drawn on a cylinder of this radius.
    let mouthRadius: Float
    let mouthY: Float, mouthHalfWidth: Float
    /// Height of the mouth corners above the centre line's mid-point, signed (positive: grin).
    let mouthCurvature: Float
    let mouthOpening: Float
    let lipHalfThickness: Float

    let attributes: FaceAttributes

    init(_ attributes: FaceAttributes, pixelSize: Float, style: RenderStyle = .classic) {
        typealias M = PortableMath
        self.attributes = attributes
        self.pixelSize = pixelSize
        frame = HeadFrame(centerX: 0, centerY: 0.07, roll: 0.2 * attributes.roll)
        let a = M.mix(0.54, 0.66, label: attributes.faceWidth)
        let b = a * M.mix(1.12, 1.3, label: attributes.faceLength)
        halfWidth = a
        halfHeight = b
        chinTaper = M.mix(0.12, 0.45, label: attributes.chin)
        squareness = M.mix(0, 0.7, label: attributes.jawSquareness)
        let yawAngle = 0.7 * attributes.yaw
        self.yawAngle = yawAngle
        sinYaw = M.sin(yawAngle)
        cosYaw = M.cos(yawAngle)
        lightX = 0.65 * attributes.lightDirection
        lightY = -0.45
        lightZ = 0.6

        skin = RGBColor.ramp(Palettes.skin, at: (attributes.skinTone + 1) * 0.5)
        let lightness = (attributes.hairLightness + 1) * 0.5
        hair = RGBColor.ramp(Palettes.ashHair, at: lightness)
            .mixed(with: RGBColor.ramp(Palettes.warmHair, at: lightness), (attributes.hairWarmth + 1) * 0.5)
        brow = hair * 0.72
        iris = RGBColor.ramp(Palettes.iris, at: (attributes.irisColor + 1) * 0.5)
        lips = skin.mixed(with: RGBColor(0.7, 0.1, 0.16), 0.72)
        frameColor = Palettes.frames[attributes.frameColor.rawValue]

        let eyeScale = a * M.mix(0.16, 0.23, label: attributes.eyeSize)
        self.eyeScale = eyeScale
        let spacing = M.mix(0.36, 0.5, label: attributes.eyeSpacing)
        let openness = M.mix(0.2, 0.85, label: attributes.eyeOpenness)
        eyes = [Float(-1), 1].map { side in
            let angle = side * spacing + yawAngle
            let foreshortening = max(M.cos(angle), 0.15)
            return Eye(side: side, centerX: 0.95 * a * M.sin(angle), centerY: -0.04 * b,
                       foreshortening: foreshortening, halfWidth: eyeScale * foreshortening,
                       halfHeight: eyeScale * openness)
        }
        browHalfThickness = a * M.mix(0.022, 0.05, label: attributes.browThickness) + 0.3 * pixelSize
        browLift = eyeScale * M.mix(0.95, 1.5, label: attributes.browRaise)
        browTilt = eyeScale * 0.45 * attributes.browTilt

        noseSize = a * M.mix(0.085, 0.135, label: attributes.noseSize)
        noseX = 1.2 * a * sinYaw
        noseY = 0.3 * b
        mouthY = 0.56 * b
        mouthRadius = 1.02 * a * (1 - chinTaper * 0.56 * 0.56)
        let mouth = style.mouth
        mouthHalfWidth = a * M.mix(mouth.halfWidth.0, mouth.halfWidth.1, label: attributes.mouthWidth) * (1 + 0.08 * attributes.smile)
        mouthCurvature = a * mouth.curvature * attributes.smile
        let open = (attributes.mouthOpen + 1) * 0.5
        mouthOpening = open * a * (mouth.opening.base + mouth.opening.withSmile * max(attributes.smile, 0))
        lipHalfThickness = a * mouth.lipHalfThickness + 0.4 * pixelSize
    }

    /// Signed distance to the head outline and the normalised position (u, v) used for shading:
    /// an egg (ellipse blended towards a superellipse) whose lower half narrows towards the chin.
    @inline(__always) func head(_ x: Float, _ y: Float) -> (distance: Float, u: Float, v: Float) {
        let v = y / halfHeight
        let below = PortableMath.clamp(v, 0, 1)
        let width = halfWidth * (1 - chinTaper * below * below)
        let u = x / width
        let u2 = u * u, v2 = v * v
        let round = (u2 + v2).squareRoot()
        let square = (u2 * u2 + v2 * v2).squareRoot().squareRoot()
        let level = round + squareness * (square - round)
        let inverseWidth = 1 / width, inverseHeight = 1 / halfHeight
        let gradientX = u * inverseWidth, gradientY = v * inverseHeight
        // |∇ round| = |(u/w, v/h)| / round; never below 1/(larger radius), which also covers the centre.
        let gradient = max((gradientX * gradientX + gradientY * gradientY).squareRoot() / max(round, 1e-6),
                           1 / max(width, halfHeight))
        return ((level - 1) / gradient, u, v)
    }

    /// Lambert-like shading of a point at normalised position (u, v) on the head's sphere.
    @inline(__always) func sphereShade(_ u: Float, _ v: Float, base: Float = 0.8, contrast: Float = 0.3) -> Float {
        let z = max(1 - u * u - v * v, 0.04).squareRoot()
        return PortableMath.clamp(base + contrast * (u * lightX + v * lightY + z * lightZ), 0.55, 1.15)
    }
}
