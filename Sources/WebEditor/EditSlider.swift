/// One slider of the page: an edit direction and the strengths it offers. Ids are made by the
/// server (`d0`, `s2`, `g1`), never taken from a file name, so a request can name a slider but
/// never a file.
public struct EditSlider: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A direction file (InterFaceGAN `[1, D]`, W+ `[n, D]`, flattened `[1, n·D]`).
        case direction
        /// One of the generator's SeFa directions (unit length).
        case sefa
        /// A GANSpace component, in standard deviations.
        case ganspace
    }

    public let id: String
    public let label: String
    public let kind: Kind
    public let minimum: Float
    public let maximum: Float
    public let step: Float

    /// The default range of each kind: unit directions move visibly by ±3, SeFa's eigenvectors
    /// need more (rosinality's `apply_factor` uses ±5 at 1024 px), GANSpace is in deviations.
    static func range(of kind: Kind) -> (minimum: Float, maximum: Float, step: Float) {
        switch kind {
        case .direction: (-5, 5, 0.1)
        case .sefa: (-10, 10, 0.1)
        case .ganspace: (-5, 5, 0.1)
        }
    }

    init(id: String, label: String, kind: Kind) {
        let range = Self.range(of: kind)
        self.id = id
        self.label = label
        self.kind = kind
        (minimum, maximum, step) = range
    }
}
