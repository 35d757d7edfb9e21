import FileAccess

/// The job this process belongs to.
public enum Communicators {
    /// Whether this build can run distributed (it was built with `--traits MPI`).
    public static var mpiIsAvailable: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    /// `MPI_COMM_WORLD` with `distributed` (MPI initialised once, for the whole process), else
    /// `SingleProcess`. Throws, in one line, when `distributed` is asked of a build without MPI.
    public static func world(distributed: Bool) throws -> any Communicator {
        guard distributed else { return SingleProcess() }
        #if MPI
        return MPICommunicator.world
        #else
        throw CommunicatorError(message: "--distributed: this build has no MPI; install Open MPI (apt install libopenmpi-dev openmpi-bin) and build with `swift build -c release --traits MPI`")
        #endif
    }
}

public struct CommunicatorError: ContextualError {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
