import FileAccess
import Tensors

/// Updates parameters from their accumulated gradients.
///
/// ```swift
/// let optimizer = Ranger(parameters: model.parameters(), learningRate: 1e-4)
/// loss.backward()
/// optimizer.step()
/// optimizer.zeroGradients()
/// ```
///
/// The optimiser's state (moments, step counts, slow weights) round-trips through
/// `stateDictionary()` / `load(stateDictionary:)`, keyed `"<parameter index>.<name>"`, so a
/// training run can stop and resume exactly.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    var learningRate: Float { get set }
    /// One update of every parameter that has a gradient.
    func step()
    /// The optimiser's state as named tensors.
    func stateDictionary() -> [String: Tensor]
    /// Restores state saved by `stateDictionary()`; throws naming the first key that does not fit.
    func load(stateDictionary: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for p in parameters { p.grad = nil }
    }
}

/// Optimiser state that does not fit the parameters it is loaded for.
public struct OptimizerStateError: ContextualError {
    public var description: String
}

/// Per-parameter state tensors, created lazily on a parameter's first update.
final class ParameterState {
    var step = 0
    var tensors: [String: Tensor] = [:]

    func tensor(_ name: String, like parameter: Tensor, initial: Float = 0) -> Tensor {
        if let t = tensors[name] { return t }
        let t = Tensor.full(parameter.shape, value: initial)
        tensors[name] = t
        return t
    }
}

/// The shared bookkeeping of the optimisers: state per parameter and its (de)serialisation.
final class OptimizerStateStore {
    var states: [ParameterState]

    init(count: Int) { states = (0..<count).map { _ in ParameterState() } }

    func dictionary() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (i, state) in states.enumerated() where state.step > 0 {
            result["\(i).step"] = Tensor(Float(state.step))
            for (name, t) in state.tensors { result["\(i).\(name)"] = t.copy() }
        }
        return result
    }

    func load(_ dictionary: [String: Tensor], parameters: [Tensor]) throws {
        var fresh = (0..<parameters.count).map { _ in ParameterState() }
        for (key, value) in dictionary {
            let parts = key.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let index = Int(parts[0]), index >= 0, index < parameters.count else {
                throw OptimizerStateError(description: "optimizer state: key '\(key)' does not name one of \(parameters.count) parameters")
            }
            let name = String(parts[1])
            if name == "step" {
                fresh[index].step = Int(value.item())
            } else {
                guard value.shape == parameters[index].shape else {
                    throw OptimizerStateError(description: "optimizer state: '\(key)' has shape \(value.shape), parameter \(index) has \(parameters[index].shape)")
                }
                fresh[index].tensors[name] = value.copy()
            }
        }
        states = fresh
    }
}
