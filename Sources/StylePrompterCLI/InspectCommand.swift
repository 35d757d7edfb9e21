import ArgumentParser
import Checkpoints
import Foundation

/// `styleprompter inspect FILE`: what a checkpoint holds, without running anything from it.
struct InspectCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the keys, shapes and dtypes of a .pt/.pth (zip or legacy), .safetensors or .npy file.")

    @Argument(help: "The checkpoint file.") var file: String

    @Flag(help: "Print the listing as JSON.") var json = false

    func execute() throws {
        let url = URL(fileURLWithPath: file)
        let listing = try CommandErrors.reporting { try CheckpointFile.list(contentsOf: url) }
        if json {
            let object: [String: Any] = [
                "file": url.lastPathComponent,
                "format": listing.format.rawValue,
                "tensors": listing.entries.map { ["key": $0.key, "dtype": $0.dtype.rawValue, "shape": $0.shape] },
                "skipped": listing.skippedKeys,
                "metadata": listing.metadata,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        // Every shape passed the readers' element-count bound, so neither sum can overflow.
        let parameters = listing.entries.reduce(0) { $0 &+ $1.shape.reduce(1, &*) }
        print("\(CheckpointText.printable(url.lastPathComponent)): \(listing.format.rawValue), \(listing.entries.count) tensors, \(parameters) values")
        // Keys and metadata come from the file: control characters are escaped, not printed.
        let keys = listing.entries.map { CheckpointText.printable($0.key) }
        let width = min(72, keys.map(\.count).max() ?? 0)
        for (entry, shown) in zip(listing.entries, keys) {
            let key = shown.padding(toLength: max(width, shown.count), withPad: " ", startingAt: 0)
            print("  \(key)  \(entry.dtype.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(entry.shape)")
        }
        if !listing.skippedKeys.isEmpty {
            print("not tensors: \(listing.skippedKeys.map { CheckpointText.printable($0) }.joined(separator: ", "))")
        }
        for (key, value) in listing.metadata.sorted(by: { $0.key < $1.key }) {
            print("metadata \(CheckpointText.printable(key)): \(CheckpointText.printable(value, limit: 117))")
        }
    }
}

/// `styleprompter convert IN OUT`: any checkpoint → safetensors.
struct ConvertCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a PyTorch checkpoint (or .npy) to .safetensors, running no code from it.")

    @Argument(help: "The .pt/.pth/.npy/.safetensors file to read.") var input: String
    @Argument(help: "The .safetensors file to write (atomically).") var output: String
    @Flag(help: "Keep float16/bfloat16/float64 tensors in their own dtype instead of float32.") var keepDtypes = false

    func execute() throws {
        let source = URL(fileURLWithPath: input), target = URL(fileURLWithPath: output)
        guard target.pathExtension == "safetensors" else {
            throw ValidationError("convert: output '\(output)' must end in .safetensors")
        }
        let count = try CommandErrors.reporting {
            try CheckpointFile.convert(source, to: target, precision: keepDtypes ? .original : .float32)
        }
        print("wrote \(count) tensors to \(target.path)")
    }
}
