import Imaging

/// Checks an upload by its content before anything decodes it: PNG or JPEG by magic number,
/// and the pixel count read from the header, so a small file that would inflate into a huge
/// image is refused without allocating it.
///
/// ```swift
/// let photo = try UploadedPhoto.decode(bytes, maximumPixels: 24_000_000)
/// ```
package enum UploadedPhoto {
    package enum Format: String { case png = "PNG", jpeg = "JPEG" }

    /// The decoded photo (EXIF orientation applied), or a 400/415/422 `EditorError`.
    package static func decode(_ bytes: [UInt8], maximumPixels: Int) throws -> Image {
        let format = try checkHeader(bytes, maximumPixels: maximumPixels)
        do {
            return try Image(encoded: bytes)
        } catch {
            throw EditorError(.unprocessableContent, "the \(format.rawValue) could not be decoded (truncated or corrupt): \(error)")
        }
    }

    /// The format, once magic number and header size are acceptable (cheap: no decoding), so
    /// that a bad upload is refused before it waits for the model queue.
    @discardableResult
    static func checkHeader(_ bytes: [UInt8], maximumPixels: Int) throws -> Format {
        guard !bytes.isEmpty else { throw EditorError(.badRequest, "the upload is empty: send a PNG or JPEG photo") }
        guard let format = format(of: bytes) else {
            throw EditorError(.unsupportedMediaType, "not a PNG or JPEG image (judged by its content, not its name)")
        }
        guard let (width, height) = dimensions(of: bytes, format: format) else {
            throw EditorError(.unprocessableContent, "the \(format.rawValue) is truncated or corrupt: no image size in its header")
        }
        guard width > 0, height > 0 else {
            throw EditorError(.unprocessableContent, "the \(format.rawValue) header gives an empty image (\(width)×\(height))")
        }
        guard width * height <= maximumPixels else {
            throw EditorError(.unprocessableContent, "the photo is \(width)×\(height) pixels; at most \(maximumPixels / 1_000_000) megapixels are accepted")
        }
        return format
    }

    package static func format(of bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    /// Width and height from the PNG IHDR or the JPEG frame header; nil when the header is cut
    /// short or malformed.
    package static func dimensions(of bytes: [UInt8], format: Format) -> (width: Int, height: Int)? {
        func bigEndian(_ offset: Int, _ count: Int) -> Int? {
            guard offset >= 0, offset + count <= bytes.count else { return nil }
            return bytes[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) }
        }
        switch format {
        case .png:
            // Signature (8), IHDR length (4) and type (4), then width and height.
            guard bytes.count >= 24, bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
            guard let width = bigEndian(16, 4), let height = bigEndian(20, 4) else { return nil }
            return (width, height)
        case .jpeg:
            var offset = 2
            while offset + 4 <= bytes.count {
                guard bytes[offset] == 0xFF else { return nil }
                let marker = bytes[offset + 1]
                if marker == 0xFF { offset += 1; continue }                    // fill byte
                if marker == 0xD8 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
                guard let length = bigEndian(offset + 2, 2), length >= 2 else { return nil }
                // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
                if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                    guard let height = bigEndian(offset + 5, 2), let width = bigEndian(offset + 7, 2) else { return nil }
                    return (width, height)
                }
                if marker == 0xD9 || marker == 0xDA { return nil }                 // end, or scan before a frame
                offset += 2 + length
            }
            return nil
        }
    }
}
