/// Where an error points: the file it concerns (as the user named it), the key, entry or option
/// inside that file, and the shape that was at fault — each when it applies.
public struct ErrorContext: Sendable, Equatable {
    public var file: String?
    public var key: String?
    public var shape: [Int]?

    public init(file: String? = nil, key: String? = nil, shape: [Int]? = nil) {
        self.file = file
        self.key = key
        self.shape = shape
    }
}

/// The one protocol every error this package throws conforms to: `description` is one line for a
/// person (naming the file, key and shape where they apply), `context` the same facts for a
/// program — so no caller ever has to match an error's message text.
///
/// ```swift
/// do { _ = try StylePrompterCheckpoint.load(contentsOf: url) }
/// catch let error as ContextualError { print(error.context.file ?? "-", error.context.key ?? "-") }
/// ```
public protocol ContextualError: Error, CustomStringConvertible {
    var context: ErrorContext { get }
}

extension ContextualError {
    /// No file, key or shape: errors about arguments or state rather than a file.
    public var context: ErrorContext { ErrorContext() }
}

extension AtomicFile.Failure: ContextualError {
    public var context: ErrorContext { ErrorContext(file: path) }
}
