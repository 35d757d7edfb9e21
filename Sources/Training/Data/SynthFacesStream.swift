import Foundation
import SynthFaces

/// The `--data synthfaces[-STYLE][:SEED]` form of the training commands: faces rendered on the
/// fly, every label known. `STYLE` is a `RenderStyle` (`classic` when omitted), `SEED` picks the
/// block of seeds (0 when omitted): training item i is the face of seed `SEED·2³² + i`, and the
/// validation faces come from the block with bit 63 set, so the two never share a face.
///
/// ```swift
/// let stream = try SynthFacesStream(description: "synthfaces-large-mouth:1")!   // seed 1, large mouths
/// let train = stream.source(size: 64), validation = stream.source(size: 64, validation: true)
/// ```
public struct SynthFacesStream: Equatable, Sendable {
    public var seed: UInt64
    public var style: RenderStyle

    public init(seed: UInt64, style: RenderStyle = .classic) {
        self.seed = seed
        self.style = style
    }

    /// The stream a `--data` value names; nil when it names none (it is then a folder). A value
    /// that starts like a stream but is malformed — an unknown style (unless a folder of that
    /// name exists), a seed that is not an integer below 2³¹ — is an error naming it.
    public init?(description: String) throws {
        guard description.hasPrefix("synthfaces") else { return nil }
        let rest = description.dropFirst("synthfaces".count)
        let styleText = rest.prefix { $0 != ":" }
        let seedText = rest.dropFirst(styleText.count)
        var style = RenderStyle.classic
        if !styleText.isEmpty {
            // "synthfacesX" without a dash is a folder name, not a stream.
            guard styleText.hasPrefix("-") else { return nil }
            guard let named = RenderStyle(rawValue: String(styleText.dropFirst())) else {
                if FileManager.default.fileExists(atPath: description) { return nil }
                throw TrainingError.configuration("--data \(description): unknown SynthFaces style '\(styleText.dropFirst())'; expected one of \(RenderStyle.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            style = named
        }
        let digits = seedText.dropFirst()
        guard let seed = digits.isEmpty ? 0 : UInt64(digits), seed < 1 << 31 else {
            throw TrainingError.configuration("--data \(description): the SynthFaces seed must be an integer from 0 to 2147483647")
        }
        self.init(seed: seed, style: style)
    }

    /// The training faces (endless), or the validation block's, at `size` (at least 16) pixels.
    public func source(size: Int, validation: Bool = false) -> StreamImageSource {
        let block = (seed << 32) | (validation ? 1 << 63 : 0)
        let style = style
        return StreamImageSource(label: "synthfaces seed", offset: 0) { index in
            FaceRenderer.render(seed: block | UInt64(UInt32(truncatingIfNeeded: index)), size: max(16, size), style: style)
        }
    }
}
