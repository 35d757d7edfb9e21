import Tensors

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay — PyTorch's `torch.optim.SGD` update, in the same order.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var momentum: Float
    public var dampening: Float
    public var weightDecay: Float
    public var nesterov: Bool
    let store: OptimizerStateStore

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        store = OptimizerStateStore(count: parameters.count)
    }

    public func step() {
        for (p, state) in zip(parameters, store.states) {
            guard let grad = p.grad else { continue }
            let n = p.count, w = p.data, g = grad.readData
            let first = state.step == 0
            state.step += 1
            let buffer = momentum != 0 ? state.tensor("momentum_buffer", like: p).data : nil
            for i in 0..<n {
                var d = g[i]
                if weightDecay != 0 { d += weightDecay * w[i] }
                if let buffer {
                    buffer[i] = first ? d : momentum * buffer[i] + (1 - dampening) * d
                    d = nesterov ? d + momentum * buffer[i] : buffer[i]
                }
                w[i] -= learningRate * d
            }
        }
    }

    public func stateDictionary() -> [String: Tensor] { store.dictionary() }
    public func load(stateDictionary: [String: Tensor]) throws { try store.load(stateDictionary, parameters: parameters) }
}
