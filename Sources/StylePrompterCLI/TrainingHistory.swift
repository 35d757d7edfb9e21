import FileAccess
import Foundation
import SynthFaces
import Training

/// What the model card says about how the shipped model was trained — each run's steps, kimg,
/// wall time and configuration, which stage-1 checkpoint stage 2 started from, and the ablation
/// of the attribute term — kept beside the card as `training.json`.
///
/// `package-model` reads these from the run folders when it has them; the run folders are large
/// and ignored by git, so a later packaging (a new attribute predictor, refitted directions, a new
/// evaluation of the same weights) takes them from the `training.json` the previous packaging
/// wrote instead (`--history`), and the card keeps numbers that came from the runs themselves.
struct TrainingHistory {
    struct Run {
        var title: String
        var steps: Int
        var kimg: Double
        var hours: Double
        var configuration: [String: Any]
    }

    var runs: [Run] = []
    /// "Stage 2 … starts from stage 1's checkpoint at step N …", when the logs say so.
    var stageOneNote: String?
    /// eval-synthfaces documents of stage-1 models trained with and without the attribute term.
    var ablation: (steps: Int, with: [String: Any], without: [String: Any])?
    /// Which attribute predictor read the ablation's fidelity columns, when it is not the one
    /// shipped beside the card (say so rather than mix two instruments' numbers silently).
    var ablationPredictorNote: String?
    /// How far the float16 weights' SMART output is from the float32 weights' (`package-model`
    /// measures it; repackaging the float16 file cannot, so it is carried over).
    var float16Precision: (maxDifference: Double, psnr: Double)?
    /// eval-synthfaces document of the generator before a later run (an attribute fine-tune)
    /// changed it: its Fréchet distance and spread, for the card's before/after.
    var generatorBefore: [String: Any]?
    /// The attribute predictor's training log as far as the card uses it (its quality table and
    /// "trained N steps in H h"), with the fingerprint of the predictor it describes: a later
    /// packaging of the same predictor keeps the card's predictor section without the log file,
    /// and one of another predictor does not borrow it.
    var attributesLog: (predictor: String, lines: String)?
    /// The SynthFaces proportions (`RenderStyle` raw value) the model was trained on; `demo`,
    /// `eval-synthfaces` and `edit-rows` render the bundled model's faces with them.
    var synthFacesStyle: RenderStyle?

    /// The summary of every run folder that has logs, in the given order.
    static func fromRuns(_ folders: [(title: String, folder: String?)]) -> TrainingHistory {
        var history = TrainingHistory()
        for (title, folder) in folders {
            guard let folder, let summary = Self.summary(of: folder) else { continue }
            history.runs.append(Run(title: title, steps: summary.steps, kimg: summary.kimg, hours: summary.hours, configuration: summary.configuration))
        }
        // The stage-1 run stage 2 started from: the folder its `stageOneModel` lies in.
        if let stageTwo = history.runs.first(where: { $0.title == "stage 2" }), let start = stageTwo.configuration["stageOneModel"] as? String {
            let startPath = URL(fileURLWithPath: start).standardizedFileURL.path
            let stageOne = folders.compactMap(\.folder).first { folder in
                let path = URL(fileURLWithPath: folder).standardizedFileURL.path
                return startPath == path || startPath.hasPrefix(path + "/")
            }
            if let stageOne {
                history.stageOneNote = Self.stageOneCheckpointNote(stageTwoConfiguration: stageTwo.configuration, stageOneFolder: stageOne)
            }
        }
        return history
    }

    /// What a run folder's logs say: steps, kimg and wall time (the sum of its sessions; each
    /// resumed session restarts the clock in metrics.jsonl), and its configuration.
    static func summary(of folder: String) -> (steps: Int, kimg: Double, hours: Double, configuration: [String: Any])? {
        let url = URL(fileURLWithPath: folder)
        guard let records = try? MetricsLog<TrainingRecord>.read(contentsOf: url.appendingPathComponent("metrics.jsonl")), let last = records.last else { return nil }
        var seconds = 0.0, previous = 0.0
        for record in records {
            if record.seconds < previous { seconds += previous }
            previous = record.seconds
        }
        seconds += previous
        let configuration = (try? Data(contentsOf: url.appendingPathComponent("config.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        return (last.step, last.kimg, seconds / 3600, configuration)
    }

    /// Which stage-1 checkpoint stage 2 started from (its configuration's `stageOneModel`), beside
    /// the stage-1 run's validation losses: a run's last step is not always its best.
    static func stageOneCheckpointNote(stageTwoConfiguration: [String: Any], stageOneFolder stageOne: String) -> String? {
        guard let start = stageTwoConfiguration["stageOneModel"] as? String else { return nil }
        let name = URL(fileURLWithPath: start).deletingPathExtension().lastPathComponent
        guard name == "best" || name.hasPrefix("step-") else { return nil }
        // validation.jsonl: one {"step": N, "metrics": {"val_loss": …}} per validation.
        let text = (try? String(contentsOfFile: URL(fileURLWithPath: stageOne).appendingPathComponent("validation.jsonl").path, encoding: .utf8)) ?? ""
        let losses: [(step: Int, loss: Double)] = text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = object["step"] as? Int, let loss = (object["metrics"] as? [String: Any])?["val_loss"] as? Double else { return nil }
            return (step, loss)
        }
        guard let best = losses.min(by: { $0.loss < $1.loss }), let last = losses.last else { return nil }
        let step = name == "best" ? best.step : Int(name.dropFirst(5)) ?? -1
        guard let used = losses.first(where: { $0.step == step }) else { return nil }
        return String(format: "Stage 2 (and so the shipped encoder) starts from stage 1's checkpoint at step %d (validation loss %.3f; lowest of the run: step %d, %.3f; last step %d: %.3f).",
                      used.step, used.loss, best.step, best.loss, last.step, last.loss)
    }

    /// This history with what it lacks taken from `previous`: runs by title, the note, the ablation.
    func completed(from previous: TrainingHistory) -> TrainingHistory {
        var merged = self
        let titles = Set(runs.map(\.title))
        let order = previous.runs.map(\.title) + runs.map(\.title).filter { title in !previous.runs.contains { $0.title == title } }
        merged.runs = order.compactMap { title in
            titles.contains(title) ? runs.first { $0.title == title } : previous.runs.first { $0.title == title }
        }
        merged.stageOneNote = stageOneNote ?? previous.stageOneNote
        merged.float16Precision = float16Precision ?? previous.float16Precision
        if ablation == nil { merged.ablation = previous.ablation }
        merged.ablationPredictorNote = ablationPredictorNote ?? previous.ablationPredictorNote
        merged.generatorBefore = generatorBefore ?? previous.generatorBefore
        merged.attributesLog = attributesLog ?? previous.attributesLog
        merged.synthFacesStyle = synthFacesStyle ?? previous.synthFacesStyle
        return merged
    }

    /// The lines of a `train-attributes` log the card reads: the quality table and the timing line.
    static func cardLines(ofAttributesLog log: String) -> String {
        log.split(separator: "\n").filter { $0.contains(" r ") || $0.contains(" accuracy ") || ($0.hasPrefix("trained ") && $0.hasSuffix(" h")) }
            .joined(separator: "\n") + "\n"
    }

    /// The predictor's log lines when they describe the predictor with this fingerprint.
    func attributesLog(forPredictor fingerprint: String) -> String? {
        attributesLog.flatMap { $0.predictor == fingerprint ? $0.lines : nil }
    }

    // MARK: - training.json

    func json() throws -> Data {
        var document: [String: Any] = [
            "runs": runs.map { ["title": $0.title, "steps": $0.steps, "kimg": $0.kimg, "hours": $0.hours, "configuration": $0.configuration] as [String: Any] },
        ]
        if let stageOneNote { document["stage_one_note"] = stageOneNote }
        if let synthFacesStyle { document["synthfaces_style"] = synthFacesStyle.rawValue }
        if let generatorBefore { document["generator_before"] = generatorBefore }
        if let attributesLog { document["attributes_log"] = ["predictor": attributesLog.predictor, "lines": attributesLog.lines] }
        if let float16Precision { document["float16"] = ["max_difference": float16Precision.maxDifference, "psnr": float16Precision.psnr] }
        if let ablation {
            var entry: [String: Any] = ["steps": ablation.steps, "with": ablation.with, "without": ablation.without]
            if let ablationPredictorNote { entry["predictor_note"] = ablationPredictorNote }
            document["ablation"] = entry
        }
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }

    /// Reads a `training.json`; a file that is not one is a one-line error naming it and the field.
    static func read(contentsOf path: String) throws -> TrainingHistory {
        let name = URL(fileURLWithPath: path).lastPathComponent
        if let problem = FileKind.problemReading(path) { throw CommandErrors.Failure(message: "\(name): \(problem)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandErrors.Failure(message: "\(name): cannot read the file") }
        guard data.count <= 16 << 20 else { throw CommandErrors.Failure(message: "\(name): \(data.count) bytes; a training history is at most 16 MiB") }
        guard let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CommandErrors.Failure(message: "\(name): not a JSON object (a training.json written by package-model)")
        }
        var history = TrainingHistory()
        for (index, entry) in ((document["runs"] as? [Any]) ?? []).enumerated() {
            guard let run = entry as? [String: Any], let title = run["title"] as? String, let steps = run["steps"] as? Int,
                  let kimg = (run["kimg"] as? NSNumber)?.doubleValue, let hours = (run["hours"] as? NSNumber)?.doubleValue,
                  steps >= 0, kimg.isFinite, hours.isFinite else {
                throw CommandErrors.Failure(message: "\(name): runs[\(index)] needs a title, steps ≥ 0 and finite kimg and hours")
            }
            history.runs.append(Run(title: title, steps: steps, kimg: kimg, hours: hours, configuration: run["configuration"] as? [String: Any] ?? [:]))
        }
        history.stageOneNote = document["stage_one_note"] as? String
        if let value = document["synthfaces_style"] {
            guard let raw = value as? String, let style = RenderStyle(rawValue: raw) else {
                throw CommandErrors.Failure(message: "\(name): synthfaces_style must be one of \(RenderStyle.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            history.synthFacesStyle = style
        }
        history.generatorBefore = document["generator_before"] as? [String: Any]
        if let log = document["attributes_log"] as? [String: Any] {
            guard let predictor = log["predictor"] as? String, let lines = log["lines"] as? String else {
                throw CommandErrors.Failure(message: "\(name): attributes_log needs predictor and lines (strings)")
            }
            history.attributesLog = (predictor, lines)
        }
        if let precision = document["float16"] as? [String: Any] {
            guard let maxDifference = (precision["max_difference"] as? NSNumber)?.doubleValue, let psnr = (precision["psnr"] as? NSNumber)?.doubleValue,
                  maxDifference.isFinite, psnr.isFinite else {
                throw CommandErrors.Failure(message: "\(name): float16 needs finite max_difference and psnr")
            }
            history.float16Precision = (maxDifference, psnr)
        }
        if let ablation = document["ablation"] as? [String: Any] {
            guard let steps = ablation["steps"] as? Int, let with = ablation["with"] as? [String: Any], let without = ablation["without"] as? [String: Any] else {
                throw CommandErrors.Failure(message: "\(name): ablation needs steps, with and without")
            }
            history.ablation = (steps, with, without)
            history.ablationPredictorNote = ablation["predictor_note"] as? String
        }
        return history
    }
}
