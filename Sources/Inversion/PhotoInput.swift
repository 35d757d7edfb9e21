import FileAccess
import Foundation
import Imaging
import Tensors

/// Photos as the encoder wants them, and the listing of a command's inputs.
public enum PhotoInput {
    /// Extensions taken from folders (files named explicitly are tried whatever their name).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// A photo decoded (EXIF orientation applied), converted to RGB and resized to `size`² with
    /// PIL's antialiased bilinear filter — torchvision's `Resize((256, 256))` on a PIL image, as the
    /// released inference transform does — then normalised to [−1, 1]: [1, 3, size, size].
    public static func encoderTensor(contentsOf url: URL, size: Int = 256) throws -> (tensor: Tensor, image: Image) {
        let image = try Image(contentsOf: url)
        let resized = image.width == size && image.height == size ? image : image.resized(width: size, height: size)
        return (resized.tensor(), resized)
    }

    /// One input to process: its file and the name its outputs get.
    public struct Item: Sendable, Equatable {
        public let url: URL
        public let name: String
    }

    /// Files and folders (their images, sorted by name) in the order given; output names are
    /// the file names without extension, made unique with a suffix where two collide.
    public static func collect(_ paths: [String]) throws -> [Item] {
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

    public struct InputError: ContextualError {
        public let description: String
    }
}
