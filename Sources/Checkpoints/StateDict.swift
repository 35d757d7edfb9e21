import Foundation

/// The tensors of a nested checkpoint, flattened to dotted keys in file order.
///
/// Nested dicts join their keys with dots and lists and tuples contribute their indices, as
/// `torch.nn.Module.state_dict()` names parameters; values that are not tensors (an iteration
/// count, a config string) are left out and listed in `skippedKeys`.
///
/// ```swift
/// // {'g_ema': {'conv1.conv.weight': t, ...}, 'latent_avg': a, 'iter': 80000}
/// let weights = StateDict(flattening: try TorchCheckpoint.load(contentsOf: url))
/// weights.keys          // ["g_ema.conv1.conv.weight", ..., "latent_avg"]
/// weights.skippedKeys   // ["iter"]
/// ```
public struct StateDict: Sendable {
    public private(set) var entries: [(key: String, tensor: StoredTensor)] = []
    /// Dotted keys of leaves that are not tensors.
    public private(set) var skippedKeys: [String] = []
    private var positions: [String: Int] = [:]

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }

    public subscript(key: String) -> StoredTensor? { positions[key].map { entries[$0].tensor } }

    /// Flattens a loaded checkpoint.
    /// - Parameter rootKey: the key used when the whole file is a single tensor (an InterFaceGAN
    ///   direction, say) or another leaf.
    public init(flattening value: PickleValue, rootKey: String = "tensor") {
        visit(value, key: nil, rootKey: rootKey)
    }

    /// Wraps already-flat tensors, e.g. a safetensors file's.
    public init(_ tensors: [(key: String, tensor: StoredTensor)]) {
        for (key, tensor) in tensors { add(key, tensor) }
    }

    private mutating func add(_ key: String, _ tensor: StoredTensor) {
        // A key seen twice (keys "a.b" and {"a": {"b": ...}}) keeps its first tensor, as dict order would.
        guard positions[key] == nil else { return }
        positions[key] = entries.count
        entries.append((key, tensor))
    }

    private mutating func visit(_ value: PickleValue, key: String?, rootKey: String) {
        func child(_ name: String) -> String { key.map { "\($0).\(name)" } ?? name }
        switch value {
        case .tensor(let tensor), .storage(let tensor):
            add(key ?? rootKey, tensor)
        case .dict(let dictionary):
            for (name, item) in dictionary {
                guard let label = Self.label(name) else {
                    skippedKeys.append(child("<\(name)>"))
                    continue
                }
                visit(item, key: child(label), rootKey: rootKey)
            }
        case .list(let items), .tuple(let items):
            for (index, item) in items.enumerated() { visit(item, key: child(String(index)), rootKey: rootKey) }
        case .objectArray(let shape, let elements):
            if shape.isEmpty, let only = elements.first {
                visit(only, key: key, rootKey: rootKey)
            } else {
                for (index, item) in elements.enumerated() { visit(item, key: child(String(index)), rootKey: rootKey) }
            }
        default:
            skippedKeys.append(key ?? rootKey)
        }
    }

    /// Dict keys that name a path component: strings, and integers (`{0: ...}` from optimisers).
    private static func label(_ key: PickleValue) -> String? {
        switch key {
        case .string(let text): text
        case .int(let number): String(number)
        default: nil
        }
    }
}
