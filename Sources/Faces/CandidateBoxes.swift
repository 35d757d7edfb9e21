/// MTCNN's box arithmetic between stages (pSp `box_utils.py`), on candidates carried in float64
/// as numpy carries them.
struct CandidateBox {
    var x1: Double, y1: Double, x2: Double, y2: Double
    var score: Double
    /// Regression offsets `(tx1, ty1, tx2, ty2)` as fractions of the box size.
    var offsets: SIMD4<Double> = .zero

    var width: Double { x2 - x1 + 1 }
    var height: Double { y2 - y1 + 1 }
}

enum CandidateBoxes {
    enum Overlap { case union, minimum }

    /// Greedy non-maximum suppression (`nms`): indices kept, highest score first. A box is dropped
    /// when its overlap with a kept one exceeds `threshold` (strictly).
    static func suppress(_ boxes: [CandidateBox], threshold: Double, mode: Overlap = .union) -> [Int] {
        // numpy's argsort is not stable; ties between float scores are rare enough to ignore,
        // and a stable order makes ours deterministic.
        var order = boxes.indices.sorted { boxes[$0].score < boxes[$1].score || (boxes[$0].score == boxes[$1].score && $0 < $1) }
        var kept: [Int] = []
        while let best = order.popLast() {
            kept.append(best)
            let a = boxes[best]
            let areaA = a.width * a.height
            order.removeAll { index in
                let b = boxes[index]
                let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1) + 1)
                let h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1) + 1)
                let intersection = w * h
                let areaB = b.width * b.height
                let overlap = mode == .union ? intersection / (areaA + areaB - intersection) : intersection / min(areaA, areaB)
                return overlap > threshold
            }
        }
        return kept
    }

    /// `calibrate_box`: moves each corner by its offset times the box size.
    static func calibrate(_ box: CandidateBox, offsets: SIMD4<Double>) -> CandidateBox {
        var b = box
        let (w, h) = (box.width, box.height)
        b.x1 += offsets[0] * w; b.y1 += offsets[1] * h
        b.x2 += offsets[2] * w; b.y2 += offsets[3] * h
        return b
    }

    /// `convert_to_square` then `np.round` of the corners (half to even): a square of the
    /// longer side around the same centre.
    static func squaredAndRounded(_ box: CandidateBox) -> CandidateBox {
        var b = box
        let side = max(box.width, box.height)
        b.x1 = box.x1 + box.width * 0.5 - side * 0.5
        b.y1 = box.y1 + box.height * 0.5 - side * 0.5
        b.x2 = b.x1 + side - 1
        b.y2 = b.y1 + side - 1
        b.x1.round(.toNearestOrEven); b.y1.round(.toNearestOrEven)
        b.x2.round(.toNearestOrEven); b.y2.round(.toNearestOrEven)
        return b
    }
}
