import Hummingbird
import NIOCore

/// The request context of the editor's routes: Hummingbird's core storage and the peer's
/// address, which the per-client limits key on.
struct EditorRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client for the per-client limits: its IP address (requests injected by the router
    /// tests have none and share one key).
    var client: String { remoteAddress?.ipAddress ?? "local" }
}
