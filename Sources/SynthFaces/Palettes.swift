/// The colour ramps attributes index into. Hair keeps to natural colours (the prototype's blue,
/// pink and green hair were rare, hard for a small generator, and added little); frames are bold.
///
/// ```swift
/// let skin = RGBColor.ramp(Palettes.skin, at: 0.3)
/// ```
enum Palettes {
    static let skin = [RGBColor(bytes: 255, 226, 204), RGBColor(bytes: 241, 196, 162), RGBColor(bytes: 222, 168, 124),
                       RGBColor(bytes: 188, 128, 88), RGBColor(bytes: 138, 90, 60), RGBColor(bytes: 92, 60, 42)]
    /// Black → dark grey-brown → grey → silver → white (hairLightness, at hairWarmth −1).
    static let ashHair = [RGBColor(bytes: 22, 20, 22), RGBColor(bytes: 64, 56, 52), RGBColor(bytes: 122, 114, 108),
                          RGBColor(bytes: 186, 182, 174), RGBColor(bytes: 236, 234, 226)]
    /// Dark brown → chestnut → ginger → golden → light blond (hairLightness, at hairWarmth +1).
    static let warmHair = [RGBColor(bytes: 48, 30, 18), RGBColor(bytes: 104, 56, 28), RGBColor(bytes: 170, 86, 38),
                           RGBColor(bytes: 212, 140, 62), RGBColor(bytes: 242, 208, 136)]
    static let iris = [RGBColor(bytes: 58, 34, 20), RGBColor(bytes: 112, 68, 34), RGBColor(bytes: 128, 108, 48),
                       RGBColor(bytes: 66, 128, 78), RGBColor(bytes: 56, 108, 182), RGBColor(bytes: 118, 138, 158)]
    /// Indexed by `FaceAttributes.FrameColor`: black, red, blue, gold, green.
    static let frames = [RGBColor(bytes: 18, 18, 22), RGBColor(bytes: 204, 28, 36), RGBColor(bytes: 28, 70, 206),
                         RGBColor(bytes: 232, 172, 28), RGBColor(bytes: 18, 150, 86)]
}
