import Tensors

extension Module {
    /// Parameters in the order PyTorch's `module.parameters()` yields them for the same
    /// architecture: at every module its own parameters first, then each child's, children in
    /// the order their keys first appear. `namedParameters()` follows Swift declaration order
    /// instead, which differs where a module declares a parameter after a child (rosinality's
    /// ToRGB `bias`, Swin's `q_bias`); PyTorch optimiser states are numbered in this order.
    ///
    /// ```swift
    /// final class ToRGBLike: Module { var conv = Linear(4, 3); var bias = Tensor.zeros([3], requiresGrad: true) }
    /// ToRGBLike().namedParameters().map(\.key)          // conv.weight, conv.bias, bias
    /// ToRGBLike().pyTorchOrderedParameters().map(\.key) // bias, conv.weight, conv.bias
    /// ```
    public func pyTorchOrderedParameters() -> [(key: String, tensor: Tensor)] {
        PyTorchOrder.sorted(namedParameters(), buffers: [])
    }

    /// Parameters and buffers in the order of PyTorch's `state_dict()`: at every module its own
    /// parameters, then its own buffers, then each child's entries. (Children keep our order,
    /// so where a module registers its children in another order than ours — rosinality's ToRGB
    /// registers `upsample` before `conv` — buffers may sit elsewhere; loading is by key.)
    public func pyTorchOrderedStateDictionary() -> [(key: String, tensor: Tensor)] {
        PyTorchOrder.sorted(stateDictionary(), buffers: Set(namedBuffers().map(\.key)))
    }
}

/// Reorders dotted keys module by module, the way `torch.nn.Module` walks itself.
enum PyTorchOrder {
    static func sorted(_ entries: [(key: String, tensor: Tensor)], buffers: Set<String>) -> [(key: String, tensor: Tensor)] {
        let paths = entries.map { entry in (entry: entry, parts: entry.key.split(separator: ".", omittingEmptySubsequences: false)[...]) }
        return arrange(paths, depth: 0, buffers: buffers).map(\.entry)
    }

    private typealias Path = (entry: (key: String, tensor: Tensor), parts: ArraySlice<Substring>)

    private static func arrange(_ paths: [Path], depth: Int, buffers: Set<String>) -> [Path] {
        var parameters: [Path] = [], ownBuffers: [Path] = []
        var children: [Substring: [Path]] = [:], childOrder: [Substring] = []
        for path in paths {
            let rest = path.parts.dropFirst(depth)
            if rest.count == 1 {
                if buffers.contains(path.entry.key) { ownBuffers.append(path) } else { parameters.append(path) }
            } else if let name = rest.first {
                if children[name] == nil { childOrder.append(name) }
                children[name, default: []].append(path)
            }
        }
        return parameters + ownBuffers + childOrder.flatMap { arrange(children[$0]!, depth: depth + 1, buffers: buffers) }
    }
}
