/// Whether a float buffer holds only finite values — the check every checkpoint, latent and
/// direction file gets on load, so it runs at memory speed: a released StylePrompter checkpoint is
/// 280 MB, and copying it into arrays to test `isFinite` per element cost 0.2 s of a 1.7 s `invert`.
public enum FiniteScan {
    /// True when none of `count` floats at `values` is NaN or ±∞.
    ///
    /// Works on the bits: a float is not finite exactly when its exponent field is all ones, and
    /// adding one to that field's lowest bit then carries into the sign bit, which nothing else
    /// reaches — so OR-ing `(bits & exponent) + lowestExponentBit` over the buffer and testing the
    /// sign bit needs only integer adds and ORs, which vectorise on every kernel level.
    public static func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        typealias Lanes = SIMD16<UInt32>
        let exponent = Lanes(repeating: 0x7F80_0000), lowestExponentBit = Lanes(repeating: 0x0080_0000)
        let raw = UnsafeRawPointer(values)
        var flags = Lanes(repeating: 0)
        var index = 0
        while index + Lanes.scalarCount <= count {
            let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: Lanes.self)
            flags |= (bits & exponent) &+ lowestExponentBit
            index += Lanes.scalarCount
        }
        var tail: UInt32 = 0
        while index < count {
            tail |= (raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self) & 0x7F80_0000) &+ 0x0080_0000
            index += 1
        }
        // Fold the lanes with ORs (a generic reduction would extract them one at a time).
        let f8 = flags.lowHalf | flags.highHalf, f4 = f8.lowHalf | f8.highHalf, f2 = f4.lowHalf | f4.highHalf
        return (f2[0] | f2[1] | tail) & 0x8000_0000 == 0
    }
}
