import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

extension GeneratorCheckpoint {
    /// Writes a StyleGAN2 run in the layout of rosinality's `train.py`, as a PyTorch zip `.pt`
    /// that `torch.load(weights_only=True)`, rosinality's code and `GeneratorCheckpoint.load` read:
    ///
    /// ```
    /// {'g': state_dict, 'd': state_dict, 'g_ema': state_dict,
    ///  'g_optim': Adam state_dict, 'd_optim': Adam state_dict,
    ///  'args': {'size': 256, 'latent': 512, 'n_mlp': 8, 'channel_multiplier': 2, 'r1': 10.0, …},
    ///  'ada_aug_p': 0.0, 'latent_avg': tensor [512]}
    /// ```
    ///
    /// Every part but `g_ema` is optional: with only `ema` (and `latentAverage`) it is the
    /// generator-only layout of rosinality's TF converter, `{'g_ema', 'latent_avg'}`. `args` is a
    /// plain dict, not the `argparse.Namespace` rosinality pickles — `weights_only` loading refuses
    /// a Namespace — with the same fields: rosinality's defaults, the architecture read off `ema`,
    /// then `arguments` on top (see `trainingArguments`). It is written when `g` or `d` is, or
    /// when `arguments` is not empty. The optimiser states are `torch.optim.Adam.state_dict()`s,
    /// parameters numbered in PyTorch's `module.parameters()` order (`pyTorchOrderedParameters()`,
    /// not ours), so `g_optim.load_state_dict` resumes them. State dicts are in PyTorch's order.
    ///
    /// ```swift
    /// try GeneratorCheckpoint.exportPyTorch(generator: trainer.generator, discriminator: trainer.discriminator,
    ///     ema: ema, generatorOptimizer: trainer.generatorOptimizer, discriminatorOptimizer: trainer.discriminatorOptimizer,
    ///     arguments: GeneratorCheckpoint.trainingArguments(trainer.settings, batch: 16, iterations: 800_000),
    ///     to: URL(fileURLWithPath: "checkpoint/010000.pt"))
    /// try GeneratorCheckpoint.exportPyTorch(ema: ema, latentAverage: average, to: URL(fileURLWithPath: "g.pt"))
    /// ```
    /// - Throws: `CheckpointError` if an optimiser does not hold exactly its module's parameters
    ///   (or is given without its module), or the file cannot be written.
    public static func exportPyTorch(
        generator: Generator? = nil, discriminator: Discriminator? = nil, ema: Generator,
        generatorOptimizer: Adam? = nil, discriminatorOptimizer: Adam? = nil,
        arguments: [String: PickleValue] = [:], latentAverage: Tensor? = nil, to url: URL
    ) throws {
        let layout = try pyTorchLayout(
            generator: generator, discriminator: discriminator, ema: ema, generatorOptimizer: generatorOptimizer,
            discriminatorOptimizer: discriminatorOptimizer, arguments: arguments, latentAverage: latentAverage,
            file: url.lastPathComponent)
        try TorchCheckpoint.write(layout, to: url)
    }

    /// The value `exportPyTorch` writes.
    public static func pyTorchLayout(
        generator: Generator? = nil, discriminator: Discriminator? = nil, ema: Generator,
        generatorOptimizer: Adam? = nil, discriminatorOptimizer: Adam? = nil,
        arguments: [String: PickleValue] = [:], latentAverage: Tensor? = nil, file: String = "export.pt"
    ) throws -> PickleValue {
        var top = PickleDictionary()
        if let generator { top[.string("g")] = .stateDict(generator.pyTorchOrderedStateDictionary()) }
        if let discriminator { top[.string("d")] = .stateDict(discriminator.pyTorchOrderedStateDictionary()) }
        top[.string("g_ema")] = .stateDict(ema.pyTorchOrderedStateDictionary())
        if let generatorOptimizer {
            top[.string("g_optim")] = try adamStateDict(generatorOptimizer, of: generator, name: "generator", file: file)
        }
        if let discriminatorOptimizer {
            top[.string("d_optim")] = try adamStateDict(discriminatorOptimizer, of: discriminator, name: "discriminator", file: file)
        }
        let training = generator != nil || discriminator != nil
        if training || !arguments.isEmpty {
            top[.string("args")] = .dict(rosinalityArguments(ema.configuration, overrides: arguments))
        }
        // train.py saves the adaptive-augmentation probability; without ADA it is 0.
        if training { top[.string("ada_aug_p")] = .float(0) }
        if let latentAverage { top[.string("latent_avg")] = PickleValue(latentAverage) }
        return .dict(top)
    }

    /// `GANTrainer.Settings` as rosinality's argument names (`lr`, `r1`, `path_regularize`,
    /// `path_batch_shrink`, `d_reg_every`, `g_reg_every`, `mixing`), with `batch` and `iter`.
    public static func trainingArguments(_ settings: GANTrainer.Settings, batch: Int, iterations: Int) -> [String: PickleValue] {
        [
            "lr": .float(decimal(settings.learningRate)), "r1": .float(decimal(settings.r1Gamma)),
            "path_regularize": .float(decimal(settings.pathRegularization)), "path_batch_shrink": .int(settings.pathBatchShrink),
            "d_reg_every": .int(settings.discriminatorRegularizationInterval),
            "g_reg_every": .int(settings.generatorRegularizationInterval),
            "mixing": .float(decimal(settings.mixingProbability)), "batch": .int(batch), "iter": .int(iterations),
        ]
    }

    /// rosinality's `train.py` defaults in its order, with `size`, `latent`, `n_mlp` and
    /// `channel_multiplier` from `configuration`, then `overrides` (replacing, or added in key
    /// order). A channel table that is not rosinality's for any multiplier is written as
    /// `channel_multiplier: None` plus `channels: {resolution: channels}`.
    static func rosinalityArguments(_ configuration: GeneratorConfiguration, overrides: [String: PickleValue]) -> PickleDictionary {
        let table = configuration.channels.filter { $0.key <= configuration.size }
        let multiplier = (1...8).first { m in
            table == GeneratorConfiguration.standardChannels(multiplier: m).filter { $0.key <= configuration.size }
        }
        var pairs: [(String, PickleValue)] = [
            ("path", .string("")), ("arch", .string("stylegan2")), ("iter", .int(800_000)), ("batch", .int(16)),
            ("n_sample", .int(64)), ("size", .int(configuration.size)), ("r1", .float(10)), ("path_regularize", .float(2)),
            ("path_batch_shrink", .int(2)), ("d_reg_every", .int(16)), ("g_reg_every", .int(4)), ("mixing", .float(0.9)),
            ("ckpt", .none), ("lr", .float(0.002)), ("channel_multiplier", multiplier.map { .int($0) } ?? .none),
            ("wandb", .bool(false)), ("local_rank", .int(0)), ("augment", .bool(false)), ("augment_p", .float(0)),
            ("ada_target", .float(0.6)), ("ada_length", .int(500_000)), ("ada_every", .int(256)), ("distributed", .bool(false)),
            ("latent", .int(configuration.styleDimension)), ("n_mlp", .int(configuration.mappingLayers)), ("start_iter", .int(0)),
        ]
        if multiplier == nil {
            pairs.append(("channels", .dict(PickleDictionary(table.keys.sorted().map { (.int($0), .int(table[$0]!)) }))))
        }
        var arguments = PickleDictionary(pairs.map { (.string($0.0), $0.1) })
        for key in overrides.keys.sorted() { arguments[.string(key)] = overrides[key] }
        return arguments
    }

    /// `torch.optim.Adam.state_dict()`: per-parameter `step` (a float tensor), `exp_avg`,
    /// `exp_avg_sq` for the parameters that have been updated, and one parameter group.
    static func adamStateDict(_ optimizer: Adam, of module: Module?, name: String, file: String) throws -> PickleValue {
        guard let module else {
            throw CheckpointError(.malformed, file: file, "the \(name) optimizer is given without the \(name) it updates")
        }
        let parameters = module.parameters()
        guard parameters.count == optimizer.parameters.count,
              zip(parameters, optimizer.parameters).allSatisfy({ $0 === $1 }) else {
            throw CheckpointError(.malformed, file: file,
                "the \(name) optimizer holds \(optimizer.parameters.count) tensors that are not the \(name)'s \(parameters.count) parameters in order")
        }
        // Our optimiser numbers parameters in `parameters()` order; PyTorch in `module.parameters()`
        // order, which `pyTorchOrderedParameters()` reproduces.
        let torchIndex = Dictionary(uniqueKeysWithValues: module.pyTorchOrderedParameters().enumerated().map { ($1.key, $0) })
        let ours = module.namedParameters().map(\.key)
        let saved = optimizer.stateDictionary()
        var entries: [(index: Int, value: PickleValue)] = []
        for (index, key) in ours.enumerated() {
            guard let step = saved["\(index).step"] else { continue }
            var entry = PickleDictionary()
            entry[.string("step")] = PickleValue(step)
            for moment in ["exp_avg", "exp_avg_sq"] {
                if let tensor = saved["\(index).\(moment)"] { entry[.string(moment)] = PickleValue(tensor) }
            }
            entries.append((torchIndex[key]!, .dict(entry)))
        }
        let state = PickleDictionary(entries.sorted { $0.index < $1.index }.map { (.int($0.index), $0.value) })
        let group: [(String, PickleValue)] = [
            ("lr", .float(decimal(optimizer.learningRate))),
            ("betas", .tuple([.float(decimal(optimizer.betas.0)), .float(decimal(optimizer.betas.1))])),
            ("eps", .float(decimal(optimizer.epsilon))),
            // torch's default weight decay is the integer 0.
            ("weight_decay", optimizer.weightDecay == 0 ? .int(0) : .float(decimal(optimizer.weightDecay))),
            ("amsgrad", .bool(false)), ("maximize", .bool(false)), ("foreach", .none), ("capturable", .bool(false)),
            ("differentiable", .bool(false)), ("fused", .none), ("decoupled_weight_decay", .bool(optimizer.decoupledWeightDecay)),
            ("params", .list(parameters.indices.map { .int($0) })),
        ]
        return .dict(PickleDictionary([
            (.string("state"), .dict(state)),
            (.string("param_groups"), .list([.dict(PickleDictionary(group.map { (.string($0.0), $0.1) }))])),
        ]))
    }

    /// A float32 setting as the double Python would have parsed from its shortest decimal form
    /// (0.002, not 0.0020000000949949026).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}
