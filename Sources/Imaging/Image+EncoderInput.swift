import Foundation
import Tensors

extension Image {
    /// A photo as the encoder wants it: decoded (EXIF orientation applied), converted to RGB and
    /// resized to `size`² with PIL's antialiased bilinear filter — torchvision's
    /// `Resize((256, 256))` on a PIL image, as the released inference transform does — then
    /// normalised to [−1, 1]: the tensor [1, 3, size, size] and the resized image.
    ///
    /// ```swift
    /// let (input, shown) = try Image.encoderInput(contentsOf: photoURL, size: 256)
    /// ```
    public static func encoderInput(contentsOf url: URL, size: Int = 256) throws -> (tensor: Tensor, image: Image) {
        let image = try Image(contentsOf: url)
        let resized = image.width == size && image.height == size ? image : image.resized(width: size, height: size)
        return (resized.tensor(), resized)
    }
}
