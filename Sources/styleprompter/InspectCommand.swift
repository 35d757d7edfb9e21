import ArgumentParser

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "List keys, shapes and dtypes of a checkpoint.")
    @Argument(help: "A .pt/.pth (zip or legacy), .safetensors or .npy file.") var file: String
    func run() throws { throw ValidationError("inspect: not available yet") }
}

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "convert", abstract: "Convert a PyTorch checkpoint to .safetensors.")
    @Argument var input: String
    @Argument var output: String
    func run() throws { throw ValidationError("convert: not available yet") }
}
