/// Which proportions the renderer draws a face's attributes with. The attributes (and so the
/// labels) are the same for both; only how large the mouth and its curvature are on the canvas
/// differs.
///
/// `classic` is what the first default model was trained on. Its mouth is a thin line about a
/// quarter of the face wide whose corners move by under 5 px at 64 px; a 3 M-parameter generator
/// trained on it drew the mouth's shape so weakly that no direction in W could make a visible
/// smile (README, *Why no direction makes a visible smile*). `largeMouth` follows the prototype's
/// finding — make the mouth large and the smile clear: a wider mouth, lips half as thick again,
/// corners that travel 1.5× as far and a larger opening, so that smile and mouth-open are
/// features the generator has to learn at its coarser layers.
///
/// ```swift
/// let face = FaceRenderer.render(FaceAttributes(seed: 7), size: 64, style: .largeMouth)
/// ```
public enum RenderStyle: String, CaseIterable, Codable, Sendable {
    case classic
    case largeMouth = "large-mouth"

    /// The mouth's half-width as fractions of the head's half-width at `mouthWidth` −1 and +1.
    var mouthHalfWidthRange: (Float, Float) {
        switch self {
        case .classic: (0.3, 0.46)
        case .largeMouth: (0.38, 0.56)
        }
    }

    /// How high the corners rise above the line's mid-point at `smile` +1, as a fraction of the
    /// head's half-width.
    var curvature: Float {
        switch self {
        case .classic: 0.24
        case .largeMouth: 0.36
        }
    }

    /// The opening's height at `mouthOpen` +1, without and with a full grin (fractions of the
    /// head's half-width).
    var openingRange: (base: Float, withSmile: Float) {
        switch self {
        case .classic: (0.2, 0.1)
        case .largeMouth: (0.28, 0.12)
        }
    }

    /// Half the lips' thickness, as a fraction of the head's half-width (plus 0.4 px).
    var lipHalfThickness: Float {
        switch self {
        case .classic: 0.055
        case .largeMouth: 0.08
        }
    }
}
