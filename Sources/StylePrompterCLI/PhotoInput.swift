import FileAccess
import Foundation

/// The listing of a command's inputs: files and folders given on the command line → the photos
/// to process and the names their outputs get.
package enum PhotoInput {
    /// Extensions taken from folders (files named explicitly are tried whatever their name).
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// One input to process: its file and the name its outputs get.
    struct Item: Sendable, Equatable {
        let url: URL
        let name: String
    }

    /// Files and folders (their images, sorted by name) in the order given; output names are
    /// the file names without extension, made unique with a suffix where two collide.
    static func collect(_ paths: [String]) throws -> [Item] {
        var urls: [URL] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw InputError(description: "\(path): no such file or folder")
            }
            let url = URL(fileURLWithPath: path)
            if isFolder.boolValue {
                let entries = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                urls += entries.filter { imageExtensions.contains($0.pathExtension.lowercased()) }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            } else {
                urls.append(url)
            }
        }
        guard !urls.isEmpty else { throw InputError(description: "no images among \(paths.joined(separator: ", "))") }
        // A suffixed name may itself be taken (`a/x.jpg`, `b/x.jpg` and `x_1.jpg`): every name
        // given is reserved, and the suffix grows until the name is free. The same file named
        // twice is one input.
        var seen = Set<String>()
        urls = urls.filter { seen.insert($0.standardizedFileURL.path).inserted }
        var taken = Set(urls.map { $0.deletingPathExtension().lastPathComponent })
        var firstUse = Set<String>()
        return urls.map { url in
            let base = url.deletingPathExtension().lastPathComponent
            if firstUse.insert(base).inserted { return Item(url: url, name: base) }
            var suffix = 1
            while taken.contains("\(base)_\(suffix)") { suffix += 1 }
            taken.insert("\(base)_\(suffix)")
            return Item(url: url, name: "\(base)_\(suffix)")
        }
    }

    package struct InputError: ContextualError {
        package let description: String
    }
}
