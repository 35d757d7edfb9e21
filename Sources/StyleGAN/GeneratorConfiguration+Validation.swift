import Checkpoints

/// Checks on a configuration that came from a file (inferred from its shapes or read from its
/// metadata), made before a single weight is allocated: a hostile file must give an error
/// naming the value, not a trap or an allocation of terabytes.
extension GeneratorConfiguration {
    /// Largest output side accepted (rosinality's generators stop at 1024; 4096 leaves room).
    public static let maximumSize = 4096
    /// Most float32 parameters a loaded generator may have: 2²⁸ (1 GiB); config-f has 30 M.
    public static let parameterBudget = 1 << 28
    /// Most elements one activation (batch 1) may have: 2²⁸ (1 GiB); config-f peaks at 33 M.
    public static let activationBudget = 1 << 28

    /// Float32 parameters the generator would hold; nil when the table is incomplete.
    /// Every term is bounded by `validate` before it is multiplied, so nothing overflows.
    var parameterCount: Int {
        let d = styleDimension
        var total = mappingLayers * (d * d + d)
        var previous = channels[4] ?? 0
        total += previous * 16                                      // input.input
        total += previous * previous * 9 + d * previous + d + 2     // conv1
        total += 3 * previous + d * previous + d + 3                // to_rgb1
        var resolution = 8
        while resolution <= size {
            let c = channels[resolution] ?? 0
            total += previous * c * 9 + d * previous + d + 2
            total += c * c * 9 + d * c + d + 2
            total += 3 * c + d * c + d + 3
            previous = c
            resolution *= 2
        }
        return total
    }

    /// Throws a `CheckpointError` naming `file` and the first impossible value: a size that is
    /// not a power of two in 8…`maximumSize`, a style dimension or mapping depth out of range, a
    /// missing or absurd channel count, a bad blur kernel, or a model beyond the memory budgets.
    public func validate(file: String) throws {
        func fail(_ message: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, "generator configuration: \(message)")
        }
        guard size >= 8, size <= Self.maximumSize, size & (size - 1) == 0 else {
            throw fail("size \(size) is not a power of two from 8 to \(Self.maximumSize)")
        }
        guard (1...8192).contains(styleDimension) else {
            throw fail("style dimension \(styleDimension) is outside 1…8192")
        }
        guard (1...64).contains(mappingLayers) else {
            throw fail("\(mappingLayers) mapping layers (expected 1…64)")
        }
        guard mappingLearningRateMultiplier.isFinite, mappingLearningRateMultiplier > 0 else {
            throw fail("mapping learning-rate multiplier \(mappingLearningRateMultiplier) is not a positive number")
        }
        var resolution = 4
        while resolution <= size {
            guard let c = channels[resolution] else { throw fail("no channel count for \(resolution) px") }
            guard (1...16384).contains(c) else { throw fail("\(c) channels at \(resolution) px (expected 1…16384)") }
            guard c * resolution * resolution <= Self.activationBudget else {
                throw fail("\(c) channels at \(resolution) px need \(c * resolution * resolution) values per image, beyond the budget of \(Self.activationBudget)")
            }
            resolution *= 2
        }
        guard (1...16).contains(blurKernel.count), blurKernel.allSatisfy(\.isFinite), blurKernel.reduce(0, +) != 0 else {
            throw fail("blur kernel \(blurKernel) is not 1…16 finite taps with a non-zero sum")
        }
        let parameters = parameterCount
        guard parameters <= Self.parameterBudget else {
            throw fail("\(parameters) parameters, beyond the budget of \(Self.parameterBudget)")
        }
    }

    /// Throws unless the key tensors of `shapes` (generator keys without prefix) have the shapes
    /// this configuration gives them, so a configuration read from metadata cannot disagree
    /// with the weights it is loaded with. Call after `validate`.
    public func validate(against shapes: [String: [Int]], file: String) throws {
        func expect(_ key: String, _ expected: [Int]) throws {
            guard let shape = shapes[key] else {
                throw CheckpointError(.malformed, file: file, "missing generator key '\(key)' (expected shape \(expected))")
            }
            guard shape == expected else {
                throw CheckpointError(.malformed, file: file,
                    "generator key '\(key)' has shape \(shape), the \(size)-px configuration needs \(expected)")
            }
        }
        let d = styleDimension
        for layer in 1...mappingLayers { try expect("style.\(layer).weight", [d, d]) }
        if shapes["style.\(mappingLayers + 1).weight"] != nil {
            throw CheckpointError(.malformed, file: file, "'style.\(mappingLayers + 1).weight' is present but the configuration has \(mappingLayers) mapping layers")
        }
        let c4 = channels[4]!
        try expect("input.input", [1, c4, 4, 4])
        try expect("conv1.conv.weight", [1, c4, c4, 3, 3])
        var previous = c4
        for level in 3...logSize {
            let c = channels[1 << level]!
            try expect("convs.\(2 * (level - 3)).conv.weight", [1, c, previous, 3, 3])
            try expect("convs.\(2 * (level - 3) + 1).conv.weight", [1, c, c, 3, 3])
            try expect("to_rgbs.\(level - 3).bias", [1, 3, 1, 1])
            previous = c
        }
        if shapes["to_rgbs.\(logSize - 2).bias"] != nil {
            throw CheckpointError(.malformed, file: file, "'to_rgbs.\(logSize - 2).bias' is present but the configuration is \(size) px")
        }
    }
}
