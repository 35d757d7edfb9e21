import Foundation
import Imaging
import Tensors

/// Where training images come from: a folder of files, a stream rendered on the fly, or a
/// generator's samples. Items are addressed by index so that the order of a run is a pure
/// function of (seed, epoch) — the loader can decode ahead on background threads and a resumed
/// run sees exactly the images the interrupted one would have seen.
///
/// ```swift
/// struct Checkerboards: TrainingImageSource {
///     var count: Int? { nil }                       // an unbounded stream
///     func name(of index: Int) -> String { "board \(index)" }
///     func image(at index: Int) throws -> Image { makeBoard(seed: index) }
/// }
/// ```
public protocol TrainingImageSource: Sendable {
    /// How many distinct items there are, or nil for an unbounded stream (every index ≥ 0 is valid).
    var count: Int? { get }
    /// A name for logs and error reports (a file path, a seed).
    func name(of index: Int) -> String
    /// Item `index` at any size (the loader resizes). Throws for an unreadable item, which the
    /// loader skips, counts and reports.
    func image(at index: Int) throws -> Image
    /// The W+ the item was synthesised from ([n_latent, D]), where the source knows it.
    func latents(at index: Int) -> Tensor?
}

extension TrainingImageSource {
    public func latents(at index: Int) -> Tensor? { nil }
}

/// A stream of images made by a function of their index (SynthFaces renders through this).
///
/// ```swift
/// let faces = StreamImageSource(label: "synthfaces") { FaceRenderer.render(FaceAttributes(seed: UInt64($0)), size: 64) }
/// ```
public struct StreamImageSource: TrainingImageSource {
    public let label: String
    public let offset: Int
    let render: @Sendable (Int) throws -> Image

    /// Item `i` is `render(offset + i)`: two streams with disjoint offsets never share an item.
    public init(label: String, offset: Int = 0, render: @escaping @Sendable (Int) throws -> Image) {
        self.label = label
        self.offset = offset
        self.render = render
    }

    public var count: Int? { nil }
    public func name(of index: Int) -> String { "\(label) #\(offset + index)" }
    public func image(at index: Int) throws -> Image { try render(offset + index) }
}

/// A fixed list of items taken from another source (a validation set drawn from a stream).
public struct PrefixImageSource: TrainingImageSource {
    public let base: any TrainingImageSource
    public let length: Int

    public init(_ base: any TrainingImageSource, count: Int) {
        self.base = base
        length = base.count.map { min($0, count) } ?? count
    }

    public var count: Int? { length }
    public func name(of index: Int) -> String { base.name(of: index) }
    public func image(at index: Int) throws -> Image { try base.image(at: index) }
    public func latents(at index: Int) -> Tensor? { base.latents(at: index) }
}
