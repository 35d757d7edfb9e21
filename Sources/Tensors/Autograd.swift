/// Whether ops record the graph that `backward()` walks.
///
/// Recording is per thread (a task-local value), so inference on one thread never builds a graph
/// because training runs on another.
///
/// ```swift
/// let image = GradientMode.withoutGradients { generator(latents) }   // no graph, no saved intermediates
/// ```
public enum GradientMode {
    @TaskLocal static var isRecording = true

    /// Whether ops currently record gradients.
    public static var isEnabled: Bool { isRecording }

    /// Runs `body` with graph recording off: nothing is saved for backward.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $isRecording.withValue(false, operation: body)
    }

    /// Runs `body` with graph recording on (inside a no-grad scope, or for double backward).
    public static func withGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $isRecording.withValue(true, operation: body)
    }
}

/// One recorded op: the tensors it read that need gradients, and the rule mapping the gradient
/// of its output to theirs. Rules are written with tensor ops, so running them while recording
/// builds the graph of the gradient itself (double backward, for R1 and path-length penalties).
final class GradientNode {
    let name: String
    var inputs: [Tensor]
    var rule: ((Tensor) -> [Tensor?])?

    init(name: String, inputs: [Tensor], rule: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.rule = rule
    }
}

extension Tensor {
    /// Whether gradients reach this tensor, as a leaf or through the graph.
    public var needsGradient: Bool { requiresGrad || gradientNode != nil }

    /// Attaches `rule` to `output` when recording is on and some input needs a gradient.
    /// `rule` returns one gradient per input, in order (nil where there is none); it is only kept
    /// — with what it captured — when it can be used.
    @discardableResult
    static func record(_ name: String, _ output: Tensor, inputs: [Tensor],
                       rule: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.needsGradient }) else { return output }
        output.gradientNode = GradientNode(name: name, inputs: inputs, rule: rule)
        return output
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, offset: offset)
    }

    /// Computes gradients of this tensor with respect to every leaf that requires them, adding
    /// them into the leaves' `grad`. `seed` defaults to ones for a one-element tensor.
    /// The graph is freed afterwards unless `retainGraph` or `createGraph`; with `createGraph` the
    /// gradient computation is itself recorded, so gradients can be differentiated again.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) {
        let leafGradients = propagate(seed: seed, targets: nil, retainGraph: retainGraph, createGraph: createGraph)
        for (leaf, gradient) in leafGradients {
            leaf.grad = leaf.grad.map { $0 + gradient } ?? gradient
        }
    }

    /// Runs the recorded rules from this tensor back to `targets` (every leaf requiring a
    /// gradient when nil) and returns the gradients that reach them.
    func propagate(seed: Tensor?, targets: [Tensor]?, retainGraph: Bool, createGraph: Bool) -> [(Tensor, Tensor)] {
        let seed = seed ?? {
            precondition(count == 1, "backward: output of shape \(shape) is not a scalar; pass a seed gradient")
            return Tensor.full(shape, value: 1)
        }()
        precondition(seed.shape == shape, "backward: seed shape \(seed.shape) does not match output \(shape)")
        var postOrder: [Tensor?] = graphPostOrder()
        let targetIDs = targets.map { Set($0.map(ObjectIdentifier.init)) }
        // Only walk the part of the graph that leads to a target.
        var relevant = Set<ObjectIdentifier>()
        for case let tensor? in postOrder {
            let id = ObjectIdentifier(tensor)
            let isTarget = targetIDs?.contains(id) ?? (tensor.requiresGrad && tensor.gradientNode == nil)
            if isTarget || (tensor.gradientNode?.inputs.contains { relevant.contains(ObjectIdentifier($0)) } ?? false) {
                relevant.insert(id)
            }
        }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        var results: [(Tensor, Tensor)] = []

        // Without retainGraph, each op's rule and saved tensors are dropped as soon as its
        // gradient has been passed on (PyTorch frees saved tensors the same way): the backward
        // pass then holds the not-yet-visited part of the graph only, not all of it.
        let freeAsWeGo = !retainGraph && !createGraph
        let run = {
            for index in postOrder.indices.reversed() {
                guard let tensor = postOrder[index] else { continue }
                if freeAsWeGo { postOrder[index] = nil }
                defer {
                    if freeAsWeGo {
                        tensor.gradientNode?.rule = nil
                        tensor.gradientNode?.inputs = []
                    }
                }
                let id = ObjectIdentifier(tensor)
                guard relevant.contains(id), let gradient = pending.removeValue(forKey: id) else { continue }
                let finalGradient = createGraph ? gradient : gradient.detached()
                if let targetIDs {
                    if targetIDs.contains(id) { results.append((tensor, finalGradient)) }
                } else if tensor.gradientNode == nil {
                    results.append((tensor, finalGradient))
                }
                guard let node = tensor.gradientNode else { continue }
                guard let rule = node.rule else {
                    preconditionFailure("backward: graph through '\(node.name)' was already freed; pass retainGraph: true")
                }
                let inputGradients = rule(gradient)
                precondition(inputGradients.count == node.inputs.count, "backward: '\(node.name)' returned wrong gradient count")
                for (input, g) in zip(node.inputs, inputGradients) {
                    guard let g, relevant.contains(ObjectIdentifier(input)) else { continue }
                    precondition(g.shape == input.shape,
                                 "backward: '\(node.name)' gave gradient \(g.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    pending[key] = pending[key].map { $0 + g } ?? g
                }
            }
        }
        if createGraph { GradientMode.withGradients(run) } else { GradientMode.withoutGradients(run) }
        // As in PyTorch (`retain_graph` defaults to `create_graph`): a recorded gradient's rules
        // read this graph's intermediates, so freeing it would silently cut second derivatives.
        if !retainGraph && !createGraph {
            for case let tensor? in postOrder {
                tensor.gradientNode?.rule = nil
                tensor.gradientNode?.inputs = []
            }
        }
        return results
    }

    /// Tensors reachable from this one through recorded ops, every input before its users.
    private func graphPostOrder() -> [Tensor] {
        var visited = Set<ObjectIdentifier>()
        var postOrder: [Tensor] = []
        // Iterative depth-first search: graphs of deep networks would overflow a recursive one.
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (tensor, next) = stack.popLast() {
            let inputs = tensor.gradientNode?.inputs ?? []
            if next < inputs.count {
                stack.append((tensor, next + 1))
                let input = inputs[next]
                if input.needsGradient, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                postOrder.append(tensor)
            }
        }
        return postOrder
    }
}

/// Gradients of `output` with respect to `inputs` (leaves or intermediate tensors), returned
/// rather than accumulated into any `grad` (PyTorch's `torch.autograd.grad`). With `createGraph`
/// they are recorded and can be differentiated again (R1 and path-length penalties).
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil,
                      retainGraph: Bool = false, createGraph: Bool = false) -> [Tensor] {
    for input in inputs {
        precondition(input.needsGradient, "gradients(of:withRespectTo:): an input of shape \(input.shape) does not require gradients")
    }
    let found = output.propagate(seed: seed, targets: inputs, retainGraph: retainGraph, createGraph: createGraph)
    return inputs.map { input in
        found.first { $0.0 === input }?.1 ?? Tensor.zeros(input.shape)
    }
}
