import FileAccess
import Foundation
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

    /// The summary of every run folder that has logs, in the given order.
    static func fromRuns(_ folders: [(title: String, folder: String?)]) -> TrainingHistory {
        var history = TrainingHistory()
        for (title, folder) in folders {
            guard let folder, let summary = ModelCard.summary(of: folder) else { continue }
            history.runs.append(Run(title: title, steps: summary.steps, kimg: summary.kimg, hours: summary.hours, configuration: summary.configuration))
        }
        history.stageOneNote = ModelCard.stageOneCheckpointNote(runs: folders)
        return history
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
        return merged
    }

    // MARK: - training.json

    func json() throws -> Data {
        var document: [String: Any] = [
            "runs": runs.map { ["title": $0.title, "steps": $0.steps, "kimg": $0.kimg, "hours": $0.hours, "configuration": $0.configuration] as [String: Any] },
        ]
        if let stageOneNote { document["stage_one_note"] = stageOneNote }
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
