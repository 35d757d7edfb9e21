import Checkpoints
import DefaultModel
import Foundation
import Inversion
import StyleGAN
import SynthFaces
import Testing
import WebEditor

extension EndToEndTests {
    /// What a slider move costs: the generator alone (SMART on cached features), at preview size
    /// and at full size, through the engine exactly as the routes call it (model queue, PNG encoding).
    @Suite(.serialized) struct PreviewLatencyTests {
        struct Timing: CustomStringConvertible {
            let seconds: [Double]
            var best: Double { seconds.min() ?? 0 }
            var median: Double { seconds.sorted()[seconds.count / 2] }
            var p95: Double { seconds.sorted()[min(seconds.count - 1, seconds.count * 95 / 100)] }
            var description: String { String(format: "median %.1f ms, p95 %.1f ms, best %.1f ms (%d runs)", median * 1000, p95 * 1000, best * 1000, seconds.count) }
        }

        static func measure(_ engine: EditorEngine, photoSide: Int, runs: Int) async throws -> (upload: Double, preview: Timing, full: Timing) {
            let photo = FaceRenderer.render(seed: 5, size: photoSide).pngData()
            let started = Date()
            let session = try await engine.invert(photo, align: false)
            let upload = Date().timeIntervalSince(started)
            var random = RandomNumbers(seed: 1)
            func settings() -> EditSettings {
                var edits: [String: Float] = [:]
                for slider in engine.sliders.prefix(3) { edits[slider.id] = random.uniform(-2, 2) }
                return EditSettings(edits: edits, beta1: random.uniform(0.5, 1), beta2: 1)
            }
            var previews: [Double] = [], fulls: [Double] = []
            for run in 0..<(runs + 2) {
                let preview = Date()
                _ = try await engine.render(session, RenderRequest(settings: settings(), preview: true))
                if run >= 2 { previews.append(Date().timeIntervalSince(preview)) }        // two warm-up runs
            }
            for _ in 0..<max(3, runs / 4) {
                let full = Date()
                _ = try await engine.render(session, RenderRequest(settings: settings(), preview: false))
                fulls.append(Date().timeIntervalSince(full))
            }
            return (upload, Timing(seconds: previews), Timing(seconds: fulls))
        }

        /// The bundled 64-px model must preview within 300 ms on 2 cores (it takes about 30 ms).
        @Test(.enabled(if: FileManager.default.fileExists(atPath: DefaultModel.model.path), "the bundled model's files are absent"))
        func bundledModelPreviewsWithinBudget() async throws {
            let model = try StylePrompterCheckpoint.load(contentsOf: DefaultModel.model)
            let files = DefaultModel.demoEdits.compactMap { edit in DefaultModel.direction(edit.name).map { SliderSources.File(label: edit.title, url: $0) } }
            let engine = try EditorEngine(model: model, sliders: SliderSources(files: files), detector: nil, previewSize: nil,
                                          defaultWeights: .standard, limits: EditorLimits())
            let (upload, preview, full) = try await Self.measure(engine, photoSide: 256, runs: 40)
            print("bundled \(engine.summary.size)-px model: upload (decode + encoder + 2 decodes) \(Int(upload * 1000)) ms; " +
                  "preview at \(engine.summary.previewSize) px \(preview); full size \(full)")
            // The budget holds for the fastest run; the others may wait for cores that the
            // test suites running in parallel hold (the README's figures are from a quiet run).
            #expect(preview.best <= 0.3, "preview \(preview)")
            #expect(preview.median <= 1, "preview \(preview)")
        }

        /// A seeded model of the released 1024-px configuration (Swin-V2-T encoder, 18 tokens,
        /// StyleGAN2 1024 with channel multiplier 2, SMART). Slow to build: set STYLEPROMPTER_TIME_1024=1.
        @Test(.enabled(if: ProcessInfo.processInfo.environment["STYLEPROMPTER_TIME_1024"] == "1", "set STYLEPROMPTER_TIME_1024=1 to time a 1024-px model"))
        func fullSizeModelLatency() async throws {
            let model = StylePrompterModel(encoder: SwinConfiguration(), generator: GeneratorConfiguration(size: 1024), seed: 1)
            let engine = try EditorEngine(model: model, sliders: SliderSources(sefaCount: 3), detector: nil, previewSize: nil,
                                          defaultWeights: .standard, limits: EditorLimits())
            let (upload, preview, full) = try await Self.measure(engine, photoSide: 1024, runs: 8)
            print("seeded 1024-px model: upload (decode + encoder + 2 decodes) \(Int(upload * 1000)) ms; " +
                  "preview at \(engine.summary.previewSize) px \(preview); full size \(full)")
            // `--preview-size 128`: one level less. (The engines share the model but are used one after the other.)
            let smaller = try EditorEngine(model: model, sliders: SliderSources(sefaCount: 3), detector: nil, previewSize: 128,
                                           defaultWeights: .standard, limits: EditorLimits())
            let (_, small, _) = try await Self.measure(smaller, photoSide: 1024, runs: 8)
            print("seeded 1024-px model: preview at 128 px \(small)")
        }
    }
}

/// A tiny seeded generator of uniform values (the test's slider positions).
struct RandomNumbers {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return low + (high - low) * Float(state >> 40) / Float(1 << 24)
    }
}
