import CPUKernels
import Foundation
import Inversion
import NeuralNetwork
import Training

/// The default model's card, written by `package-model` from the model, its runs and the
/// evaluation JSON, so that the numbers in it are the repository's own measurements.
struct ModelCard {
    let model: StylePrompterModel
    let precision: (maxDifference: Double, psnr: Double)
    let modelBytes: Int
    let evaluation: [String: Any]
    let shipped: [String]
    /// The runs, the stage-1 checkpoint note and the ablation (`TrainingHistory`).
    let history: TrainingHistory
    let attributesLog: String?
    /// The shipped predictor's network, in words (`AttributePredictorArchitecture.name`).
    var attributesArchitecture: String?
    /// `directions.json`: per direction the held-out correlation of the linear fit.
    var directionsReport: [String: Any] = [:]

    init(model: StylePrompterModel, precision: (maxDifference: Double, psnr: Double), modelBytes: Int, evaluation: Data,
         shipped: [String], history: TrainingHistory, attributesLog: String?) throws {
        guard let document = try? JSONSerialization.jsonObject(with: evaluation) as? [String: Any] else {
            throw CommandErrors.Failure(message: "package-model: the evaluation is not a JSON object")
        }
        self.model = model
        self.precision = precision
        self.modelBytes = modelBytes
        self.evaluation = document
        self.shipped = shipped
        self.history = history
        self.attributesLog = attributesLog
    }

    /// The "trained N steps in H h" line `train-attributes` prints last.
    static func predictorHours(_ log: String) -> Double? {
        guard let line = log.split(separator: "\n").last(where: { $0.hasPrefix("trained ") && $0.hasSuffix(" h") }),
              let hours = line.split(separator: " ").dropLast().last.flatMap({ Double($0) }), hours.isFinite, hours >= 0 else { return nil }
        return hours
    }


    func number(_ path: String, _ format: String = "%.3f") -> String {
        var value: Any? = evaluation
        for part in path.split(separator: "/") { value = (value as? [String: Any])?[String(part)] }
        guard let double = value as? Double else { return "—" }
        return String(format: format, double)
    }

    /// What the attribute term changed: stage 1 trained the same steps with and without it.
    func ablationSection() -> String {
        guard let ablation = history.ablation else { return "" }
        func value(_ document: [String: Any], _ key: String) -> Double? { (document["inversion"] as? [String: Any])?[key] as? Double }
        func cell(_ document: [String: Any], _ key: String, _ format: String) -> String { value(document, key).map { String(format: format, $0) } ?? "—" }
        var text = """

            What the attribute term changed — stage 1 trained \(ablation.steps) steps with
            and without it (same seed and data), measured like the table below (MSE/PSNR/SSIM, and attribute fidelity of the
            reconstruction):

            | stage 1 | MSE | PSNR (dB) | SSIM | smile r | mouth open r | eye openness r | glasses acc. | hair style acc. |
            |---|---|---|---|---|---|---|---|---|

            """
        for (label, document) in [("with the attribute term", ablation.with), ("MSE + W+ regulariser only", ablation.without)] {
            text += "| \(label) | \(cell(document, "stage1_mse", "%.5f")) | \(cell(document, "stage1_psnr", "%.2f")) | \(cell(document, "stage1_ssim", "%.4f")) | "
            text += ["smile", "mouthOpen", "eyeOpenness", "glasses", "hairStyle"].map { cell(document, "fidelity_stage1.\($0)", "%.3f") }.joined(separator: " | ") + " |\n"
        }
        if let note = history.ablationPredictorNote { text += "\n" + note + "\n" }
        return text + "\n"
    }

    /// A generator run that started from trained weights with the attribute-statistics term, in words.
    /// What stage 2 added to the released recipe, when its run used `train --edited` (nothing otherwise).
    func editedSamplesParagraph() -> String {
        guard let run = history.runs.first(where: { $0.title == "stage 2" }),
              let edited = (run.configuration["editedPerStep"] as? NSNumber)?.intValue, edited > 0 else { return "" }
        let reach = (run.configuration["editReach"] as? NSNumber).map { "\($0)" } ?? "1"
        return "Stage 2 also took \(edited) of the generator's own samples per step with **edited codes** (`train --edited`): "
            + "x = G(w) encoded, its code moved up to \(reach) of the way to another sample's, and SMART's output compared with "
            + "G(w′), so that SMART keeps an edit instead of putting the input back.\n"
    }

    func fineTuneParagraph() -> String {
        guard let run = history.runs.first(where: { $0.configuration["attributes"] != nil && $0.configuration["kimg"] != nil }) else { return "" }
        let weight = (run.configuration["attributeWeight"] as? NSNumber).map { "\($0)" } ?? "1"
        let hold = (run.configuration["holdGeneratorKimg"] as? NSNumber).map { ", D trained alone for its first \($0) kimg" } ?? ""
        var text = "\nThe generator was then trained \(String(format: "%.0f", run.kimg)) kimg more (\"\(run.title)\"), from its weights against a "
        text += "fresh discriminator\(hold), with an **attribute-statistics term** (weight \(weight), `train-generator --attributes`): the "
        text += "batch mean and spread of each of the attribute predictor's readings on its samples pulled towards those of the renders. "
        text += "The first run's samples left small features nearly constant — their mouths barely varied — so no direction in W could "
        text += "make a face smile; this term names that collapse to the generator while the discriminator keeps the added variety "
        text += "looking like the data (the spread table below). The same predictor measures the evaluation, so its numbers are read "
        text += "beside the samples and the demo's edits, not instead of them.\n"
        return text
    }

    /// The generator samples' spread of the shipped directions' attributes (and the least varied
    /// others) over the renders', before and after the fine-tune when the card has both.
    func spreadSection() -> String {
        guard let after = evaluation["generator_spread"] as? [String: Any] else { return "" }
        let before = history.generatorBefore?["generator_spread"] as? [String: Any]
        let value = { (document: [String: Any]?, name: String) -> Double? in (document?[name] as? NSNumber)?.doubleValue }
        let lowest = after.keys.sorted { (value(after, $0) ?? 0) < (value(after, $1) ?? 0) }.prefix(5)
        let names = shipped.filter { after[$0] != nil } + lowest.filter { !shipped.contains($0) }
        let cell = { (x: Double?) in x.map { String(format: "%.2f", $0) } ?? "—" }
        var text = "How varied the generator's faces are — per attribute, the standard deviation of the predictor's reading over "
        text += "\(max(evaluation["count"] as? Int ?? 500, 500)) samples divided by that over as many renders (1 = as varied as the data; "
        text += "the shipped directions' attributes, then the least varied others):\n\n"
        if let before {
            let fd = (history.generatorBefore?["frechet_distance"] as? NSNumber).map { String(format: "%.3f", $0.doubleValue) } ?? "—"
            text += "| attribute | generator before the attribute term (FD \(fd)) | shipped generator (FD \(number("frechet_distance"))) |\n|---|---|---|\n"
            for name in names { text += "| \(name) | \(cell(value(before, name))) | \(cell(value(after, name))) |\n" }
        } else {
            text += "| attribute | spread |\n|---|---|\n"
            for name in names { text += "| \(name) | \(cell(value(after, name))) |\n" }
        }
        return text + "\n"
    }

    /// An edit's appear-or-vanish fractions (`SynthFacesEvaluation.presenceChangeKey`) as
    /// "glasses 0.31 · hairStyle 0.02", or "—" for an evaluation made before they were measured.
    static func presenceChanges(_ edit: [String: Any]?) -> String {
        let prefix = SynthFacesEvaluation.presenceChangeKey
        let changes = (edit ?? [:]).compactMap { key, value -> (String, Double)? in
            guard key.hasPrefix(prefix), let fraction = value as? Double else { return nil }
            return (String(key.dropFirst(prefix.count)), fraction)
        }.sorted { $0.0 < $1.0 }
        return changes.isEmpty ? "—" : changes.map { "\($0.0) " + String(format: "%.2f", $0.1) }.joined(separator: " · ")
    }

    /// How a direction was fitted, from its `directions.json` entry.
    static func recipe(method: String?, samples: String) -> String {
        switch method {
        case "normal": "InterFaceGAN normal on \(samples) generator samples labelled by the predictor"
        case "covariance": "cov(w, label) on \(samples) inverted labelled faces"
        default: "\(method ?? "unknown method") on \(samples) latents"
        }
    }

    /// What the numbers say this model cannot do yet, read off the evaluation and the fits.
    func limitsSection() -> String {
        let fits = (directionsReport["directions"] as? [[String: Any]]) ?? []
        let weak = fits.filter { fit in
            guard let name = fit["attribute"] as? String, shipped.contains(name), let r = fit["held_out_correlation"] as? Double else { return false }
            return abs(r) < 0.3
        }.compactMap { fit -> String? in
            guard let name = fit["attribute"] as? String, let r = fit["held_out_correlation"] as? Double else { return nil }
            return "\(name) (held-out r \(String(format: "%.2f", r)))"
        }
        var text = "\n## Limits\n\n"
        text += "The generator is the limit: its Fréchet distance (\(number("frechet_distance", "%.0f"))) stays far above the "
        text += "real-versus-real floor (\(number("frechet_distance_real_vs_real", "%.1f"))) — its samples are recognisable, varied faces, "
        text += "softer than the renders, and small features (irises, brows, glasses frames) are smudged. SMART recovers much of what "
        text += "the generator's W+ cannot express (the fidelity table above), but edits move W, so they can only change what W encodes. "
        text += "The encoder alone (stage 1, PSNR \(number("inversion/stage1_psnr", "%.1f")) dB) keeps background, skin, hair and pose "
        text += "better than the small features (the fidelity table's stage-1 column), so the faces' features come back through SMART, "
        text += "which also pulls an edit's change of them back towards the input: edits show most on what W encodes well. "
        if !weak.isEmpty {
            text += "These shipped directions fit their attribute weakly (held-out r below 0.3), so they change it little: "
            text += weak.joined(separator: ", ") + ". "
        }
        text += "Training the generator longer (`Scripts/train_default_model.sh` resumes it) is what would sharpen it.\n"
        return text
    }

    func markdown() -> String {
        let encoder = model.encoder.configuration, generator = model.generator.configuration
        let count = { (module: Module) in module.parameters().reduce(0) { $0 + $1.count } }
        var text = """
            # Model card — the StylePrompter default model (SynthFaces, 64 px)

            Written by `styleprompter package-model` from the training runs and `eval-synthfaces`; retrain with
            `Scripts/train_default_model.sh`.

            **What it is.** A complete StylePrompter — Swin-V2 encoder with \(encoder.latentTokens) latent tokens, SMART at
            generator layer \(model.refinedLayer) (the 16×16 feature), and the StyleGAN2 it inverts — trained by this package's
            own code on this CPU, on **SynthFaces**: procedural cartoon faces rendered on the fly (`styleprompter synthfaces`,
            \((history.synthFacesStyle ?? .classic).rawValue) proportions), whose 30 attributes are known exactly. It exists so that `demo`, `invert`, `edit` and `eval` work offline the moment the
            repository is cloned, and so that inversion and edit quality are measured against ground truth.

            **What it is not.** It knows cartoon faces at 64 px only. Photographs invert into the nearest cartoon face; for
            photos load a released StylePrompter checkpoint with `--model`.

            ## Architecture

            | part | configuration | parameters |
            |---|---|---|
            | generator | StyleGAN2, \(generator.size) px, style \(generator.styleDimension), \(generator.mappingLayers) mapping layers, channels \(generator.channels.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")) | \(count(model.generator)) |
            | encoder | Swin-V2, \(encoder.imageSize) px input, patch \(encoder.patchSize), embed \(encoder.embedDimension), depths \(encoder.depths.map(String.init).joined(separator: ",")), heads \(encoder.heads.map(String.init).joined(separator: ",")), window \(encoder.windowSize), \(encoder.latentTokens) latent tokens | \(count(model.encoder)) |
            | SMART | refines layer \(model.refinedLayer) | \(model.smart.map { count($0) } ?? 0) |

            Weights: `model.safetensors`, \(modelBytes / 1000) kB — float16 wherever rounding changes a tensor by at most
            0.1 % (L2), float32 otherwise. Against the float32 weights on 16 evaluation faces the SMART output moves by at
            most \(String(format: "%.1e", precision.maxDifference)) (pixel range −1…1; PSNR float16 vs float32 \(String(format: "%.1f", precision.psnr)) dB).

            ## Training (\(KernelDispatch.processorName), 2 threads)

            | run | steps | kimg | wall time (h) | configuration |
            |---|---|---|---|---|

            """
        let keys = ["data", "size", "batchSize", "accumulation", "kimg", "r1Gamma", "learningRate", "steps", "imageSize",
                    "l2Weight", "alignWeight", "attributeWeight", "disabledTerms", "generatedPerStep", "latentWeight",
                    "editedPerStep", "editReach", "newSMART", "seed"]
        var totalHours = 0.0
        for run in history.runs {
            totalHours += run.hours
            let shown = keys.compactMap { key in run.configuration[key].map { "\(key) \(RunReport.describe($0))" } }
            text += "| \(run.title) | \(run.steps) | \(String(format: "%.1f", run.kimg)) | \(String(format: "%.2f", run.hours)) | \(shown.joined(separator: ", ")) |\n"
        }
        if let note = history.stageOneNote { text += "\n" + note + "\n" }
        if let predictorHours = attributesLog.flatMap(Self.predictorHours) {
            let network = attributesArchitecture.map { ", \($0) network" } ?? ""
            text += "\nThe attribute predictor (`train-attributes`\(network)) trained in \(String(format: "%.2f", predictorHours)) h.\n"
            totalHours += predictorHours
        }
        text += String(format: "\nTotal wall time of the logged runs: %.1f h (plus about 0.1 h for the directions and the evaluation).\n", totalHours)
        text += """

            Objectives. The generator: rosinality's StyleGAN2 recipe (non-saturating loss, lazy R1, path length, style mixing).
            Stage 1 and stage 2: LPIPS and ArcFace weights cannot be had offline, so the encoder is trained with MSE, the W+
            regulariser and, in their place, a **perceptual term the project trains itself** — distances between the feature maps of
            the SynthFaces attribute predictor (`train-attributes`) — which pushes reconstructions to keep what the labels describe
            (mouth shape, eyes, glasses) rather than only the average colour.
            EDITED
            FINETUNE
            ABLATION
            ![samples of the generator](samples.png)

            ## Evaluation (faces rendered from seeds no training run reads)

            Fréchet distance on the attribute predictor's features: generator \(number("frechet_distance")), real-versus-real floor
            \(number("frechet_distance_real_vs_real")).

            SPREAD
            Inversion, \(evaluation["count"].map { "\($0)" } ?? "?") faces at \(encoder.imageSize) px:

            | | MSE | PSNR (dB) | SSIM |
            |---|---|---|---|
            | stage 1 (encoder → W+) | \(number("inversion/stage1_mse", "%.5f")) | \(number("inversion/stage1_psnr", "%.2f")) | \(number("inversion/stage1_ssim", "%.4f")) |
            | SMART | \(number("inversion/smart_mse", "%.5f")) | \(number("inversion/smart_psnr", "%.2f")) | \(number("inversion/smart_ssim", "%.4f")) |

            Attribute fidelity — the attribute predictor on the input against on the reconstruction (accuracy for categories,
            Pearson r for continuous attributes); the last column is the predictor against the true labels (its ceiling):

            | attribute | stage 1 | SMART | predictor vs truth |
            |---|---|---|---|

            """
        let inversion = evaluation["inversion"] as? [String: Any] ?? [:]
        let attributeNames = inversion.keys.filter { $0.hasPrefix("fidelity_smart.") }.map { String($0.dropFirst("fidelity_smart.".count)) }.sorted()
        for name in attributeNames {
            text += "| \(name) | \(number("inversion/fidelity_stage1.\(name)")) | \(number("inversion/fidelity_smart.\(name)")) | \(number("inversion/predictor_vs_truth.\(name)")) |\n"
        }
        // Edits are measured on their own faces (at most 100, apart from the inversion's).
        let editFaces = (evaluation["edit_count"] as? Int).map { "\($0) more unseen faces, inverted," } ?? "inverted unseen faces"
        text += """

            Edits — the shipped directions (unit vectors in W, `directions`; how each was fitted is in its row), applied to
            \(editFaces) at strengths −10…10 and decoded with SMART: the predicted change of the attribute per unit strength,
            the fraction of faces whose reading moves monotonically, the mean / largest change per unit of the other
            continuous attributes, and the fraction of faces on which glasses or hair (predicted class other than none)
            appear or vanish at some strength (lower = more disentangled):

            | direction | fitted | held-out r | change per unit | monotonic | others, mean | others, max | appear or vanish |
            |---|---|---|---|---|---|---|---|

            """
        let fits = (directionsReport["directions"] as? [[String: Any]]) ?? []
        let samples = directionsReport["samples"].map { "\($0)" } ?? "?"
        let edits = evaluation["edits"] as? [String: Any] ?? [:]
        for name in edits.keys.sorted() where shipped.contains(where: { name == $0 || name == $0 + "_conditional" || name == $0 + EditRows.suffix }) {
            let suffix = ["_conditional", EditRows.suffix].first { name.hasSuffix($0) }
            let base = suffix.map { String(name.dropLast($0.count)) } ?? name
            let fit = fits.first { ($0["attribute"] as? String) == base }
            var recipe = Self.recipe(method: fit?["method"] as? String, samples: samples)
            if suffix == "_conditional" { recipe += ", conditional" }
            if suffix == EditRows.suffix, let rows = fit?["rows"] as? [Int], rows.count == 2 {
                recipe += ", on W+ rows \(rows[0])–\(rows[1] - 1) only (`edit-rows`; what `demo` edits with)"
            }
            let r = (fit?["held_out_correlation"] as? Double).map { String(format: "%.2f", $0) } ?? "—"
            text += "| \(name) | \(recipe) | \(r) | \(number("edits/\(name)/change_per_unit")) | \(number("edits/\(name)/monotonic_fraction", "%.2f")) | \(number("edits/\(name)/others_mean_abs_change_per_unit")) | \(number("edits/\(name)/others_max_abs_change_per_unit")) | \(Self.presenceChanges(edits[name] as? [String: Any])) |\n"
        }
        text = text.replacingOccurrences(of: "ABLATION\n", with: ablationSection())
        text = text.replacingOccurrences(of: "SPREAD\n", with: spreadSection())
        text = text.replacingOccurrences(of: "EDITED\n", with: editedSamplesParagraph())
        text = text.replacingOccurrences(of: "FINETUNE\n", with: fineTuneParagraph())
        text += limitsSection()
        if let attributesLog {
            let table = attributesLog.split(separator: "\n").filter { $0.contains(" r ") || $0.contains(" accuracy ") }
            if !table.isEmpty {
                // Logs from 2026-12-04 on add, in brackets, the agreement on the same faces blurred (σ 1 px).
                let blurred = table.contains { $0.contains("(") }
                text += "\n## The attribute predictor\n\nIts agreement with the true labels on 1,000 unseen faces (`train-attributes`"
                    + (blurred ? "; in brackets, the same faces blurred with σ 1 px, as soft as the generator's samples" : "") + "):\n\n```\n"
                text += table.joined(separator: "\n") + "\n```\n"
            }
        }
        return text
    }
}
