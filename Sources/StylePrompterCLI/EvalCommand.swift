import ArgumentParser
import Foundation
import Imaging
import Inversion
import Perceptual
import Tensors

/// `styleprompter eval`: reconstruction quality of a model on a folder of photos, with the
/// conventions of the GAN-inversion literature (REFERENCE §5): metrics at 256 px on [−1, 1].
struct EvalCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure MSE, PSNR, SSIM, MS-SSIM (and LPIPS, ID similarity) of inversions at the encoder's input size (256 px as released), with time per image.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Folder (or file) of photos to invert and compare.") var images: [String]
    @Option(help: "LPIPS weights: the AlexNet trunk and the linear heads (v0.1_alex.pth), one file or two (repeat the option).")
    var lpips: [String] = []
    @Option(help: "IR-SE50 ArcFace weights in pSp's model_ir_se50.pth layout, for ID similarity.") var arcface: String?
    @Option(help: "Also write the summary (and per-image values) as JSON here.") var json: String?
    @OptionGroup var compute: ComputeOptions

    func execute() throws {
        try compute.apply()
        let weights = try modelOptions.weights()
        let items = try CommandErrors.reporting { try PhotoInput.collect(images) }
        let model = try modelOptions.load()
        let perceptual = try lpips.isEmpty ? nil : CommandErrors.reporting { try LPIPS.load(from: lpips.map { URL(fileURLWithPath: $0) }) }
        let identity = try arcface.map { path in
            StatusLine.loading("ArcFace", path)
            return try CommandErrors.reporting { IdentityLoss(facenet: try IRSEBackbone.load(contentsOf: URL(fileURLWithPath: path))) }
        }
        perceptual?.eval()
        identity?.facenet.eval()

        let metrics = InversionMetrics(lpips: perceptual, identity: identity)
        var summary = MetricSummary()
        var failures: [(String, String)] = []
        let progress = Progress(total: items.count, label: "eval")
        for item in items {
            defer { progress.advance() }
            do {
                let side = model.encoder.configuration.imageSize
                let target = try PhotoInput.encoderTensor(contentsOf: item.url, size: side).tensor     // [1, 3, S, S] (256 as released)
                let start = Date()
                let reconstruction = GradientMode.withoutGradients {
                    model(target, weights: weights, useSMART: !modelOptions.noSmart).image
                }
                summary.add("seconds", Date().timeIntervalSince(start))
                let output = GradientMode.withoutGradients { reconstruction.adaptiveAveragePool2d(outputHeight: side, outputWidth: side) }
                metrics.evaluate(output, target, into: &summary)
            } catch {
                failures.append((item.url.lastPathComponent, "\(error)"))
                StatusLine.write("skipping \(item.url.lastPathComponent): \(error)")
            }
        }
        print(summary.table())
        if perceptual == nil || identity == nil {
            print("(LPIPS needs --lpips with the AlexNet trunk and heads; ID similarity needs --arcface.)")
        }
        if let json {
            try AtomicFile.write(Array(try summary.jsonData(includeValues: true)), to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
        guard failures.isEmpty else {
            throw CommandErrors.Failure(message: "\(failures.count) of \(items.count) photos failed: " + failures.map { "\($0.0) (\($0.1))" }.joined(separator: "; "))
        }
    }
}
