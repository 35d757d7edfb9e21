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
