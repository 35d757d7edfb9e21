import ArgumentParser
import Checkpoints
import DefaultModel
import Foundation
import Imaging
import Inversion
import Perceptual
import StyleGAN
import StylePrompter
import Tensors
import Training

/// `styleprompter edit`: invert photos, move their codes along a direction, decode with SMART
/// using each photo's own features.
struct EditCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit photos along an InterFaceGAN/W+ direction, a GANSpace component or a SeFa direction.",
        discussion: """
        Split a large folder over N jobs with --shard i/N (each writes OUT/shard-i-of-N), then gather the \
        images and edits_TAG.npy (input order) with --merge --out OUT. Under mpirun, --distributed does both.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Image files or folders of images (aligned faces, or any photos with --align).") var inputs: [String] = []
    @Option(help: "Direction file: InterFaceGAN [1,512], W+ [n,512] or flattened [1,n·512] (.pt/.npy/.safetensors).") var direction: String?
    @Option(help: "GANSpace PCA file {mean, comp, std}.") var ganspace: String?
    @Option(help: "GANSpace component index.") var component: Int?
    @Option(help: "W+ rows, first-last inclusive of first, exclusive of last as in e4e (e.g. 7-8): GANSpace's rows, or the only rows a --direction or --sefa edit moves (as `edit-rows` chooses them).") var layers: String?
    @Option(help: "SeFa: use the K-th closed-form direction of the generator (0 = strongest).") var sefa: Int?
    @Option(help: "Walk each face along its own direction of this attribute (a continuous reading of the attribute predictor, e.g. smile): per step the predictor's gradient through the generator on --layers' rows (default: all), the held readings' gradients projected out; strength = steps of one unit per row.")
    var walk: String?
    @Option(help: "With --walk: the readings to hold still (comma-separated; default: every other continuous reading).") var hold: String?
    @Option(help: "With --walk: the attribute predictor (train-attributes; default: the bundled one).") var attributes: String?
    @Option(parsing: .unconditional, help: "Strength: one value, or start:end:count for a sweep (e.g. -3:3:7).")
    var strength: String = "-3:3:7"
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Also write edits_TAG.npy: float32 inputs × strengths × 3 × H × W (inputs × 3 × H × W for one strength).") var saveRaw = false
    @Option(help: "Resize the written PNGs (edits, grid cells) to N×N (antialiased), as e4e/ReStyle's --resize_outputs.") var resizeOutputs: Int?
    @Option(help: "Edit only shard i of N of the inputs (every N-th, from the i-th), into OUT/shard-i-of-N.") var shard: String?
    @Flag(help: "Gather the shards in --out (OUT/shard-i-of-N) into OUT: their images, and edits_TAG.npy in input order.") var merge = false
    @OptionGroup var alignment: AlignOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var parallel: DistributedOptions

    func validate() throws {
        if merge {
            guard inputs.isEmpty, shard == nil, !parallel.distributed, direction == nil, ganspace == nil, sefa == nil, walk == nil else {
                throw ValidationError("edit: --merge takes only --out (the folder holding the shard-i-of-N folders)")
            }
            return
        }
        guard !inputs.isEmpty else { throw ValidationError("edit: give image files or folders to edit") }
        if let shard { _ = try InputShard(parsing: shard, command: "edit") }
        if shard != nil && parallel.distributed { throw ValidationError("edit: --distributed picks each rank's shard itself: drop --shard") }
        let chosen = [direction != nil, ganspace != nil, sefa != nil, walk != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("pass exactly one of --direction, --ganspace, --sefa and --walk") }
        if walk == nil, hold != nil || attributes != nil { throw ValidationError("edit: --hold and --attributes go with --walk") }
        if ganspace != nil && (component == nil || layers == nil) {
            throw ValidationError("--ganspace needs --component and --layers")
        }
        let strengths = try ArgumentChecks.strengths(strength, command: "edit")
        if walk != nil, let absurd = strengths.first(where: { abs($0) > AttributeWalk.maximumStrength }) {
            throw ValidationError("edit: --walk takes strengths within ±\(Int(AttributeWalk.maximumStrength)) (steps of one unit per row), not \(absurd)")
        }
        if let layers { _ = try ArgumentChecks.rowRange(layers, command: "edit") }
        if let component, component < 0 { throw ValidationError("edit: --component \(component) is negative") }
        if let sefa, !(0..<4096).contains(sefa) { throw ValidationError("edit: --sefa \(sefa) is outside 0…4095") }
        try ArgumentChecks.resizeOutputs(resizeOutputs, command: "edit")
        try ArgumentChecks.outputFolder(out, command: "edit")
    }

    /// The edit's name in output files (`NAME_TAG_+1.00.png`): the direction file's base name,
    /// `ganspace-C<component>-L<a>-<b>`, `sefa-K` or `walk-ATTRIBUTE`, so that edits along several directions can
    /// share a folder.
    var tag: String {
        if let direction {
            let base = URL(fileURLWithPath: direction).deletingPathExtension().lastPathComponent
            let safe = Self.fileNameSafe(base)
            return (safe.isEmpty ? "direction" : safe) + rowsTag
        }
        if ganspace != nil, let component, let layers, let range = try? ArgumentChecks.rowRange(layers, command: "edit") {
            return "ganspace-C\(component)-L\(range.lowerBound)-\(range.upperBound)"
        }
        if let walk {
            return "walk-" + Self.fileNameSafe(walk) + rowsTag
        }
        return "sefa-\(sefa ?? 0)" + rowsTag
    }

    /// `text` with every character but letters, digits and `-_.+` made `-`: a piece of a file name.
    private static func fileNameSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "-_.+".unicodeScalars.contains($0) ? Character($0) : "-" })
    }

    /// `-L<a>-<b>` when --layers restricts a direction or SeFa edit to rows a..<b.
    private var rowsTag: String {
        guard let layers, let range = try? ArgumentChecks.rowRange(layers, command: "edit") else { return "" }
        return "-L\(range.lowerBound)-\(range.upperBound)"
    }

    /// A vector edit on --layers' rows only, when given.
    private func restrictedToLayers(_ direction: Tensor, _ model: StylePrompterModel) throws -> Tensor {
        guard let layers else { return direction }
        let config = model.generator.configuration
        do {
            return try LatentEditing.restricted(direction, to: try ArgumentChecks.rowRange(layers, command: "edit"),
                                                rows: config.latentCount, dimension: config.styleDimension)
        } catch let error as EditError {
            throw CommandErrors.Failure(message: "edit: --layers \(layers): \(error.description)")
        }
    }

    func execute() throws {
        try compute.apply()
        let outURL = URL(fileURLWithPath: out, isDirectory: true)
        if merge {
            for tag in try ShardMerge.editTags(in: outURL) {
                let outcome = try ShardMerge.merge(into: outURL, record: ShardRecord.editFileName(tag: tag), command: "edit")
                print("merged \(outcome.shards) shards of the \(tag) edits (\(outcome.rows) inputs) → \(outURL.path)")
            }
            return
        }
        try parallel.runSharded(shard, command: "edit", threadsGiven: compute.threads != nil, work: edit(shard:)) {
            let outcome = try ShardMerge.merge(into: outURL, record: ShardRecord.editFileName(tag: tag), command: "edit")
            print("merged \(outcome.shards) ranks' shards of the \(tag) edits (\(outcome.rows) inputs) → \(outURL.path)")
        }
    }

    /// Edits the inputs (or `shard` of them, into its own folder inside `--out`).
    private func edit(shard: InputShard?) throws {
        let tag = self.tag
        let weights = try modelOptions.weights()
        let strengths = try ArgumentChecks.strengths(strength, command: "edit")
        let allItems = try CommandErrors.reporting { try PhotoInput.collect(inputs) }
        try ArgumentChecks.outputHoldsNoInput(out, inputs: allItems.map(\.url), command: "edit")
        let selected = shard.map { $0.select(allItems) } ?? allItems.enumerated().map { ($0.offset, $0.element) }
        let items = selected.map(\.item)
        let model = try modelOptions.load()
        let move = try CommandErrors.reporting { try makeMove(model) }
        let run = try BatchRun(output: shard.map { URL(fileURLWithPath: out).appendingPathComponent($0.folderName).path } ?? out)
        let recordName = ShardRecord.editFileName(tag: tag)
        if shard != nil { try? FileManager.default.removeItem(at: run.folder.appendingPathComponent(recordName)) }
        var rows: [ShardRecord.Row] = []
        let progress = Progress(total: items.count, label: "edit")
        var rawEdits: [Tensor] = []
        let encoderInputs = try EncoderInputs(size: model.encoder.configuration.imageSize, options: alignment)
        var edited = 0
        for (position, item) in selected {
            defer { progress.advance() }
            do {
                var results: [(reconstruction: Image, edits: [Image], input: EncoderInput)] = []
                for input in try encoderInputs.inputs(from: item) {
                    let (reconstruction, edits) = try GradientMode.withoutGradients { () throws -> (Tensor, [Tensor]) in
                        let encoded = model.encode(input.image.tensor())
                        let reconstruction = model.decode(encoded, weights: weights, useSMART: !modelOptions.noSmart)
                        let edits = try strengths.map { alpha in
                            let moved = EncodedImages(latents: try move(encoded.latents, alpha), features: encoded.features)
                            return model.decode(moved, weights: weights, useSMART: !modelOptions.noSmart)
                        }
                        return (reconstruction, edits)
                    }
                    let size = reconstruction.shape[2]
                    let editImages = try edits.map { try Image.images(from: $0)[0] }
                    for (alpha, image) in zip(strengths, editImages) {
                        try ArgumentChecks.resized(image, to: resizeOutputs)
                            .write(to: run.folder.appendingPathComponent("\(input.name)_\(tag)_\(String(format: "%+.2f", alpha)).png"))
                    }
                    let reconstructed = try Image.images(from: reconstruction)[0]
                    let cell = resizeOutputs ?? size
                    let row = ([input.image, reconstructed] + editImages).map { $0.width == cell && $0.height == cell ? $0 : $0.resized(width: cell, height: cell) }
                    try ImageGrid.make(rows: [row]).write(to: run.folder.appendingPathComponent("\(input.name)_\(tag)_grid.png"))
                    if saveRaw { rawEdits.append(Tensor.concat(edits, axis: 0).unsqueeze(0)) }
                    results.append((reconstructed, editImages, input))
                    rows.append(ShardRecord.Row(input: position, name: input.name))
                    edited += 1
                }
                if alignment.pasteBack {
                    // One pasted photo per strength (every face at that strength), and the reconstruction.
                    let faces = results.compactMap { r in r.input.alignment.map { (r, $0) } }
                    try EncoderInputs.pasteBack(faces.map { ($0.0.reconstruction, $0.1) }, photo: item, folder: run.folder)
                    for (index, alpha) in strengths.enumerated() {
                        try EncoderInputs.pasteBack(faces.map { ($0.0.edits[index], $0.1) }, photo: item,
                                                    suffix: "_\(tag)_\(String(format: "%+.2f", alpha))", folder: run.folder)
                    }
                }
            } catch {
                run.fail(item, error)
            }
        }
        if saveRaw && !rawEdits.isEmpty {
            var stacked = Tensor.concat(rawEdits, axis: 0)                    // [inputs, strengths, 3, H, W]
            if strengths.count == 1 { stacked = stacked.squeeze(1) }
            try NumpyFile.write(StoredTensor(stacked), to: run.folder.appendingPathComponent("edits_\(tag).npy"))
        }
        print("wrote grids (input | inversion | \(strengths.count) edits along \(tag)) for \(edited) " + (alignment.align ? "faces" : "photos") + " to \(run.folder.path)")
        if let shard {
            let fingerprint = try modelOptions.fingerprint(extra: [
                "edit \(tag), strengths \(strengths), resize \(resizeOutputs.map(String.init) ?? "no"), raw \(saveRaw)",
                "align: \(alignment.align), all faces: \(alignment.detection.allFaces), paste back: \(alignment.pasteBack)",
            ])
            try ShardRecord(index: shard.index, count: shard.count, inputs: allItems.count,
                            inputsDigest: ShardRecord.digest(ofNames: allItems.map(\.name)), fingerprint: fingerprint, rows: rows,
                            arrays: saveRaw && !rows.isEmpty ? ["edits_\(tag).npy"] : [], writesNames: false)
                .write(to: run.folder, name: recordName)
        }
        try run.finish(total: items.count)
    }

    /// How a code moves by a strength: the library's `Edit`, or an `AttributeWalk`.
    func makeMove(_ model: StylePrompterModel) throws -> (Tensor, Float) throws -> Tensor {
        guard let walk else {
            let edit = try makeEdit(model)
            return { try edit.apply(to: $0, strength: $1, generator: model.generator) }
        }
        let file = attributes.map { URL(fileURLWithPath: $0) } ?? DefaultModel.attributes
        let (predictor, size) = try AttributePredictor.load(contentsOf: file)
        let config = model.generator.configuration
        let rows = try layers.map { try ArgumentChecks.rowRange($0, command: "edit") } ?? 0..<config.latentCount
        let walker: AttributeWalk
        do {
            walker = try AttributeWalk(generator: model.generator, predictor: predictor, predictorSize: size, attribute: walk,
                                       hold: hold.map(ArgumentChecks.names), rows: rows)
        } catch let error as AttributeWalkError {
            throw CommandErrors.Failure(message: "edit: --walk \(walk) with \(file.lastPathComponent): \(error.description)")
        }
        return { codes, strength in try walker.walk(codes, strength: strength) }
    }

    /// The library's `Edit` for the options given (SeFa's direction worked out once).
    func makeEdit(_ model: StylePrompterModel) throws -> Edit {
        if let direction {
            guard let d = try DirectionFile.vector(at: URL(fileURLWithPath: direction), fitting: model) else {
                throw CommandErrors.Failure(message: "edit: \(direction) is a GANSpace PCA file: pass it with --ganspace, --component and --layers")
            }
            return .direction(try restrictedToLayers(d, model))
        }
        if let ganspace {
            guard case .ganspace(let pca) = try EditDirection.load(contentsOf: URL(fileURLWithPath: ganspace)) else {
                throw CommandErrors.Failure(message: "edit: \(ganspace) is not a GANSpace {mean, comp, std} file")
            }
            return .ganspace(pca, component: component!, layers: try ArgumentChecks.rowRange(layers!, command: "edit"))
        }
        let resolved: Edit
        do { resolved = try Edit.sefa(index: sefa!).resolved(for: model.generator) } catch let error as EditError {
            throw CommandErrors.Failure(message: "edit: --sefa \(sefa!): \(error)")
        }
        guard case .direction(let d) = resolved else { return resolved }
        return .direction(try restrictedToLayers(d, model))
    }
}
