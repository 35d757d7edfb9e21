extension Tensor {
    /// `body(inputs)` computed without saving its intermediates: the forward pass runs with
    /// recording off, and the backward pass runs `body` again on the same inputs — this time
    /// recording — to get the gradients (PyTorch's `torch.utils.checkpoint`). Trades one extra
    /// forward of `body` for its activations' memory; the 1024-px generator's high-resolution
    /// layers are the case it is for.
    ///
    /// `body` must compute the same values when run again (capture noise images, not a random
    /// generator). Parameters used inside `body` that require gradients get them accumulated
    /// into their `grad` during the backward pass, as with an ordinary graph. Not for double
    /// backward: a `createGraph` pass through it is refused.
    ///
    /// ```swift
    /// let out = Tensor.recomputed([x, style]) { conv2(conv1($0[0], style: $0[1]), style: $0[1]) }
    /// ```
    public static func recomputed(_ inputs: [Tensor], _ body: @escaping ([Tensor]) -> Tensor) -> Tensor {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.needsGradient }) else { return body(inputs) }
        let output = GradientMode.withoutGradients { body(inputs) }
        let detachedInputs = inputs.map { $0.detached() }
        return record("recomputed", output, inputs: inputs) { gradient in
            precondition(!GradientMode.isEnabled, "Tensor.recomputed: double backward (createGraph) through a recomputed block is not supported")
            let leaves = zip(inputs, detachedInputs).map { original, detached -> Tensor in
                let leaf = detached.detached()
                leaf.requiresGrad = original.needsGradient
                return leaf
            }
            let again = GradientMode.withGradients { body(leaves) }
            guard again.needsGradient else { return inputs.map { _ in nil } }
            // Accumulates into the leaves' grad — the inputs' copies and any parameter of body.
            again.backward(seed: gradient)
            return leaves.map { $0.requiresGrad ? $0.grad : nil }
        }
    }
}
