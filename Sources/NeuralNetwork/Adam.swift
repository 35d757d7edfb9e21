import Foundation
import Tensors

/// Adam, or AdamW with `decoupledWeightDecay` — PyTorch's `torch.optim.Adam` / `AdamW` update,
/// in the same float32 order of operations so trajectories match.
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var betas: (Float, Float)
    public var epsilon: Float
    public var weightDecay: Float
    /// AdamW: decay the weights directly instead of adding `weightDecay·w` to the gradient.
    public var decoupledWeightDecay: Bool
    let store: OptimizerStateStore

    public init(parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        store = OptimizerStateStore(count: parameters.count)
    }

    /// AdamW with PyTorch's default weight decay of 0.01.
    public static func adamW(parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, betas: betas, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        let (beta1, beta2) = betas
        for (p, state) in zip(parameters, store.states) {
            guard let grad = p.grad else { continue }
            state.step += 1
            let m = state.tensor("exp_avg", like: p).data, v = state.tensor("exp_avg_sq", like: p).data
            let biasCorrection1 = 1 - Foundation.pow(beta1, Float(state.step))
            let biasCorrection2Root = (1 - Foundation.pow(beta2, Float(state.step))).squareRoot()
            let stepSize = learningRate / biasCorrection1
            let w = p.data, g = grad.readData
            if decoupledWeightDecay && weightDecay != 0 {
                let factor = 1 - learningRate * weightDecay
                for i in 0..<p.count { w[i] *= factor }
            }
            for i in 0..<p.count {
                var gi = g[i]
                if !decoupledWeightDecay && weightDecay != 0 { gi += weightDecay * w[i] }
                m[i] += (gi - m[i]) * (1 - beta1)     // PyTorch's lerp_
                v[i] = v[i] * beta2 + (1 - beta2) * gi * gi
                let denominator = v[i].squareRoot() / biasCorrection2Root + epsilon
                w[i] += -stepSize * (m[i] / denominator)
            }
        }
    }

    public func stateDictionary() -> [String: Tensor] { store.dictionary() }
    public func load(stateDictionary: [String: Tensor]) throws { try store.load(stateDictionary, parameters: parameters) }
}
