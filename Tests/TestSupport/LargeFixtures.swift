import Foundation

/// Full-size reference models (a 1024-px generator, Swin-V2-T + SMART, IR-SE50) are too large to
/// commit: the fixture scripts write them to `<repository>/.fixtures-large/` with `--full` /
/// `--large`, and their tests run only with `STYLEPROMPTER_LARGE_FIXTURES=1`.
public enum LargeFixtures {
    public static let folder = SharedTestData.repositoryRoot.appendingPathComponent(".fixtures-large")

    public static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Opted in, and `name` has been generated.
    public static func available(_ name: String) -> Bool {
        ProcessInfo.processInfo.environment["STYLEPROMPTER_LARGE_FIXTURES"] == "1"
            && FileManager.default.fileExists(atPath: url(name).path)
    }
}
