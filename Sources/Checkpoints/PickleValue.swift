import Foundation

/// A Python value decoded by `Unpickler`: plain data only, never code.
///
/// Containers keep Python's order; tensors arrive already rebuilt from their storages.
///
/// ```swift
/// let top = try TorchCheckpoint.load(contentsOf: url)
/// if case .tensor(let mean) = top["mean"] { print(mean.shape) }
/// ```
public indirect enum PickleValue: Hashable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer outside `Int`'s range, as little-endian two's-complement bytes (pickle's LONG).
    case bigInt(Data)
    case float(Double)
    case string(String)
    case bytes(Data)
    case list([PickleValue])
    case tuple([PickleValue])
    /// `dict` and `collections.OrderedDict`, in insertion order.
    case dict(PickleDictionary)
    /// `set` and `frozenset`, in pickle order.
    case set([PickleValue])
    /// A torch tensor or parameter, or a numeric numpy array or scalar.
    case tensor(StoredTensor)
    /// A numpy array of Python objects (dtype `O`), elements in C order.
    case objectArray(shape: [Int], elements: [PickleValue])
    /// A PyTorch storage that no tensor wrapped (rare: a checkpoint that saved a bare storage).
    case storage(StoredTensor)
    /// A reference to an allow-listed class or constant, e.g. `torch.float16`, kept as a name.
    case global(module: String, name: String)
    /// An instance of an allow-listed class that is not a container, such as a `numpy.dtype`:
    /// the class, its constructor arguments and the state `__setstate__` received.
    case object(type: String, arguments: [PickleValue], state: PickleValue)

    /// The value for `key` when this is a dict with string keys; nil otherwise.
    public subscript(key: String) -> PickleValue? {
        if case .dict(let dictionary) = self { return dictionary[.string(key)] }
        return nil
    }

    /// The tensor held, if this is a tensor.
    public var tensor: StoredTensor? {
        if case .tensor(let tensor) = self { return tensor }
        return nil
    }

    /// The integer held, if this is a (small) integer or bool.
    public var int: Int? {
        switch self {
        case .int(let value): value
        case .bool(let value): value ? 1 : 0
        default: nil
        }
    }

    /// The string held, if this is a string.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements of a list or tuple.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items): items
        default: nil
        }
    }
}

/// An insertion-ordered dictionary with arbitrary hashable Python keys.
///
/// ```swift
/// for (key, value) in dictionary { print(key, value) }
/// dictionary[.string("weight")]
/// ```
public struct PickleDictionary: Hashable, Sendable, Sequence {
    public private(set) var keys: [PickleValue] = []
    public private(set) var values: [PickleValue] = []
    private var positions: [PickleValue: Int] = [:]

    public init() {}

    public init(_ pairs: [(PickleValue, PickleValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }

    /// Setting an existing key keeps its position, as Python does.
    public subscript(key: PickleValue) -> PickleValue? {
        get { positions[key].map { values[$0] } }
        set {
            if let position = positions[key] {
                if let newValue {
                    values[position] = newValue
                } else {
                    keys.remove(at: position)
                    values.remove(at: position)
                    positions = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
                }
            } else if let newValue {
                positions[key] = keys.count
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    public func makeIterator() -> Zip2Sequence<[PickleValue], [PickleValue]>.Iterator {
        zip(keys, values).makeIterator()
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.keys == rhs.keys && lhs.values == rhs.values }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }
}
