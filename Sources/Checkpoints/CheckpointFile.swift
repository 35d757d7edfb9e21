import Foundation

/// The checkpoint formats this module reads, told apart by content rather than extension.
public enum CheckpointFormat: String, Sendable, CaseIterable {
    /// `torch.save` since PyTorch 1.6: a zip archive.
    case torchZip
    /// `torch.save` before 1.6 (or with `_use_new_zipfile_serialization=False`).
    case torchLegacy
    /// numpy `.npy`.
    case numpy
    case safetensors
}

/// One tensor in a checkpoint listing.
public struct CheckpointEntry: Sendable, Hashable {
    public let key: String
    public let dtype: StoredDType
    public let shape: [Int]
}

/// What `CheckpointFile.list` found in a file: behind `styleprompter inspect`.
public struct CheckpointListing: Sendable {
    public let format: CheckpointFormat
    /// Tensors in file order, with dotted keys.
    public let entries: [CheckpointEntry]
    /// Keys of values that are not tensors.
    public let skippedKeys: [String]
    /// Safetensors `__metadata__`; empty for other formats.
    public let metadata: [String: String]
}

/// Every tensor of a checkpoint file, whatever its format.
public struct CheckpointContents: Sendable {
    public let format: CheckpointFormat
    /// Tensors with dotted keys, in file order.
    public let tensors: StateDict
    /// Safetensors `__metadata__`; empty for other formats.
    public let metadata: [String: String]
    /// The unpickled top-level value of a `.pt`/`.npy` file (nil for safetensors), for the
    /// non-tensor entries a loader needs (`opts` in a StylePrompter checkpoint).
    public var root: PickleValue? = nil
}

/// Format-independent access to any checkpoint file.
///
/// ```swift
/// let listing = try CheckpointFile.list(contentsOf: url)
/// for entry in listing.entries { print(entry.key, entry.dtype, entry.shape) }
/// try CheckpointFile.convert(URL(filePath: "ffhq.pt"), to: URL(filePath: "ffhq.safetensors"))
/// ```
public enum CheckpointFile {
    /// How `convert` stores floating-point tensors.
    public enum Precision: Sendable {
        /// float64, float16 and bfloat16 become float32; integer and bool tensors keep their type.
        case float32
        /// Every tensor keeps its dtype.
        case original
    }

    /// Recognises a format from a file's first bytes; nil if none matches.
    public static func detectFormat(_ data: Data) -> CheckpointFormat? {
        if ZipArchive.isZip(data) { return .torchZip }
        if TorchCheckpoint.isLegacy(data) { return .torchLegacy }
        if NumpyFile.isNumpy(data) { return .numpy }
        // Safetensors: a plausible 8-byte header length followed by a JSON object.
        if data.count >= 10 {
            let length = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            if length >= 2, length <= UInt64(data.count - 8), data[data.startIndex + 8] == UInt8(ascii: "{") {
                return .safetensors
            }
        }
        return nil
    }

    /// Loads every tensor of a file of any supported format, with dotted keys.
    public static func load(contentsOf url: URL) throws -> CheckpointContents {
        try load(mapFile(url), file: displayName(url))
    }

    /// The same, from bytes; `file` names them in errors.
    public static func load(_ data: Data, file: String) throws -> CheckpointContents {
        guard let format = detectFormat(data) else {
            throw CheckpointError(.unsupported, file: file,
                "unrecognised format: not a torch zip or legacy checkpoint, .npy or .safetensors file")
        }
        switch format {
        case .torchZip, .torchLegacy:
            let root = try TorchCheckpoint.load(data, file: file)
            return CheckpointContents(format: format, tensors: StateDict(flattening: root), metadata: [:], root: root)
        case .numpy:
            let root = try NumpyFile.read(data, file: file)
            return CheckpointContents(format: format, tensors: StateDict(flattening: root), metadata: [:], root: root)
        case .safetensors:
            let contents = try Safetensors(data, file: file)
            return CheckpointContents(format: format, tensors: StateDict(contents.tensors), metadata: contents.metadata)
        }
    }

    /// Lists a file's tensors (key, dtype, shape) in file order.
    public static func list(contentsOf url: URL) throws -> CheckpointListing {
        let contents = try load(contentsOf: url)
        return CheckpointListing(
            format: contents.format,
            entries: contents.tensors.entries.map { CheckpointEntry(key: $0.key, dtype: $0.tensor.dtype, shape: $0.tensor.shape) },
            skippedKeys: contents.tensors.skippedKeys, metadata: contents.metadata)
    }

    /// Writes every tensor of `input` (any supported format) to a `.safetensors` file, with
    /// metadata naming the source file and its format.
    /// - Returns: the number of tensors written.
    @discardableResult
    public static func convert(_ input: URL, to output: URL, precision: Precision = .float32) throws -> Int {
        let contents = try load(contentsOf: input)
        let converted = try contents.tensors.entries.map { entry -> (key: String, tensor: StoredTensor) in
            guard precision == .float32, entry.tensor.dtype.isFloatingPoint else { return entry }
            return (entry.key, try entry.tensor.convertedToFloat32())
        }
        var metadata = contents.metadata
        metadata["source"] = input.lastPathComponent
        metadata["source_format"] = contents.format.rawValue
        try Safetensors.write(converted, metadata: metadata, to: output)
        return converted.count
    }
}
