import ArgumentParser
import Checkpoints
import FileAccess
import Foundation
import Imaging
import Inversion
import StyleGAN
import StylePrompter
import Tensors

/// `styleprompter invert`: photos → W+ codes and reconstructions.
struct InvertCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "invert",
        abstract: "Invert photos into W+ and reconstruct them (SMART-refined unless --no-smart).",
        discussion: """
        Split a large folder over N jobs with --shard i/N (each writes OUT/shard-i-of-N), then assemble \
        latents.npy and names.txt in input order with --merge --out OUT. Under mpirun, --distributed does \
        both: rank r inverts shard r/N and rank 0 merges.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Image files or folders of images (aligned faces, or any photos with --align).") var inputs: [String] = []
    @Option(help: "Output folder.") var out: String
    @Option(help: "Photos per forward pass (results do not depend on it).") var batch: Int = 1
    @Flag(help: "Also write images.npy: float32 N×3×H×W at the generator's size, unclamped.") var saveRaw = false
    @Flag(help: "Write only latents.npy and names.txt: encode, skip decoding the reconstructions (faster), as e4e/ReStyle's --latents_only.") var latentsOnly = false
    @Option(help: "Resize the reconstruction PNGs to N×N (antialiased), as e4e/ReStyle's --resize_outputs.") var resizeOutputs: Int?
    @Option(help: "Invert only shard i of N of the inputs (every N-th, from the i-th), into OUT/shard-i-of-N.") var shard: String?
    @Flag(help: "Assemble the shards in --out (OUT/shard-i-of-N) into OUT: latents.npy and names.txt in input order.") var merge = false
    @OptionGroup var alignment: AlignOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var parallel: DistributedOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("invert: --batch must be at least 1") }
        if merge {
            guard inputs.isEmpty, shard == nil, !parallel.distributed else {
                throw ValidationError("invert: --merge takes only --out (the folder holding the shard-i-of-N folders)")
            }
            return
        }
        guard !inputs.isEmpty else { throw ValidationError("invert: give image files or folders to invert") }
        if let shard { _ = try InputShard(parsing: shard, command: "invert") }
        if shard != nil && parallel.distributed { throw ValidationError("invert: --distributed picks each rank's shard itself: drop --shard") }
        if latentsOnly && saveRaw { throw ValidationError("invert: --latents-only writes no images: drop --save-raw") }
        if latentsOnly && alignment.pasteBack { throw ValidationError("invert: --latents-only writes no images: drop --paste-back") }
        if latentsOnly && resizeOutputs != nil { throw ValidationError("invert: --latents-only writes no images: drop --resize-outputs") }
        try ArgumentChecks.resizeOutputs(resizeOutputs, command: "invert")
        try ArgumentChecks.outputFolder(out, command: "invert")
    }

    func execute() throws {
        try compute.apply()
        let outURL = URL(fileURLWithPath: out, isDirectory: true)
        if merge {
            let outcome = try ShardMerge.merge(into: outURL)
            print("merged \(outcome.shards) shards: latents.npy [\(outcome.rows), …] and names.txt in input order → \(outURL.path)")
            return
        }
        try parallel.runSharded(shard, command: "invert", threadsGiven: compute.threads != nil, work: invert(shard:)) {
            let outcome = try ShardMerge.merge(into: outURL)
            print("merged \(outcome.shards) ranks' shards: latents.npy [\(outcome.rows), …] and names.txt in input order → \(outURL.path)")
        }
    }

    /// Inverts the inputs (or `shard` of them, into its own folder inside `--out`).
    private func invert(shard: InputShard?) throws {
        let weights = try modelOptions.weights()
        let allItems = try CommandErrors.reporting { try PhotoInput.collect(inputs) }
        try ArgumentChecks.outputHoldsNoInput(out, inputs: allItems.map(\.url), command: "invert")
        let selected = shard.map { $0.select(allItems) } ?? allItems.enumerated().map { ($0.offset, $0.element) }
        let items = selected.map(\.item)
        let inputPosition = Dictionary(uniqueKeysWithValues: selected.map { ($0.item.name, $0.position) })
        let model = try modelOptions.load()
        let encoderInputs = try EncoderInputs(size: model.encoder.configuration.imageSize, options: alignment)
        let output = shard.map { URL(fileURLWithPath: out).appendingPathComponent($0.folderName).path } ?? out
        let fingerprint = try modelOptions.fingerprint(extra: [
            "preprocessing: RGB, EXIF orientation, antialiased bilinear resize to the encoder size",
            "align: \(alignment.align), all faces: \(alignment.detection.allFaces), detection side: \(alignment.detection.detectionSide), MTCNN: \(alignment.detection.mtcnn ?? "environment")",
            "paste back: \(alignment.pasteBack)",
            "resize outputs: \(resizeOutputs.map(String.init) ?? "no")",
        ])
        let run = try BatchRun(output: output, fingerprint: fingerprint)
        let inverter = Inverter(model: model, batchSize: batch, weights: weights)
        inverter.useSMART = !modelOptions.noSmart
        // A shard counts as finished only once this run records it again.
        if shard != nil { try? FileManager.default.removeItem(at: run.folder.appendingPathComponent(ShardRecord.fileName)) }
        if let shard { print("shard \(shard): \(items.count) of \(allItems.count) inputs → \(run.folder.path)") }
        let needed = ["latents.npy"] + (saveRaw ? ["raw.npy"] : [])
        func isDone(_ name: String) -> Bool {
            run.isDone(named: name, needing: needed)
                && (latentsOnly || FileManager.default.fileExists(atPath: run.folder.appendingPathComponent("\(name).png").path))
        }
        // Without --align each photo is one input named after it, so finished photos are skipped
        // unread; with it, the faces are found again (cheap) and finished faces skipped.
        let pending = alignment.align ? items : items.filter { !isDone($0.name) }
        if pending.count < items.count { print("resuming: \(items.count - pending.count) of \(items.count) already inverted") }

        let progress = Progress(total: pending.count, label: "invert")
        var names: [String: [String]] = [:]            // photo name → its inputs' names, in order
        var queue: [EncoderInput] = []
        var awaitingPaste: [PhotoInput.Item] = []
        func flush() throws {
            guard !queue.isEmpty else { return }
            let pictures = queue.map(\.image)
            if latentsOnly {
                for (input, face) in zip(queue, try inverter.encode(pictures)) { try run.writer.record(face.latents, for: input.name) }
            } else {
                for (input, face) in zip(queue, try inverter.invert(pictures)) {
                    try run.writer.write(ArgumentChecks.resized(face.reconstruction, to: resizeOutputs), as: "\(input.name).png")
                    if saveRaw { try run.writer.record(raw: face.raw, for: input.name) }
                    try run.writer.record(face.latents, for: input.name)
                }
            }
            queue.removeAll()
            // Photos whose faces are all inverted now get their pasted copy.
            for item in awaitingPaste {
                do { try pasteBack(item, faces: names[item.name] ?? [], run: run) } catch { run.fail(item, error) }
            }
            awaitingPaste.removeAll()
        }
        for item in pending {
            do {
                let found = try encoderInputs.inputs(from: item)
                names[item.name] = found.map(\.name)
                if alignment.align {
                    for input in found {
                        try input.image.write(to: run.folder.appendingPathComponent("\(input.name)_aligned.png"))
                        try AlignmentRecord.write(input, to: run.workFile(named: input.name, "alignment.json"))
                    }
                }
                queue += found.filter { !isDone($0.name) }
                if alignment.pasteBack && !found.isEmpty { awaitingPaste.append(item) }
            } catch {
                run.fail(item, error)
            }
            if queue.count >= batch { try flush() }
            progress.advance()
        }
        try flush()

        // Assemble the per-input results in input order.
        let done = items.flatMap { names[$0.name] ?? [$0.name] }.filter { isDone($0) }
        if let shard {
            var inputOf: [String: Int] = [:]
            for item in items { for name in names[item.name] ?? [item.name] { inputOf[name] = inputPosition[item.name] } }
            try ShardRecord(index: shard.index, count: shard.count, inputs: allItems.count,
                            inputsDigest: ShardRecord.digest(ofNames: allItems.map(\.name)), fingerprint: fingerprint,
                            rows: done.map { ShardRecord.Row(input: inputOf[$0] ?? 0, name: $0) },
                            arrays: done.isEmpty ? [] : ["latents.npy"] + (saveRaw ? ["images.npy"] : []), writesNames: true).write(to: run.folder)
        }
        if !done.isEmpty {
            let shape = try run.writer.writeLatents(names: done, raw: saveRaw)
            print("wrote \(latentsOnly ? "" : "\(done.count) reconstructions, ")latents.npy \(shape) and names.txt to \(run.folder.path)")
        }
        try run.finish(total: items.count)
    }

    /// The photo with each of its faces' reconstructions pasted back.
    private func pasteBack(_ item: PhotoInput.Item, faces: [String], run: BatchRun) throws {
        let results = try faces.map { name in
            (image: try Image(contentsOf: run.folder.appendingPathComponent("\(name).png")),
             alignment: try AlignmentRecord.read(run.workFile(named: name, "alignment.json")))
        }
        try EncoderInputs.pasteBack(results, photo: item, folder: run.folder)
    }
}
