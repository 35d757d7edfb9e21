import Foundation

extension StoredTensor {
    /// The elements as `Float`, whatever the stored dtype.
    ///
    /// float16 and bfloat16 widen exactly; float64 and 64-bit integers round to nearest; bools
    /// become 0 and 1.
    ///
    /// ```swift
    /// let half = try StoredTensor(dtype: .float16, shape: [1], bytes: Data([0x00, 0x3C]))
    /// try half.floats()   // [1.0]
    /// ```
    public func floats() throws -> [Float] {
        switch dtype {
        case .float32: return elements(Float.self)
        case .float64: return elements(Double.self).map { Float($0) }
        case .float16: return elements(UInt16.self).map(Self.floatFromHalf)
        case .bfloat16: return elements(UInt16.self).map { Float(bitPattern: UInt32($0) << 16) }
        case .int64: return elements(Int64.self).map { Float($0) }
        case .int32: return elements(Int32.self).map { Float($0) }
        case .int16: return elements(Int16.self).map { Float($0) }
        case .int8: return elements(Int8.self).map { Float($0) }
        case .uint8: return elements(UInt8.self).map { Float($0) }
        case .bool: return elements(UInt8.self).map { $0 != 0 ? 1 : 0 }
        }
    }

    /// The elements as `Double`; exact for every dtype except int64 beyond 2^53.
    public func doubles() throws -> [Double] {
        switch dtype {
        case .float64: return elements(Double.self)
        case .int64: return elements(Int64.self).map { Double($0) }
        default: return try floats().map { Double($0) }
        }
    }

    /// The elements as `Int64`.
    /// - Throws: for floating-point dtypes, where truncation would hide a mistake.
    public func int64s() throws -> [Int64] {
        switch dtype {
        case .int64: return elements(Int64.self)
        case .int32: return elements(Int32.self).map { Int64($0) }
        case .int16: return elements(Int16.self).map { Int64($0) }
        case .int8: return elements(Int8.self).map { Int64($0) }
        case .uint8: return elements(UInt8.self).map { Int64($0) }
        case .bool: return elements(UInt8.self).map { $0 != 0 ? 1 : 0 }
        case .float64, .float32, .float16, .bfloat16:
            throw CheckpointError(.unsupported, file: "tensor", "int64s() called on a \(dtype) tensor")
        }
    }

    /// The same values as a float32 tensor (shares the bytes when already float32).
    public func convertedToFloat32() throws -> StoredTensor {
        if dtype == .float32 { return self }
        return try StoredTensor(shape: shape, floats: floats())
    }

    /// Writes the elements as `Float` into `destination` (exactly `elementCount` of them), the
    /// way `floats()` converts them but without an intermediate array: float32 is one copy out of
    /// the (usually memory-mapped) file, float16 one widening pass.
    public func writeFloats(into destination: UnsafeMutableBufferPointer<Float>) throws {
        let count = bytes.count / dtype.byteCount
        precondition(destination.count == count, "writeFloats: \(count) elements into a buffer of \(destination.count)")
        switch dtype {
        case .float32:
            _ = bytes.copyBytes(to: UnsafeMutableRawBufferPointer(destination))
        case .float16:
            bytes.withUnsafeBytes { raw in
                for i in 0..<count { destination[i] = Self.floatFromHalf(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            }
        default:
            let values = try floats()
            _ = destination.update(fromContentsOf: values)
        }
    }

    /// Copies the raw elements out; the bytes may be unaligned (a slice of a file).
    private func elements<T>(_: T.Type) -> [T] {
        let count = bytes.count / MemoryLayout<T>.size
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
        }
    }

    /// IEEE 754 binary16 → binary32 by bit manipulation, because `Float16` is not available on
    /// every platform this package builds for.
    package static func floatFromHalf(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: value = mantissa · 2^-24, exact in float32.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
