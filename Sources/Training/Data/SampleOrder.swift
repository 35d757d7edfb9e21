import Tensors

/// The order a run visits its data: position p (the p-th sample the run ever draws) maps to an
/// item index and a flip decision, both pure functions of (seed, p). Finite sources are
/// shuffled per epoch with a permutation seeded by (seed, epoch); unbounded streams are read in
/// order. Resuming a run only needs the next position.
///
/// ```swift
/// var order = SampleOrder(count: 1000, seed: 7, shuffle: true)
/// let (index, flip) = (order.index(at: 1234), order.flips(at: 1234))   // epoch 1, slot 234
/// ```
public struct SampleOrder: Sendable {
    public let count: Int?
    public let seed: UInt64
    public let shuffle: Bool
    public let flipProbability: Float
    private var cachedEpoch = -1
    private var permutation: [Int] = []

    public init(count: Int?, seed: UInt64, shuffle: Bool, flipProbability: Float = 0) {
        precondition(count.map { $0 > 0 } ?? true, "SampleOrder: an empty source")
        self.count = count
        self.seed = seed
        self.shuffle = shuffle
        self.flipProbability = flipProbability
    }

    /// The epoch position `position` falls in (0 for streams).
    public func epoch(at position: Int) -> Int { count.map { position / $0 } ?? 0 }

    /// The item drawn at `position`.
    public mutating func index(at position: Int) -> Int {
        guard let count else { return position }
        let epoch = position / count, slot = position % count
        guard shuffle else { return slot }
        if epoch != cachedEpoch {
            permutation = Self.permutation(count: count, seed: StableHash.mix(seed ^ StableHash.mix(UInt64(epoch))))
            cachedEpoch = epoch
        }
        return permutation[slot]
    }

    /// Whether the sample at `position` is flipped horizontally.
    public func flips(at position: Int) -> Bool {
        guard flipProbability > 0 else { return false }
        let bits = StableHash.mix(seed ^ 0xF11F_F11F_F11F_F11F ^ StableHash.mix(UInt64(position)))
        return Float(bits >> 40) * (1.0 / 16_777_216.0) < flipProbability
    }

    /// Fisher–Yates with the project's seeded generator.
    static func permutation(count: Int, seed: UInt64) -> [Int] {
        var result = Array(0..<count)
        let random = RandomGenerator(seed: seed)
        if count < 2 { return result }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            result.swapAt(i, j)
        }
        return result
    }
}
