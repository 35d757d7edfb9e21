import Foundation

/// The allow-list: which globals a pickle may name, and what "calling" each one means here.
/// Nothing is looked up dynamically; every accepted global is a case below that builds data.
extension PickleMachine {
    /// Callables, classes and constants accepted, by canonical dotted name.
    static let allowedGlobals: Set<String> = {
        var names: Set<String> = [
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._tensor._rebuild_from_type_v2", "torch.Tensor", "torch.nn.parameter.Parameter",
            "torch.Size", "torch.storage.UntypedStorage", "torch.UntypedStorage", "torch.storage.TypedStorage",
            "collections.OrderedDict", "builtins.set", "builtins.frozenset",
            "numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar",
            "numpy.ndarray", "numpy.dtype", "_codecs.encode",
        ]
        for dtype in StoredDType.allCases { names.insert("torch.\(dtype.torchStorageName)") }
        for name in ["float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long",
                     "int32", "int", "int16", "short", "int8", "uint8", "bool"] {
            names.insert("torch.\(name)")
        }
        return names
    }()

    /// Maps alternative spellings onto one: Python 2 module names and numpy 2's `numpy._core`.
    static func canonicalModule(_ module: String) -> String {
        switch module {
        case "__builtin__": return "builtins"
        case "copy_reg": return "copyreg"
        default:
            if module == "numpy._core" || module.hasPrefix("numpy._core.") {
                return "numpy.core" + module.dropFirst("numpy._core".count)
            }
            return module
        }
    }

    func resolveGlobal(module: String, name: String) throws -> PickleValue {
        let canonical = Self.canonicalModule(module)
        guard Self.allowedGlobals.contains("\(canonical).\(name)") else {
            let shown = "\(module).\(name)"
            throw CheckpointError(.refusedGlobal(shown), file: file,
                "refusing global \(CheckpointError.quote(shown)) in \(context) at byte \(opcodeOffset)")
        }
        return .global(module: canonical, name: name)
    }

    /// REDUCE, NEWOBJ, INST and OBJ: apply an allowed global to its arguments.
    mutating func call(_ callable: PickleSlot, arguments: [PickleSlot]) throws -> PickleSlot {
        guard case .value(.global(let module, let name)) = callable else {
            throw failure("call of something that is not an allowed global")
        }
        let qualified = "\(module).\(name)"
        switch qualified {
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            let values = try arguments.map { try materialize($0, depth: 0) }
            return .value(.tensor(try TorchPickle.rebuildTensor(values, machine: &self)))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            // A Parameter is its data; requires_grad and hooks do not matter for loading.
            guard let data = arguments.first else { throw failure("\(qualified) without arguments") }
            return data
        case "torch._tensor._rebuild_from_type_v2":
            // (function, type, arguments, state): the function rebuilds; the type only re-wraps.
            guard arguments.count >= 3 else { throw failure("\(qualified) needs 4 arguments") }
            return try call(arguments[0], arguments: try tupleItems(arguments[2], "\(qualified) arguments"))
        case "torch.Size":
            return try collectionNode(arguments, of: qualified) { .tuple($0) }
        case "builtins.set", "builtins.frozenset":
            return try collectionNode(arguments, of: qualified) { .set($0) }
        case "collections.OrderedDict":
            return try orderedDict(arguments)
        case "_codecs.encode":
            return .value(try encode(arguments))
        case "numpy.core.multiarray._reconstruct":
            nodes.append(.object(type: "numpy.ndarray", arguments: arguments, state: nil))
            return .node(nodes.count - 1)
        case "numpy.dtype":
            nodes.append(.object(type: "numpy.dtype", arguments: arguments, state: nil))
            return .node(nodes.count - 1)
        case "numpy.core.multiarray.scalar":
            guard arguments.count == 2 else { throw failure("\(qualified) needs 2 arguments") }
            let dtype = try materialize(arguments[0], depth: 0)
            if NumpyPickle.isObjectDType(dtype) { return arguments[1] }
            return .value(.tensor(try NumpyPickle.scalar(dtype: dtype, payload: try materialize(arguments[1], depth: 0), machine: self)))
        default:
            throw failure(.unsupported, "global \(CheckpointError.quote(qualified)) is allowed as a value but cannot be called")
        }
    }

    /// BUILD: numpy arrays and dtypes receive their state; for every other object the state
    /// would only set Python attributes (such as a state dict's `_metadata`) and is dropped.
    mutating func build(_ target: PickleSlot, state: PickleSlot) throws {
        guard case .node(let index) = target, case .object(let type, let arguments, _) = nodes[index] else { return }
        switch type {
        case "numpy.ndarray":
            nodes[index] = try NumpyPickle.array(stateSlot: state, machine: &self)
        default:
            nodes[index] = .object(type: type, arguments: arguments, state: state)
        }
    }

    /// `torch.Size((1, 512))`, `set([...])`: a new container holding the items of the argument.
    private mutating func collectionNode(
        _ arguments: [PickleSlot], of qualified: String, make: ([PickleSlot]) -> PickleNode
    ) throws -> PickleSlot {
        var items: [PickleSlot] = []
        if let source = arguments.first {
            guard case .node(let index) = source else { throw failure("\(qualified) of a non-sequence") }
            switch nodes[index] {
            case .tuple(let elements), .list(let elements), .set(let elements): items = elements
            default: throw failure("\(qualified) of a non-sequence")
            }
        }
        nodes.append(make(items))
        return .node(nodes.count - 1)
    }

    /// `OrderedDict()` or `OrderedDict([[key, value], ...])` (Python 2 torch wrote the latter).
    private mutating func orderedDict(_ arguments: [PickleSlot]) throws -> PickleSlot {
        nodes.append(.dict(keys: [], values: [], positions: [:]))
        let dictionary = PickleSlot.node(nodes.count - 1)
        if let source = arguments.first {
            guard case .node(let index) = source else { throw failure("OrderedDict of a non-sequence") }
            let pairs: [PickleSlot]
            switch nodes[index] {
            case .list(let elements), .tuple(let elements): pairs = elements
            case .dict: return source
            default: throw failure("OrderedDict of a non-sequence")
            }
            var flat: [PickleSlot] = []
            for pair in pairs {
                guard case .node(let pairIndex) = pair else { throw failure("OrderedDict item is not a pair") }
                switch nodes[pairIndex] {
                case .list(let kv) where kv.count == 2, .tuple(let kv) where kv.count == 2: flat += kv
                default: throw failure("OrderedDict item is not a pair")
                }
            }
            try setItems(flat, in: dictionary)
        }
        return dictionary
    }

    /// `_codecs.encode(text, "latin1")`: how protocol 2 pickles Python 3 `bytes`.
    private mutating func encode(_ arguments: [PickleSlot]) throws -> PickleValue {
        guard let first = arguments.first, case .string(let text) = try materialize(first, depth: 0) else {
            throw failure("_codecs.encode needs a string")
        }
        var encoding = "utf-8"
        if arguments.count > 1, case .string(let name) = try materialize(arguments[1], depth: 0) {
            encoding = name.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        }
        switch encoding {
        case "latin1", "iso88591", "l1":
            var bytes = [UInt8]()
            bytes.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw failure("_codecs.encode: character beyond Latin-1") }
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(Data(bytes))
        case "utf8": return .bytes(Data(text.utf8))
        default: throw failure(.unsupported, "_codecs.encode with encoding \(CheckpointError.quote(encoding))")
        }
    }
}
