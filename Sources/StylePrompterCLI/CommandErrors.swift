import FileAccess
import ArgumentParser
import Foundation

/// Turns library errors into the tool's one-line failures: the message (which names the file,
/// key or shape) on standard error and exit status 1, with no stack of context around it.
package enum CommandErrors {
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw error
        } catch let error as CocoaError {
            throw Failure(message: "\(error.userInfo[NSFilePathErrorKey] ?? error.userInfo[NSURLErrorKey] ?? "file"): \(FileKindText.reason(error))")
        } catch {
            throw Failure(message: "\(error)")
        }
    }

    /// A failure whose message is already the whole story.
    package struct Failure: ContextualError {
        package let message: String
        package var description: String { message }
    }
}
