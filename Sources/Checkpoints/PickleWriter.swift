import Foundation

/// Encodes a `PickleValue` tree as a protocol-2 pickle, opcode for opcode as CPython's pickler
/// writes it for `torch.save` (the protocol torch uses), so PyTorch's `weights_only` unpickler —
/// which accepts only a subset of opcodes and globals — reads it.
///
/// Tensors become `torch._utils._rebuild_tensor_v2` calls over a persistent storage id; the
/// storages themselves are collected in `storages` for the caller to write beside the pickle.
/// Only plain data is written: `.set`, `.objectArray`, `.storage`, `.global` and every `.object`
/// other than an `OrderedDict` are refused, since torch's safe loader would refuse them too.
///
/// ```swift
/// var writer = PickleWriter(file: "model.pt")
/// try writer.write(.dict(PickleDictionary([(.string("step"), .int(3))])))
/// writer.bytes            // 80 02 7D 28 58 … 2E
/// ```
struct PickleWriter {
    let file: String
    private(set) var bytes = Data([0x80, 0x02])  // PROTO 2
    /// Tensors' bytes in persistent-id order; storage `i` is saved as `data/<i>`.
    private(set) var storages: [StoredTensor] = []
    /// Globals already written, by dotted name, with their memo slot (the pickler memoises them).
    private var memo: [String: Int] = [:]
    private var finished = false

    /// Containers nest no deeper than the reader accepts back.
    static let maximumDepth = PickleMachine.maximumDepth - 4
    /// CPython writes APPENDS/SETITEMS in batches of this many items.
    private static let batchSize = 1000

    init(file: String) { self.file = file }

    /// Writes `value` and the STOP opcode; a writer holds one pickle.
    mutating func write(_ value: PickleValue) throws {
        precondition(!finished, "PickleWriter holds one pickle")
        try save(value, depth: 0)
        bytes.append(0x2E)  // STOP
        finished = true
    }

    private mutating func save(_ value: PickleValue, depth: Int) throws {
        guard depth < Self.maximumDepth else { throw failure("containers nest deeper than \(Self.maximumDepth) levels") }
        switch value {
        case .none: bytes.append(0x4E)  // NONE
        case .bool(let flag): bytes.append(flag ? 0x88 : 0x89)  // NEWTRUE / NEWFALSE
        case .int(let number): saveInt(number)
        case .bigInt(let twosComplement):
            guard twosComplement.count < 256 else { throw failure("integer of \(twosComplement.count) bytes is beyond LONG1") }
            bytes.append(0x8A)  // LONG1
            bytes.append(UInt8(twosComplement.count))
            bytes.append(twosComplement)
        case .float(let number):
            bytes.append(0x47)  // BINFLOAT, big-endian
            appendInteger(number.bitPattern.bigEndian)
        case .string(let text): saveString(text)
        case .bytes(let data):
            // Protocol 2 has no bytes opcode: Python 3 pickles `_codecs.encode(latin-1 text, 'latin1')`.
            saveGlobal(module: "_codecs", name: "encode")
            var latin1 = ""
            latin1.unicodeScalars.append(contentsOf: data.map { Unicode.Scalar($0) })
            saveString(latin1)
            saveString("latin1")
            bytes.append(0x86)  // TUPLE2
            bytes.append(0x52)  // REDUCE
        case .list(let items):
            bytes.append(0x5D)  // EMPTY_LIST
            try saveBatched(items.map { [$0] }, one: 0x61, many: 0x65, depth: depth)  // APPEND / APPENDS
        case .tuple(let items): try saveTuple(items, depth: depth)
        case .dict(let dictionary):
            bytes.append(0x7D)  // EMPTY_DICT
            try saveItems(dictionary, depth: depth)
        case .object(type: "collections.OrderedDict", arguments: let arguments, state: .dict(let dictionary)) where arguments.isEmpty:
            // OrderedDict.__reduce__: (OrderedDict, ()), then its items as SETITEMS.
            saveGlobal(module: "collections", name: "OrderedDict")
            bytes.append(0x29)  // EMPTY_TUPLE
            bytes.append(0x52)  // REDUCE
            try saveItems(dictionary, depth: depth)
        case .tensor(let tensor): try saveTensor(tensor)
        case .set, .objectArray, .storage, .global, .object:
            throw failure("cannot write \(Self.kind(of: value)): torch.load(weights_only=True) would refuse it", kind: .unsupported)
        }
    }

    /// CPython's choice for protocol ≥ 1: the shortest of BININT1, BININT2, BININT, else LONG1.
    private mutating func saveInt(_ number: Int) {
        if number >= 0 && number <= 0xFF {
            bytes.append(0x4B)  // BININT1
            bytes.append(UInt8(number))
        } else if number >= 0 && number <= 0xFFFF {
            bytes.append(0x4D)  // BININT2
            appendInteger(UInt16(number).littleEndian)
        } else if let small = Int32(exactly: number) {
            bytes.append(0x4A)  // BININT
            appendInteger(small.littleEndian)
        } else {
            // Little-endian two's complement, trimmed to the shortest length that keeps the sign.
            var encoded = withUnsafeBytes(of: Int64(number).littleEndian) { Array($0) }
            while encoded.count > 1 {
                let last = encoded[encoded.count - 1], previous = encoded[encoded.count - 2]
                guard (last == 0 && previous & 0x80 == 0) || (last == 0xFF && previous & 0x80 != 0) else { break }
                encoded.removeLast()
            }
            bytes.append(0x8A)  // LONG1
            bytes.append(UInt8(encoded.count))
            bytes.append(contentsOf: encoded)
        }
    }

    private mutating func saveString(_ text: String) {
        let utf8 = Array(text.utf8)
        bytes.append(0x58)  // BINUNICODE (protocol 2 has no short form)
        appendInteger(UInt32(utf8.count).littleEndian)
        bytes.append(contentsOf: utf8)
    }

    private mutating func saveTuple(_ items: [PickleValue], depth: Int) throws {
        switch items.count {
        case 0: bytes.append(0x29)  // EMPTY_TUPLE
        case 1...3:
            for item in items { try save(item, depth: depth + 1) }
            bytes.append([0x85, 0x86, 0x87][items.count - 1])  // TUPLE1 / TUPLE2 / TUPLE3
        default:
            bytes.append(0x28)  // MARK
            for item in items { try save(item, depth: depth + 1) }
            bytes.append(0x74)  // TUPLE
        }
    }

    private mutating func saveItems(_ dictionary: PickleDictionary, depth: Int) throws {
        try saveBatched(zip(dictionary.keys, dictionary.values).map { [$0, $1] }, one: 0x73, many: 0x75, depth: depth)  // SETITEM / SETITEMS
    }

    /// Items in batches as CPython writes them: a lone item with `one`, several between MARK and `many`.
    private mutating func saveBatched(_ groups: [[PickleValue]], one: UInt8, many: UInt8, depth: Int) throws {
        var start = 0
        while start < groups.count {
            let batch = groups[start..<min(start + Self.batchSize, groups.count)]
            if batch.count > 1 { bytes.append(0x28) }  // MARK
            for group in batch {
                for item in group { try save(item, depth: depth + 1) }
            }
            bytes.append(batch.count > 1 ? many : one)
            start += batch.count
        }
    }

    /// `_rebuild_tensor_v2(persistent_id(('storage', torch.<T>Storage, '<i>', 'cpu', numel)),
    /// 0, size, stride, False, OrderedDict())`, as torch pickles a CPU tensor it owns whole.
    private mutating func saveTensor(_ tensor: StoredTensor) throws {
        let key = String(storages.count)
        storages.append(tensor)
        saveGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")
        bytes.append(0x28)  // MARK: the argument tuple
        bytes.append(0x28)  // MARK: the persistent id
        saveString("storage")
        saveGlobal(module: "torch", name: tensor.dtype.torchStorageName)
        saveString(key)
        saveString("cpu")
        saveInt(tensor.elementCount)
        bytes.append(0x74)  // TUPLE
        bytes.append(0x51)  // BINPERSID
        saveInt(0)  // storage offset
        try saveTuple(tensor.shape.map { .int($0) }, depth: 0)
        try saveTuple(StoredTensor.contiguousStrides(tensor.shape).map { .int($0) }, depth: 0)
        bytes.append(0x89)  // NEWFALSE: requires_grad
        saveGlobal(module: "collections", name: "OrderedDict")  // backward hooks: OrderedDict()
        bytes.append(0x29)  // EMPTY_TUPLE
        bytes.append(0x52)  // REDUCE
        bytes.append(0x74)  // TUPLE
        bytes.append(0x52)  // REDUCE
    }

    /// GLOBAL the first time (memoised with BINPUT, as the pickler does), BINGET after.
    private mutating func saveGlobal(module: String, name: String) {
        let dotted = "\(module).\(name)"
        if let slot = memo[dotted] {
            appendGet(slot)
            return
        }
        bytes.append(0x63)  // GLOBAL
        bytes.append(contentsOf: Array("\(module)\n\(name)\n".utf8))
        let slot = memo.count
        memo[dotted] = slot
        if slot <= 0xFF {
            bytes.append(0x71)  // BINPUT
            bytes.append(UInt8(slot))
        } else {
            bytes.append(0x72)  // LONG_BINPUT
            appendInteger(UInt32(slot).littleEndian)
        }
    }

    private mutating func appendGet(_ slot: Int) {
        if slot <= 0xFF {
            bytes.append(0x68)  // BINGET
            bytes.append(UInt8(slot))
        } else {
            bytes.append(0x6A)  // LONG_BINGET
            appendInteger(UInt32(slot).littleEndian)
        }
    }

    private mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    private func failure(_ message: String, kind: CheckpointError.Kind = .malformed) -> CheckpointError {
        CheckpointError(kind, file: file, "writing pickle: \(message)")
    }

    private static func kind(of value: PickleValue) -> String {
        switch value {
        case .set: "a set"
        case .objectArray: "a numpy object array"
        case .storage: "a bare storage"
        case .global(let module, let name): "the global \(CheckpointError.quote("\(module).\(name)"))"
        case .object(let type, _, _): "an object of type \(CheckpointError.quote(type))"
        default: "this value"
        }
    }
}

extension PickleValue {
    /// A `collections.OrderedDict`, as `torch.nn.Module.state_dict()` returns; `PickleWriter`
    /// writes it as torch does. The reader returns OrderedDicts as `.dict`, so this reads back
    /// as `.dict(dictionary)`.
    ///
    /// ```swift
    /// let stateDict = PickleValue.orderedDict(PickleDictionary([(.string("weight"), .tensor(w))]))
    /// ```
    public static func orderedDict(_ dictionary: PickleDictionary) -> PickleValue {
        .object(type: "collections.OrderedDict", arguments: [], state: .dict(dictionary))
    }
}
