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

    /// The mouth's proportions, as fractions of the head's half-width.
    var mouth: MouthProportions {
        switch self {
        case .classic:
            MouthProportions(halfWidth: (0.3, 0.46), curvature: 0.24, opening: (0.2, 0.1), lipHalfThickness: 0.055)
        case .largeMouth:
            MouthProportions(halfWidth: (0.38, 0.56), curvature: 0.36, opening: (0.28, 0.12), lipHalfThickness: 0.08)
        }
    }
}

/// How a style draws the mouth; every length a fraction of the head's half-width.
struct MouthProportions {
    /// The half-width at `mouthWidth` −1 and +1.
    let halfWidth: (Float, Float)
    /// How high the corners rise above the line's mid-point at `smile` +1.
    let curvature: Float
    /// The opening's height at `mouthOpen` +1, and what a full grin adds to it.
    let opening: (base: Float, withSmile: Float)
    /// Half the lips' thickness (0.4 px is added for anti-aliasing).
    let lipHalfThickness: Float
}
