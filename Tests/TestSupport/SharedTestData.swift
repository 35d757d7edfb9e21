import Foundation

/// The third-party files in `../shared/data` beside the repository (faces, direction files,
/// LPIPS heads, MTCNN weights). They are not in the repository: tests that need them skip with a
/// message when the folder is absent.
///
/// ```swift
/// @Test(.enabled(if: SharedTestData.exists("faces"), "../shared/data/faces is absent"))
/// func decodesFaces() throws { let url = SharedTestData.url("faces/sp_input_0.jpg") … }
/// ```
public enum SharedTestData {
    /// The repository root (this file is `Tests/TestSupport/SharedTestData.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `<repository>/../shared/data`.
    public static let root = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// A path inside the shared data folder.
    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Whether that path exists.
    public static func exists(_ relativePath: String) -> Bool { FileManager.default.fileExists(atPath: url(relativePath).path) }
}
