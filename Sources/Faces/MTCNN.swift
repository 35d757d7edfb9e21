import Foundation
import Imaging
import NeuralNetwork
import Tensors

/// MTCNN face detection (Zhang et al. 2016) as pSp's `models/mtcnn` runs it: an image pyramid
/// through P-Net, R-Net on 24×24 crops, O-Net on 48×48 crops, non-maximum suppression and box
/// regression after each stage, five landmarks from O-Net.
///
/// The pipeline follows `detector.detect_faces` step for step — PIL bilinear resizing for the
/// pyramid and the crops, float64 box arithmetic, numpy's half-to-even rounding — so boxes and
/// landmarks match the PyTorch code on the same weights (see `Scripts/make_faces_fixtures.py`).
/// Two deliberate differences: P-Net's softmax is over the two classes (pSp's copy takes it over
/// the image width, a bug), and a photo with no candidate returns `[]` instead of raising.
///
/// ```swift
/// let detector = try MTCNN(weightsDirectory: URL(fileURLWithPath: "weights/mtcnn"))
/// let faces = detector.detect(try Image(contentsOf: photoURL))   // highest score first
/// ```
public final class MTCNN {
    /// Detection settings; the defaults are `detector.detect_faces`'s.
    public struct Options: Sendable, Equatable {
        /// Smallest face side, in pixels of the analysed image, the pyramid looks for.
        public var minimumFaceSize: Double = 20
        /// Face-probability thresholds of P-Net, R-Net and O-Net.
        public var thresholds: [Float] = [0.6, 0.7, 0.8]
        /// Overlap thresholds of the NMS after each stage (the last uses intersection over the
        /// smaller box).
        public var suppressionThresholds: [Double] = [0.7, 0.7, 0.7]
        /// Scale step between pyramid levels (≈ √½).
        public var pyramidFactor: Double = 0.707
        /// When set, photos whose longer side exceeds it are analysed on a copy resized to it
        /// (PIL bilinear, antialiased) and the results scaled back: detection cost stops growing
        /// with the photo's resolution. Faces smaller than `minimumFaceSize` at that size are
        /// not found. `nil` analyses every pixel, as the reference does.
        public var maximumSide: Int? = nil

        public init() {}
    }

    public let proposal: ProposalNetwork
    public let refinement: RefinementNetwork
    public let output: OutputNetwork
    public var options: Options

    /// Networks with the given weights (see `MTCNN+Loading.swift` for reading them from files).
    public init(proposal: ProposalNetwork, refinement: RefinementNetwork, output: OutputNetwork, options: Options = Options()) {
        self.proposal = proposal
        self.refinement = refinement
        self.output = output
        self.options = options
        for network in [proposal, refinement, output] as [Module] { network.eval(); network.setRequiresGradient(false) }
    }

    /// Every face in `image`, highest O-Net score first.
    public func detect(_ image: Image) -> [DetectedFace] {
        if let side = options.maximumSide, max(image.width, image.height) > side {
            let factor = Double(side) / Double(max(image.width, image.height))
            let small = image.resized(width: max(1, Int((Double(image.width) * factor).rounded())),
                                      height: max(1, Int((Double(image.height) * factor).rounded())))
            let back = FacePoint(Double(image.width) / Double(small.width), Double(image.height) / Double(small.height))
            return GradientMode.withoutGradients { detectAllPixels(small) }.map { $0.scaled(by: back) }
        }
        return GradientMode.withoutGradients { detectAllPixels(image) }
    }

    /// The pyramid scales: the first maps `minimumFaceSize` to P-Net's 12-pixel window, each next
    /// one shrinks by `pyramidFactor` while the shorter side stays above 12 pixels.
    func pyramidScales(width: Int, height: Int) -> [Double] {
        let first = 12 / options.minimumFaceSize
        var shorter = Double(min(width, height)) * first
        var scales: [Double] = []
        var count = 0
        while shorter > 12 {
            scales.append(first * pow(options.pyramidFactor, Double(count)))
            shorter *= options.pyramidFactor
            count += 1
        }
        return scales
    }

    private func detectAllPixels(_ image: Image) -> [DetectedFace] {
        // Stage 1: P-Net on each pyramid level, NMS per level and across levels.
        var candidates: [CandidateBox] = []
        for scale in pyramidScales(width: image.width, height: image.height) {
            candidates += proposals(image, scale: scale)
        }
        candidates = CandidateBoxes.suppress(candidates, threshold: options.suppressionThresholds[0]).map { candidates[$0] }
        candidates = candidates.map { CandidateBoxes.squaredAndRounded(CandidateBoxes.calibrate($0, offsets: $0.offsets)) }
        candidates.removeAll { $0.width < 1 || $0.height < 1 }
        guard !candidates.isEmpty else { return [] }

        // Stage 2: R-Net on 24×24 crops.
        var crops = FaceCrops.batch(image, boxes: &candidates, size: 24)
        let refined = refinement(crops)
        var kept: [CandidateBox] = []
        for (i, var box) in candidates.enumerated() where refined.probability[i] > options.thresholds[1] {
            box.score = Double(refined.probability[i])
            box.offsets = row(refined.offsets, i)
            kept.append(box)
        }
        candidates = CandidateBoxes.suppress(kept, threshold: options.suppressionThresholds[1]).map { kept[$0] }
        candidates = candidates.map { CandidateBoxes.squaredAndRounded(CandidateBoxes.calibrate($0, offsets: $0.offsets)) }
        candidates.removeAll { $0.width < 1 || $0.height < 1 }
        guard !candidates.isEmpty else { return [] }

        // Stage 3: O-Net on 48×48 crops; landmarks are placed in the (clipped) crop box.
        crops = FaceCrops.batch(image, boxes: &candidates, size: 48)
        let final = output(crops)
        var faces: [(box: CandidateBox, landmarks: [FacePoint])] = []
        let marks = final.landmarks.readData
        for (i, var box) in candidates.enumerated() where final.probability[i] > options.thresholds[2] {
            box.score = Double(final.probability[i])
            // numpy stores these in O-Net's float32 output array.
            let points = (0..<5).map { k in
                FacePoint(Double(Float(box.x1 + box.width * Double(marks[i * 10 + k]))),
                          Double(Float(box.y1 + box.height * Double(marks[i * 10 + 5 + k]))))
            }
            faces.append((CandidateBoxes.calibrate(box, offsets: row(final.offsets, i)), points))
        }
        let order = CandidateBoxes.suppress(faces.map(\.box), threshold: options.suppressionThresholds[2], mode: .minimum)
        return order.map { index in
            let (b, points) = faces[index]
            return DetectedFace(box: FaceBox(x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2), score: b.score, landmarks: FaceLandmarks(points))
        }
    }

    /// P-Net's candidates at one pyramid scale (`run_first_stage`), after NMS at 0.5.
    private func proposals(_ image: Image, scale: Double) -> [CandidateBox] {
        let width = Int((Double(image.width) * scale).rounded(.up)), height = Int((Double(image.height) * scale).rounded(.up))
        // P-Net needs at least 12×12 to produce one cell.
        guard width >= 12 && height >= 12 else { return [] }
        let level = FaceCrops.networkInput(image.resized(width: width, height: height, filter: .bilinear))
        let (offsets, probability) = proposal(level)
        let (rows, columns) = (probability.shape[1], probability.shape[2])
        let p = probability.readData, o = offsets.readData
        let plane = rows * columns
        var boxes: [CandidateBox] = []
        for i in 0..<rows {
            for j in 0..<columns where p[i * columns + j] > options.thresholds[0] {
                let cell = i * columns + j
                // Each cell is a 12×12 window at stride 2, mapped back to the photo.
                var box = CandidateBox(
                    x1: ((2 * Double(j) + 1) / scale).rounded(.toNearestOrEven),
                    y1: ((2 * Double(i) + 1) / scale).rounded(.toNearestOrEven),
                    x2: ((2 * Double(j) + 1 + 12) / scale).rounded(.toNearestOrEven),
                    y2: ((2 * Double(i) + 1 + 12) / scale).rounded(.toNearestOrEven),
                    score: Double(p[cell]))
                box.offsets = SIMD4(Double(o[cell]), Double(o[plane + cell]), Double(o[2 * plane + cell]), Double(o[3 * plane + cell]))
                boxes.append(box)
            }
        }
        return CandidateBoxes.suppress(boxes, threshold: 0.5).map { boxes[$0] }
    }

    private func row(_ offsets: Tensor, _ i: Int) -> SIMD4<Double> {
        let o = offsets.readData + 4 * i
        return SIMD4(Double(o[0]), Double(o[1]), Double(o[2]), Double(o[3]))
    }
}
