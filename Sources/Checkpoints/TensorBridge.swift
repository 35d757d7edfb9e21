import CPUKernels
import Foundation
import NeuralNetwork
import Tensors

extension Tensor {
    /// A float32 tensor holding a copy of a stored tensor's values (any dtype is converted).
    public convenience init(_ stored: StoredTensor) throws {
        self.init(uninitializedShape: stored.shape)
        try stored.writeFloats(into: UnsafeMutableBufferPointer(start: data, count: count))
    }

    /// The same values, lent rather than copied where `stored` is float32 in a memory-mapped file
    /// (`MappedRegion`): for model weights, which are large and live as long as the model. Small
    /// or short-lived reads (latents, directions) copy, so that no mapping outlives its use.
    package convenience init(lendingFrom stored: StoredTensor) throws {
        if let lent = MappedRegion.lentStorage(for: stored) {
            self.init(shape: stored.shape, storage: lent)
        } else {
            try self.init(stored)
        }
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
    /// With `lendingMappedBytes`, float32 tensors of a mapped file are lent rather than copied
    /// (`Tensor(lendingFrom:)`): what the model loaders ask for.
    public func tensors(under prefix: String? = nil, lendingMappedBytes: Bool = false) throws -> [String: Tensor] {
        let selected = entries.compactMap { key, stored -> (String, StoredTensor)? in
            guard let prefix else { return (key, stored) }
            return key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), stored) : nil
        }
        // Converted on every core: a 1024-px generator is 120 MB of first-touch pages and
        // dtype conversion, which took a tenth of a whole `generate` on one thread.
        var converted = [Result<Tensor, Error>?](repeating: nil, count: selected.count)
        converted.withUnsafeMutableBufferPointer { slots in
            let shared = SharedPointer(slots.baseAddress!)     // each index written by one thread only
            Parallel.forEach(count: selected.count) { index in
                shared[index] = Result {
                    lendingMappedBytes ? try Tensor(lendingFrom: selected[index].1) : try Tensor(selected[index].1)
                }
            }
        }
        // The same error whatever the threads did: the first failing key in key order.
        var result: [String: Tensor] = [:]
        for index in selected.indices.sorted(by: { selected[$0].0 < selected[$1].0 }) {
            result[selected[index].0] = try converted[index]!.get()
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
        return try load(stateDictionary: contents.tensors.tensors(under: prefix, lendingMappedBytes: true), strict: strict, source: url.lastPathComponent,
                        adoptingStorage: true)
    }
}
