import Foundation
import NeuralNetwork
import Tensors

/// Storing weights as IEEE 754 binary16 where that loses nothing that matters.
///
/// A tensor is stored as float16 only when every value is inside float16's normal range and the
/// rounding changes the tensor by at most `relativeTolerance` in L2 norm (float16 rounds each
/// value by at most 2⁻¹¹ relative, so a tensor of normal-range values sits near 3·10⁻⁴). Tensors
/// with large values, or so many tiny ones that they would flush to subnormals, stay float32.
///
/// ```swift
/// let stored = HalfPrecision.storedWhereExact(tensor)   // .float16 or .float32
/// ```
public enum HalfPrecision {
    /// The largest relative L2 change rounding may make before a tensor is kept float32.
    public static let relativeTolerance: Double = 1e-3

    /// `tensor` as float16 when that is exact enough (see the type's note), else float32.
    public static func storedWhereExact(_ tensor: Tensor, relativeTolerance: Double = relativeTolerance) -> StoredTensor {
        let values = tensor.scalars
        var halves = [UInt16](repeating: 0, count: values.count)
        var error = 0.0, norm = 0.0
        for (index, value) in values.enumerated() {
            guard value.isFinite, abs(value) <= 65504 else { return StoredTensor(tensor) }
            let half = halfFromFloat(value)
            halves[index] = half
            let difference = Double(StoredTensor.floatFromHalf(half)) - Double(value)
            error += difference * difference
            norm += Double(value) * Double(value)
        }
        guard error <= relativeTolerance * relativeTolerance * norm else { return StoredTensor(tensor) }
        let bytes = halves.withUnsafeBytes { Data($0) }
        // A count-matched float16 buffer cannot fail validation.
        return try! StoredTensor(dtype: .float16, shape: tensor.shape, bytes: bytes)
    }

    /// IEEE 754 binary32 → binary16, rounding to nearest, ties to even (the conversion PyTorch's
    /// `.half()` and numpy's `astype(float16)` make). Overflow gives ±∞, NaN stays NaN.
    public static func halfFromFloat(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal half: keep 10 mantissa bits, round the 13 dropped ones to nearest even.
            var half = UInt32(unbiased + 15) << 10 | (mantissa >> 13)
            let dropped = mantissa & 0x1FFF
            if dropped > 0x1000 || (dropped == 0x1000 && half & 1 == 1) { half += 1 }   // may carry into ∞: correct
            return sign | UInt16(half)
        }
        if unbiased < -25 { return sign }
        // Subnormal half: value = m · 2⁻²⁴ with the implicit bit made explicit.
        let full = mantissa | 0x80_0000
        let shift = UInt32(-unbiased - 14 + 13)   // 14…24
        var half = full >> shift
        let dropped = full & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        if dropped > halfway || (dropped == halfway && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }
}

extension Module {
    /// Writes this module's state dict like `saveSafetensors`, float16 where exact enough.
    public func saveHalfPrecisionSafetensors(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDictionary().map { ($0.key, HalfPrecision.storedWhereExact($0.tensor)) }, metadata: metadata, to: url)
    }
}
