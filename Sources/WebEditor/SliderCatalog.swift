import Foundation
import StyleGAN
import Tensors

/// The sliders of one model and the W+ offset each stands for: direction files checked against
/// the model's latent shape, GANSpace components scaled by their deviation, and the top SeFa
/// directions of its generator.
struct SliderCatalog {
    package let sliders: [EditSlider]
    /// Slider id → direction, `[1, D]` (every W+ row) or `[n, D]`.
    private let directions: [String: Tensor]

    init(sources: SliderSources, generator: Generator) throws {
        let (rows, dimension) = (generator.configuration.latentCount, generator.configuration.styleDimension)
        var sliders: [EditSlider] = []
        var directions: [String: Tensor] = [:]
        func add(_ kind: EditSlider.Kind, _ label: String, _ direction: Tensor) throws {
            let prefix = switch kind { case .direction: "d"; case .sefa: "s"; case .ganspace: "g" }
            let id = "\(prefix)\(sliders.filter { $0.kind == kind }.count)"
            directions[id] = try LatentEditing.normalizedDirection(direction, rows: rows, dimension: dimension)
            sliders.append(EditSlider(id: id, label: label, kind: kind))
        }
        for file in sources.files {
            do {
                switch try EditDirection.load(contentsOf: file.url) {
                case .vector(let direction):
                    try add(.direction, file.label, direction)
                case .ganspace(let pca):
                    guard pca.mean.count == dimension else {
                        throw EditError("GANSpace of dimension \(pca.mean.count) for a generator of \(dimension)")
                    }
                    for k in 0..<min(sources.ganspaceComponents, pca.components.shape[0]) {
                        try add(.ganspace, "\(file.label) PC\(k)", try pca.direction(component: k))
                    }
                }
            } catch let error as EditError {
                throw SliderError("\(file.url.path): \(error.description)")
            }
        }
        if sources.sefaCount > 0 {
            let (sefa, _) = try SeFa.directions(of: generator, count: sources.sefaCount)
            for k in 0..<sefa.shape[0] { try add(.sefa, "SeFa \(k)", sefa.narrow(0, start: k, length: 1)) }
        }
        self.sliders = sliders
        self.directions = directions
    }

    /// `latents` [1, n, D] moved by every nonzero strength in `edits` (ids already validated).
    func edited(_ latents: Tensor, by edits: [String: Float]) throws -> Tensor {
        var result = latents
        for slider in sliders {
            guard let strength = edits[slider.id], strength != 0, let direction = directions[slider.id] else { continue }
            result = try LatentEditing.apply(direction, to: result, strength: strength)
        }
        return result
    }
}
