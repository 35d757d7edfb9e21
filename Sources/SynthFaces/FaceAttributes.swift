/// Everything that varies between SynthFaces faces, sampled from a seed.
///
/// Continuous attributes are stored as their label, a Float in [−1, 1]; the renderer maps each
/// onto its physical range. Categorical ones are enums whose label is the case's index. Every
/// field is used by the renderer except where noted, and `labels` lists them all in the order of
/// `labelNames`. Signs, as seen in the image (x to the right, y down):
///
/// | label | −1 | +1 |
/// |---|---|---|
/// | `faceWidth` | narrow head | wide head |
/// | `faceLength` | short (round) face | long face |
/// | `jawSquareness` | oval | square jaw and temples |
/// | `chin` | broad chin | pointed chin |
/// | `skinTone` | lightest skin | darkest skin |
/// | `hairStyle` | categorical: 0 none (bald), 1 short, 2 long, 3 bangs (fringe and a bob) | |
/// | `hairLength` | shortest (−1 also for bald) | longest: short = fuller, long = to the shoulders, bangs = lower fringe and longer bob |
/// | `hairLightness` | black | platinum / white (also the brows' colour, bald faces included) |
/// | `hairWarmth` | ash (grey-brown) | warm (auburn, ginger, golden) |
/// | `eyeSize` | small eyes | large eyes |
/// | `eyeOpenness` | nearly closed | wide open |
/// | `eyeSpacing` | close-set | wide-set |
/// | `irisColor` | dark brown → brown → hazel → green → blue → grey-blue | |
/// | `browThickness` | thin brows | thick brows |
/// | `browTilt` | inner ends raised (worried) | inner ends lowered (stern) |
/// | `browRaise` | low brows | raised brows |
/// | `noseSize` | small nose | large nose |
/// | `mouthWidth` | narrow mouth | wide mouth |
/// | `smile` | frown (corners down) | grin (corners up) |
/// | `mouthOpen` | closed | wide open (teeth show when also smiling) |
/// | `blush` | none | strong pink cheeks |
/// | `glasses` | categorical: 0 none, 1 thin round frames, 2 thick rectangular frames | |
/// | `frameColor` | categorical: 0 black, 1 red, 2 blue, 3 gold, 4 green (sampled, unused without glasses) | |
/// | `lightDirection` | light from the image's left | light from the image's right |
/// | `backgroundHue` | hue wheel position, red → yellow → green → cyan → blue → magenta (wraps) | |
/// | `backgroundLightness` | dark background | light background |
/// | `backgroundGradient` | plain colour | strong two-colour gradient |
/// | `backgroundAngle` | gradient direction, angle π·label (0: darker towards the image's right; unused when plain) | |
/// | `yaw` | facing the image's left (≈ 40°) | facing the image's right (≈ 40°) |
/// | `roll` | tilted counter-clockwise (≈ 11°) | tilted clockwise (top of the head to the right) |
///
/// ```swift
/// var face = FaceAttributes(seed: 42)
/// face.smile = 1                         // force a grin
/// face.glasses = .thick
/// let image = FaceRenderer.render(face, size: 64)
/// let row = face.labels                  // FaceAttributes.labelNames.count Floats
/// ```
public struct FaceAttributes: Sendable, Equatable {
    public enum HairStyle: Int, CaseIterable, Sendable { case none, short, long, bangs }
    public enum Glasses: Int, CaseIterable, Sendable { case none, thin, thick }
    public enum FrameColor: Int, CaseIterable, Sendable { case black, red, blue, gold, green }

    public var faceWidth: Float
    public var faceLength: Float
    public var jawSquareness: Float
    public var chin: Float
    public var skinTone: Float
    public var hairStyle: HairStyle
    public var hairLength: Float
    public var hairLightness: Float
    public var hairWarmth: Float
    public var eyeSize: Float
    public var eyeOpenness: Float
    public var eyeSpacing: Float
    public var irisColor: Float
    public var browThickness: Float
    public var browTilt: Float
    public var browRaise: Float
    public var noseSize: Float
    public var mouthWidth: Float
    public var smile: Float
    public var mouthOpen: Float
    public var blush: Float
    public var glasses: Glasses
    public var frameColor: FrameColor
    public var lightDirection: Float
    public var backgroundHue: Float
    public var backgroundLightness: Float
    public var backgroundGradient: Float
    public var backgroundAngle: Float
    public var yaw: Float
    public var roll: Float

    /// Samples every attribute from `seed` with `SplitMix64`, in declaration order, so a seed gives
    /// the same face on every machine. Most attributes are uniform on [−1, 1]; the exceptions: hair
    /// styles are equally likely (bald faces get `hairLength` −1); 35 % of mouths are closed
    /// (`mouthOpen` −1); half the faces have no blush and no glasses (the rest thin or thick
    /// equally); 40 % of backgrounds are plain (`backgroundGradient` −1); roll is the mean of two
    /// uniforms (small tilts are common).
    public init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        faceWidth = random.nextSigned()
        faceLength = random.nextSigned()
        jawSquareness = random.nextSigned()
        chin = random.nextSigned()
        skinTone = random.nextSigned()
        hairStyle = HairStyle(rawValue: random.nextIndex(4))!
        let length = random.nextSigned()
        hairLength = hairStyle == .none ? -1 : length
        hairLightness = random.nextSigned()
        hairWarmth = random.nextSigned()
        eyeSize = random.nextSigned()
        eyeOpenness = random.nextSigned()
        eyeSpacing = random.nextSigned()
        irisColor = random.nextSigned()
        browThickness = random.nextSigned()
        browTilt = random.nextSigned()
        browRaise = random.nextSigned()
        noseSize = random.nextSigned()
        mouthWidth = random.nextSigned()
        smile = random.nextSigned()
        let closed = random.nextBool(probability: 0.35)
        let opening = random.nextSigned()
        mouthOpen = closed ? -1 : opening
        let blushed = random.nextBool(probability: 0.5)
        let blushAmount = random.nextSigned()
        blush = blushed ? blushAmount : -1
        let glassesDraw = random.nextUnit()
        glasses = glassesDraw < 0.5 ? .none : (glassesDraw < 0.75 ? .thin : .thick)
        frameColor = FrameColor(rawValue: random.nextIndex(FrameColor.allCases.count))!
        lightDirection = random.nextSigned()
        backgroundHue = random.nextSigned()
        backgroundLightness = random.nextSigned()
        let plain = random.nextBool(probability: 0.4)
        let gradient = random.nextSigned()
        backgroundGradient = plain ? -1 : gradient
        backgroundAngle = random.nextSigned()
        yaw = random.nextSigned()
        roll = (random.nextSigned() + random.nextSigned()) * 0.5
    }

    /// The column names of `labels`, in order.
    public static let labelNames: [String] = [
        "faceWidth", "faceLength", "jawSquareness", "chin", "skinTone",
        "hairStyle", "hairLength", "hairLightness", "hairWarmth",
        "eyeSize", "eyeOpenness", "eyeSpacing", "irisColor",
        "browThickness", "browTilt", "browRaise", "noseSize",
        "mouthWidth", "smile", "mouthOpen", "blush",
        "glasses", "frameColor", "lightDirection",
        "backgroundHue", "backgroundLightness", "backgroundGradient", "backgroundAngle",
        "yaw", "roll",
    ]

    /// The names of the categorical labels (their values are case indices, not in [−1, 1]).
    public static let categoricalLabelNames: Set<String> = ["hairStyle", "glasses", "frameColor"]

    /// Every attribute as a Float, in the order of `labelNames`: continuous ones in [−1, 1],
    /// categorical ones as their case index.
    public var labels: [Float] {
        [faceWidth, faceLength, jawSquareness, chin, skinTone,
         Float(hairStyle.rawValue), hairLength, hairLightness, hairWarmth,
         eyeSize, eyeOpenness, eyeSpacing, irisColor,
         browThickness, browTilt, browRaise, noseSize,
         mouthWidth, smile, mouthOpen, blush,
         Float(glasses.rawValue), Float(frameColor.rawValue), lightDirection,
         backgroundHue, backgroundLightness, backgroundGradient, backgroundAngle,
         yaw, roll]
    }
}
