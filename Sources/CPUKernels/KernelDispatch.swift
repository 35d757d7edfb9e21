import CPUKernelVariants
import Foundation

/// An instruction-set level the hot kernels (`CPUKernelVariants`, in C) are compiled for.
package enum KernelLevel: String, CaseIterable, Sendable {
    /// x86-64 SSE2: every x86-64 CPU; no fused multiply-add.
    case baseline
    /// x86-64 AVX2 + FMA (Intel Haswell, AMD Zen 1 and later).
    case avx2
    /// x86-64 AVX-512F (Intel Skylake-SP and later Xeons, AMD Zen 4 and later).
    case avx512
    /// arm64 NEON (every arm64 CPU, Apple silicon included).
    case neon

    package var cLevel: SPKernelLevel {
        switch self {
        case .baseline: SPKernelLevelBaseline
        case .avx2: SPKernelLevelAVX2
        case .avx512: SPKernelLevelAVX512
        case .neon: SPKernelLevelNEON
        }
    }

    /// Whether multiply-adds are fused (rounded once); the baseline level multiplies, then adds.
    package var hasFusedMultiplyAdd: Bool { self != .baseline }

    /// Whether this build contains the level and this CPU (and its OS) can run it.
    package var isSupported: Bool { sp_kernel_level_supported(cLevel) != 0 }

    /// The levels this machine runs, worst first.
    package static var supported: [KernelLevel] { allCases.filter(\.isSupported) }
}

/// The kernel level chosen once per process: the best this CPU supports, or the one named by
/// `STYLEPROMPTER_KERNELS` (for tests and for comparing levels on one machine).
///
/// The package is built without any target-CPU flag (`-march` would need `unsafeFlags`, which
/// SwiftPM refuses in a versioned dependency, and a binary built on an AVX-512 machine would die
/// with SIGILL on an AVX2 one); the C kernels carry their own target attributes and this picks
/// among them at run time, as ggml, simdjson and Highway do.
package enum KernelDispatch {
    package static let environmentVariable = "STYLEPROMPTER_KERNELS"

    /// Why `STYLEPROMPTER_KERNELS` cannot be honoured.
    package struct LevelError: Error, CustomStringConvertible {
        package let description: String
    }

    /// The level `environment` asks for (nil when it asks for none), or why it cannot be used.
    package static func requestedLevel(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(LevelError) -> KernelLevel? {
        let parsed: KernelLevel? = try EnvironmentSetting.value(of: environmentVariable, in: environment) { raw, names in
            LevelError(description: "\(environmentVariable)=\(raw) is not a kernel level; expected one of \(names) (or unset for the best this CPU runs)")
        }
        guard let level = parsed else { return nil }
        guard level.isSupported else {
            let raw = environment[environmentVariable] ?? level.rawValue
            let available = KernelLevel.supported.map(\.rawValue).joined(separator: ", ")
            throw LevelError(description: "\(environmentVariable)=\(raw): this CPU or build cannot run \(level.rawValue); it runs \(available)")
        }
        return level
    }

    /// The level in use. A bad `STYLEPROMPTER_KERNELS` stops the process with its one-line
    /// reason; the command-line tool checks it first (`requestedLevel`) to exit cleanly instead.
    package static let level: KernelLevel = {
        do {
            if let requested = try requestedLevel() { return requested }
        } catch {
            fatalError("\(error)")
        }
        return KernelLevel.supported.last ?? .baseline
    }()

    /// The processor's name as Linux gives it (`/proc/cpuinfo`'s "model name"), or "unknown CPU":
    /// for model cards and for keying tile timings to the machine that made them.
    package static let processorName: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let value = line.split(separator: ":", maxSplits: 1).last else { return "unknown CPU" }
        return value.trimmingCharacters(in: .whitespaces)
    }()

    /// The kernels of `level`.
    static let table: SPKernelTable = {
        guard let table = sp_kernel_table(level.cLevel) else {
            fatalError("CPUKernelVariants has no kernels for \(level.rawValue) in this build")
        }
        return table.pointee
    }()

    /// Floats per vector register at this level (16, 8 or 4).
    package static var lanes: Int { Int(table.lanes) }

    /// The multiply-add chains of the peak-FMA probe: `iterations` rounds of 12 independent
    /// vector FMAs (or multiply-adds) — `24 · lanes` flops per round.
    package static func multiplyAddBurst(iterations: Int, seed: Float) -> Float {
        multiplyAddBurstKernel(iterations, seed)
    }

    static let gemmTile = table.gemmTile!
    static let gemmTileStridedA = table.gemmTileStridedA!
    package static let jpegMCU = table.jpegMCU!
    package static let pngFilterRow = table.pngFilterRow!
    static let packTransposedPanel = table.packTransposedPanel!
    /// This level's direct-convolution tile shapes, its default first.
    package static let convolutionTiles: [ConvolutionTileShape] = withUnsafeBytes(of: table.convolutionTiles) { raw in
        raw.bindMemory(to: SPConvolutionTile.self).prefix(Int(table.convolutionTileCount)).map {
            ConvolutionTileShape(channels: Int($0.channels), vectors: Int($0.vectors), lanes: lanes, tile: $0.tile!)
        }
    }
    package static let shiftedExponentials = table.shiftedExponentials!
    static let multiplyAddBurstKernel = table.multiplyAddBurst!
    static let dotProduct = table.dotProduct!
    static let layerNormRow = table.layerNormRow!
    static let layerNormGradientSums = table.layerNormGradientSums!
}

/// One direct-convolution register tile: `channels` output channels × `pixels` output pixels of
/// a row (`vectors` vectors of the level's lanes).
package struct ConvolutionTileShape: Equatable, CustomStringConvertible, @unchecked Sendable {
    package let channels: Int, vectors: Int, pixels: Int
    let tile: @convention(c) (Int, Int, Int, Int, Int, UnsafePointer<Float>?, UnsafePointer<Float>?,
                              UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void

    init(channels: Int, vectors: Int, lanes: Int,
         tile: @escaping @convention(c) (Int, Int, Int, Int, Int, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                         UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void) {
        self.channels = channels
        self.vectors = vectors
        pixels = vectors * lanes
        self.tile = tile
    }

    package var description: String { "\(channels)×\(pixels)" }

    package static func == (a: Self, b: Self) -> Bool { a.channels == b.channels && a.vectors == b.vectors && a.pixels == b.pixels }
}
