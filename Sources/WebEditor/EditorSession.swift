import Faces
import Foundation
import Imaging
import Inversion
import Tensors

/// One uploaded photo, encoded once: its W+ code and encoder features (so that every later
/// edit only runs the generator), and the pictures the page shows.
///
/// The tensors are read only by `EditorEngine` on its compute queue, and never changed after
/// the session is made; `lastRender` is touched only there too.
package final class EditorSession: @unchecked Sendable {
    /// 32 hex digits from the system's random source: unguessable, and never a file name.
    package let id: String
    let encoded: EncodedImages
    /// The encoder's input (the photo resized, or the aligned face), as PNG.
    let inputPNG: [UInt8]
    /// The stage-1 (generator only) and SMART inversions at β = (1, 1), as PNG.
    let stageOnePNG: [UInt8]
    let smartPNG: [UInt8]
    /// With alignment: the photo (at most `EditorLimits.keptPhotoSide` on its longer side) and
    /// where the face came from in it, for paste-back.
    let photo: Image?
    let alignment: AlignmentTransform?
    /// The latest full-size render and what it was made with, reused by the pasted view.
    var lastRender: (settings: EditSettings, image: Image)?

    init(encoded: EncodedImages, inputPNG: [UInt8], stageOnePNG: [UInt8], smartPNG: [UInt8],
         photo: Image?, alignment: AlignmentTransform?) {
        self.id = Self.newIdentifier()
        self.encoded = encoded
        self.inputPNG = inputPNG
        self.stageOnePNG = stageOnePNG
        self.smartPNG = smartPNG
        self.photo = photo
        self.alignment = alignment
    }

    /// What the session holds, counted for the store's memory bound: tensors, images, and room
    /// for the cached render (a 1024² RGB image).
    var bytes: Int {
        let floats = encoded.latents.count + encoded.features.reduce(0) { $0 + $1.count }
        let images = inputPNG.count + stageOnePNG.count + smartPNG.count + (photo?.pixels.count ?? 0)
        return floats * MemoryLayout<Float>.size + images + 1024 * 1024 * 3
    }

    static func newIdentifier() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// Whether `text` has the form of an identifier (checked before any lookup).
    package static func isWellFormed(_ text: Substring) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
