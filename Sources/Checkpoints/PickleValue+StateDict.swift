import Foundation
import NeuralNetwork
import Tensors

extension PickleValue {
    /// A float32 tensor value for writing with `TorchCheckpoint.write`.
    public init(_ tensor: Tensor) {
        self = .tensor(StoredTensor(tensor))
    }

    /// A state dict as `torch.nn.Module.state_dict()` returns it: an `OrderedDict` of tensors,
    /// keys prefixed. Buffers whose key ends with one of `integerBuffers` are stored as int64,
    /// as PyTorch registers them (Swin's `relative_position_index`); everything else is float32.
    ///
    /// ```swift
    /// let stateDict = PickleValue.stateDict(generator.pyTorchOrderedStateDictionary(), prefix: "decoder.module.")
    /// ```
    public static func stateDict(
        _ entries: [(key: String, tensor: Tensor)], prefix: String = "", integerBuffers: Set<String> = []
    ) -> PickleValue {
        .orderedDict(PickleDictionary(stateDictItems(entries, prefix: prefix, integerBuffers: integerBuffers)))
    }

    /// The (key, tensor) pairs of `stateDict`, for callers merging several modules into one dict.
    public static func stateDictItems(
        _ entries: [(key: String, tensor: Tensor)], prefix: String = "", integerBuffers: Set<String> = []
    ) -> [(PickleValue, PickleValue)] {
        entries.map { key, tensor in
            let name = key.split(separator: ".").last.map(String.init) ?? key
            let stored = integerBuffers.contains(name) ? StoredTensor(int64: tensor) : StoredTensor(tensor)
            return (.string(prefix + key), .tensor(stored))
        }
    }
}

extension StoredTensor {
    /// An int64 stored copy of a tensor holding integers (an index buffer), rounded to nearest.
    public init(int64 tensor: Tensor) {
        let values = tensor.scalars.map { Int64($0.rounded()).littleEndian }
        let bytes = values.withUnsafeBufferPointer { Data(buffer: $0) }
        self.init(validated: .int64, shape: tensor.shape, bytes: bytes)
    }
}
