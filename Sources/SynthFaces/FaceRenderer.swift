import Dispatch
import Foundation
import Imaging

/// Renders SynthFaces: anti-aliased cartoon faces, one per `FaceAttributes`, the same bytes on
/// every machine (only + − × ÷ and square root touch pixel values; no fused multiply-adds).
///
/// Layers, back to front: background, hair behind the head, neck and shoulders, ears, head,
/// blush, hair in front, eyes, brows, nose, mouth, glasses. Each shape is evaluated only inside
/// its bounding box.
///
/// ```swift
/// let face = FaceRenderer.render(FaceAttributes(seed: 7), size: 64)
/// let batch = FaceRenderer.render(seeds: 0..<256, size: 64)       // on every core
/// ```
public enum FaceRenderer {
    /// One face, `size`×`size` pixels (`size` ≥ 8), drawn with `style`'s proportions.
    public static func render(_ attributes: FaceAttributes, size: Int, style: RenderStyle = .classic) -> Image {
        precondition(size >= 8, "FaceRenderer: size \(size) is below 8")
        var canvas = Canvas(size: size)
        let geometry = FaceGeometry(attributes, pixelSize: canvas.pixelSize, style: style)
        paintBackground(&canvas, geometry)
        paintHairBehind(&canvas, geometry)
        paintNeckAndShoulders(&canvas, geometry)
        paintEars(&canvas, geometry)
        paintHead(&canvas, geometry)
        paintBlush(&canvas, geometry)
        paintHairInFront(&canvas, geometry)
        paintEyes(&canvas, geometry)
        paintBrows(&canvas, geometry)
        paintNose(&canvas, geometry)
        paintMouth(&canvas, geometry)
        paintGlasses(&canvas, geometry)
        return canvas.image()
    }

    /// The face of `FaceAttributes(seed:)`.
    public static func render(seed: UInt64, size: Int, style: RenderStyle = .classic) -> Image {
        render(FaceAttributes(seed: seed), size: size, style: style)
    }

    /// Faces for many seeds, in order, spread over `threads` threads (default: every core).
    /// Each face depends only on its seed, so the result is the same for any thread count.
    public static func render(seeds: some Sequence<UInt64>, size: Int, style: RenderStyle = .classic,
                              threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Image] {
        render(seeds.map(FaceAttributes.init(seed:)), size: size, style: style, threads: threads)
    }

    /// Faces for many attribute sets, in order, spread over `threads` threads.
    public static func render(_ faces: [FaceAttributes], size: Int, style: RenderStyle = .classic,
                              threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Image] {
        precondition(size >= 8, "FaceRenderer: size \(size) is below 8")
        let parts = max(1, min(threads, faces.count))
        var images = [Image?](repeating: nil, count: faces.count)
        images.withUnsafeMutableBufferPointer { results in
            // Each part writes its own contiguous slots, so the concurrent writes never overlap.
            nonisolated(unsafe) let slots = results
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = part * faces.count / parts, end = (part + 1) * faces.count / parts
                for index in start..<end { slots[index] = render(faces[index], size: size, style: style) }
            }
        }
        return images.map { $0! }
    }
}
