import Foundation

/// A restricted pickle reader: it decodes protocols 0–5 into `PickleValue` and runs nothing.
///
/// Only the globals needed to rebuild tensors, numpy arrays and plain containers are accepted
/// (the allow-list in `PickleGlobals.swift`); any other global is refused with an error naming it. Every read is
/// bounds-checked, nesting is capped, and expansion of shared references is budgeted, so a
/// hostile file gives a `CheckpointError` rather than a crash or an exhausted memory.
///
/// ```swift
/// let value = try Unpickler.load(bytes, file: "weights.pkl")
/// let nested = try Unpickler.load(bytes, file: "model.pt", part: "entry 'archive/data.pkl'") { pid in
///     try storage(for: pid)   // resolve torch's persistent ids
/// }
/// ```
public enum Unpickler {
    /// Resolves a persistent id (torch's `('storage', type, key, location, numel)`) to a value,
    /// normally `.storage`.
    public typealias PersistentLoader = (PickleValue) throws -> PickleValue

    /// Decodes one pickle from the start of `data`.
    /// - Parameters:
    ///   - file: the file name used in errors.
    ///   - part: which part of the file the pickle is (used in errors), e.g. `"entry 'archive/data.pkl'"`.
    ///   - persistentLoad: resolves PERSID/BINPERSID; without it those opcodes are an error.
    ///   - viewBudget: bytes that strided or expanded tensor views may allocate in all
    ///     (default: `defaultViewBudget(forFileOf: data.count)`).
    public static func load(
        _ data: Data, file: String, part: String = "pickle", persistentLoad: PersistentLoader? = nil,
        viewBudget: Int? = nil
    ) throws -> PickleValue {
        var reader = ByteReader(data, file: file, context: part)
        return try load(from: &reader, persistentLoad: persistentLoad, viewBudget: viewBudget)
    }

    /// What a file of `size` bytes may allocate for tensor views that are not plain slices of
    /// their storage (transposed, expanded): twice the file plus 64 MiB. A real checkpoint
    /// copies at most its own storages once (and expands only small buffers); a hostile one with
    /// hundreds of stride-0 views of one storage would otherwise ask for gigabytes from a
    /// kilobyte file.
    public static func defaultViewBudget(forFileOf size: Int) -> Int {
        2 * size + 64 << 20
    }

    /// Decodes the pickle at the reader's position and leaves it just past the STOP opcode, so
    /// several pickles written back to back (the legacy torch format) can be read in turn.
    static func load(from reader: inout ByteReader, persistentLoad: PersistentLoader?, viewBudget: Int? = nil) throws -> PickleValue {
        var machine = PickleMachine(file: reader.file, context: reader.context,
                                    inputSize: reader.remaining, persistentLoad: persistentLoad)
        machine.viewBudget = viewBudget ?? defaultViewBudget(forFileOf: reader.remaining)
        let value = try machine.run(&reader)
        return value
    }
}

/// A value on the pickle machine's stack or in its memo. Containers live in `PickleMachine.nodes`
/// and are referred to by index, so that mutations after memoisation (APPENDS after PUT) are
/// seen by every reference, as in Python, and no deeply nested Swift value is built before the
/// nesting limit has been checked.
enum PickleSlot {
    case value(PickleValue)
    case node(Int)
}

/// A mutable Python object under construction.
enum PickleNode {
    case list([PickleSlot])
    case tuple([PickleSlot])
    /// Keys are materialised on insertion (they must be hashable); values stay references.
    case dict(keys: [PickleValue], values: [PickleSlot], positions: [PickleValue: Int])
    case set([PickleSlot])
    case object(type: String, arguments: [PickleSlot], state: PickleSlot?)
    case objectArray(shape: [Int], elements: [PickleSlot])
    /// An object that became a finished value (an ndarray after BUILD), kept as a node so
    /// every memo reference to it sees the result.
    case value(PickleValue)
}

package struct PickleMachine {
    /// Deepest container nesting accepted; real checkpoints nest fewer than 10 levels.
    static let maximumDepth = 100

    let file: String
    let context: String
    let persistentLoad: Unpickler.PersistentLoader?
    var nodes: [PickleNode] = []
    var stack: [PickleSlot] = []
    var marks: [Int] = []
    var memo: [Int: PickleSlot] = [:]
    /// Values materialisation may still produce; shared references could otherwise expand
    /// exponentially ("billion laughs").
    var expansionBudget: Int
    /// Bytes that gathering strided or expanded tensor views may still allocate.
    var viewBudget = 0
    /// Offset of the opcode being executed, for messages.
    var opcodeOffset = 0

    init(file: String, context: String, inputSize: Int, persistentLoad: Unpickler.PersistentLoader?) {
        self.file = file
        self.context = context
        self.persistentLoad = persistentLoad
        self.expansionBudget = 4 * inputSize + 100_000
    }

    func failure(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
        CheckpointError(kind, file: file, "\(message) in \(context) at byte \(opcodeOffset)")
    }

    func failure(_ message: String) -> CheckpointError { failure(.malformed, message) }

    mutating func push(_ value: PickleValue) { stack.append(.value(value)) }

    mutating func pushNode(_ node: PickleNode) {
        nodes.append(node)
        stack.append(.node(nodes.count - 1))
    }

    mutating func pop() throws -> PickleSlot {
        guard stack.count > (marks.last ?? 0), let top = stack.popLast() else {
            throw failure("stack underflow")
        }
        return top
    }

    func top() throws -> PickleSlot {
        guard stack.count > (marks.last ?? 0), let top = stack.last else { throw failure("stack underflow") }
        return top
    }

    /// Pops everything above the most recent MARK, and the mark.
    mutating func popMark() throws -> [PickleSlot] {
        guard let mark = marks.popLast() else { throw failure("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    func memoIndex(_ raw: Int) throws -> Int {
        guard raw >= 0 else { throw failure("negative memo index \(raw)") }
        return raw
    }

    mutating func memoGet(_ index: Int) throws {
        guard let slot = memo[index] else { throw failure("memo key \(index) was never stored") }
        stack.append(slot)
    }

    mutating func run(_ reader: inout ByteReader) throws -> PickleValue {
        while true {
            opcodeOffset = reader.offset
            let opcode = try reader.uint8("opcode")
            if opcode == 0x2E {  // STOP
                let result = try pop()
                return try materialize(result, depth: 0)
            }
            try execute(opcode, &reader)
        }
    }

    /// The node behind a slot that must be a container of the given purpose.
    func nodeIndex(_ slot: PickleSlot, for purpose: String) throws -> Int {
        guard case .node(let index) = slot else { throw failure("\(purpose) applied to a non-container") }
        return index
    }

    mutating func append(_ items: [PickleSlot], to slot: PickleSlot) throws {
        let index = try nodeIndex(slot, for: "APPEND")
        guard case .list(var elements) = nodes[index] else { throw failure("APPEND to something other than a list") }
        nodes[index] = .list([])  // release the old array so the append does not copy it
        elements.append(contentsOf: items)
        nodes[index] = .list(elements)
    }

    mutating func setItems(_ items: [PickleSlot], in slot: PickleSlot) throws {
        guard items.count % 2 == 0 else { throw failure("SETITEMS with an odd number of items") }
        let index = try nodeIndex(slot, for: "SETITEM")
        guard case .dict(var keys, var values, var positions) = nodes[index] else {
            throw failure("SETITEM on something other than a dict")
        }
        nodes[index] = .list([])
        for pair in stride(from: 0, to: items.count, by: 2) {
            let key = try hashableKey(items[pair])
            if let position = positions[key] {
                values[position] = items[pair + 1]
            } else {
                positions[key] = keys.count
                keys.append(key)
                values.append(items[pair + 1])
            }
        }
        nodes[index] = .dict(keys: keys, values: values, positions: positions)
    }

    mutating func addItems(_ items: [PickleSlot], to slot: PickleSlot) throws {
        let index = try nodeIndex(slot, for: "ADDITEMS")
        guard case .set(var elements) = nodes[index] else { throw failure("ADDITEMS to something other than a set") }
        nodes[index] = .list([])
        elements.append(contentsOf: items)
        nodes[index] = .set(elements)
    }

    /// Materialises a dict key. Python only hashes immutable values, so lists, dicts and sets
    /// are refused; this also keeps keys from smuggling deep structures past the depth limit.
    mutating func hashableKey(_ slot: PickleSlot) throws -> PickleValue {
        let key = try materialize(slot, depth: 0)
        func check(_ value: PickleValue, _ depth: Int) throws {
            guard depth < Self.maximumDepth else { throw failure("dict key nested too deeply") }
            switch value {
            case .list, .dict, .set, .objectArray, .object:
                throw failure("unhashable dict key")
            case .tuple(let items):
                for item in items { try check(item, depth + 1) }
            default: break
            }
        }
        try check(key, 0)
        return key
    }

    /// Converts a slot into a self-contained `PickleValue`, enforcing the depth limit and the
    /// expansion budget.
    mutating func materialize(_ slot: PickleSlot, depth: Int) throws -> PickleValue {
        guard depth <= Self.maximumDepth else {
            throw failure("containers nested deeper than \(Self.maximumDepth) levels (or a reference cycle)")
        }
        expansionBudget -= 1
        guard expansionBudget >= 0 else {
            throw failure("shared references expand to more values than the file could hold")
        }
        let index: Int
        switch slot {
        case .value(let value): return value
        case .node(let node): index = node
        }
        switch nodes[index] {
        case .list(let items):
            return .list(try items.map { try materialize($0, depth: depth + 1) })
        case .tuple(let items):
            return .tuple(try items.map { try materialize($0, depth: depth + 1) })
        case .set(let items):
            return .set(try items.map { try materialize($0, depth: depth + 1) })
        case .dict(let keys, let values, _):
            var dictionary = PickleDictionary()
            for (key, value) in zip(keys, values) {
                dictionary[key] = try materialize(value, depth: depth + 1)
            }
            return .dict(dictionary)
        case .object(let type, let arguments, let state):
            return .object(
                type: type, arguments: try arguments.map { try materialize($0, depth: depth + 1) },
                state: try state.map { try materialize($0, depth: depth + 1) } ?? .none)
        case .objectArray(let shape, let elements):
            return .objectArray(shape: shape, elements: try elements.map { try materialize($0, depth: depth + 1) })
        case .value(let value):
            return value
        }
    }
}
