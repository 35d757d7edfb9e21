import CPUKernels

/// A float32 tensor of any rank in C order (NCHW for images), with reverse-mode autograd.
///
/// Tensors have reference semantics, like PyTorch's: an op returns a new tensor, and a tensor
/// created by an op from inputs that require gradients remembers how to propagate them.
///
/// ```swift
/// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
/// let loss = (x * x).sum()
/// loss.backward()
/// print(x.grad!.scalars)   // [2, 4, 6, 8, 10, 12]
/// ```
public final class Tensor {
    /// Sizes of the axes, outermost first.
    public let shape: [Int]
    /// The buffer holding the elements; a view shares its base's storage.
    package private(set) var storage: TensorStorage
    /// Index of the first element in `storage`.
    public private(set) var offset: Int
    /// Whether gradients flow to this tensor (set it on leaves such as parameters).
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// How this tensor was computed, when gradients must flow through it.
    internal var gradientNode: GradientNode?

    /// Wraps existing storage (a view when `offset`/`shape` cover part of it).
    package init(shape: [Int], storage: TensorStorage, offset: Int = 0, requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape)
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative size in shape \(shape)")
        precondition(offset >= 0 && offset + count <= storage.count,
                     "Tensor: shape \(shape) at offset \(offset) exceeds storage of \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// A tensor holding a copy of `scalars` (C order).
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(Tensor.elementCount(shape) == scalars.count,
                     "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
        let storage = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor.
    public convenience init(_ scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// An uninitialised tensor, for ops that fill every element.
    package convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(shape)))
    }

    /// Number of elements.
    public var count: Int { Tensor.elementCount(shape) }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Pointer to the first element. Valid while this tensor is alive.
    package var data: UnsafeMutablePointer<Float> { storage.pointer + offset }
    /// Pointer to the first element, read-only.
    package var readData: UnsafePointer<Float> { UnsafePointer(storage.pointer + offset) }

    /// The elements in C order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: readData, count: count)) }

    /// Whether no element is NaN or ±∞ (a scan at memory speed, without copying the elements).
    public var allFinite: Bool { FiniteScan.allFinite(readData, count: count) }

    /// The single element of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, expected 1")
        return data[0]
    }

    /// Size of axis `axis` (negative counts from the end).
    public func size(_ axis: Int) -> Int { shape[normalizedAxis(axis)] }

    /// Turns a possibly negative axis into `0..<rank`, stopping with a clear message otherwise.
    public func normalizedAxis(_ axis: Int, rankOverride: Int? = nil, op: String = "axis") -> Int {
        let r = rankOverride ?? rank
        let a = axis < 0 ? axis + r : axis
        precondition(a >= 0 && a < Swift.max(r, 1), "\(op): axis \(axis) out of range for shape \(shape)")
        return a
    }

    static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// C-order strides of `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= shape[i]
        }
        return strides
    }

    /// A fresh copy of the elements, not connected to the graph.
    public func copy() -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        out.data.update(from: readData, count: count)
        return out
    }

    /// Writes `source`'s elements into this tensor's memory (shapes must hold the same count).
    /// Not recorded by autograd: for loading weights and optimiser updates.
    public func assign(_ source: Tensor) {
        precondition(source.count == count, "assign: source shape \(source.shape) does not match \(shape)")
        data.update(from: source.readData, count: count)
    }

    /// Takes over `source`'s buffer instead of copying it (same shape): for loading a checkpoint's
    /// freshly converted tensors into a model's parameters, whose placeholder buffers are then
    /// freed untouched. `source` must not be used to change values afterwards: the two share memory.
    /// Not recorded by autograd.
    package func adoptStorage(of source: Tensor) {
        precondition(source.shape == shape, "adoptStorage: source shape \(source.shape) does not match \(shape)")
        storage = source.storage
        offset = source.offset
    }

    /// Moves a tensor whose memory is borrowed (lent from a mapped checkpoint) into a buffer of
    /// its own, so it no longer depends on the file. Other tensors are left as they are.
    package func ownStorage() {
        guard storage.isBorrowed else { return }
        adoptStorage(of: copy())
    }

    /// Writes `scalars` into this tensor's memory. Not recorded by autograd.
    public func assign(_ scalars: [Float]) {
        precondition(scalars.count == count, "assign: \(scalars.count) scalars do not fill shape \(shape)")
        scalars.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
