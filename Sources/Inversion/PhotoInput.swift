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
        var used: [String: Int] = [:]
        return urls.map { url in
            let base = url.deletingPathExtension().lastPathComponent
            let count = used[base, default: 0]
            used[base] = count + 1
            return Item(url: url, name: count == 0 ? base : "\(base)_\(count)")
        }
    }

    public struct InputError: Error, CustomStringConvertible {
        public let description: String
    }
}
