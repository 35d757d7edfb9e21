import Imaging
import Tensors

/// The network inputs MTCNN cuts from a photo (`get_image_boxes`, `_preprocess`).
enum FaceCrops {
    /// `[1, 3, H, W]` with `(v − 127.5) · 0.0078125`, as `_preprocess`.
    static func networkInput(_ image: Image) -> Tensor {
        let tensor = Tensor(uninitializedShape: [1, 3, image.height, image.width])
        write(image, into: tensor.data)
        return tensor
    }

    private static func write(_ image: Image, into target: UnsafeMutablePointer<Float>) {
        let plane = image.width * image.height
        image.pixels.withUnsafeBufferPointer { source in
            for i in 0..<plane {
                for c in 0..<3 { target[c * plane + i] = (Float(source[3 * i + c]) - 127.5) * 0.0078125 }
            }
        }
    }

    /// Each box cut out of `image` (zeros where it leaves the photo), resized to `size × size`
    /// with PIL bilinear: `[N, 3, size, size]`.
    ///
    /// As in pSp's `correct_bboxes`, whose corner arrays are views into the box array, the boxes
    /// come back clipped to the photo; later stages (landmark placement among them) use the
    /// clipped boxes while the crops keep the unclipped size.
    static func batch(_ image: Image, boxes: inout [CandidateBox], size: Int) -> Tensor {
        let batch = Tensor(uninitializedShape: [boxes.count, 3, size, size])
        let (imageWidth, imageHeight) = (Double(image.width), Double(image.height))
        for (n, box) in boxes.enumerated() {
            // float64 → int32 truncation, as `astype('int32')`.
            let w = Int(box.width), h = Int(box.height)
            var x = box.x1, y = box.y1, ex = box.x2, ey = box.y2
            var dx = 0.0, dy = 0.0, edx = box.width - 1, edy = box.height - 1
            if ex > imageWidth - 1 { edx = box.width + imageWidth - 2 - ex; ex = imageWidth - 1 }
            if ey > imageHeight - 1 { edy = box.height + imageHeight - 2 - ey; ey = imageHeight - 1 }
            if x < 0 { dx = -x; x = 0 }
            if y < 0 { dy = -y; y = 0 }
            var cut = [UInt8](repeating: 0, count: w * h * 3)
            let (sx, sy, tx, ty) = (Int(x), Int(y), Int(dx), Int(dy))
            let rows = min(Int(ey) - sy, Int(edy) - ty) + 1, columns = min(Int(ex) - sx, Int(edx) - tx) + 1
            if rows > 0 && columns > 0 {
                image.pixels.withUnsafeBufferPointer { source in
                    for r in 0..<rows {
                        let from = ((sy + r) * image.width + sx) * 3, to = ((ty + r) * w + tx) * 3
                        for k in 0..<(columns * 3) { cut[to + k] = source[from + k] }
                    }
                }
            }
            let resized = Image(width: w, height: h, pixels: cut).resized(width: size, height: size, filter: .bilinear)
            write(resized, into: batch.data + n * 3 * size * size)
            boxes[n].x1 = x; boxes[n].y1 = y; boxes[n].x2 = ex; boxes[n].y2 = ey
        }
        return batch
    }
}
