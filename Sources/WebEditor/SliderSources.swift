import FileAccess
import Foundation

/// Where the editor's sliders come from: direction files (each a slider, or a GANSpace file's
/// leading components), and the generator's own SeFa directions.
///
/// ```swift
/// var sources = SliderSources(files: try SliderSources.directionFiles(in: ["directions/"]))
/// sources.sefaCount = 5
/// ```
public struct SliderSources: Sendable {
    /// A direction file and the label its slider shows.
    public struct File: Sendable, Equatable {
        public var label: String
        public var url: URL
        public init(label: String, url: URL) {
            self.label = label
            self.url = url
        }
    }

    public var files: [File]
    /// SeFa directions offered (the strongest first); 0 for none.
    public var sefaCount: Int
    /// Leading components offered from each GANSpace file.
    public var ganspaceComponents: Int

    public init(files: [File] = [], sefaCount: Int = 5, ganspaceComponents: Int = 8) {
        self.files = files
        self.sefaCount = sefaCount
        self.ganspaceComponents = ganspaceComponents
    }

    /// Extensions of direction files taken from folders (files named explicitly are always tried).
    public static let directionExtensions: Set<String> = ["pt", "pth", "npy", "safetensors"]

    /// The files among `paths`: each file as given, each folder's direction files sorted by name;
    /// labels are the file names without extension.
    public static func directionFiles(in paths: [String]) throws -> [File] {
        var files: [File] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw SliderError("\(path): no such file or folder")
            }
            let url = URL(fileURLWithPath: path)
            let urls = isFolder.boolValue
                ? try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                    .filter { directionExtensions.contains($0.pathExtension.lowercased()) }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
                : [url]
            if isFolder.boolValue && urls.isEmpty {
                throw SliderError("\(path): no direction files (.pt, .pth, .npy, .safetensors) in this folder")
            }
            files += urls.map { File(label: $0.deletingPathExtension().lastPathComponent, url: $0) }
        }
        return files
    }
}

/// A direction file that cannot become a slider for this model.
public struct SliderError: ContextualError {
    public let description: String
    package init(_ description: String) { self.description = description }
}
