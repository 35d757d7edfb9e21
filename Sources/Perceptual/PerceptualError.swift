import FileAccess
/// Why a perceptual network could not be built from the files given.
public enum PerceptualError: ContextualError, Equatable {
    /// A file's keys fit none of the accepted layouts; `detail` names what was looked for.
    case unrecognizedLayout(file: String, detail: String)
    /// Inputs of the wrong shape or range for a metric.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .unrecognizedLayout(let file, let detail): "\(file): \(detail)"
        case .invalidInput(let why): why
        }
    }
}
