import ArgumentParser
import Faces
import FileAccess
import Foundation
import Imaging
import Inversion

/// `--mtcnn`, `--all-faces` and the detection settings that `align`, and `--align` on `invert`
/// and `edit`, share.
package struct DetectionOptions: ParsableArguments {
    package init() {}

    @Option(help: "Folder with the MTCNN weights: pnet.npy, rnet.npy, onet.npy (pSp's mtcnn_pytorch) or pnet.pt, rnet.pt, onet.pt (facenet-pytorch). Default: $STYLEPROMPTER_MTCNN.")
    var mtcnn: String?

    @Flag(help: "Every face of each photo (default: the largest).")
    var allFaces = false

    @Option(help: "Analyse photos larger than this many pixels on their longer side on a resized copy (faster; faces below ~20 px at that size are missed). 0: every pixel.")
    var detectionSide: Int = 1600

    package static let environmentVariable = "STYLEPROMPTER_MTCNN"

    /// The detector, or a one-line error saying how to point at the weights.
    func detector() throws -> MTCNN {
        guard let folder = mtcnn ?? ProcessInfo.processInfo.environment[Self.environmentVariable], !folder.isEmpty else {
            throw CommandErrors.Failure(message: "face detection needs the MTCNN weights: pass --mtcnn DIR or set \(Self.environmentVariable)=DIR " +
                                        "(a folder with pnet.npy, rnet.npy, onet.npy from pSp's models/mtcnn/mtcnn_pytorch/src/weights, " +
                                        "or facenet-pytorch's pnet.pt, rnet.pt, onet.pt)")
        }
        var options = MTCNN.Options()
        guard detectionSide >= 0 else { throw ValidationError("--detection-side must be 0 or more") }
        options.maximumSide = detectionSide == 0 ? nil : detectionSide
        return try CommandErrors.reporting { try MTCNN(weightsDirectory: URL(fileURLWithPath: folder), options: options) }
    }

    /// The faces to align in `photo`: the largest, or all, largest first.
    func faces(in photo: Image, detector: MTCNN) -> [DetectedFace] {
        let faces = FaceSelection().faces(in: detector.detect(photo))
        return allFaces ? faces : Array(faces.prefix(1))
    }
}

/// `--align` and `--paste-back` on `invert` and `edit`.
struct AlignOptions: ParsableArguments {
    @Flag(help: "Detect (MTCNN) and FFHQ-align the face before inverting; photos with no face are reported and skipped.")
    var align = false

    @Flag(help: "With --align: also write each whole photo with the result pasted back in place (NAME_pasted.EXT).")
    var pasteBack = false

    @OptionGroup var detection: DetectionOptions

    func validate() throws {
        if pasteBack && !align { throw ValidationError("--paste-back needs --align") }
        if detection.allFaces && !align { throw ValidationError("--all-faces needs --align") }
    }
}

/// One encoder input: a photo as given, or a face aligned from it (with where it came from).
struct EncoderInput {
    /// The name outputs get: the photo's, with `_faceN` when every face is taken.
    let name: String
    let photo: PhotoInput.Item
    /// The encoder-size picture (`size`²).
    let image: Image
    /// Set when the input is an aligned face.
    let alignment: AlignmentTransform?
}

/// Turns the command's photos into encoder inputs: aligned faces with `--align`, otherwise the
/// photos resized as before — with a warning when that squashes or blows them up.
package struct EncoderInputs {
    let size: Int
    let options: AlignOptions
    let detector: MTCNN?

    init(size: Int, options: AlignOptions) throws {
        self.size = size
        self.options = options
        detector = options.align ? try options.detection.detector() : nil
    }

    /// The inputs from one photo: one, several (`--all-faces`), or none (no face: reported on
    /// standard error).
    func inputs(from item: PhotoInput.Item) throws -> [EncoderInput] {
        let photo = try Image(contentsOf: item.url)
        guard let detector else {
            if let warning = Self.shapeWarning(photo, size: size) {
                StatusLine.write("warning: \(item.url.lastPathComponent): \(warning)")
            }
            let resized = photo.width == size && photo.height == size ? photo : photo.resized(width: size, height: size)
            return [EncoderInput(name: item.name, photo: item, image: resized, alignment: nil)]
        }
        let faces = options.detection.faces(in: photo, detector: detector)
        if faces.isEmpty {
            StatusLine.write("no face found in \(item.url.lastPathComponent): skipped")
        }
        return try faces.enumerated().map { index, face in
            let aligned = try FaceAlignment.align(photo, face: face, outputSize: size)
            let name = options.detection.allFaces ? "\(item.name)_face\(index)" : item.name
            return EncoderInput(name: name, photo: item, image: aligned.image, alignment: aligned.transform)
        }
    }

    /// Why an unaligned photo will not invert well, or nil: far from square (it is squashed),
    /// much smaller than the encoder's input, or far larger than an aligned crop would be.
    package static func shapeWarning(_ photo: Image, size: Int) -> String? {
        let aspect = Double(max(photo.width, photo.height)) / Double(max(1, min(photo.width, photo.height)))
        let hint = "the encoder expects an FFHQ-aligned face; pass --align to detect and align it first"
        if aspect > 1.25 {
            return "\(photo.width)×\(photo.height) is far from square and will be squashed to \(size)×\(size); \(hint)"
        }
        if min(photo.width, photo.height) * 2 < size {
            return "\(photo.width)×\(photo.height) is far smaller than the encoder's \(size)×\(size); \(hint)"
        }
        if min(photo.width, photo.height) > 8 * size {
            return "\(photo.width)×\(photo.height) looks like a whole photo, not a face crop; \(hint)"
        }
        return nil
    }

    /// Writes `photo` with each result pasted back where its face came from, as
    /// `<folder>/<photo name><suffix>_pasted.<ext>` (the photo's own format).
    static func pasteBack(_ results: [(image: Image, alignment: AlignmentTransform)], photo item: PhotoInput.Item,
                          suffix: String = "", folder: URL) throws {
        guard !results.isEmpty else { return }
        let photo = try Image(contentsOf: item.url)
        let pasted = try PasteBack.paste(results.map { ($0.image, $0.alignment) }, into: photo)
        let ext = ["jpg", "jpeg"].contains(item.url.pathExtension.lowercased()) ? "jpg" : "png"
        try pasted.write(to: folder.appendingPathComponent("\(item.name)\(suffix)_pasted.\(ext)"))
    }
}

/// An aligned input's transform kept in the work folder, so paste-back works after a resume.
enum AlignmentRecord {
    static func write(_ input: EncoderInput, to url: URL) throws {
        guard let transform = input.alignment else { return }
        try AtomicFile.write(Array(try JSONEncoder().encode(transform)), to: url)
    }

    static func read(_ url: URL) throws -> AlignmentTransform {
        try JSONDecoder().decode(AlignmentTransform.self, from: Data(contentsOf: url))
    }
}
