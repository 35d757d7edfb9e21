import ArgumentParser
import DefaultModel
import SynthFaces

extension RenderStyle: ExpressibleByArgument {}

/// `--style`, for commands that render SynthFaces to measure or show a model: the faces must be
/// drawn with the proportions the model was trained on, or the encoder sees mouths it never saw.
struct RenderStyleOption: ParsableArguments {
    @Option(help: "SynthFaces proportions the model was trained on: classic or large-mouth (default: the bundled model's, as its training.json records, when the bundled model is used; else classic).")
    var style: RenderStyle?

    /// The style given, else the bundled model's when `bundled`, else classic.
    func resolved(bundled: Bool) throws -> RenderStyle {
        if let style { return style }
        guard bundled else { return .classic }
        return try DefaultModel.renderStyle()
    }
}

extension DefaultModel {
    /// The proportions of the renders the bundled model was trained on (`synthfaces_style` in its
    /// training.json; classic when the file does not name one, as for the first model shipped).
    static func renderStyle() throws -> RenderStyle {
        let name = try synthFacesStyle()
        guard let style = RenderStyle(rawValue: name) else {
            throw CommandErrors.Failure(message: "\(trainingHistory.path): synthfaces_style '\(name)' is not one of \(RenderStyle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return style
    }
}
