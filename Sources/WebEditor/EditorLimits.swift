/// How much one editor server takes on: request sizes, sessions kept, and work in flight.
/// Every limit that a client can reach answers with a status code (413, 415, 422, 429), never a
/// trap or an unbounded wait.
///
/// ```swift
/// var limits = EditorLimits()
/// limits.maximumSessions = 8            // a laptop demo
/// ```
public struct EditorLimits: Sendable, Equatable {
    /// Largest upload accepted (413 above it), in bytes.
    public var maximumUploadBytes = 16 << 20
    /// Largest decoded photo, in pixels (422 above it); checked from the header before decoding.
    public var maximumPixels = 24_000_000
    /// Longer side a photo is scaled down to when kept for alignment and paste-back.
    public var keptPhotoSide = 2048
    /// Sessions kept; the least recently used one goes first.
    public var maximumSessions = 32
    /// Bytes all sessions together may hold (latents, encoder features, images).
    public var sessionMemoryBytes = 512 << 20
    /// Model requests being computed or next in line at once (the model runs one at a time).
    public var concurrentRequests = 1
    /// Model requests waiting beyond those (429 when full).
    public var queuedRequests = 8
    /// Model requests one client (IP address) may have running or waiting at once (429 above).
    public var requestsPerClient = 4
    /// Open connections; further ones wait in the listen backlog.
    public var maximumConnections = 256
    /// Largest JSON body of a render or latents request.
    public var maximumSettingsBytes = 64 << 10

    public init() {}
}
