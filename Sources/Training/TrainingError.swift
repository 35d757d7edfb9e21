import FileAccess
/// A training run that cannot start or go on, with a one-line reason naming the file, flag or
/// value at fault.
public enum TrainingError: ContextualError {
    /// The data set: a missing folder, no images, nothing readable.
    case data(String)
    /// A configuration value or flag that cannot work.
    case configuration(String)
    /// A run folder or checkpoint that cannot be read or written.
    case run(String)

    public var description: String {
        switch self {
        case .data(let message), .configuration(let message), .run(let message): message
        }
    }
}
