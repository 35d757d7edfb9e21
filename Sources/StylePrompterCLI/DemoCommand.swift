import ArgumentParser
import CPUKernels
import StylePrompter
import DefaultModel
import FileAccess
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
/// Photos given as arguments are inverted and edited (smile) too, through the library's
/// `Inverter` — the default model knows cartoon faces, not photographs, and says so.
struct DemoCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Invert and edit fresh faces with the bundled default model; writes a grid, metrics and an HTML page.")

    @Argument(help: "Photos to invert and edit as well (aligned faces; the default model was trained on SynthFaces).") var inputs: [String] = []
    @Option(help: "Output folder.") var out: String = "styleprompter-demo"
    @Option(help: "Fresh SynthFaces to render and invert.") var faces: Int = 6
    @Option(help: "Edit strength (distance along each unit direction in W; the default model's faces spread 2–3 along each; its SMART was trained to keep edits, so ±10 shows them plainly).") var strength: Float = 10
    @Option(help: "StylePrompter model (default: the bundled one).") var model: String?
    @OptionGroup var renders: RenderStyleOption
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
                guard let url = DefaultModel.editDirection(name), case .vector(let direction) = try EditDirection.load(contentsOf: url) else {
                    throw CommandErrors.Failure(message: "the bundled model has no direction '\(name)' in \(DefaultModel.directions.path)")
                }
                edits.append((name, direction))
            }
            let demo = SynthFacesDemo(model: stylePrompter, predictor: predictor, predictorSize: predictorSize,
                                      style: try renders.resolved(bundled: model == nil))
            let result = try demo.run(count: faces, edits: edits, strength: strength)
            let page = DemoPage(result: result, titles: DefaultModel.demoEdits.map(\.title), cardURL: DefaultModel.card,
                                modelName: model ?? "the bundled default model")
            try page.grid().write(to: folder.appendingPathComponent("faces.png"))
            try AtomicFile.write(Array(page.html().utf8), to: folder.appendingPathComponent("index.html"))
            try AtomicFile.write(Array(try page.metricsJSON()), to: folder.appendingPathComponent("metrics.json"))
            print(page.metricsTable())
        }
        if !inputs.isEmpty { try invertAndEditPhotos(into: folder.appendingPathComponent("photos", isDirectory: true)) }
        print(String(format: "demo finished in %.1f s (kernels %@, %d threads): open %@ (faces.png: input | stage 1 | SMART | each edit at −%g and +%g; metrics.json)",
                     Date().timeIntervalSince(started), KernelDispatch.level.rawValue, Parallel.threadCount,
                     folder.appendingPathComponent("index.html").path, Double(strength), Double(strength)))
    }

    /// Each photo: its reconstruction and the smile edit at ∓strength, as `NAME_inverted.png`,
    /// `NAME_smile_-10.png`, `NAME_smile_+10.png`; a photo that fails is reported and skipped.
    func invertAndEditPhotos(into photos: URL) throws {
        try CommandErrors.reporting {
            try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
            let items = try PhotoInput.collect(inputs)
            let inverter = try Inverter(contentsOf: model.map { try RunOutputs.file($0, exported: "model.safetensors") } ?? DefaultModel.model)
            guard let smileFile = DefaultModel.editDirection("smile") else {
                throw CommandErrors.Failure(message: "the bundled smile direction is missing from \(DefaultModel.directions.path)")
            }
            let smile = try Edit.load(contentsOf: smileFile)
            var failures: [String] = []
            for item in items {
                do {
                    let face = try inverter.invert(contentsOf: [item.url])[0]
                    try face.reconstruction.write(to: photos.appendingPathComponent("\(item.name)_inverted.png"))
                    for s in [-strength, strength] {
                        let edited = try inverter.render(face, edit: smile, strength: s)
                        try edited.write(to: photos.appendingPathComponent("\(item.name)_smile_\(String(format: "%+g", Double(s))).png"))
                    }
                } catch {
                    let reason = "\(error)"   // most errors name the file already
                    failures.append(reason.contains(item.url.lastPathComponent) ? reason : "\(item.url.path): \(reason)")
                }
            }
            print("inverted and edited \(items.count - failures.count) of \(items.count) photos into \(photos.path)")
            for failure in failures { print("failed: \(failure)") }
            if !failures.isEmpty && failures.count == items.count { throw CommandErrors.Failure(message: "no photo could be inverted") }
        }
    }
}
