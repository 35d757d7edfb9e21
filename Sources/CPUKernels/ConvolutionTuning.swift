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
        guard let raw = environment[environmentVariable], !raw.isEmpty else { return nil }
        guard let mode = Mode(rawValue: raw.lowercased()) else {
            let names = Mode.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModeError(description: "\(environmentVariable)=\(raw) is not a tuning mode; expected one of \(names) (or unset for measure)")
        }
        return mode
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
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var choices: [Key: ConvolutionTileShape] = [:]
    nonisolated(unsafe) private static var log: [String] = []

    /// Layers below this many FLOPs take the model's choice: timing would cost more than it saves.
    static let measuredFlops = 200e6
    /// FLOPs each timed trial covers (≈ 0.1–0.2 ms on one core).
    static let trialFlops = 16e6

    /// The tile for `g`: cached, else chosen. `measure(candidate, rows)` runs `candidate` on at
    /// least `rows` output rows of the call at hand and returns the nanoseconds it took.
    static func shape(for g: ConvolutionGeometry, measure: (ConvolutionTileShape, Int) -> UInt64) -> ConvolutionTileShape {
        let key = Key(g)
        lock.lock()
        if let chosen = choices[key] { lock.unlock(); return chosen }
        lock.unlock()
        let ranked = rankedCandidates(g)
        var chosen = ranked[0].shape
        var how = "estimated"
        if mode == .measure && g.flops >= measuredFlops {
            // Candidates the model puts within 25 % of the best, timed in turn, best of three.
            let contenders = ranked.filter { $0.efficiency >= 0.75 * ranked[0].efficiency }.map(\.shape)
            if contenders.count > 1 {
                let flopsPerRow = 2 * Double(key.outputChannels * key.inputChannels * key.kernelHeight * key.kernelWidth * key.outputWidth)
                let rows = max(1, Int(trialFlops / flopsPerRow))
                var best = [UInt64](repeating: .max, count: contenders.count)
                for _ in 0..<3 {
                    for (index, candidate) in contenders.enumerated() {
                        best[index] = min(best[index], measure(candidate, rows))
                    }
                }
                chosen = contenders[best.indices.min { best[$0] < best[$1] }!]
                how = "measured " + zip(contenders, best).map { "\($0) \(String(format: "%.0f", Double($1) / 1000)) µs" }.joined(separator: ", ")
            }
        }
        lock.lock()
        defer { lock.unlock() }
        if let raced = choices[key] { return raced }
        choices[key] = chosen
        log.append("conv \(key.inputChannels)→\(key.outputChannels) \(key.kernelHeight)×\(key.kernelWidth) width \(key.outputWidth): \(chosen) (\(how))")
        return chosen
    }

    /// This level's tiles with the share of their work that is useful for `g` (channels past
    /// the layer's and pixels past the row's are wasted), best first; ties go to the larger tile,
    /// which loads fewer inputs and weights per multiply-add.
    static func rankedCandidates(_ g: ConvolutionGeometry) -> [(shape: ConvolutionTileShape, efficiency: Double)] {
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
