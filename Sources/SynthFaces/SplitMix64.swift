/// A tiny seeded random number generator (SplitMix64, Steele, Lea & Flood 2014): 64 bits of state,
/// the same stream on every machine, unlike the system generator.
///
/// ```swift
/// var random = SplitMix64(seed: 7)
/// let u = random.nextSigned()      // uniform in [−1, 1)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 24 bits, so the value is exact in a Float.
    public mutating func nextUnit() -> Float { Float(next() >> 40) * (1 / 16_777_216) }

    /// Uniform in [−1, 1).
    public mutating func nextSigned() -> Float { nextUnit() * 2 - 1 }

    /// Uniform integer in `0..<count` (count small: the bias of a 64-bit modulo is negligible).
    public mutating func nextIndex(_ count: Int) -> Int { Int(next() % UInt64(count)) }

    /// True with probability `probability`.
    public mutating func nextBool(probability: Float) -> Bool { nextUnit() < probability }
}
