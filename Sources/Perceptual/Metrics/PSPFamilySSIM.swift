import Foundation
import Tensors

/// SSIM and MS-SSIM exactly as the pSp-family evaluation scripts report them: ReStyle's and
/// HyperStyle's `scripts/calc_losses_on_images.py --metrics msssim`, which call
/// `criteria/ms_ssim.py` (taken from jorge-pessoa/pytorch-msssim) on ONE image pair at a time,
/// with both images normalised to [−1, 1].
///
/// It differs from the textbook definition (and from `StructuralSimilarity`, which follows the
/// `pytorch_msssim` package) in ways that change the numbers:
/// - the dynamic range L is guessed from the first image on every call: `max > 128 ? 255 : 1`
///   minus `min < −0.5 ? −1 : 0` — so L = 2 for typical [−1, 1] images, but L = 1 for an image
///   with no value below −0.5 — and the values are used as they are (no mapping to [0, 1]);
/// - SSIM and contrast-structure are averaged over channels and positions together;
/// - the window side is `min(11, H, W)` (σ 1.5), valid positions only;
/// - between the five scales a plain 2×2 average pool (odd sides lose their last row/column);
/// - no ReLU: a negative contrast-structure term raised to a fractional weight gives NaN, which
///   the script then drops from its mean;
/// - `MS-SSIM = Π_{i<5} csᵢ^wᵢ · ssim₅^w₅`, weights `[0.0448, 0.2856, 0.3001, 0.2363, 0.1333]`.
///
/// Each function returns one value per image of the batch, each computed as the script computes
/// a batch of one. The window is applied separably (the script's 2-D window is the outer product
/// of the same 1-D one; the two differ only by float rounding).
///
/// ```swift
/// let scores = PSPFamilySSIM.msssim(generated, target)   // [N], the "msssim" column
/// ```
public enum PSPFamilySSIM {
    /// SSIM of each pair (`ssim(img1, img2)` with the guessed range).
    public static func ssim(_ generated: Tensor, _ target: Tensor) -> Tensor {
        perImage(generated, target) { x, y in components(x, y, range: dynamicRange(of: x)).ssim }
    }

    /// MS-SSIM of each pair (`MSSSIM()(img1, img2)`).
    public static func msssim(_ generated: Tensor, _ target: Tensor) -> Tensor {
        perImage(generated, target) { x, y in
            var a = x, b = y
            var product: Tensor?
            let weights = StructuralSimilarity.msssimWeights
            for (level, weight) in weights.enumerated() {
                // The range is guessed again at every scale, from the pooled image.
                let (ssim, cs) = components(a, b, range: dynamicRange(of: a))
                let term = (level == weights.count - 1 ? ssim : cs).pow(weight)
                product = product.map { $0 * term } ?? term
                if level < weights.count - 1 {
                    a = a.averagePool2d(kernel: 2)
                    b = b.averagePool2d(kernel: 2)
                }
            }
            return product!
        }
    }

    /// The script's guess of the dynamic range of `image`.
    public static func dynamicRange(of image: Tensor) -> Float {
        let values = image.scalars
        let maxValue: Float = (values.max() ?? 0) > 128 ? 255 : 1
        let minValue: Float = (values.min() ?? 0) < -0.5 ? -1 : 0
        return maxValue - minValue
    }

    /// The 1-D window of `gaussian(size, 1.5)`: float64 values rounded to float32, their sum
    /// rounded once from double (as PyTorch's reduction gives), then float32 division.
    package static func window(size: Int) -> [Float] {
        let values = (0..<size).map { x -> Float in
            let d = Double(x - size / 2)
            return Float(Foundation.exp(-d * d / (2 * 1.5 * 1.5)))
        }
        let total = Float(values.reduce(0.0) { $0 + Double($1) })
        return values.map { $0 / total }
    }

    /// Whole-image means of the SSIM and contrast-structure maps of one pair `[1, C, H, W]`.
    static func components(_ x: Tensor, _ y: Tensor, range: Float) -> (ssim: Tensor, cs: Tensor) {
        let size = Swift.min(11, x.shape[2], x.shape[3])
        let w = window(size: size)
        let c1 = (0.01 * range) * (0.01 * range), c2 = (0.03 * range) * (0.03 * range)
        let muX = StructuralSimilarity.filter(x, w), muY = StructuralSimilarity.filter(y, w)
        let muXX = muX * muX, muYY = muY * muY, muXY = muX * muY
        let sigmaXX = StructuralSimilarity.filter(x * x, w) - muXX
        let sigmaYY = StructuralSimilarity.filter(y * y, w) - muYY
        let sigmaXY = StructuralSimilarity.filter(x * y, w) - muXY
        let v1 = 2 * sigmaXY + c2, v2 = sigmaXX + sigmaYY + c2
        let ssimMap = ((2 * muXY + c1) * v1) / ((muXX + muYY + c1) * v2)
        return (ssimMap.mean(), (v1 / v2).mean())
    }

    private static func perImage(_ x: Tensor, _ y: Tensor, _ score: (Tensor, Tensor) -> Tensor) -> Tensor {
        precondition(x.shape == y.shape && x.rank == 4, "PSPFamilySSIM: inputs \(x.shape) and \(y.shape) must be equal NCHW")
        let scores = (0..<x.shape[0]).map { i in
            score(x.narrow(0, start: i, length: 1), y.narrow(0, start: i, length: 1)).reshape([1])
        }
        return Tensor.concat(scores, axis: 0)
    }
}
