import ArgumentParser
import DefaultModel
import FileAccess
import Foundation
import Imaging
import Perceptual
import Training

/// `styleprompter label`: the attribute predictor's labels for images — what `directions` needs
/// to fit InterFaceGAN directions on a generator's own samples (`generate` → `label` →
/// `directions --method normal`), where no ground truth exists.
struct LabelCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Predict SynthFaces attributes for images with the attribute predictor: a labels CSV for `directions`.",
        discussion: """
        Writes a CSV with a 'file' column and one column per attribute (class indices for categories), rows in the \
        inputs' order. For InterFaceGAN's own recipe: generate --seeds 0-9999 --out S; label S --out S/labels.csv; \
        directions --latents S/latents.npy --labels S/labels.csv --method normal --out D.
        """)

    @Argument(help: "Image files or folders of images.") var inputs: [String]
    @Option(help: "Attribute predictor (train-attributes; default: the bundled one).") var attributes: String?
    @Option(help: "The CSV to write.") var out: String
    @Option(help: "Images per forward pass.") var batch: Int = 64
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (1...4096).contains(batch) else { throw ValidationError("label: --batch must be in 1…4096, got \(batch)") }
    }

    func execute() throws {
        try compute.apply()
        let items = try CommandErrors.reporting { try PhotoInput.collect(inputs) }
        let (predictor, size) = try CommandErrors.reporting {
            try AttributePredictor.load(contentsOf: attributes.map { URL(fileURLWithPath: $0) } ?? DefaultModel.attributes)
        }
        let reader = SynthFacesEvaluation(predictor: predictor, predictorSize: size)     // as eval-synthfaces reads
        var lines = ["file," + predictor.layout.names.joined(separator: ",")]
        var failures: [String] = []
        let progress = Progress(total: items.count, label: "label")
        for start in stride(from: 0, to: items.count, by: batch) {
            var images: [Image] = [], names: [String] = []
            for item in items[start..<min(start + batch, items.count)] {
                defer { progress.advance() }
                do {
                    let image = try Image(contentsOf: item.url)
                    images.append(image.width == size && image.height == size ? image : image.resized(width: size, height: size))
                    names.append(item.url.lastPathComponent)
                } catch {
                    failures.append("\(item.url.lastPathComponent) (\(error))")
                    StatusLine.write("skipping \(item.url.lastPathComponent): \(error)")
                }
            }
            guard !images.isEmpty else { continue }
            let labels = reader.predicted(try Image.batchTensor(images))
            for (name, row) in zip(names, labels) {
                lines.append(([name.replacingOccurrences(of: ",", with: "_")] + row.map { String($0) }).joined(separator: ","))
            }
        }
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: out))
        print("wrote \(lines.count - 1) rows × \(predictor.layout.names.count) attributes to \(out)")
        guard failures.isEmpty else {
            throw CommandErrors.Failure(message: "\(failures.count) of \(items.count) images failed: " + failures.joined(separator: "; "))
        }
    }
}
