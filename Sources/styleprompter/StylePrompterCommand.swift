import ArgumentParser
import CPUKernels

/// `styleprompter`: GAN inversion and editing for StyleGAN2 on the CPU.
@main
struct StylePrompterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "styleprompter",
        abstract: "StylePrompter GAN inversion and editing for StyleGAN2, on the CPU.",
        subcommands: [DemoCommand.self, AlignCommand.self, InvertCommand.self, EditCommand.self, EvalCommand.self, GenerateCommand.self, SynthFacesCommand.self,
                      DirectionsCommand.self, TrainAttributesCommand.self, EvalSynthFacesCommand.self,
                      InspectCommand.self, ConvertCommand.self, TrainCommand.self, TrainGeneratorCommand.self])
}

/// Options every compute-heavy command shares.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Worker threads for the kernels (default: every core).")
    var threads: Int?

    func apply() throws {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            Parallel.threadCount = threads
        }
    }
}
