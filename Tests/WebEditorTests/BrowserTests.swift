import DefaultModel
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Inversion
import Checkpoints
import Faces
import SynthFaces
import Testing
import TestSupport
import WebEditor

extension EndToEndTests {
    /// The page in a real browser (headless Chromium over the DevTools protocol): pick a file,
    /// drop another, drag a slider (live previews), release (full render), download the PNG and
    /// the latents. A screenshot is kept as the test's artefact.
    @Suite(.serialized) struct BrowserTests {
        static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("editor-browser-\(UUID().uuidString)")

        /// The bundled model when its files are present (the screenshot then shows a face), else the small seeded one.
        static func server() throws -> EditorServer {
            if FileManager.default.fileExists(atPath: DefaultModel.model.path) {
                let model = try StylePrompterCheckpoint.load(contentsOf: DefaultModel.model)
                let files = DefaultModel.demoEdits.compactMap { edit in
                    DefaultModel.direction(edit.name).map { SliderSources.File(label: edit.title, url: $0) }
                }
                return try EditorServer(model: model, sliders: SliderSources(files: files, sefaCount: 3),
                                        configuration: .init(port: 0), logger: EditorFixtures.quietLogger)
            }
            return try EditorFixtures.server()
        }

        @Test(.enabled(if: Chromium.isInstalled, "headless Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"),
              .timeLimit(.minutes(3)))
        func uploadDragPreviewReleaseAndDownload() async throws {
            let folder = Self.folder
            let downloads = folder.appendingPathComponent("downloads")
            try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
            let face = FaceRenderer.render(seed: 7, size: 256)
            let photo = folder.appendingPathComponent("face.png"), dropped = folder.appendingPathComponent("other.jpg")
            try Data(face.pngData()).write(to: photo)
            try Data(FaceRenderer.render(seed: 8, size: 256).jpegData()).write(to: dropped)
            let server = try Self.server()
            let screenshot = folder.appendingPathComponent("web-editor.png")

            try await server.application().test(.ahc(.http)) { client in
                let port = try #require(client.port)
                try await Chromium.withPage(folder: folder) { page in
                    try await Self.open(page, port: port, downloads: downloads)

                    // Upload through the file picker.
                    try await Self.pick(photo, in: page)
                    try await page.waitUntil("document.body.dataset.state === 'ready' && document.getElementById('view-smart').naturalWidth > 0",
                                             "the inversion of the picked file")
                    let firstSession = try await page.evaluate("document.getElementById('view-smart').src") as? String ?? ""

                    // Drop another photo on the drop zone.
                    let zone = try await page.centre(of: "#drop-zone")
                    for type in ["dragEnter", "dragOver", "drop"] {
                        try await page.call("Input.dispatchDragEvent", ["type": type, "x": zone.x, "y": zone.y,
                                                                         "data": ["items": [], "files": [dropped.path], "dragOperationsMask": 1]])
                    }
                    try await page.waitUntil("document.getElementById('view-smart').src !== '\(firstSession)' && document.body.dataset.state === 'ready' " +
                                             "&& document.getElementById('view-smart').complete", "the inversion of the dropped file")

                    // Drag the first direction slider: previews while moving, a full render on release.
                    let slider = try await page.centre(of: ".slider input[data-slider='\(server.sliders[0].id)']")
                    try await page.mouse("mousePressed", x: slider.x, y: slider.y)
                    for step in 1...8 {
                        try await page.mouse("mouseMoved", x: slider.x + slider.width * 0.05 * Double(step), y: slider.y)
                        try await Task.sleep(for: .milliseconds(120))
                    }
                    try await page.waitUntil("Number(document.getElementById('view-result').dataset.previews) > 0", "a live preview")
                    let previewWidth = try await page.evaluate("document.getElementById('view-result').naturalWidth") as? Int
                    try await page.mouse("mouseReleased", x: slider.x + slider.width * 0.4, y: slider.y, buttons: 0)
                    try await page.waitUntil("document.getElementById('view-result').dataset.kind === 'full' && document.getElementById('view-result').complete " +
                                             "&& document.getElementById('view-result').naturalWidth > 0", "the full-size render")
                    let value = try await page.evaluate("Number(document.querySelector(\".slider input[data-slider='\(server.sliders[0].id)']\").value)") as? Double ?? 0
                    #expect(value > 0.5, "the drag moved the slider to \(value)")
                    let fullWidth = try await page.evaluate("document.getElementById('view-result').naturalWidth") as? Int
                    #expect(previewWidth == server.engine.summary.previewSize && fullWidth == server.engine.summary.size)
                    // The edit changed the picture: mean absolute difference from the inversion, in 0…255.
                    let difference = try await page.evaluate("""
                        (() => { const size = \(server.engine.summary.size);
                          const pixels = (id) => { const c = document.createElement('canvas'); c.width = c.height = size;
                            const g = c.getContext('2d'); g.drawImage(document.getElementById(id), 0, 0, size, size);
                            return g.getImageData(0, 0, size, size).data; };
                          const a = pixels('view-result'), b = pixels('view-smart'); let sum = 0;
                          for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
                          return sum / a.length; })()
                        """) as? Double ?? 0
                    #expect(difference > 0.5, "the edited picture differs from the inversion by \(difference) on average")

                    // Downloads land as files.
                    try await page.click("#download-png")
                    let png = try await Self.waitForDownload(downloads.appendingPathComponent("styleprompter-edit.png"))
                    let downloaded = try Image(encoded: Array(png))
                    #expect(downloaded.width == server.engine.summary.size)
                    try await page.click("#download-latents")
                    let npy = try await Self.waitForDownload(downloads.appendingPathComponent("styleprompter-latents.npy"))
                    let latents = try RouteTests.tensor(npy: Array(npy))
                    #expect(latents.shape == [1, server.engine.summary.latentCount, server.engine.summary.styleDimension])

                    try await Self.screenshot(page, to: screenshot)
                }
            }
            print("web editor screenshot: \(screenshot.path)")
            #expect(try Image(contentsOf: screenshot).width >= 1000)
        }

        /// With MTCNN, the page offers alignment; an aligned upload shows the edit pasted back into
        /// the whole photo, redrawn when a slider is released.
        @Test(.enabled(if: Chromium.isInstalled && SharedTestData.exists("mtcnn/pnet.npy") && SharedTestData.exists("faces/celebahq_00044.jpg"),
                       "needs /usr/bin/chromium and ../shared/data/mtcnn and faces"),
              .timeLimit(.minutes(3)))
        func alignedUploadShowsThePastedView() async throws {
            let folder = Self.folder.appendingPathComponent("aligned")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let photo = SharedTestData.url("faces/celebahq_00044.jpg")
            let width = try Image(contentsOf: photo).width
            let detector = try MTCNN(weightsDirectory: SharedTestData.url("mtcnn"))
            let directions = try EditorFixtures.directionFolder()
        defer { try? FileManager.default.removeItem(at: directions) }
            let server = try EditorServer(model: EditorFixtures.smallModel(),
                                          sliders: SliderSources(files: try SliderSources.directionFiles(in: [directions.path]), sefaCount: 0),
                                          detector: detector, logger: EditorFixtures.quietLogger)
            let screenshot = folder.appendingPathComponent("web-editor-aligned.png")
            try await server.application().test(.ahc(.http)) { client in
                let port = try #require(client.port)
                try await Chromium.withPage(folder: folder) { page in
                    try await Self.open(page, port: port)
                    try await page.waitUntil("!document.getElementById('align-option').hidden", "the alignment option")
                    try await page.click("#align-input")
                    try await Self.pick(photo, in: page)
                    try await page.waitUntil("!document.getElementById('pasted-figure').hidden && document.getElementById('view-pasted').naturalWidth === \(width)",
                                             "the pasted view")
                    let first = try await page.evaluate("document.getElementById('view-pasted').src") as? String
                    let slider = try await page.centre(of: ".slider input[data-slider='d0']")
                    try await page.mouse("mousePressed", x: slider.x, y: slider.y)
                    try await page.mouse("mouseMoved", x: slider.x + slider.width * 0.3, y: slider.y)
                    try await page.mouse("mouseReleased", x: slider.x + slider.width * 0.3, y: slider.y, buttons: 0)
                    try await page.waitUntil("document.getElementById('view-pasted').src !== '\(first ?? "")' && document.getElementById('view-pasted').complete",
                                             "the pasted view of the edit")
                    try await Self.screenshot(page, to: screenshot)
                }
            }
            print("web editor screenshot (aligned): \(screenshot.path)")
        }

        /// Opens the editor in `page` and waits for its configuration.
        static func open(_ page: DevToolsPage, port: Int, downloads: URL? = nil) async throws {
            try await page.call("Page.enable")
            try await page.call("Emulation.setDeviceMetricsOverride", ["width": 1280, "height": 1200, "deviceScaleFactor": 1, "mobile": false])
            if let downloads {
                try await page.connection.call("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": downloads.path])
            }
            try await page.call("Page.navigate", ["url": "http://127.0.0.1:\(port)/"])
            try await page.waitUntil("document.body && document.body.dataset.state === 'empty'", "the page to load its configuration")
        }

        /// Chooses `file` in the page's file picker (the picker's change event uploads it).
        static func pick(_ file: URL, in page: DevToolsPage) async throws {
            let document = try await page.call("DOM.getDocument")
            let root = try #require((document["root"] as? [String: Any])?["nodeId"] as? Int)
            let input = try #require(try await page.call("DOM.querySelector", ["nodeId": root, "selector": "#file-input"])["nodeId"] as? Int)
            try await page.call("DOM.setFileInputFiles", ["files": [file.path], "nodeId": input])
        }

        static func screenshot(_ page: DevToolsPage, to url: URL) async throws {
            let shot = try await page.call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
            let data = try #require(Data(base64Encoded: shot["data"] as? String ?? ""))
            try data.write(to: url)
        }

        /// The file's bytes once the browser has finished writing it.
        static func waitForDownload(_ url: URL, seconds: Double = 20) async throws -> Data {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let data = try? Data(contentsOf: url), !data.isEmpty,
                   !FileManager.default.fileExists(atPath: url.path + ".crdownload") {
                    return data
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw Chromium.Failure("no download at \(url.path) after \(Int(seconds)) s")
        }
    }
}
