import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

extension StylePrompterCheckpoint {
    /// Writes `model` as the released code's checkpoint, a PyTorch zip `.pt` that the released
    /// `StylePrompter`/`StylePrompterBaseline` classes and `torch.load(weights_only=True)` load:
    ///
    /// ```
    /// {'state_dict': OrderedDict('encoder.module.<key>': …,
    ///                            'decoder.module.generator.<key>': …, 'decoder.module.smart_block.<key>': …),
    ///  'opts': {'output_size': 1024, 'tokens_num': 18, 'refined_layer': 4, 'type': 'full', …},
    ///  'latent_avg': tensor [n_latent or 1, 512]}
    /// ```
    ///
    /// A model without SMART is written as a stage-1 (`StylePrompterBaseline`) checkpoint:
    /// generator keys directly under `decoder.module.`, `type` `'baseline'`. The encoder's derived
    /// buffers are included as PyTorch registers them (`relative_position_index` as int64), so the
    /// released `load_state_dict(strict=True)` accepts the file. `opts` is a plain dict, as the
    /// released coach saves `vars(opts)`: the released training defaults with the model's own
    /// fields set, then `options` on top (replacing a default, or added in key order).
    ///
    /// ```swift
    /// try StylePrompterCheckpoint.exportPyTorch(model, options: ["max_steps": .int(20_000)],
    ///                                           to: URL(fileURLWithPath: "run/stylePrompter.pt"))
    /// ```
    public static func exportPyTorch(_ model: StylePrompterModel, options: [String: PickleValue] = [:], to url: URL) throws {
        try TorchCheckpoint.write(pyTorchLayout(model, options: options), to: url)
    }

    /// The value `exportPyTorch` writes.
    public static func pyTorchLayout(_ model: StylePrompterModel, options: [String: PickleValue] = [:]) -> PickleValue {
        let generatorPrefix = model.smart == nil ? "decoder.module." : "decoder.module.generator."
        var items = PickleValue.stateDictItems(model.encoder.pyTorchOrderedStateDictionary(), prefix: "encoder.module.",
                                               integerBuffers: ["relative_position_index"])
        items += PickleValue.stateDictItems(model.generator.pyTorchOrderedStateDictionary(), prefix: generatorPrefix)
        if let smart = model.smart {
            items += PickleValue.stateDictItems(smart.pyTorchOrderedStateDictionary(), prefix: "decoder.module.smart_block.")
        }
        var top = PickleDictionary()
        top[.string("state_dict")] = .orderedDict(PickleDictionary(items))
        top[.string("opts")] = .dict(releasedOptions(model, overrides: options))
        top[.string("latent_avg")] = PickleValue(model.latentAverage)
        return .dict(top)
    }

    /// The released `TrainOptions` defaults (options/train_options.py) with the fields the
    /// released model code reads set from `model`: `output_size`, `tokens_num`, `refined_layer`,
    /// `type`, `n_styles`, `start_from_latent_avg` (our models add `latent_avg`), `learn_in_w`.
    static func releasedOptions(_ model: StylePrompterModel, overrides: [String: PickleValue]) -> PickleDictionary {
        let size = model.generator.configuration.size
        let defaults: [(String, PickleValue)] = [
            ("exp_dir", .string("./results/")), ("dataset_type", .string("ffhq_encode")), ("input_nc", .int(3)),
            ("output_size", .int(size)), ("tokens_num", .int(model.encoder.configuration.latentTokens)),
            ("refined_layer", .int(model.refinedLayer)), ("type", .string(model.smart == nil ? "baseline" : "full")),
            ("device", .string("cpu")), ("batch_size", .int(4)), ("test_batch_size", .int(8)), ("workers", .int(6)),
            ("test_workers", .int(6)), ("learning_rate", .float(0.0001)), ("optim_name", .string("ranger")),
            ("start_from_latent_avg", .bool(true)), ("learn_in_w", .bool(false)), ("lpips_lambda", .float(0.6)),
            ("id_lambda", .float(0.1)), ("multi_id", .bool(false)), ("l2_lambda", .float(1.0)), ("align_lambda", .float(0.1)),
            ("stylegan_weights", .string("")), ("checkpoint_path", .none), ("last_step", .none), ("max_steps", .int(600_000)),
            ("image_interval", .int(5000)), ("board_interval", .int(50)), ("val_interval", .int(5000)),
            ("save_interval", .int(10000)), ("n_styles", .int(2 * (size.bitWidth - size.leadingZeroBitCount - 1) - 2)),
        ]
        var options = PickleDictionary(defaults.map { (.string($0.0), $0.1) })
        for key in overrides.keys.sorted() { options[.string(key)] = overrides[key] }
        return options
    }
}
