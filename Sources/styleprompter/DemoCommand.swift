import ArgumentParser
import DefaultModel
import Foundation
import Imaging
import Perceptual
import StyleGAN
import Tensors
import Training

/// The README's main command: the bundled default model (a StylePrompter this project trained
/// on SynthFaces) inverts fresh faces, edits them along the shipped directions, and writes a
/// grid, a metrics table and an HTML page — no arguments, no downloads.
///
/// Photos given as arguments are inverted and edited too (through `invert` and `edit`), with
/// the caveat the page states: the default model knows cartoon faces, not photographs.
struct DemoCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Invert and edit fresh faces with the bundled default model; writes a grid, metrics and an HTML page.")

    @Argument(help: "Photos to invert and edit as well (aligned faces; the default model was trained on SynthFaces).") var inputs: [String] = []
    @Option(help: "Output folder.") var out: String = "styleprompter-demo"
    @Option(help: "Fresh SynthFaces to render and invert.") var faces: Int = 6
    @Option(help: "Edit strength (distance along each unit direction in W; the default model's faces spread 2–3 along each, and SMART pulls edits back towards the input).") var strength: Float = 10
    @Option(help: "StylePrompter model (default: the bundled one).") var model: String?
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (1...64).contains(faces) else { throw ValidationError("demo: --faces must be in 1…64, got \(faces)") }
        guard strength.isFinite, strength > 0, strength <= 100 else { throw ValidationError("demo: --strength must be in (0, 100], got \(strength)") }
    }

    func execute() throws {
        try compute.apply()
        let started = Date()
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try CommandErrors.reporting {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var options = try ModelOptions.parse(model.map { ["--model", $0] } ?? [])
            options.noSmart = false
            let stylePrompter = try options.load()
            StatusLine.loading("attribute predictor", DefaultModel.attributes.path)
            let (predictor, predictorSize) = try AttributePredictor.load(contentsOf: DefaultModel.attributes)
            var edits: [(name: String, direction: Tensor)] = []
            for (name, _) in DefaultModel.demoEdits {
                guard let url = DefaultModel.direction(name), case .vector(let direction) = try EditDirection.load(contentsOf: url) else {
                    throw CommandErrors.Failure(message: "the bundled model has no direction '\(name)' in \(DefaultModel.directions.path)")
                }
                edits.append((name, direction))
            }
            let demo = SynthFacesDemo(model: stylePrompter, predictor: predictor, predictorSize: predictorSize)
            let result = try demo.run(count: faces, edits: edits, strength: strength)
            let page = DemoPage(result: result, titles: DefaultModel.demoEdits.map(\.title), cardURL: DefaultModel.card,
                                modelName: model ?? "the bundled default model")
            try page.grid().write(to: folder.appendingPathComponent("faces.png"))
            try AtomicFile.write(Array(page.html().utf8), to: folder.appendingPathComponent("index.html"))
            try AtomicFile.write(Array(try page.metricsJSON()), to: folder.appendingPathComponent("metrics.json"))
            print(page.metricsTable())
        }
        if !inputs.isEmpty {
            let threads = compute.threads.map { ["--threads", String($0)] } ?? []
            let modelArguments = model.map { ["--model", $0] } ?? []
            var invert = try InvertCommand.parse(modelArguments + inputs + ["--out", folder.appendingPathComponent("photos-inverted").path] + threads)
            try invert.run()
            guard let smile = DefaultModel.direction("smile") else { throw CommandErrors.Failure(message: "demo: the bundled smile direction is missing") }
            var edit = try EditCommand.parse(modelArguments + inputs + ["--direction", smile.path, "--strength", "-\(strength):\(strength):5",
                                                                        "--out", folder.appendingPathComponent("photos-edited").path] + threads)
            try edit.run()
        }
        print(String(format: "demo finished in %.1f s: open %@ (faces.png: input | stage 1 | SMART | each edit at −%g and +%g; metrics.json)",
                     Date().timeIntervalSince(started), folder.appendingPathComponent("index.html").path, Double(strength), Double(strength)))
    }
}
