import Checkpoints

/// Checks on an encoder configuration read from a file (inferred from shapes or from the
/// `encoder_configuration` metadata), made before the encoder allocates anything.
extension SwinConfiguration {
    /// Most float32 parameters a loaded encoder (or SMART block) may have: 2²⁸ (1 GiB);
    /// Swin-V2-T has 28 M, Swin-V2-L 197 M.
    public static let parameterBudget = 1 << 28
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

    /// Throws unless the encoder weights (keys without prefix) have the shapes this
    /// configuration gives its largest tensors, so a configuration read from metadata cannot
    /// make a small file allocate a large encoder. Call after `validate(file:)`.
    public func validate(against shapes: [String: [Int]], file: String) throws {
        func expect(_ key: String, _ expected: [Int]) throws {
            guard let shape = shapes[key] else {
                throw CheckpointError(.malformed, file: file, "missing encoder key '\(key)' (expected shape \(expected))")
            }
            guard shape == expected else {
                throw CheckpointError(.malformed, file: file, "encoder key '\(key)' has shape \(shape), the configuration needs \(expected)")
            }
        }
        try expect("latent_tok", [latentTokens, embedDimension])
        try expect("patch_embed.proj.weight", [embedDimension, 3, patchSize, patchSize])
        for stage in depths.indices {
            let dimension = self.dimension(stage: stage)
            for block in 0..<depths[stage] {
                let prefix = "layers.\(stage).blocks.\(block)."
                try expect(prefix + "attn.qkv.weight", [3 * dimension, dimension])
                try expect(prefix + "attn.logit_scale", [heads[stage], 1, 1])
                try expect(prefix + "mlp.fc1.weight", [mlpRatio * dimension, dimension])
            }
            if shapes["layers.\(stage).blocks.\(depths[stage]).norm1.weight"] != nil {
                throw CheckpointError(.malformed, file: file, "stage \(stage) has more blocks than the configuration's \(depths[stage])")
            }
        }
        if shapes["layers.\(depths.count).blocks.0.norm1.weight"] != nil {
            throw CheckpointError(.malformed, file: file, "the encoder has more stages than the configuration's \(depths.count)")
        }
        try expect("prediction_head.layers.0.weight", [headHiddenDimension, dimension(stage: depths.count - 1)])
        try expect("prediction_head.layers.2.weight", [styleDimension, headHiddenDimension])
    }
}
