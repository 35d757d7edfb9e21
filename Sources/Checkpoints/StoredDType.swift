/// The element type of a tensor as stored in a checkpoint file.
///
/// Names follow PyTorch (`float32`, `bfloat16`); each case knows its spellings in the other
/// formats so readers and writers share one table:
///
/// ```swift
/// StoredDType(safetensorsName: "BF16")   // .bfloat16
/// StoredDType.float16.numpyDescriptor    // "<f2"
/// ```
public enum StoredDType: String, CaseIterable, Sendable, Hashable {
    case float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether `floats()` converts this type without rounding beyond float32 itself.
    public var isFloatingPoint: Bool {
        switch self {
        case .float64, .float32, .float16, .bfloat16: true
        default: false
        }
    }

    /// The dtype's name in a safetensors header (`"F32"`).
    public var safetensorsName: String {
        switch self {
        case .float64: "F64"
        case .float32: "F32"
        case .float16: "F16"
        case .bfloat16: "BF16"
        case .int64: "I64"
        case .int32: "I32"
        case .int16: "I16"
        case .int8: "I8"
        case .uint8: "U8"
        case .bool: "BOOL"
        }
    }

    public init?(safetensorsName name: String) {
        guard let match = Self.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = match
    }

    /// The little-endian numpy type string (`"<f4"`); nil for bfloat16, which numpy lacks.
    public var numpyDescriptor: String? {
        switch self {
        case .float64: "<f8"
        case .float32: "<f4"
        case .float16: "<f2"
        case .bfloat16: nil
        case .int64: "<i8"
        case .int32: "<i4"
        case .int16: "<i2"
        case .int8: "|i1"
        case .uint8: "|u1"
        case .bool: "|b1"
        }
    }

    /// The legacy PyTorch storage class holding this dtype (`FloatStorage`).
    var torchStorageName: String {
        switch self {
        case .float64: "DoubleStorage"
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        }
    }

    init?(torchStorageName name: String) {
        if name == "UntypedStorage" {
            // Untyped storages are plain bytes; tensors over them carry no other dtype in the pickle.
            self = .uint8
            return
        }
        guard let match = Self.allCases.first(where: { $0.torchStorageName == name }) else { return nil }
        self = match
    }

    /// Parses a numpy type string such as `"<f4"`, `">i8"`, `"|b1"` or `"f4"`.
    /// - Returns: the dtype and whether its bytes are big-endian, or nil if unsupported.
    static func parseNumpy(_ descriptor: String) -> (dtype: StoredDType, bigEndian: Bool)? {
        var text = Substring(descriptor)
        var bigEndian = false
        if let first = text.first, "<>|=".contains(first) {
            bigEndian = first == ">"
            text = text.dropFirst()
        }
        let dtype: StoredDType
        switch text {
        case "f8": dtype = .float64
        case "f4": dtype = .float32
        case "f2": dtype = .float16
        case "i8": dtype = .int64
        case "i4": dtype = .int32
        case "i2": dtype = .int16
        case "i1": dtype = .int8
        case "u1": dtype = .uint8
        case "b1", "?": dtype = .bool
        default: return nil
        }
        return (dtype, bigEndian && dtype.byteCount > 1)
    }
}
