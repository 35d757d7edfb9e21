import Foundation

/// Reads and writes numpy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Numeric arrays become `StoredTensor`s in C order (Fortran-ordered files are transposed on
/// reading, big-endian ones byte-swapped). Arrays of Python objects (`|O`) hold a pickle, which
/// is decoded by the restricted `Unpickler`: MTCNN's `pnet.npy` is a 0-d object array holding a
/// dict of name → array.
///
/// ```swift
/// let direction = try NumpyFile.readTensor(contentsOf: url)           // [18, 512] float32
/// let weights = try NumpyFile.read(contentsOf: pnetURL)               // .dict of .tensor
/// try NumpyFile.write(latents, to: URL(filePath: "latents.npy"))
/// ```
public enum NumpyFile {
    package static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    static func isNumpy(_ data: Data) -> Bool { data.prefix(6).elementsEqual(magic) }

    /// Reads a `.npy` file: `.tensor` for a numeric array; for an object array, the unpickled
    /// array, with a 0-d object array unwrapped to the object it holds.
    public static func read(contentsOf url: URL) throws -> PickleValue {
        try read(mapFile(url), file: displayName(url))
    }

    /// Reads a numeric `.npy` file.
    /// - Throws: if the file holds an object array.
    public static func readTensor(contentsOf url: URL) throws -> StoredTensor {
        guard case .tensor(let tensor) = try read(contentsOf: url) else {
            throw CheckpointError(.unsupported, file: displayName(url), "npy file holds Python objects, not a numeric array")
        }
        return tensor
    }

    /// Parses `.npy` bytes; `file` names them in errors.
    public static func read(_ data: Data, file: String) throws -> PickleValue {
        var reader = ByteReader(data, file: file, context: "npy file")
        guard try reader.bytes(6, "magic").elementsEqual(magic) else {
            throw CheckpointError(.malformed, file: file, "not an npy file: missing the \\x93NUMPY magic")
        }
        let major = try reader.uint8("major version")
        let minor = try reader.uint8("minor version")
        let headerLength: Int
        switch major {
        case 1: headerLength = try reader.length(UInt16.self, "header")
        case 2, 3: headerLength = try reader.length(UInt32.self, "header")
        default: throw CheckpointError(.unsupported, file: file, "npy format version \(major).\(minor)")
        }
        let headerBytes = try reader.bytes(headerLength, "header")
        // Versions 1 and 2 declare Latin-1 headers, version 3 UTF-8.
        let headerText = major == 3
            ? String(decoding: headerBytes, as: UTF8.self)
            : String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))
        let header = try Header(PythonLiteral.parse(headerText, file: file), file: file)
        let payload = try reader.bytes(reader.remaining, "array data")

        if header.isObjectArray {
            let value = try Unpickler.load(payload, file: file, part: "object array pickle")
            if case .objectArray(let shape, let elements) = value, shape.isEmpty, elements.count == 1 {
                return elements[0]
            }
            return value
        }
        let count = try StoredTensor.elementCount(of: header.shape, file: file)
        let needed = count * header.dtype.byteCount
        guard payload.count >= needed else {
            throw CheckpointError(.truncated, file: file,
                "npy \(header.dtype) array of shape \(header.shape) needs \(needed) data bytes, the file holds \(payload.count)")
        }
        var tensor = StoredTensor(validated: header.dtype, shape: header.shape, bytes: payload.prefix(needed))
        if header.bigEndian { tensor = tensor.byteSwapped() }
        if header.fortranOrder { tensor = try tensor.fromFortranOrder(file: file) }
        return .tensor(tensor)
    }

    /// Writes a tensor as a version 1.0 `.npy` file, byte for byte as `numpy.save` would, under a
    /// temporary name renamed into place.
    /// - Throws: for bfloat16, which numpy has no type for.
    public static func write(_ tensor: StoredTensor, to url: URL) throws {
        try writeAtomically(try encode(tensor, file: displayName(url)), to: url)
    }

    /// The bytes `write` would put in a file (for sending over a network).
    public static func data(_ tensor: StoredTensor) throws -> Data {
        try encode(tensor, file: "npy").reduce(into: Data()) { $0.append($1) }
    }

    package static func encode(_ tensor: StoredTensor, file: String) throws -> [Data] {
        guard let descriptor = tensor.dtype.numpyDescriptor else {
            throw CheckpointError(.unsupported, file: file, "numpy has no \(tensor.dtype) type; convert to float32 first")
        }
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(shape), }"
        // numpy leaves room for the first axis to grow to 21 digits, then aligns data to 64 bytes.
        if let first = tensor.shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let padding = 64 - ((magic.count + 2 + 2 + header.utf8.count + 1) % 64)
        header += String(repeating: " ", count: padding) + "\n"
        guard header.utf8.count <= Int(UInt16.max) else {
            throw CheckpointError(.unsupported, file: file, "npy header of \(header.utf8.count) bytes needs format 2.0")
        }
        var prefix = Data(magic + [1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { prefix.append(contentsOf: $0) }
        prefix.append(contentsOf: header.utf8)
        return [prefix, tensor.bytes]
    }

    /// The `{'descr': ..., 'fortran_order': ..., 'shape': ...}` dict.
    struct Header {
        var dtype: StoredDType = .uint8
        var bigEndian = false
        var isObjectArray = false
        var fortranOrder: Bool
        var shape: [Int]

        /// A header value as Python would print it, for messages.
        static func shown(_ value: PythonLiteral) -> String {
            switch value {
            case .int(let number): String(number)
            case .string(let text): CheckpointError.quote(text)
            default: "a \(String(describing: value).prefix(while: { $0 != "(" }).replacingOccurrences(of: "PythonLiteral.", with: ""))"
            }
        }

        init(_ literal: PythonLiteral, file: String) throws {
            guard case .dict(let pairs) = literal else {
                throw CheckpointError(.malformed, file: file, "npy header is not a dict")
            }
            func field(_ name: String) throws -> PythonLiteral {
                guard let pair = pairs.first(where: { $0.key == .string(name) }) else {
                    throw CheckpointError(.malformed, file: file, "npy header lacks \(CheckpointError.quote(name))")
                }
                return pair.value
            }
            guard case .string(let descriptor) = try field("descr") else {
                throw CheckpointError(.unsupported, file: file, "npy structured dtypes are not supported")
            }
            guard case .bool(let fortran) = try field("fortran_order") else {
                throw CheckpointError(.malformed, file: file, "npy header fortran_order is not a bool")
            }
            guard case .tuple(let sizes) = try field("shape") else {
                throw CheckpointError(.malformed, file: file, "npy header shape is not a tuple")
            }
            shape = try sizes.map {
                guard case .int(let size) = $0, size >= 0 else {
                    throw CheckpointError(.malformed, file: file, "npy header shape (\(sizes.map(Self.shown).joined(separator: ", "))) holds \(Self.shown($0)), not a size")
                }
                return size
            }
            fortranOrder = fortran
            if ["|O", "O", "<O", ">O", "=O"].contains(descriptor) {
                isObjectArray = true
            } else if let parsed = StoredDType.parseNumpy(descriptor) {
                (dtype, bigEndian) = parsed
            } else {
                throw CheckpointError(.unsupported, file: file, "npy dtype \(CheckpointError.quote(descriptor))")
            }
        }
    }
}
