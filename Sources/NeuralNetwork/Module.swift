import Foundation
import Tensors

/// A network component whose parameters, buffers and sub-modules are found by reflection over
/// its stored properties and named exactly like PyTorch state-dict keys.
///
/// - a `Tensor` (or `Tensor?`) property is a parameter; one declared `@Buffer` is a buffer;
/// - a `Module` (or `Module?`) property is a child, keyed by its name;
/// - a `[Module]` property is a list of children keyed `name.0`, `name.1`, …;
/// - a `[String: Tensor]` property holds tensors with keys chosen at run time (`noises.noise_3`);
/// - Swift names that differ from the PyTorch ones are mapped by `keyRenames`.
///
/// ```swift
/// final class Block: Module {
///     var norm1 = LayerNorm(96)
///     var toRGB = Linear(96, 3)
///     override class var keyRenames: [String: String] { ["toRGB": "to_rgb"] }
/// }
/// Block().namedParameters().map(\.key)  // ["norm1.weight", "norm1.bias", "to_rgb.weight", "to_rgb.bias"]
/// ```
open class Module {
    /// Whether the module is training (dropout and drop-path active) or evaluating.
    public private(set) var training = true

    public init() {}

    /// Swift property name → PyTorch key, for properties whose names differ.
    open class var keyRenames: [String: String] { [:] }

    /// Switches this module and every descendant to training (`true`) or evaluation mode.
    public func train(_ on: Bool = true) {
        training = on
        for (_, child) in namedChildren() { child.train(on) }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Direct children, by key.
    public func namedChildren() -> [(key: String, module: Module)] {
        reflectedEntries().compactMap { entry in
            if case .module(let m) = entry.value { return (entry.key, m) }
            return nil
        }
    }

    /// Every parameter of this module and its descendants, keyed by dotted path.
    public func namedParameters() -> [(key: String, tensor: Tensor)] { namedTensors(buffers: false) }

    /// Every buffer of this module and its descendants, keyed by dotted path.
    public func namedBuffers() -> [(key: String, tensor: Tensor)] { namedTensors(buffers: true) }

    /// Parameters and buffers, as PyTorch's `state_dict()` lists them.
    public func stateDictionary() -> [(key: String, tensor: Tensor)] {
        namedTensors(buffers: nil)
    }

    /// Copies every parameter and buffer lent from a memory-mapped checkpoint into memory of its
    /// own (`MappedRegion` in Checkpoints), so that the module no longer depends on its file: for
    /// long-running processes, which must outlive a checkpoint rewritten in place.
    public func detachFromFiles() {
        for (_, tensor) in stateDictionary() { tensor.ownStorage() }
    }

    /// Every parameter (for optimisers).
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Marks every parameter as needing (or not) gradients — freezes or unfreezes the module.
    public func setRequiresGradient(_ on: Bool) {
        for (_, p) in namedParameters() { p.requiresGrad = on }
    }

    /// Clears accumulated gradients.
    public func zeroGradients() {
        for (_, p) in namedParameters() { p.grad = nil }
    }

    // MARK: Reflection

    enum Entry {
        case parameter(Tensor)
        case buffer(Tensor)
        case module(Module)
    }

    /// This module's own entries, in declaration order (superclass properties first).
    func reflectedEntries() -> [(key: String, value: Entry)] {
        var chain: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror, m.subjectType != Module.self {
            chain.append(m)
            mirror = m.superclassMirror
        }
        let renames = Self.keyRenames
        var entries: [(String, Entry)] = []
        for m in chain.reversed() {
            for child in m.children {
                guard var name = child.label else { continue }
                var value = child.value
                var isBuffer = false
                // Only a property wrapper's storage (`_name`) can be a `Buffer`; asking every
                // other child for the protocol costs the runtime a scan of all conformances per
                // new type (~10 ms of loading a Swin encoder).
                if name.hasPrefix("_"), let buffer = value as? BufferStorage {
                    isBuffer = true
                    value = buffer.storedValue
                    name = String(name.dropFirst())   // the wrapper's storage is `_name`
                }
                let key = renames[name] ?? name
                if let tensor = value as? Tensor {
                    entries.append((key, isBuffer ? .buffer(tensor) : .parameter(tensor)))
                } else if let module = value as? Module {
                    entries.append((key, .module(module)))
                } else if let modules = value as? [Module] {
                    for (i, module) in modules.enumerated() { entries.append(("\(key).\(i)", .module(module))) }
                } else if let tensors = value as? [String: Tensor] {
                    for (name, tensor) in tensors.sorted(by: { $0.key.localizedStandardCompare($1.key) == .orderedAscending }) {
                        entries.append(("\(key).\(name)", .buffer(tensor)))
                    }
                }
            }
        }
        return entries
    }

    /// Tensors of the whole tree: parameters (`buffers == false`), buffers (`true`) or both.
    func namedTensors(buffers: Bool?, prefix: String = "") -> [(key: String, tensor: Tensor)] {
        var result: [(key: String, tensor: Tensor)] = []
        for (key, entry) in reflectedEntries() {
            switch entry {
            case .parameter(let t) where buffers != true: result.append((prefix + key, t))
            case .buffer(let t) where buffers != false: result.append((prefix + key, t))
            case .module(let m): result += m.namedTensors(buffers: buffers, prefix: prefix + key + ".")
            default: break
            }
        }
        return result
    }
}

/// Marks a tensor property of a `Module` as a buffer: saved and loaded with the state dict,
/// never trained.
/// `@Buffer var mask: Tensor?` declares an optional buffer, absent from the state dict while nil.
@propertyWrapper
public struct Buffer<Value> {
    public var wrappedValue: Value
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }
}

/// Lets reflection see through `Buffer` whatever its value type.
protocol BufferStorage {
    var storedValue: Any { get }
}

extension Buffer: BufferStorage {
    var storedValue: Any { wrappedValue }
}

/// A module that maps one tensor to one tensor, so it can be chained in a `Sequential`.
open class Layer: Module {
    open func callAsFunction(_ input: Tensor) -> Tensor {
        preconditionFailure("\(type(of: self)) must override callAsFunction(_:)")
    }
}
