import Foundation
import SynthFaces

/// The model that ships with the package: a StylePrompter trained by this project on SynthFaces
/// (procedural cartoon faces, 64 px), with its attribute predictor and edit directions fitted on
/// the faces' labels. `Scripts/train_default_model.sh` retrains it; `MODEL_CARD.md` beside the
/// weights says how it was made and what it measures.
///
/// The files are SwiftPM resources of this target, so `swift run` and `swift test` find them
/// without a download:
///
/// ```swift
/// let model = try StylePrompterCheckpoint.load(contentsOf: DefaultModel.model)
/// let smile = DefaultModel.direction("smile")
/// ```
public enum DefaultModel {
    /// The folder holding the shipped files: `STYLEPROMPTER_DEFAULT_MODEL` when set, else the
    /// resource bundle beside the executable (where `swift build` puts it), else this target's
    /// source folder. Not `Bundle.module`: its accessor traps when the bundle is missing (a binary
    /// copied elsewhere), and a missing model must be a one-line error, which loading the
    /// returned URL gives.
    public static var folder: URL {
        if let override = ProcessInfo.processInfo.environment["STYLEPROMPTER_DEFAULT_MODEL"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        // `.copy("Resources")` keeps the folder whole inside the bundle.
        let bundled = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
            .map { $0.appendingPathComponent("StylePrompter_DefaultModel.resources/Resources", isDirectory: true) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources", isDirectory: true)
        return (bundled + [source]).first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.safetensors").path) } ?? source
    }

    /// The StylePrompter (encoder, SMART and the 64-px generator) as float16 safetensors.
    public static var model: URL { folder.appendingPathComponent("model.safetensors") }

    /// The attribute predictor the evaluation and the perceptual term use.
    public static var attributes: URL { folder.appendingPathComponent("attributes.safetensors") }

    /// The edit directions (NAME.pt, [1, 256] InterFaceGAN style; NAME_wplus.npy; directions.json).
    public static var directions: URL { folder.appendingPathComponent("directions", isDirectory: true) }

    /// The model card (Markdown).
    public static var card: URL { folder.appendingPathComponent("MODEL_CARD.md") }

    /// How the bundled model was trained (`package-model --history` reads it when repackaging).
    public static var trainingHistory: URL { folder.appendingPathComponent("training.json") }

    /// The SynthFaces proportions the bundled model was trained on: `synthfaces_style` in
    /// training.json, or classic when it names none (the first model shipped) or the file is
    /// missing. Unreadable JSON or an unknown style is an error naming the file.
    public static func renderStyle() throws -> RenderStyle {
        guard let data = FileManager.default.contents(atPath: trainingHistory.path) else { return .classic }
        guard data.count <= 16 << 20, let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DefaultModelError(message: "\(trainingHistory.path): not a JSON object of at most 16 MiB")
        }
        guard let value = document["synthfaces_style"] else { return .classic }
        guard let name = value as? String, let style = RenderStyle(rawValue: name) else {
            throw DefaultModelError(message: "\(trainingHistory.path): synthfaces_style \(value) is not one of \(RenderStyle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return style
    }

    /// A bundled file that cannot be read as expected.
    public struct DefaultModelError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// The directions `demo` shows, in order, with the strengths that make each edit plain.
    public static let demoEdits: [(name: String, title: String)] = [
        ("smile", "smile"), ("mouthOpen", "mouth open"), ("glasses", "glasses"), ("hairLength", "hair length"),
        ("yaw", "yaw"), ("skinTone", "skin tone"), ("eyeOpenness", "eye openness"),
    ]

    /// The file an edit of `name` uses: the direction on the W+ rows `edit-rows` chose for it
    /// (`NAME_rows_wplus.npy`) when shipped, else the direction on every row (`NAME.pt`).
    public static func editDirection(_ name: String) -> URL? {
        let rows = directions.appendingPathComponent(name + "_rows_wplus.npy")
        return FileManager.default.fileExists(atPath: rows.path) ? rows : direction(name)
    }

    /// A shipped direction file by attribute name (nil when it is not shipped).
    public static func direction(_ name: String, conditional: Bool = false) -> URL? {
        let url = directions.appendingPathComponent(name + (conditional ? "_conditional" : "") + ".pt")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
