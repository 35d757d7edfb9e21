import DefaultModel
import Foundation
import Perceptual
import Testing
import StylePrompterCLI

/// `label` (the predictor's attributes for images, a CSV `directions` reads) and the generator-
/// sample recipe it enables: generate → label → directions; `eval-synthfaces --directions` is
/// honoured with the bundled model too; `package-model` ships the result with its recipe in the card.
@Suite(.serialized) struct LabelCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("label-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    @Test func generatedSamplesGetLabelsAndDirections() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = folder.appendingPathComponent("samples")
        try run(["generate", "--generator", DefaultModel.model.path, "--seeds", "0-39", "--out", samples.path])
        let csv = samples.appendingPathComponent("labels.csv")
        try run(["label", samples.path, "--out", csv.path, "--batch", "16"])
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 41)
        #expect(lines[0].hasPrefix("file,") && lines[0].contains(",smile,") && lines[0].contains(",mouthOpen,"))
        #expect(lines[1].hasPrefix("seed0000.png,") && lines[1].split(separator: ",").count == lines[0].split(separator: ",").count)

        let directions = folder.appendingPathComponent("directions")
        try run(["directions", "--latents", samples.appendingPathComponent("latents.npy").path, "--labels", csv.path,
                 "--method", "normal", "--attributes", "mouthOpen", "--out", directions.path])
        #expect(FileManager.default.fileExists(atPath: directions.appendingPathComponent("mouthOpen.pt").path))

        // The bundled model, the directions just fitted (not the bundled ones).
        let report = folder.appendingPathComponent("eval.json")
        try run(["eval-synthfaces", "--directions", directions.path, "--count", "2", "--json", report.path])
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        let edits = document?["edits"] as? [String: Any]
        #expect(edits.map { Set($0.keys) } == ["mouthOpen"])

        // package-model ships the direction and says in the card how it was fitted.
        let shipped = folder.appendingPathComponent("package")
        // Without run folders, --history (the bundled training.json) supplies the training table,
        // the ablation and — the bundled weights being float16 already — the float16 measurement.
        try run(["package-model", "--model", DefaultModel.model.path, "--attributes", DefaultModel.attributes.path,
                 "--directions", directions.path, "--ship", "mouthOpen", "--evaluation", report.path,
                 "--history", DefaultModel.trainingHistory.path, "--out", shipped.path])
        for file in ["model.safetensors", "attributes.safetensors", "directions/mouthOpen.pt", "directions/directions.json", "evaluation.json", "training.json"] {
            #expect(FileManager.default.fileExists(atPath: shipped.appendingPathComponent(file).path), "\(file)")
        }
        let card = try String(contentsOf: shipped.appendingPathComponent("MODEL_CARD.md"), encoding: .utf8)
        let editRow = card.split(separator: "\n").filter { $0.hasPrefix("| mouthOpen |") }.last      // after the fidelity table's
        #expect(editRow?.contains("| InterFaceGAN normal on 40 generator samples labelled by the predictor |") == true, "\(editRow ?? "no mouthOpen row")")
        let bundledCard = try String(contentsOf: DefaultModel.card, encoding: .utf8)
        let carried = ["| generator | ", "| stage 1 | ", "| stage 2 | ", "Stage 2 (and so", "| with the attribute term |", "| MSE + W+ regulariser only |"]
        for line in bundledCard.split(separator: "\n") where carried.contains(where: { line.hasPrefix($0) }) || line.contains("PSNR float16 vs float32") {
            #expect(card.contains(line), "the repackaged card lost: \(line)")
        }
        // The bundled predictor's log lines come from the bundled training.json (no --attributes-log given).
        #expect(card.contains("## The attribute predictor") && card.contains("smile                  r 0.930") && card.contains("trained in 0.89 h"))
        let history = try JSONSerialization.jsonObject(with: Data(contentsOf: shipped.appendingPathComponent("training.json"))) as? [String: Any]
        let bundledHistory = try JSONSerialization.jsonObject(with: Data(contentsOf: DefaultModel.trainingHistory)) as? [String: Any]
        #expect((history?["runs"] as? [Any])?.count == (bundledHistory?["runs"] as? [Any])?.count && history?["ablation"] != nil && history?["float16"] != nil)
        #expect(history?["synthfaces_style"] as? String == (try DefaultModel.renderStyle().rawValue) && card.contains("classic proportions"))

        // A further run — an attribute fine-tune of the generator — joins the training table and the
        // card says what it did; with the generator's evaluation before it, the spread table has both.
        let fineTune = folder.appendingPathComponent("gan-attributes")
        try FileManager.default.createDirectory(at: fineTune.appendingPathComponent("samples"), withIntermediateDirectories: true)
        try Data("{\"step\": 10, \"kimg\": 0.32, \"seconds\": 36, \"images_per_second\": 9, \"terms\": {}}\n".utf8)
            .write(to: fineTune.appendingPathComponent("metrics.jsonl"))
        try Data("{\"kimg\": 0.32, \"attributes\": \"a.safetensors\", \"attributeWeight\": 50, \"holdGeneratorKimg\": 2, \"data\": \"synthfaces:4\"}".utf8)
            .write(to: fineTune.appendingPathComponent("config.json"))
        try Data(contentsOf: DefaultModel.folder.appendingPathComponent("samples.png")).write(to: fineTune.appendingPathComponent("samples/samples-00000010.png"))
        var evaluation = try #require(document)
        evaluation["generator_spread"] = ["smile": 0.93, "mouthOpen": 0.9, "roll": 0.6]
        evaluation["frechet_distance"] = 30.5
        let withSpread = folder.appendingPathComponent("eval-spread.json"), before = folder.appendingPathComponent("before.json")
        try JSONSerialization.data(withJSONObject: evaluation).write(to: withSpread)
        try JSONSerialization.data(withJSONObject: ["frechet_distance": 37.2, "generator_spread": ["smile": 0.59, "roll": 0.53]]).write(to: before)
        let again = folder.appendingPathComponent("package-again")
        try run(["package-model", "--model", DefaultModel.model.path, "--attributes", DefaultModel.attributes.path,
                 "--directions", directions.path, "--ship", "mouthOpen", "--evaluation", withSpread.path,
                 "--history", DefaultModel.trainingHistory.path, "--run", "generator, attribute fine-tune=\(fineTune.path)",
                 "--generator-before", before.path, "--out", again.path])
        let fineTuned = try String(contentsOf: again.appendingPathComponent("MODEL_CARD.md"), encoding: .utf8)
        #expect(fineTuned.contains("| generator, attribute fine-tune | 10 | 0.3 | 0.01 |"))
        #expect(fineTuned.contains("**attribute-statistics term** (weight 50"))
        #expect(fineTuned.contains("| mouthOpen | — | 0.90 |") && fineTuned.contains("| roll | 0.53 | 0.60 |") && fineTuned.contains("(FD 37.200)"))
        #expect(try Data(contentsOf: again.appendingPathComponent("samples.png")) == Data(contentsOf: DefaultModel.folder.appendingPathComponent("samples.png")))
        #expect(throws: CommandErrors.Failure.self) {
            try run(["package-model", "--model", DefaultModel.model.path, "--attributes", DefaultModel.attributes.path,
                     "--directions", directions.path, "--ship", "mouthOpen", "--evaluation", withSpread.path,
                     "--run", "no-equals-sign", "--out", folder.appendingPathComponent("package-bad").path])
        }
    }

    /// The history's predictor log describes the predictor it was written with: a packaging with
    /// another predictor (one weight changed) does not borrow its quality table or timing.
    @Test func anotherPredictorDoesNotBorrowTheLog() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (predictor, size) = try AttributePredictor.load(contentsOf: DefaultModel.attributes)
        let first = try #require(predictor.namedParameters().first?.tensor)
        var values = first.scalars
        values[0] += 0.5
        first.assign(values)
        let other = folder.appendingPathComponent("other.safetensors")
        try predictor.save(to: other, imageSize: size, halfPrecision: true)
        let out = folder.appendingPathComponent("package")
        try run(["package-model", "--model", DefaultModel.model.path, "--attributes", other.path,
                 "--directions", DefaultModel.directions.path, "--ship", "smile", "--evaluation", DefaultModel.folder.appendingPathComponent("evaluation.json").path,
                 "--history", DefaultModel.trainingHistory.path, "--out", out.path])
        let card = try String(contentsOf: out.appendingPathComponent("MODEL_CARD.md"), encoding: .utf8)
        #expect(!card.contains("## The attribute predictor") && !card.contains("trained in 0.89 h"))
        // An unreadable log is refused in one line before anything is written.
        let refused = folder.appendingPathComponent("refused")
        do {
            try run(["package-model", "--model", DefaultModel.model.path, "--attributes", other.path, "--attributes-log", folder.path,
                     "--directions", DefaultModel.directions.path, "--ship", "smile", "--evaluation", DefaultModel.folder.appendingPathComponent("evaluation.json").path,
                     "--out", refused.path])
            Issue.record("a folder was accepted as the predictor's log")
        } catch let failure as CommandErrors.Failure {
            #expect(failure.message.contains("attribute-predictor log") && !failure.message.contains("\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: refused.path))
    }

    /// A `--history` that is not a training.json is a one-line error naming it, and nothing is
    /// written to the output folder.
    @Test func aBadHistoryIsRefusedBeforeAnythingIsWritten() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("package")
        for (content, expected) in [("[1, 2]", "not a JSON object"), ("{\"runs\": [{\"title\": \"gan\", \"steps\": -1, \"kimg\": 1, \"hours\": 1}]}", "runs[0]"),
                                  ("{\"synthfaces_style\": \"huge\"}", "synthfaces_style")] {
            let bad = folder.appendingPathComponent("training.json")
            try Data(content.utf8).write(to: bad)
            do {
                try run(["package-model", "--model", DefaultModel.model.path, "--attributes", DefaultModel.attributes.path,
                         "--directions", DefaultModel.directions.path, "--ship", "smile", "--evaluation", DefaultModel.folder.appendingPathComponent("evaluation.json").path,
                         "--history", bad.path, "--out", out.path])
                Issue.record("a bad history was accepted: \(content)")
            } catch let failure as CommandErrors.Failure {
                #expect(failure.message.contains("training.json") && failure.message.contains(expected) && !failure.message.contains("\n"), "\(failure.message)")
            }
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    /// The renders a model was trained on travel with it: package-model reads them from the
    /// generator run's --data (or takes --style) and writes them to training.json and the card,
    /// where demo and eval-synthfaces find them.
    @Test func theRunsRenderStyleIsRecorded() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let gan = folder.appendingPathComponent("gan")
        try FileManager.default.createDirectory(at: gan, withIntermediateDirectories: true)
        try Data("{\"step\": 10, \"kimg\": 0.32, \"seconds\": 36, \"images_per_second\": 9, \"terms\": {}}\n".utf8)
            .write(to: gan.appendingPathComponent("metrics.jsonl"))
        try Data("{\"kimg\": 0.32, \"data\": \"synthfaces-large-mouth:1\"}".utf8).write(to: gan.appendingPathComponent("config.json"))
        for (extra, expected) in [([String](), "large-mouth"), (["--style", "classic"], "classic")] {
            let out = folder.appendingPathComponent("package-\(expected)")
            try run(["package-model", "--model", DefaultModel.model.path, "--gan", gan.path, "--attributes", DefaultModel.attributes.path,
                     "--directions", DefaultModel.directions.path, "--ship", "smile", "--evaluation", DefaultModel.folder.appendingPathComponent("evaluation.json").path,
                     "--out", out.path] + extra)
            let history = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("training.json"))) as? [String: Any]
            #expect(history?["synthfaces_style"] as? String == expected)
            let card = try String(contentsOf: out.appendingPathComponent("MODEL_CARD.md"), encoding: .utf8)
            #expect(card.contains("\(expected) proportions"))
        }
    }
}
