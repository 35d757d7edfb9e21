import Checkpoints

/// Checks on an encoder configuration read from a file (inferred from shapes or from the
/// `encoder_configuration` metadata), made before the encoder allocates anything.
extension SwinConfiguration {
    /// Most float32 parameters a loaded encoder may have: 2³⁰ (4 GiB); Swin-V2-T has 28 M.
    public static let parameterBudget = 1 << 30
    /// Most elements one activation (batch 1) may have, attention scores included: 2²⁸.
    public static let activationBudget = 1 << 28

    /// Throws a `CheckpointError` naming `file` and the first impossible value.
    public func validate(file: String) throws {
        func fail(_ message: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, "encoder configuration: \(message)")
        }
        guard (16...4096).contains(imageSize) else { throw fail("image size \(imageSize) is outside 16…4096") }
        guard (1...64).contains(patchSize), imageSize % patchSize == 0 else {
            throw fail("patch size \(patchSize) does not divide the \(imageSize)-px image (or is outside 1…64)")
        }
        guard (1...4096).contains(embedDimension) else { throw fail("embedding dimension \(embedDimension) is outside 1…4096") }
        guard (1...8).contains(depths.count), depths.allSatisfy({ (1...64).contains($0) }) else {
            throw fail("stage depths \(depths) (expected 1…8 stages of 1…64 blocks)")
        }
        guard heads.count == depths.count else { throw fail("\(heads.count) head counts for \(depths.count) stages") }
        guard (1...64).contains(windowSize) else { throw fail("window size \(windowSize) is outside 1…64") }
        guard (1...16).contains(mlpRatio) else { throw fail("MLP ratio \(mlpRatio) is outside 1…16") }
        guard dropPathRate.isFinite, (0...1).contains(dropPathRate) else { throw fail("drop-path rate \(dropPathRate) is outside [0, 1]") }
        guard (1...64).contains(latentTokens) else { throw fail("\(latentTokens) latent tokens (expected 1…64)") }
        guard (1...65536).contains(headHiddenDimension) else { throw fail("prediction-head width \(headHiddenDimension) is outside 1…65536") }
        guard (1...8192).contains(styleDimension) else { throw fail("style dimension \(styleDimension) is outside 1…8192") }
        let grid = imageSize / patchSize
        guard grid % (1 << (depths.count - 1)) == 0 else {
            throw fail("a \(grid)² patch grid cannot be halved \(depths.count - 1) times")
        }
        var parameters = latentTokens * embedDimension + 3 * patchSize * patchSize * embedDimension
        for stage in depths.indices {
            let dimension = embedDimension << stage
            guard dimension <= 65536 else { throw fail("stage \(stage) would have \(dimension) channels") }
            guard heads[stage] >= 1, dimension % heads[stage] == 0 else {
                throw fail("\(heads[stage]) heads do not divide stage \(stage)'s \(dimension) channels")
            }
            let side = resolution(stage: stage), window = window(stage: stage)
            guard side % window == 0 else { throw fail("window \(window) does not tile stage \(stage)'s \(side)² grid") }
            let tokens = side * side + latentTokens
            guard tokens * dimension * mlpRatio <= Self.activationBudget,
                  side * side * heads[stage] * (window * window + latentTokens) <= Self.activationBudget else {
                throw fail("stage \(stage) (\(side)² patches × \(dimension) channels, window \(window)) needs activations beyond the budget of \(Self.activationBudget) values")
            }
            parameters += depths[stage] * ((4 + 2 * mlpRatio) * dimension * dimension + 512 * heads[stage] + 1024)
            if stage < depths.count - 1 { parameters += 10 * dimension * dimension }
        }
        let last = embedDimension << (depths.count - 1)
        parameters += (last + headHiddenDimension) * headHiddenDimension + headHiddenDimension * styleDimension
        guard parameters <= Self.parameterBudget else {
            throw fail("about \(parameters) parameters, beyond the budget of \(Self.parameterBudget)")
        }
    }
}
