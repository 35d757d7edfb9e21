import FileAccess
/// Why the editor could not start serving (the port is taken, the host is not this machine's).
public struct EditorServerError: ContextualError {
    public let description: String
    init(_ description: String) { self.description = description }
}
