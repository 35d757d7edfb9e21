/// The sessions of one server, least recently used evicted first whenever there are more than
/// `maximumCount` or together they hold more than `maximumBytes`. An evicted session's id then
/// answers 404, and the page asks for the photo again.
///
/// ```swift
/// let store = SessionStore(maximumCount: 32, maximumBytes: 512 << 20)
/// await store.insert(session)
/// let again = await store.session(session.id)
/// ```
package actor SessionStore {
    let maximumCount: Int
    let maximumBytes: Int

    private var sessions: [String: EditorSession] = [:]
    /// Ids from least to most recently used.
    private var recency: [String] = []
    package private(set) var totalBytes = 0
    /// Sessions dropped to stay within the bounds, since start.
    package private(set) var evictions = 0

    init(maximumCount: Int, maximumBytes: Int) {
        precondition(maximumCount >= 1 && maximumBytes > 0, "SessionStore: bounds must be positive")
        self.maximumCount = maximumCount
        self.maximumBytes = maximumBytes
    }

    package var count: Int { sessions.count }

    /// Adds `session` as the most recent, evicting others (never it) to fit.
    func insert(_ session: EditorSession) {
        sessions[session.id] = session
        recency.append(session.id)
        totalBytes += session.bytes
        while recency.count > 1 && (recency.count > maximumCount || totalBytes > maximumBytes) {
            remove(recency[0])
            evictions += 1
        }
    }

    /// The session, marked as most recently used; nil when unknown or evicted.
    func session(_ id: String) -> EditorSession? {
        guard let session = sessions[id] else { return nil }
        if let index = recency.lastIndex(of: id) {
            recency.remove(at: index)
            recency.append(id)
        }
        return session
    }

    /// Forgets the session; false when it was not there.
    @discardableResult
    func remove(_ id: String) -> Bool {
        guard let session = sessions.removeValue(forKey: id) else { return false }
        recency.removeAll { $0 == id }
        totalBytes -= session.bytes
        return true
    }
}
