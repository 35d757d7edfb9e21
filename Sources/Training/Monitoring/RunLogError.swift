import FileAccess
/// A run-folder file that could not be written or read, with its path.
///
/// ```swift
/// catch let error as RunLogError { print(error) }   // "metrics.jsonl: cannot open: Permission denied"
/// ```
public struct RunLogError: ContextualError {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

extension RunLogError {
    public var context: ErrorContext { ErrorContext(file: path) }
}
