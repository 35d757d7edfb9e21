import Foundation
import Imaging
import Training

/// A run folder with made-up but plausible contents: a nested configuration (with a key and a
/// value that need escaping), a falling loss curve per term (one NaN), validations every 1000
/// steps and their grids (input | stage 1 | SMART rows of coloured cells).
enum FakeRunFolder {
    static func temporary(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static let configuration = #"""
        {"kind": "stage1", "total_steps": 50000, "batch_size": 4, "seed": 7, "resume": null, "smart": false,
         "optimizer": {"name": "ranger", "learning_rate": 0.0001, "betas": [0.95, 0.999]},
         "losses": {"l2": 1.0, "lpips": 0.6, "id": 0.1, "align": 0.1},
         "data": {"train": "data/ffhq & friends", "test": "data/celeba-hq/test"},
         "<script>": "alert(\"x\") & <b>bold</b>"}
        """#

    /// Writes the folder's files for `steps` training steps logged every `every` steps.
    static func make(at folder: URL, steps: Int = 4000, every: Int = 10, grids: Int = 4) throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("samples"), withIntermediateDirectories: true)
        try Data(configuration.utf8).write(to: folder.appendingPathComponent("config.json"))
        var noise = Noise(state: 1)
        var lines = ""
        for step in stride(from: every, through: steps, by: every) {
            let t = Double(step)
            let l2 = 0.4 * exp(-t / 400) + 0.0004 * (1 + 0.3 * noise.next())
            let lpips = 0.25 + 0.45 * exp(-t / 1200) + 0.02 * noise.next()
            let id = step == 1230 ? Double.nan : 0.3 + 0.5 * exp(-t / 900) + 0.03 * noise.next()
            let align = 0.012
            let terms = ["loss": l2 + 0.6 * lpips + 0.1 * id + 0.1 * align, "loss_l2": l2, "loss_lpips": lpips,
                         "loss_id": id, "loss_align": align]
            let record = TrainingRecord(step: step, kimg: t * 4 / 1000, seconds: t * 0.42, imagesPerSecond: 9.5 + noise.next(),
                                        terms: terms)
            lines += record.jsonLine() + "\n"
        }
        try Data(lines.utf8).write(to: folder.appendingPathComponent("metrics.jsonl"))

        var validations = ""
        for index in 0..<grids {
            let step = (index + 1) * 1000
            let progress = Double(index + 1) / Double(grids)
            let name = String(format: "samples/val-%06d.png", step)
            let metrics = ["mse": 0.09 - 0.05 * progress, "psnr": 16.5 + 4 * progress - (index == grids - 1 && grids > 2 ? 1.5 : 0),
                           "ssim": 0.42 + 0.2 * progress, "lpips": 0.48 - 0.15 * progress, "id": 0.31 + 0.3 * progress]
            validations += ValidationRecord(step: step, metrics: metrics, grid: name).jsonLine() + "\n"
            let url = folder.appendingPathComponent(name)
            try grid(seed: index).write(to: url)
            // Distinct modification times, oldest first, so "newest" is well defined.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(step))],
                                                  ofItemAtPath: url.path)
        }
        try Data(validations.utf8).write(to: folder.appendingPathComponent("validation.jsonl"))
    }

    /// Two photos per grid, each as input | stage 1 | SMART (blurrier, then closer).
    static func grid(seed: Int) throws -> Image {
        let side = 64
        func cell(_ photo: Int, blur: Double) -> Image {
            var image = Image(width: side, height: side)
            for y in 0..<side {
                for x in 0..<side {
                    let u = Double(x) / Double(side), v = Double(y) / Double(side)
                    let ring = sin(10 * ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5)) * Double(3 + photo + seed)) * (1 - blur)
                    let base = (x + y * side) * 3
                    image.pixels[base] = UInt8(max(0, min(255, 128 + 110 * ring)))
                    image.pixels[base + 1] = UInt8(max(0, min(255, 60 + 150 * u)))
                    image.pixels[base + 2] = UInt8(max(0, min(255, 90 + 140 * v * Double(1 + photo) / 2)))
                }
            }
            return image
        }
        return try ImageGrid.make(rows: (0..<2).map { [cell($0, blur: 0), cell($0, blur: 0.6), cell($0, blur: 0.2)] }, margin: 4)
    }

    /// A deterministic uniform generator in [−1, 1].
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }
}
