import ArgumentParser
import CPUKernels
import Foundation
import Tensors

/// `styleprompter`: GAN inversion and editing for StyleGAN2 on the CPU.
@main
package struct StylePrompterCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "styleprompter",
        abstract: "StylePrompter GAN inversion and editing for StyleGAN2, on the CPU.",
        version: StylePrompterVersion.current,
        subcommands: [DemoCommand.self, AlignCommand.self, InvertCommand.self, EditCommand.self, EvalCommand.self, GenerateCommand.self, SynthFacesCommand.self,
                      DirectionsCommand.self, EditRowsCommand.self, LabelCommand.self, TrainAttributesCommand.self, EvalSynthFacesCommand.self,
                      InspectCommand.self, ConvertCommand.self, TrainCommand.self, TrainGeneratorCommand.self, PackageModelCommand.self,
                      ServeCommand.self])

    /// Checks `STYLEPROMPTER_KERNELS` and `STYLEPROMPTER_TUNING` before anything runs, so a bad value is a one-line error and
    /// exit status 2 rather than a stop inside the first kernel call.
    static func main() {
        do {
            _ = try KernelDispatch.requestedLevel()
            _ = try ConvolutionTuning.requestedMode()
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(2)
        }
        main(nil)
    }
}

/// Options every compute-heavy command shares.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Worker threads for the kernels (default: every core).")
    var threads: Int?

    @Option(help: "GiB of freed tensor buffers kept for reuse (default: a quarter of memory, at most 8; lower it to trade speed for peak memory).")
    var poolGib: Double?

    /// `trainingLoop`: the command repeats one step's pattern of buffers (training), so the
    /// storage pool keeps all of it cached instead of bounding its footprint for single passes.
    func apply(trainingLoop: Bool = false) throws {
        if trainingLoop { StoragePool.shared.footprintFactor = nil }
        if let poolGib {
            guard poolGib.isFinite, poolGib >= 0, poolGib <= 1024 else { throw ValidationError("--pool-gib must be in 0…1024, got \(poolGib)") }
            StoragePool.shared.capacityBytes = Int(poolGib * Double(1 << 30))
        }
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            Parallel.threadCount = threads
        }
    }
}
