import Foundation

/// Rebuilds torch tensors from the arguments their pickles pass to `torch._utils`.
enum TorchPickle {
    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`
    /// and the older `_rebuild_tensor(storage, storage_offset, size, stride)`.
    static func rebuildTensor(_ arguments: [PickleValue], machine: inout PickleMachine) throws -> StoredTensor {
        guard arguments.count >= 4 else {
            throw machine.failure("_rebuild_tensor needs at least 4 arguments, got \(arguments.count)")
        }
        guard case .storage(let storage) = arguments[0] else {
            throw machine.failure("_rebuild_tensor's first argument is not a storage")
        }
        guard let offset = arguments[1].int, let shape = integers(arguments[2]), let strides = integers(arguments[3]) else {
            throw machine.failure("_rebuild_tensor's offset, size or stride is not made of integers")
        }
        do {
            return try StoredTensor.view(storage: storage.bytes, dtype: storage.dtype, offset: offset,
                                         shape: shape, strides: strides, file: machine.file,
                                         budget: &machine.viewBudget)
        } catch let error as CheckpointError {
            throw machine.failure(error.kind, error.message)
        }
    }

    /// The integers of a tuple or list (a `torch.Size` arrives as a tuple).
    static func integers(_ value: PickleValue) -> [Int]? {
        guard let items = value.elements else { return nil }
        let numbers = items.compactMap { item -> Int? in
            if case .int(let number) = item { return number }
            return nil
        }
        return numbers.count == items.count ? numbers : nil
    }
}

/// Rebuilds numpy arrays and scalars from their pickled form:
/// `_reconstruct(ndarray, (0,), b'b')` followed by BUILD with
/// `(version, shape, dtype, is_fortran, raw_data)`, where `dtype` is itself
/// `numpy.dtype('f4', False, True)` with state `(3, '<', ...)`.
enum NumpyPickle {
    static func isObjectDType(_ dtype: PickleValue) -> Bool {
        guard case .object("numpy.dtype", let arguments, _) = dtype, let name = arguments.first?.string else { return false }
        return name.hasPrefix("O")
    }

    /// The element type and byte order of a pickled `numpy.dtype`.
    static func elementType(_ dtype: PickleValue, machine: PickleMachine) throws -> (StoredDType, bigEndian: Bool) {
        guard case .object("numpy.dtype", let arguments, let state) = dtype, let name = arguments.first?.string else {
            throw machine.failure("numpy array dtype is not a numpy.dtype")
        }
        var order = ""
        if let items = state.elements, items.count > 1, let text = items[1].string { order = text }
        guard let parsed = StoredDType.parseNumpy(order + name) else {
            throw machine.failure(.unsupported, "numpy dtype \(CheckpointError.quote(order + name))")
        }
        return parsed
    }

    /// Raw element bytes, as Python 3 `bytes` or a Python 2 `str` (decoded Latin-1 by the reader).
    static func rawBytes(_ value: PickleValue, machine: PickleMachine) throws -> Data {
        switch value {
        case .bytes(let data): return data
        case .string(let text):
            var bytes = [UInt8]()
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw machine.failure("numpy raw data string beyond Latin-1") }
                bytes.append(UInt8(scalar.value))
            }
            return Data(bytes)
        default: throw machine.failure("numpy raw data is neither bytes nor a string")
        }
    }

    /// `numpy.core.multiarray.scalar(dtype, bytes)`: a 0-d tensor.
    static func scalar(dtype: PickleValue, payload: PickleValue, machine: PickleMachine) throws -> StoredTensor {
        let (type, bigEndian) = try elementType(dtype, machine: machine)
        let bytes = try rawBytes(payload, machine: machine)
        guard bytes.count == type.byteCount else {
            throw machine.failure("numpy \(type) scalar holds \(bytes.count) bytes, needs \(type.byteCount)")
        }
        let tensor = StoredTensor(validated: type, shape: [], bytes: bytes)
        return bigEndian ? tensor.byteSwapped() : tensor
    }

    /// The node an ndarray becomes once BUILD gives it its state.
    static func array(stateSlot: PickleSlot, machine: inout PickleMachine) throws -> PickleNode {
        var parts = try machine.tupleItems(stateSlot, "numpy array state")
        if parts.count == 5 { parts.removeFirst() }  // the leading pickle-format version
        guard parts.count == 4 else { throw machine.failure("numpy array state has \(parts.count) items, expected 4 or 5") }
        guard let shape = TorchPickle.integers(try machine.materialize(parts[0], depth: 0)) else {
            throw machine.failure("numpy array shape is not a tuple of integers")
        }
        let dtype = try machine.materialize(parts[1], depth: 0)
        let fortran = try machine.materialize(parts[2], depth: 0).int == 1
        let count = try StoredTensor.elementCount(of: shape, file: machine.file)

        if isObjectDType(dtype) {
            guard case .node(let index) = parts[3], case .list(let elements) = machine.nodes[index] else {
                throw machine.failure("numpy object array data is not a list")
            }
            guard elements.count == count else {
                throw machine.failure("numpy object array of shape \(shape) holds \(elements.count) objects")
            }
            guard !fortran || shape.filter({ $0 > 1 }).count <= 1 else {
                throw machine.failure(.unsupported, "Fortran-ordered numpy object array")
            }
            return .objectArray(shape: shape, elements: elements)
        }
        let (type, bigEndian) = try elementType(dtype, machine: machine)
        let bytes = try rawBytes(try machine.materialize(parts[3], depth: 0), machine: machine)
        guard bytes.count == count * type.byteCount else {
            throw machine.failure("numpy \(type) array of shape \(shape) holds \(bytes.count) bytes, needs \(count * type.byteCount)")
        }
        var tensor = StoredTensor(validated: type, shape: shape, bytes: bytes)
        if bigEndian { tensor = tensor.byteSwapped() }
        if fortran { tensor = try tensor.fromFortranOrder(file: machine.file) }
        return .value(.tensor(tensor))
    }
}

extension StoredTensor {
    /// Reorders elements stored column-major (numpy's `fortran_order`) into row-major.
    func fromFortranOrder(file: String) throws -> StoredTensor {
        let strides = Array(Self.contiguousStrides(shape.reversed()).reversed())
        // A permutation copies exactly the bytes the file holds: no expansion to budget.
        var budget = bytes.count
        return try Self.view(storage: bytes, dtype: dtype, offset: 0, shape: shape, strides: strides, file: file, budget: &budget)
    }
}
