/// What a render or a latents download is made with: a strength per slider (missing ones are
/// 0) and SMART's β₁ (values) and β₂ (feed-forward).
///
/// The page sends it as JSON: `{"edits": {"d0": 1.5, "s2": -3}, "beta1": 1, "beta2": 0.8}`.
package struct EditSettings: Codable, Equatable, Sendable {
    var edits: [String: Float] = [:]
    var beta1: Float = 1
    var beta2: Float = 1

    package init(edits: [String: Float] = [:], beta1: Float = 1, beta2: Float = 1) {
        self.edits = edits
        self.beta1 = beta1
        self.beta2 = beta2
    }

    /// Missing fields keep their defaults.
    package init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        edits = try values.decodeIfPresent([String: Float].self, forKey: .edits) ?? [:]
        beta1 = try values.decodeIfPresent(Float.self, forKey: .beta1) ?? 1
        beta2 = try values.decodeIfPresent(Float.self, forKey: .beta2) ?? 1
    }

    /// β values the sliders offer (and the server accepts).
    static let betaRange: ClosedRange<Float> = 0...1.5

    /// A 400 `EditorError` naming the first slider or value that does not fit `sliders`.
    func validate(against sliders: [EditSlider]) throws {
        let known = Dictionary(uniqueKeysWithValues: sliders.map { ($0.id, $0) })
        for (id, value) in edits.sorted(by: { $0.key < $1.key }) {
            guard let slider = known[id] else {
                throw EditorError(.badRequest, "unknown slider '\(id.prefix(40))': GET /api/config lists the sliders")
            }
            guard value.isFinite, value >= slider.minimum, value <= slider.maximum else {
                throw EditorError(.badRequest, "slider \(id) (\(slider.label)): \(value) is outside \(slider.minimum)…\(slider.maximum)")
            }
        }
        for (name, value) in [("beta1", beta1), ("beta2", beta2)] where !(value.isFinite && Self.betaRange.contains(value)) {
            throw EditorError(.badRequest, "\(name) \(value) is outside \(Self.betaRange.lowerBound)…\(Self.betaRange.upperBound)")
        }
    }
}

/// The body of `POST /api/sessions/ID/render`: the settings, and what to draw.
package struct RenderRequest: Codable, Sendable {
    package enum View: String, Codable, Sendable {
        /// The model's output for the face.
        case face
        /// The whole photo with the face pasted back (sessions uploaded with alignment).
        case pasted
    }

    var settings = EditSettings()
    /// A reduced-size preview (for live slider drags) instead of the full-size image.
    var preview = false
    var view: View = .face

    private enum CodingKeys: String, CodingKey { case preview, view }

    package init(settings: EditSettings = EditSettings(), preview: Bool = false, view: View = .face) {
        self.settings = settings
        self.preview = preview
        self.view = view
    }

    /// The settings' fields sit beside `preview` and `view` in one object.
    package init(from decoder: any Decoder) throws {
        settings = try EditSettings(from: decoder)
        let values = try decoder.container(keyedBy: CodingKeys.self)
        preview = try values.decodeIfPresent(Bool.self, forKey: .preview) ?? false
        view = try values.decodeIfPresent(View.self, forKey: .view) ?? .face
    }

    package func encode(to encoder: any Encoder) throws {
        try settings.encode(to: encoder)
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(preview, forKey: .preview)
        try values.encode(view, forKey: .view)
    }
}
