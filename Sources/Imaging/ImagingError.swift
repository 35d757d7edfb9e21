import FileAccess
import Foundation

/// Why an image file could not be read or written.
///
/// Decoders throw these instead of trapping, so a truncated download or a corrupt file
/// surfaces as a message naming the file and the defect:
///
/// ```swift
/// do { _ = try Image(contentsOf: url) }
/// catch let error as ImagingError { print(error) }   // "photo.jpg: JPEG: truncated in scan data"
/// ```
public enum ImagingError: ContextualError, Equatable {
    /// The compressed stream (zlib/deflate) is malformed.
    case corruptStream(String)
    /// A PNG file is malformed or uses a feature that is not supported.
    case png(String)
    /// A JPEG file is malformed or uses a feature that is not supported.
    case jpeg(String)
    /// The bytes are neither PNG nor JPEG, or the extension names no known format.
    case unknownFormat(String)
    /// An argument is out of range (crop outside the image, tensor of the wrong shape, …).
    case invalidArgument(String)
    /// A failure tagged with the file it concerns.
    indirect case file(path: String, underlying: ImagingError)

    public var description: String {
        switch self {
        case .corruptStream(let why): "deflate stream: \(why)"
        case .png(let why): "PNG: \(why)"
        case .jpeg(let why): "JPEG: \(why)"
        case .unknownFormat(let why): "unknown image format: \(why)"
        case .invalidArgument(let why): why
        case .file(let path, let underlying): "\(path): \(underlying)"
        }
    }
}

extension ImagingError {
    /// Attaches a file name to errors thrown by `body` (other errors pass through).
    static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let error as ImagingError { throw ImagingError.file(path: path, underlying: error) }
    }
}

extension ImagingError {
    public var context: ErrorContext {
        if case .file(let path, let underlying) = self { return ErrorContext(file: path, key: underlying.context.key, shape: underlying.context.shape) }
        return ErrorContext()
    }
}
