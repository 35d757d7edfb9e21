import Foundation
import Imaging

/// Every PNG and JPEG under a folder, recursively, in the order of their relative paths (the
/// same on every machine). Files are only listed here; they are decoded when the loader asks.
///
/// ```swift
/// let all = try ImageFolderSource(folder: URL(fileURLWithPath: "ffhq"))
/// let (train, test) = all.split(heldOutFraction: 0.05, seed: 0)
/// ```
public struct ImageFolderSource: TrainingImageSource {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    public let folder: URL
    /// Paths relative to `folder`, sorted.
    public let relativePaths: [String]

    /// Lists the folder. Throws when it is missing, not a folder, or holds no image.
    public init(folder: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw TrainingError.data("\(folder.path): no such folder")
        }
        guard isFolder.boolValue else { throw TrainingError.data("\(folder.path): not a folder (give a folder of images)") }
        let root = folder.standardizedFileURL
        var paths: [String] = []
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw TrainingError.data("\(folder.path): cannot be listed")
        }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in walker where Self.extensions.contains(url.pathExtension.lowercased()) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = url.standardizedFileURL.path
            paths.append(path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path)
        }
        guard !paths.isEmpty else { throw TrainingError.data("\(folder.path): no PNG or JPEG files found (searched recursively)") }
        self.init(folder: root, relativePaths: paths.sorted())
    }

    init(folder: URL, relativePaths: [String]) {
        self.folder = folder
        self.relativePaths = relativePaths
    }

    public var count: Int? { relativePaths.count }
    public func name(of index: Int) -> String { relativePaths[index] }

    public func image(at index: Int) throws -> Image {
        try Image(contentsOf: folder.appendingPathComponent(relativePaths[index]))
    }

    /// A held-out split chosen by a seeded hash of each relative path: the same files land in
    /// the test set whatever the listing order or the machine, and adding files never moves an
    /// existing one between the sets.
    public func split(heldOutFraction: Double, seed: UInt64) -> (train: ImageFolderSource, test: ImageFolderSource) {
        precondition(heldOutFraction >= 0 && heldOutFraction < 1, "split: fraction \(heldOutFraction) outside [0, 1)")
        var train: [String] = [], test: [String] = []
        for path in relativePaths {
            let unit = Double(StableHash.fnv1a(path, seed: seed) >> 11) / Double(1 << 53)
            if unit < heldOutFraction { test.append(path) } else { train.append(path) }
        }
        return (ImageFolderSource(folder: folder, relativePaths: train), ImageFolderSource(folder: folder, relativePaths: test))
    }
}

/// Hashes that are the same on every machine and every run (Swift's `Hasher` is seeded per process).
enum StableHash {
    static func fnv1a(_ text: String, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ mix(seed)
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return mix(hash)
    }

    /// SplitMix64's finaliser: spreads every input bit over the output.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
