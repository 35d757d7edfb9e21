import ArgumentParser
import Checkpoints
import FileAccess
import Foundation
import Imaging
import Inversion
import Perceptual
import SynthFaces
import Tensors
import Training

/// `styleprompter package-model`: turns the runs of `Scripts/train_default_model.sh` into the
/// files that ship in `Sources/DefaultModel/Resources` — float16 weights where exact enough, the
/// demo's directions, the evaluation, a sample grid — and writes the model card from them, so
/// every number in the card comes from the repository's own runs and evaluation.
struct PackageModelCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "package-model",
        abstract: "Package trained runs as a shippable model folder (float16 safetensors, directions, model card).")

    @Option(help: "The stage-2 run folder (or model file).") var model: String
    @Option(help: "The stage-1 run folder (for the card's steps and wall time).") var stageOne: String?
    @Option(help: "The generator run folder (for the card's kimg, wall time and samples).") var gan: String?
    @Option(help: "The attribute predictor (.safetensors).") var attributes: String
    @Option(help: "The directions folder (`directions` output).") var directions: String
    @Option(help: "Directions to ship (comma-separated; their _conditional, _wplus and _rows_wplus files come along).") var ship: String
    @Option(help: "The evaluation JSON (`eval-synthfaces --json`).") var evaluation: String
    @Option(help: "Attribute-predictor training log (its printed quality table), for the card; kept in training.json, so a later packaging of the same predictor with --history needs it no more.") var attributesLog: String?
    @Option(help: "Ablation of the perceptual term: eval-synthfaces JSON of a stage-1 model trained with it …") var ablationWith: String?
    @Option(help: "… and of one trained the same number of steps without it.") var ablationWithout: String?
    @Option(help: "The number of steps of both ablation models.") var ablationSteps: Int = 1000
    @Option(help: "A training.json an earlier package-model wrote: runs, checkpoint note and ablation for what the folders above do not give (run folders are not kept in git).")
    var history: String?
    @Option(help: "A line for the card when the ablation's fidelity columns were read by another attribute predictor than the shipped one.")
    var ablationPredictorNote: String?
    @Option(help: "A further run for the card's training table, as TITLE=FOLDER (repeatable; listed after generator, stage 1 and stage 2).")
    var run: [String] = []
    @Option(help: "eval-synthfaces JSON of the generator before a later run changed it (the card shows its Fréchet distance and attribute spread beside the shipped one's).")
    var generatorBefore: String?
    @Option(help: "SynthFaces proportions the model was trained on, recorded in training.json for demo and eval-synthfaces (default: the --data of the first run given — generator, stage 1, stage 2, --run — else --history's, else classic).")
    var style: RenderStyle?
    @Option(help: "Output folder (e.g. Sources/DefaultModel/Resources).") var out: String
    @OptionGroup var compute: ComputeOptions

    func execute() throws {
        try compute.apply()
        try CommandErrors.reporting {
            // Read before anything is written: a bad history must not leave a half-packaged folder.
            let previous = try history.map { try TrainingHistory.read(contentsOf: $0) }
            let extraRuns = try run.map { entry -> (title: String, folder: String?) in
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw CommandErrors.Failure(message: "package-model: --run '\(entry)' is not TITLE=FOLDER")
                }
                guard TrainingHistory.summary(of: parts[1]) != nil else {
                    throw CommandErrors.Failure(message: "package-model: --run \(parts[0]): \(parts[1]) has no metrics.jsonl to read")
                }
                return (parts[0], parts[1])
            }
            let before = try generatorBefore.map { try Self.jsonObject($0, "generator-before evaluation") }
            let attributesLogText = try attributesLog.map { try Self.readText($0, "attribute-predictor log") }
            let folder = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("directions"), withIntermediateDirectories: true)
            let full = try ModelOptions.parse(["--model", model]).load()
            let modelURL = folder.appendingPathComponent("model.safetensors")
            try StylePrompterCheckpoint.save(full, to: modelURL, halfPrecision: true)
            let half = try StylePrompterCheckpoint.load(contentsOf: modelURL)
            var training = TrainingHistory.fromRuns([("generator", gan), ("stage 1", stageOne), ("stage 2", model)] + extraRuns)
            // The renders the first run streamed, else the history's (validated when it was read).
            let runStyle = try training.runs.lazy.compactMap { $0.configuration["data"] as? String }.first.flatMap { try SynthFacesStream(description: $0)?.style }
            let renderStyle = style ?? runStyle ?? previous?.synthFacesStyle ?? .classic
            var precision = try Self.compare(full, half, style: renderStyle)
            if precision.maxDifference == 0, let measured = previous?.float16Precision {
                // The model given was already the packaged float16 file: its float32 original is
                // gone, so the card keeps what the first packaging measured against it.
                precision = measured
                print(String(format: "the model is already float16: keeping the packaged measurement (max |Δ| %.2e, %.1f dB)", precision.maxDifference, precision.psnr))
            } else {
                print(String(format: "float16 model: max |Δ| %.2e of the SMART output (range −1…1), PSNR float16 vs float32 %.1f dB", precision.maxDifference, precision.psnr))
            }

            let (predictor, size) = try AttributePredictor.load(contentsOf: URL(fileURLWithPath: attributes))
            try predictor.save(to: folder.appendingPathComponent("attributes.safetensors"), imageSize: size, halfPrecision: true)

            let source = URL(fileURLWithPath: directions, isDirectory: true)
            let names = ArgumentChecks.names(ship)
            for name in names {
                for file in ["\(name).pt", "\(name)_wplus.npy", "\(name)_conditional.pt", "\(name)_conditional_wplus.npy", name + EditRows.fileSuffix] {
                    let from = source.appendingPathComponent(file)
                    guard FileManager.default.fileExists(atPath: from.path) else {
                        if !file.contains("_conditional") && !file.contains(EditRows.suffix) { throw CommandErrors.Failure(message: "\(directions): no \(file)") }
                        continue
                    }
                    try AtomicFile.write(Array(try Data(contentsOf: from)), to: folder.appendingPathComponent("directions").appendingPathComponent(file))
                }
            }
            try AtomicFile.write(Array(try Data(contentsOf: source.appendingPathComponent("directions.json"))),
                                 to: folder.appendingPathComponent("directions").appendingPathComponent("directions.json"))
            let evaluationData = try Data(contentsOf: URL(fileURLWithPath: evaluation))
            try AtomicFile.write(Array(evaluationData), to: folder.appendingPathComponent("evaluation.json"))
            // The samples of the generator that ships: the last generator run given (a --run of
            // train-generator after --gan, as with an attribute fine-tune).
            let generatorRuns = [gan].compactMap { $0 } + extraRuns.compactMap(\.folder).filter { TrainingHistory.summary(of: $0)?.configuration["kimg"] != nil }
            if let samples = generatorRuns.reversed().lazy.compactMap({ Self.newestSamples(in: URL(fileURLWithPath: $0)) }).first {
                try AtomicFile.write(Array(try Data(contentsOf: samples)), to: folder.appendingPathComponent("samples.png"))
            }
            training.generatorBefore = before
            if let with = ablationWith, let without = ablationWithout {
                training.ablation = (ablationSteps, try Self.jsonObject(with, "ablation (with)"), try Self.jsonObject(without, "ablation (without)"))
            }
            training.ablationPredictorNote = ablationPredictorNote
            training.float16Precision = precision
            training.synthFacesStyle = renderStyle
            // The shipped (float16) predictor's values, so that repackaging it finds the same fingerprint.
            let predictorFingerprint = Self.fingerprint(of: try AttributePredictor.load(contentsOf: folder.appendingPathComponent("attributes.safetensors")).predictor)
            if let log = attributesLogText {
                training.attributesLog = (predictorFingerprint, TrainingHistory.cardLines(ofAttributesLog: log))
            }
            if let previous { training = training.completed(from: previous) }
            try AtomicFile.write(Array(try training.json()), to: folder.appendingPathComponent("training.json"))
            var card = try ModelCard(model: half, precision: precision, modelBytes: try Self.size(of: modelURL),
                                     evaluation: evaluationData, shipped: names, history: training,
                                     attributesLog: training.attributesLog(forPredictor: predictorFingerprint))
            card.attributesArchitecture = predictor.architecture.name
            card.directionsReport = (try? JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("directions.json")))) as? [String: Any] ?? [:]
            try AtomicFile.write(Array(card.markdown().utf8), to: folder.appendingPathComponent("MODEL_CARD.md"))
            print("wrote \(folder.path): model.safetensors (\(try Self.size(of: modelURL) / 1_000_000) MB), attributes.safetensors, directions/, evaluation.json, training.json, MODEL_CARD.md")
        }
    }

    static func jsonObject(_ path: String, _ what: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path), let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CommandErrors.Failure(message: "package-model: the \(what) (\(path)) is not a readable JSON object")
        }
        return object
    }

    static func readText(_ path: String, _ what: String) throws -> String {
        if let problem = FileKind.problemReading(path) { throw CommandErrors.Failure(message: "package-model: the \(what) (\(path)): \(problem)") }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 16 << 20, let text = String(data: data, encoding: .utf8) else {
            throw CommandErrors.Failure(message: "package-model: the \(what) (\(path)) is not a readable UTF-8 text file of at most 16 MiB")
        }
        return text
    }

    /// The predictor's weights as the digest data-parallel training compares replicas with
    /// (FNV-1a over keys and float bits, in key order): the same for the same weights whatever
    /// file (or metadata order) they were read from.
    static func fingerprint(of predictor: AttributePredictor) -> String {
        let weights = Dictionary(predictor.stateDictionary().map { ($0.key, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        return String(format: "fnv1a64:%016llx", ReplicaCheck.digest(TrainingState(step: 0, tensors: weights)))
    }

    static func size(of url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }

    static func newestSamples(in run: URL) -> URL? {
        let samples = run.appendingPathComponent("samples")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        return names.last.map { samples.appendingPathComponent($0) }
    }

    /// How far the float16 model's SMART outputs move from the float32 model's on 16 evaluation faces.
    static func compare(_ full: StylePrompterModel, _ half: StylePrompterModel, style: RenderStyle) throws -> (maxDifference: Double, psnr: Double) {
        full.eval(); half.eval()
        let side = full.encoder.configuration.imageSize
        let (images, _) = try SynthFacesEvaluation.faces(first: SynthFacesEvaluation.seedBase, count: 16, size: side, style: style)
        let (a, b) = GradientMode.withoutGradients { (full.decode(full.encode(images)), half.decode(half.encode(images))) }
        var maxDifference = 0.0, squared = 0.0
        for (x, y) in zip(a.scalars, b.scalars) {
            let d = Double(x - y)
            maxDifference = max(maxDifference, abs(d))
            squared += d * d
        }
        let mse = squared / Double(a.count)
        return (maxDifference, 10 * log10(4 / max(mse, 1e-30)))
    }
}
