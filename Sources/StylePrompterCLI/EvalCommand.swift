import ArgumentParser
import FileAccess
import Foundation
import Imaging
import Inversion
import Perceptual
import Tensors

/// `styleprompter eval`: reconstruction quality of a model on a folder of photos, with the
/// conventions of the GAN-inversion literature (REFERENCE §5): metrics at 256 px on [−1, 1].
struct EvalCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure MSE, PSNR, SSIM, MS-SSIM (and LPIPS, ID similarity) of inversions at the encoder's input size (256 px as released), with time per image.",
        discussion: """
        Split a large folder over N jobs with --shard i/N --json SHARD_i.json (each writes its photos' values), \
        then print and write the whole summary with eval --merge SHARD_0.json … [--json F]. Under mpirun, \
        --distributed does both (rank 0 prints and writes --json).
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Folder (or file) of photos to invert and compare.") var images: [String] = []
    @Option(help: "LPIPS weights: the AlexNet trunk and the linear heads (v0.1_alex.pth), one file or two (repeat the option).")
    var lpips: [String] = []
    @Option(help: "IR-SE50 ArcFace weights in pSp's model_ir_se50.pth layout, for ID similarity.") var arcface: String?
    @Option(help: "Also write the summary (and per-image values) as JSON here.") var json: String?
    @Option(help: "Evaluate only shard i of N of the photos (every N-th, from the i-th); --json then receives the shard's record for --merge.") var shard: String?
    @Flag(help: "Merge the shard records given as arguments into the whole summary.") var merge = false
    @Argument(help: "With --merge: the shard records (eval --shard i/N --json FILE).") var shardRecords: [String] = []
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var parallel: DistributedOptions

    func validate() throws {
        if merge {
            guard images.isEmpty, shard == nil, !parallel.distributed, !shardRecords.isEmpty else {
                throw ValidationError("eval: --merge takes the shard records (and --json), not --images, --shard or --distributed")
            }
            return
        }
        guard shardRecords.isEmpty else { throw ValidationError("eval: files are given with --images (arguments are shard records for --merge)") }
        guard !images.isEmpty else { throw ValidationError("eval: give --images (a folder or files of photos)") }
        if let shard {
            _ = try InputShard(parsing: shard, command: "eval")
            guard json != nil else { throw ValidationError("eval: --shard needs --json FILE to hold the shard's record") }
            guard !parallel.distributed else { throw ValidationError("eval: --distributed picks each rank's shard itself: drop --shard") }
        }
    }

    func execute() throws {
        try compute.apply()
        if merge {
            let records = try shardRecords.map { path -> (record: EvalShardRecord, source: String) in
                guard let data = try ShardRecord.readBytes(URL(fileURLWithPath: path)) else { throw CommandErrors.Failure(message: "\(path): no such file") }
                return (try EvalShardRecord.decode(data, source: path), path)
            }
            let (summary, failures) = try EvalShardRecord.merge(records)
            try report(summary, failures: failures, total: records[0].record.inputs)
            return
        }
        let world = try parallel.communicator(threadsGiven: compute.threads != nil)
        try DistributedOptions.run(on: world) {
            let share = try shard.map { try InputShard(parsing: $0, command: "eval") }
                ?? (world.size > 1 ? InputShard(index: world.rank, count: world.size) : nil)
            let (summary, record) = try evaluate(shard: share)
            if world.size > 1 {
                // Every rank's record reaches rank 0 (one broadcast per rank: no files needed).
                var records: [(record: EvalShardRecord, source: String)] = []
                let mine = String(decoding: try EvalShardRecord.encoder().encode(record), as: UTF8.self)
                for rank in 0..<world.size {
                    let text = world.broadcast(rank == world.rank ? mine : "", root: rank)
                    records.append((try EvalShardRecord.decode(Data(text.utf8), source: "rank \(rank)"), "rank \(rank)"))
                }
                guard world.isRoot else { return }
                let (merged, failures) = try EvalShardRecord.merge(records)
                try report(merged, failures: failures, total: record.inputs)
            } else if share != nil {
                print(summary.table())
                try AtomicFile.write(Array(try EvalShardRecord.encoder().encode(record)), to: URL(fileURLWithPath: json!))
                print("wrote shard \(record.index)/\(record.count)'s record (\(record.positions.count) photos) to \(json!); merge the shards with eval --merge")
                try failIfAny(record.failures, total: record.positions.count + record.failures.count)
            } else {
                try report(summary, failures: record.failures, total: record.inputs)
            }
        }
    }

    /// Prints the table, writes `--json`, and fails (after both) when photos failed.
    private func report(_ summary: MetricSummary, failures: [[String]], total: Int) throws {
        print(summary.table())
        if !summary.names.contains("lpips") || !summary.names.contains("id_similarity") {
            print("(LPIPS needs --lpips with the AlexNet trunk and heads; ID similarity needs --arcface.)")
        }
        if let json {
            try AtomicFile.write(Array(try summary.jsonData(includeValues: true)), to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
        try failIfAny(failures, total: total)
    }

    private func failIfAny(_ failures: [[String]], total: Int) throws {
        guard !failures.isEmpty else { return }
        throw CommandErrors.Failure(message: "\(failures.count) of \(total) photos failed: " + failures.map { "\($0[0]) (\($0.count > 1 ? $0[1] : ""))" }.joined(separator: "; "))
    }

    /// Evaluates the photos (or `shard` of them): the summary, and the record of the values.
    private func evaluate(shard: InputShard?) throws -> (MetricSummary, EvalShardRecord) {
        let weights = try modelOptions.weights()
        let allItems = try CommandErrors.reporting { try PhotoInput.collect(images) }
        let selected = shard.map { $0.select(allItems) } ?? allItems.enumerated().map { ($0.offset, $0.element) }
        let items = selected.map(\.item)
        var positions: [Int] = []
        let model = try modelOptions.load()
        let perceptual = try lpips.isEmpty ? nil : CommandErrors.reporting { try LPIPS.load(from: lpips.map { URL(fileURLWithPath: $0) }) }
        let identity = try arcface.map { path in
            StatusLine.loading("ArcFace", path)
            return try CommandErrors.reporting { IdentityLoss(facenet: try IRSEBackbone.load(contentsOf: URL(fileURLWithPath: path))) }
        }
        perceptual?.eval()
        identity?.facenet.eval()

        let metrics = InversionMetrics(lpips: perceptual, identity: identity)
        var summary = MetricSummary()
        var failures: [(String, String)] = []
        let progress = Progress(total: items.count, label: "eval")
        for (position, item) in selected {
            defer { progress.advance() }
            do {
                let side = model.encoder.configuration.imageSize
                let target = try Image.encoderInput(contentsOf: item.url, size: side).tensor     // [1, 3, S, S] (256 as released)
                let start = Date()
                let reconstruction = GradientMode.withoutGradients {
                    model(target, weights: weights, useSMART: !modelOptions.noSmart).image
                }
                summary.add("seconds", Date().timeIntervalSince(start))
                let output = GradientMode.withoutGradients { reconstruction.adaptiveAveragePool2d(outputHeight: side, outputWidth: side) }
                metrics.evaluate(output, target, into: &summary)
                positions.append(position)
            } catch {
                failures.append((item.url.lastPathComponent, "\(error)"))
                StatusLine.write("skipping \(item.url.lastPathComponent): \(error)")
            }
        }
        let fingerprint = try modelOptions.fingerprint(extra: ["eval: lpips \(lpips), arcface \(arcface ?? "none")"])
        let record = EvalShardRecord(index: shard?.index ?? 0, count: shard?.count ?? 1, inputs: allItems.count,
                                     inputsDigest: ShardRecord.digest(ofNames: allItems.map(\.name)), fingerprint: fingerprint,
                                     positions: positions, metrics: summary.names, values: summary.values,
                                     failures: failures.map { [$0.0, $0.1] })
        return (summary, record)
    }
}
