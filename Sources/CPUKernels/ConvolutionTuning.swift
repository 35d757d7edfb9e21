import Dispatch
import Foundation

/// Chooses the direct convolution's register tile for each layer shape, once per process.
///
/// Two stages, as FFTW's planner and ATLAS do it: a model gives every level a default (the
/// shape that wastes the least of its tile on the layer's channel and pixel counts — 8 × 32 for
/// a 32-channel layer with AVX-512, where 6 × 32 computes 36 channels for 32), and at first use
/// of a large layer the candidates are timed on that very call's data (a few output rows each,
/// one thread, the best of three rounds) and the fastest is kept for every later call of the
/// same shape. Every tile shape computes the same bits, so the choice never changes a result —
/// only how fast it comes. `STYLEPROMPTER_TUNING=estimate` skips the timing (the model only).
package enum ConvolutionTuning {
    package enum Mode: String, CaseIterable, Sendable {
        /// Time the candidates at first use of a large layer (the default).
        case measure
        /// The model's choice only: no timing, the same choice on every run.
        case estimate
    }

    package static let environmentVariable = "STYLEPROMPTER_TUNING"

    /// Why `STYLEPROMPTER_TUNING` cannot be honoured.
    package struct ModeError: Error, CustomStringConvertible {
        package let description: String
    }

    /// The mode `environment` asks for (nil when it asks for none).
    package static func requestedMode(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ModeError) -> Mode? {
        try EnvironmentSetting.value(of: environmentVariable, in: environment) { raw, names in
            ModeError(description: "\(environmentVariable)=\(raw) is not a tuning mode; expected one of \(names) (or unset for measure)")
        }
    }

    /// The mode in use (a bad value stops the process; the command-line tool checks it first).
    package static let mode: Mode = {
        do { return try requestedMode() ?? .measure } catch { fatalError("\(error)") }
    }()

    /// What a choice depends on: the per-row work. Batch and height only repeat it.
    struct Key: Hashable {
        let inputChannels: Int, outputChannels: Int, kernelHeight: Int, kernelWidth: Int, outputWidth: Int
        init(_ g: ConvolutionGeometry) {
            inputChannels = g.inputChannelsPerGroup
            outputChannels = g.outputChannelsPerGroup
            kernelHeight = g.kernelHeight
            kernelWidth = g.kernelWidth
            outputWidth = g.outputWidth
        }
        /// How the tuning file names the layer.
        var text: String { "\(inputChannels),\(outputChannels),\(kernelHeight),\(kernelWidth),\(outputWidth)" }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var choices: [Key: ConvolutionTileShape] = [:]
    nonisolated(unsafe) private static var log: [String] = []

    /// Layers below this many FLOPs take the model's choice: timing would cost more than it saves.
    package static let measuredFlops = 200e6
    /// FLOPs each timed trial covers (≈ 0.05–0.1 ms on one core).
    static let trialFlops = 8e6
    /// Output channels of a trial: a multiple of every candidate's channel count (3, 4, 6, 8), so
    /// that no candidate wastes any of its tile and the trial measures its speed alone.
    static let trialChannels = 48

    /// The tile for `g`: cached, else chosen. A large layer's contenders (those the model puts
    /// within 25 % of the best) are timed by `measure` — by default `trialNanoseconds`, a few rows
    /// of the layer's own shape on scratch data, one thread — and each time is divided by the
    /// shape's useful share of the layer's work. With a `file` (the convolutions pass
    /// `TuningCache.shared`), a choice an earlier process timed on this machine is taken from it
    /// without timing, and a new one is added to it.
    package static func shape(for g: ConvolutionGeometry, file: TuningCache? = nil,
                              measure: ((ConvolutionTileShape) -> UInt64)? = nil) -> ConvolutionTileShape {
        let measure = measure ?? { trialNanoseconds($0, like: g) }
        let key = Key(g)
        lock.lock()
        if let chosen = choices[key] { lock.unlock(); return chosen }
        lock.unlock()
        let ranked = rankedCandidates(g)
        var chosen = ranked[0].shape
        var how = "estimated"
        let contenders = ranked.filter { $0.efficiency >= 0.75 * ranked[0].efficiency }
        let timed = mode == .measure && g.flops >= measuredFlops && contenders.count > 1
        if timed, let file, let text = file.choice(for: key.text),
           let remembered = contenders.first(where: { $0.shape.description == text }) {
            chosen = remembered.shape
            how = "timed by an earlier run, \(file.url.path)"
        } else if timed {
            _ = measure(contenders[0].shape)                        // warm-up: fresh scratch pages fault here
            var best = [UInt64](repeating: .max, count: contenders.count)
            for _ in 0..<3 {
                for (index, candidate) in contenders.enumerated() {
                    best[index] = min(best[index], measure(candidate.shape))
                }
            }
            let scores = zip(best, contenders).map { Double($0) / $1.efficiency }
            chosen = contenders[scores.indices.min { scores[$0] < scores[$1] }!].shape
            how = "measured " + zip(contenders, scores).map { "\($0.shape) \(String(format: "%.0f", $1 / 1000)) µs" }.joined(separator: ", ")
            file?.record(key.text, tile: chosen.description)
        }
        lock.lock()
        defer { lock.unlock() }
        if let raced = choices[key] { return raced }
        choices[key] = chosen
        log.append("conv \(key.inputChannels)→\(key.outputChannels) \(key.kernelHeight)×\(key.kernelWidth) width \(key.outputWidth): \(chosen) (\(how))")
        return chosen
    }

    /// Nanoseconds `shape` takes for a trial of `g`'s per-row shape (input channels, kernel,
    /// padding, width) with `trialChannels` output channels and enough rows for `trialFlops`, on
    /// scratch data (ones: no denormals), on this thread.
    package static func trialNanoseconds(_ shape: ConvolutionTileShape, like g: ConvolutionGeometry) -> UInt64 {
        let cpg = g.inputChannelsPerGroup
        let rowFlops = 2 * Double(trialChannels * cpg * g.kernelHeight * g.kernelWidth * g.outputWidth)
        let rows = max(1, min(g.outputHeight, Int(trialFlops / rowFlops)))
        let trial = ConvolutionGeometry(batch: 1, inputChannels: cpg, inputHeight: max(1, rows + g.kernelHeight - 1 - 2 * g.paddingHeight),
                                        inputWidth: g.inputWidth, outputChannels: trialChannels,
                                        kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                                        paddingHeight: g.paddingHeight, paddingWidth: g.paddingWidth)
        let plan = DirectConvolutionPlan(trial, shape: shape)
        return ScratchBuffers.with(count: trial.inputCount + trial.weightCount + trial.outputCount) { scratch in
            scratch.update(repeating: 1, count: trial.inputCount + trial.weightCount)
            return plan.withPackedWeights(scratch + trial.inputCount, bias: nil) { weights, _ in
                let start = DispatchTime.now().uptimeNanoseconds
                plan.run(units: 0..<plan.units, input: scratch, weights: weights, biases: nil,
                         output: scratch + trial.inputCount + trial.weightCount)
                return DispatchTime.now().uptimeNanoseconds - start
            }
        }
    }

    /// This level's tiles with the share of their work that is useful for `g` (channels past
    /// the layer's and pixels past the row's are wasted), best first; ties go to the larger tile,
    /// which loads fewer inputs and weights per multiply-add.
    package static func rankedCandidates(_ g: ConvolutionGeometry) -> [(shape: ConvolutionTileShape, efficiency: Double)] {
        let opg = g.outputChannelsPerGroup, width = g.outputWidth
        return KernelDispatch.convolutionTiles.map { shape in
            let channels = Double(opg) / Double((opg + shape.channels - 1) / shape.channels * shape.channels)
            let pixels = Double(width) / Double((width + shape.pixels - 1) / shape.pixels * shape.pixels)
            return (shape, channels * pixels)
        }.sorted {
            abs($0.efficiency - $1.efficiency) > 1e-9 ? $0.efficiency > $1.efficiency
                : $0.shape.channels * $0.shape.pixels > $1.shape.channels * $1.shape.pixels
        }
    }

    /// The choices made so far, one line each (the benchmark prints them).
    package static var report: [String] { lock.lock(); defer { lock.unlock() }; return log }

    /// Forgets every choice (tests).
    package static func reset() { lock.lock(); choices = [:]; log = []; lock.unlock() }
}
