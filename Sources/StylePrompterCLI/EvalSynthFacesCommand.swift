import ArgumentParser
import DefaultModel
import FileAccess
import Foundation
import Imaging
import Perceptual
import StyleGAN
import Tensors
import Training

/// `styleprompter eval-synthfaces`: the default model's numbers against ground truth.
struct EvalSynthFacesCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-synthfaces",
        abstract: "Measure a model on SynthFaces from unseen seeds: inversion (stage 1 vs SMART), attribute fidelity, edits, and a generator's Fréchet distance.",
        discussion: """
        With --model: reconstruction MSE/PSNR/SSIM of stage 1 and SMART, attribute agreement (the attribute \
        predictor on input vs reconstruction; accuracy for categories, Pearson r otherwise), and with --directions \
        each direction's change of its own attribute per unit strength, monotonicity and the change of the others. \
        With --generator: the Fréchet distance of its samples against real renders, beside the real-vs-real floor.
        """)

    @Option(help: "StylePrompter model (file or run folder; default, when --generator is not given either: the bundled model, with its directions).") var model: String?
    @Option(help: "StyleGAN2 generator (file or run folder) for the Fréchet distance.") var generator: String?
    @Option(help: "Attribute predictor (train-attributes; default: the bundled one).") var attributes: String?
    @Option(help: "Folder of direction files (NAME.pt, as `directions` writes them; NAME_rows_wplus.npy, as `edit-rows` writes them, is measured as NAME_rows).") var directions: String?
    @Option(help: "Faces to evaluate (the edits: at most 100 further faces, each decoded at five strengths).") var count: Int = 200
    @Option(help: "Write every number as JSON here.") var json: String?
    @OptionGroup var renders: RenderStyleOption
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (2...100_000).contains(count) else { throw ValidationError("eval-synthfaces: --count must be in 2…100,000") }
    }

    func execute() throws {
        try compute.apply()
        try CommandErrors.reporting {
            let (predictor, size) = try AttributePredictor.load(contentsOf: attributes.map { URL(fileURLWithPath: $0) } ?? DefaultModel.attributes)
            // Nothing named: the bundled model with its directions.
            let bundled = model == nil && generator == nil
            let model = bundled ? DefaultModel.model.path : self.model
            let directions = self.directions ?? (bundled ? DefaultModel.directions.path : nil)   // --directions given always wins
            let evaluation = SynthFacesEvaluation(predictor: predictor, predictorSize: size, style: try renders.resolved(bundled: bundled))
            var document: [String: Any] = ["count": count]
            if let model {
                var options = try ModelOptions.parse(["--model", model])
                options.noSmart = false
                let loaded = try options.load()
                let inversion = try evaluation.inversion(model: loaded, count: count)
                document["inversion"] = inversion
                print("inversion on \(count) unseen faces (encoder input \(loaded.encoder.configuration.imageSize) px):")
                print("              MSE       PSNR     SSIM")
                for stage in ["stage1", "smart"] {
                    print(stage.padding(toLength: 10, withPad: " ", startingAt: 0),
                          String(format: "%9.5f %8.2f %8.4f", inversion["\(stage)_mse"] ?? .nan, inversion["\(stage)_psnr"] ?? .nan, inversion["\(stage)_ssim"] ?? .nan))
                }
                print("attribute fidelity (predictor on input vs reconstruction; accuracy or r):")
                print("attribute              stage 1    SMART   predictor vs truth")
                for name in predictor.layout.names {
                    print(name.padding(toLength: 22, withPad: " ", startingAt: 0),
                          String(format: "%7.3f  %7.3f  %7.3f", inversion["fidelity_stage1.\(name)"] ?? .nan,
                                 inversion["fidelity_smart.\(name)"] ?? .nan, inversion["predictor_vs_truth.\(name)"] ?? .nan))
                }
                if let directions {
                    var loadedDirections: [String: Tensor] = [:]
                    let folder = URL(fileURLWithPath: directions)
                    // NAME.pt, and NAME_rows_wplus.npy (edit-rows: the direction on the rows it chose) as NAME_rows.
                    for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".pt") || file.hasSuffix(EditRows.fileSuffix) {
                        if let d = try DirectionFile.vector(at: folder.appendingPathComponent(file), fitting: loaded) {
                            loadedDirections[file.hasSuffix(".pt") ? String(file.dropLast(3)) : String(file.dropLast(EditRows.fileSuffix.count)) + EditRows.suffix] = d
                        }
                    }
                    // At most 100 faces: each direction decodes every face at five strengths.
                    let editCount = min(count, 100)
                    let edits = try evaluation.edits(model: loaded, directions: loadedDirections, count: editCount)
                    document["edits"] = edits
                    document["edit_count"] = editCount
                    print("edits (strengths −10…10 along unit directions in W; change of the attribute per unit, fraction of faces moving monotonically, mean/max |change| of the others per unit, fraction of faces on which glasses or hair appear or vanish):")
                    for (name, values) in edits.sorted(by: { $0.key < $1.key }) {
                        print(name.padding(toLength: 30, withPad: " ", startingAt: 0),
                              String(format: "%8.3f %8.3f %8.3f %8.3f", values["change_per_unit"]!, values["monotonic_fraction"]!,
                                     values["others_mean_abs_change_per_unit"]!, values["others_max_abs_change_per_unit"]!),
                              " ", ModelCard.presenceChanges(values))
                    }
                }
            }
            if let generator {
                StatusLine.loading("generator", generator)
                let g = try GeneratorCheckpoint.load(contentsOf: try RunOutputs.file(generator, exported: "generator.safetensors")).generator
                let comparison = try evaluation.frechetDistance(generator: g, count: max(count, 500))
                document["frechet_distance"] = comparison.generated
                document["frechet_distance_real_vs_real"] = comparison.floor
                document["generator_spread"] = comparison.spread
                print(String(format: "Fréchet distance (attribute-predictor features, %d samples): generator %.3f, real vs real %.3f",
                             max(count, 500), comparison.generated, comparison.floor))
                let lowest = comparison.spread.sorted { $0.value < $1.value }.prefix(5).map { "\($0.key) " + String(format: "%.2f", $0.value) }
                print("attribute spread of the samples over the renders', lowest: " + lowest.joined(separator: ", "))
            }
            if let json {
                try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])),
                                     to: URL(fileURLWithPath: json))
                print("wrote \(json)")
            }
        }
    }
}
