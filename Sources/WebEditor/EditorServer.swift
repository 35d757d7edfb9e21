import Faces
import Foundation
import Hummingbird
import HummingbirdCore
import Inversion
import Logging
import NIOCore

/// `styleprompter serve`: the web editor. Drop a photo, see its stage-1 and SMART inversions,
/// move a slider per edit direction and for SMART's β, download the PNG and the latents.
///
/// ```swift
/// let server = try EditorServer(model: model, sliders: SliderSources(files: files),
///                               configuration: .init(host: "127.0.0.1", port: 8080))
/// try await server.run()            // until SIGINT or SIGTERM, then finishes what is in flight
/// ```
///
/// Routes (JSON errors `{"error": "…"}` throughout):
/// - `GET /`, `/editor.js`, `/editor.css`: the page; `GET /healthz`; `GET /api/config`: model and sliders
/// - `POST /api/sessions[?align=1]` (body: PNG or JPEG bytes) → 201 `{id, …}`
/// - `GET /api/sessions/ID/{input,stage1,smart}.png`
/// - `POST /api/sessions/ID/render` (`{"edits": {…}, "beta1", "beta2", "preview", "view"}`) → PNG (JPEG for `"view": "pasted"`)
/// - `POST /api/sessions/ID/latents` (same settings) → `.npy`; `DELETE /api/sessions/ID`
public struct EditorServer: Sendable {
    public struct Configuration: Sendable {
        /// Loopback unless asked otherwise: the editor has no authentication.
        public var host = "127.0.0.1"
        public var port = 8080
        public var limits = EditorLimits()
        /// Side of live previews (a power of two); nil: a quarter of the output, 32…256.
        public var previewSize: Int?
        /// SMART's β the inversions are shown with.
        public var defaultWeights = SMARTWeights.standard

        public init(host: String = "127.0.0.1", port: Int = 8080, limits: EditorLimits = EditorLimits(), previewSize: Int? = nil,
                    defaultWeights: SMARTWeights = .standard) {
            self.host = host
            self.port = port
            self.limits = limits
            self.previewSize = previewSize
            self.defaultWeights = defaultWeights
        }
    }

    let configuration: Configuration
    let logger: Logger
    package let engine: EditorEngine
    package let sessions: SessionStore
    /// Model requests (uploads, renders, latents).
    let modelAdmission: AdmissionControl
    /// Upload bodies being received, bounding the memory they take.
    let uploadAdmission: AdmissionControl
    let page: PageResources

    /// Builds the sliders (loading direction files, computing SeFa) and checks the page's
    /// resources; errors are one line naming the file.
    public init(model: StylePrompterModel, sliders: SliderSources, detector: MTCNN? = nil,
                configuration: Configuration = Configuration(), logger: Logger = Logger(label: "styleprompter.serve")) throws {
        let limits = configuration.limits
        self.configuration = configuration
        self.logger = logger
        self.engine = try EditorEngine(model: model, sliders: sliders, detector: detector, previewSize: configuration.previewSize,
                                       defaultWeights: configuration.defaultWeights, limits: limits)
        self.sessions = SessionStore(maximumCount: limits.maximumSessions, maximumBytes: limits.sessionMemoryBytes)
        self.modelAdmission = AdmissionControl(concurrent: limits.concurrentRequests, queued: limits.queuedRequests,
                                               perClient: limits.requestsPerClient)
        self.uploadAdmission = AdmissionControl(concurrent: 4, queued: 0, perClient: 2)
        self.page = try PageResources.load()
    }

    /// The sliders the page shows.
    public var sliders: [EditSlider] { engine.sliders }

    /// The Hummingbird application (tests drive it with HummingbirdTesting). `onServerRunning`
    /// receives the port actually bound (useful with port 0).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "styleprompter",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.limits.maximumConnections, logger: logger)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Serves until SIGINT or SIGTERM; requests in flight finish first.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let summary = engine.summary
        logger.info("starting the web editor", metadata: [
            "model_size": "\(summary.size)", "preview_size": "\(summary.previewSize)", "sliders": "\(engine.sliders.count)",
            "align": "\(summary.canAlign)", "max_sessions": "\(configuration.limits.maximumSessions)",
        ])
        do {
            try await application(onServerRunning: onServerRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw EditorServerError("port \(configuration.port) on \(configuration.host) is in use: pass another --port, or 0 for any free port")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw EditorServerError("\(configuration.host) is not an address of this machine")
        }
        logger.info("web editor stopped")
    }
}
