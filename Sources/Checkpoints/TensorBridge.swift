import Foundation
import NeuralNetwork
import Tensors

extension Tensor {
    /// A float32 tensor holding a stored tensor's values (any dtype is converted).
    public convenience init(_ stored: StoredTensor) throws {
        self.init(uninitializedShape: stored.shape)
        try stored.writeFloats(into: UnsafeMutableBufferPointer(start: data, count: count))
    }
}

extension StoredTensor {
    /// A float32 stored copy of `tensor`, for writing.
    public init(_ tensor: Tensor) {
        let bytes = Data(bytes: tensor.readData, count: tensor.count * MemoryLayout<Float>.size)
        // float32 bytes of the right count cannot fail validation.
        try! self.init(dtype: .float32, shape: tensor.shape, bytes: bytes)
    }
}

extension StateDict {
    /// Every tensor as float32, by dotted key. With `prefix`, only keys under it, the prefix removed.
    public func tensors(under prefix: String? = nil) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (key, stored) in entries {
            if let prefix {
                guard key.hasPrefix(prefix) else { continue }
                result[String(key.dropFirst(prefix.count))] = try Tensor(stored)
            } else {
                result[key] = try Tensor(stored)
            }
        }
        return result
    }

    /// Whether any key starts with `prefix`.
    public func containsKeys(under prefix: String) -> Bool { keys.contains { $0.hasPrefix(prefix) } }
}

extension Module {
    /// Writes this module's state dict (parameters and buffers) as float32 safetensors, atomically.
    public func saveSafetensors(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDictionary().map { ($0.key, StoredTensor($0.tensor)) }, metadata: metadata, to: url)
    }

    /// Loads parameters and buffers from any checkpoint file (`.pt`, `.pth`, `.safetensors`),
    /// taking the keys under `prefix` (e.g. `"g_ema."`). Strict: any missing, unexpected or
    /// mis-shaped key throws, naming the file and the keys.
    @discardableResult
    public func load(contentsOf url: URL, prefix: String? = nil, strict: Bool = true) throws -> StateDictionaryReport {
        let contents = try CheckpointFile.load(contentsOf: url)
        return try load(stateDictionary: contents.tensors.tensors(under: prefix), strict: strict, source: url.lastPathComponent)
    }
}
