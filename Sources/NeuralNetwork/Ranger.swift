import Foundation
import Tensors

/// Ranger (the optimiser pSp, e4e and StylePrompter train with): RAdam + Lookahead + gradient
/// centralisation, following lessw2020's reference `Ranger` step by step:
///
/// 1. gradient centralisation: for parameters with more than one axis, subtract the gradient's
///    mean over all axes but the first;
/// 2. RAdam: Adam moments with the variance rectification term; while the SMA length
///    `N_sma ≤ 5` the step is un-adapted momentum SGD;
/// 3. Lookahead: every `k` steps the slow weights move `α` of the way to the fast weights and
///    the fast weights are reset to them.
public final class Ranger: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var alpha: Float
    public var k: Int
    public var smaThreshold: Float
    public var betas: (Float, Float)
    public var epsilon: Float
    public var weightDecay: Float
    public var gradientCentralization: Bool
    let store: OptimizerStateStore

    public init(parameters: [Tensor], learningRate: Float = 1e-3, alpha: Float = 0.5, k: Int = 6,
                smaThreshold: Float = 5, betas: (Float, Float) = (0.95, 0.999), epsilon: Float = 1e-5,
                weightDecay: Float = 0, gradientCentralization: Bool = true) {
        precondition(alpha >= 0 && alpha <= 1 && k >= 1 && learningRate > 0 && epsilon > 0,
                     "Ranger: invalid hyper-parameters alpha \(alpha), k \(k), lr \(learningRate), eps \(epsilon)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.k = k
        self.smaThreshold = smaThreshold
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.gradientCentralization = gradientCentralization
        store = OptimizerStateStore(count: parameters.count)
    }

    public func step() {
        let (beta1, beta2) = betas
        for (p, state) in zip(parameters, store.states) {
            guard var grad = p.grad else { continue }
            if state.step == 0 { state.tensors["slow_buffer"] = p.copy() }
            let m = state.tensor("exp_avg", like: p).data, v = state.tensor("exp_avg_sq", like: p).data
            if gradientCentralization && p.rank > 1 {
                grad = GradientMode.withoutGradients { grad - grad.mean(axes: Array(1..<p.rank), keepDims: true) }
            }
            state.step += 1
            let t = Double(state.step)
            // RAdam's rectification, in double as Python computes it.
            let beta2t = Foundation.pow(Double(beta2), t)
            let smaMax = 2 / (1 - Double(beta2)) - 1
            let sma = smaMax - 2 * t * beta2t / (1 - beta2t)
            let adaptive = sma > Double(smaThreshold)
            let stepSize: Double = adaptive
                ? ((1 - beta2t) * (sma - 4) / (smaMax - 4) * (sma - 2) / sma * smaMax / (smaMax - 2)).squareRoot()
                    / (1 - Foundation.pow(Double(beta1), t))
                : 1 / (1 - Foundation.pow(Double(beta1), t))
            let scaledStep = Float(-stepSize * Double(learningRate))
            let w = p.data, g = grad.readData
            for i in 0..<p.count {
                v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i]
                m[i] = m[i] * beta1 + (1 - beta1) * g[i]
                if weightDecay != 0 { w[i] += -weightDecay * learningRate * w[i] }
                w[i] += adaptive ? scaledStep * (m[i] / (v[i].squareRoot() + epsilon)) : scaledStep * m[i]
            }
            if state.step % k == 0, let slow = state.tensors["slow_buffer"] {
                let s = slow.data
                for i in 0..<p.count {
                    s[i] += alpha * (w[i] - s[i])
                    w[i] = s[i]
                }
            }
        }
    }

    public func stateDictionary() -> [String: Tensor] { store.dictionary() }
    public func load(stateDictionary: [String: Tensor]) throws { try store.load(stateDictionary, parameters: parameters) }
}
