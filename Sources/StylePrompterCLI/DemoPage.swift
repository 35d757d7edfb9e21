import Foundation
import Imaging
import Training

/// The demo's outputs from a `SynthFacesDemo.Result`: the grid image, the HTML page (images
/// embedded, so the one file can be mailed around), the metrics table and its JSON.
struct DemoPage {
    let result: SynthFacesDemo.Result
    /// Display titles of the edits, in the result's order.
    let titles: [String]
    let cardURL: URL
    let modelName: String
    /// Cells are shown at this size (the model works at 64 px).
    static let cellSide = 128

    func cell(_ image: Image) -> Image {
        image.width == Self.cellSide ? image : image.resized(width: Self.cellSide, height: Self.cellSide, filter: .bilinear)
    }

    func row(_ face: SynthFacesDemo.Face) -> [Image] {
        [face.input, face.stageOne, face.smart].map(cell) + face.edits.flatMap { [cell($0.negative), cell($0.positive)] }
    }

    /// Rows of faces; columns input | stage 1 | SMART | each edit at −s and +s.
    func grid() throws -> Image {
        try ImageGrid.make(rows: result.faces.map(row), margin: 4)
    }

    func mean(_ key: String, _ path: KeyPath<SynthFacesDemo.Face, [String: Double]>) -> Double {
        result.faces.reduce(0) { $0 + ($1[keyPath: path][key] ?? .nan) } / Double(result.faces.count)
    }

    func metricsTable() -> String {
        var lines = ["reconstruction of \(result.faces.count) fresh faces (64 px):   MSE       PSNR     SSIM"]
        for (label, path) in [("stage 1", \SynthFacesDemo.Face.stageOneMetrics), ("SMART", \SynthFacesDemo.Face.smartMetrics)] {
            lines.append(label.padding(toLength: 43, withPad: " ", startingAt: 0) +
                         String(format: "%8.5f %8.2f %8.4f", mean("mse", path), mean("psnr", path), mean("ssim", path)))
        }
        lines.append(String(format: "edits at ±%g (attribute predictor's mean reading at −s, 0, +s; largest change among the others):", Double(result.strength)))
        for (edit, title) in zip(result.edits, titles) {
            let target = edit.target.map { String(format: "%+.2f", $0) }.joined(separator: " → ")
            lines.append(title.padding(toLength: 14, withPad: " ", startingAt: 0) + target.padding(toLength: 26, withPad: " ", startingAt: 0) +
                         String(format: "%@ %.2f", edit.largestOther.name, edit.largestOther.change))
        }
        return lines.joined(separator: "\n")
    }

    func metricsJSON() throws -> Data {
        let document: [String: Any] = [
            "model": modelName, "strength": Double(result.strength),
            "faces": result.faces.map { ["seed": String($0.seed), "stage1": $0.stageOneMetrics, "smart": $0.smartMetrics] },
            "edits": result.edits.map { ["name": $0.name, "predicted_at_minus_zero_plus": $0.target,
                                         "largest_other": ["name": $0.largestOther.name, "mean_abs_change": $0.largestOther.change]] },
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }

    func html() -> String {
        func img(_ image: Image, _ alt: String) -> String {
            "<img alt=\"\(HTMLText.escape(alt))\" src=\"data:image/png;base64,\(Data(cell(image).pngData()).base64EncodedString())\">"
        }
        let s = String(format: "%g", Double(result.strength))
        var html = """
            <!doctype html><html><head><meta charset="utf-8"><title>StylePrompter demo</title><style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}
            td,th{padding:3px 5px;text-align:center;font-size:13px}th{font-weight:600}img{display:block;image-rendering:auto}
            .num td{text-align:right;border-bottom:1px solid #ddd}.num th{border-bottom:2px solid #999}
            </style></head><body><h1>StylePrompter demo</h1>
            <p>Model: \(HTMLText.escape(modelName)) — see <a href="\(HTMLText.escape(cardURL.absoluteString))">the model card</a>.
            Each row is a SynthFaces face rendered from a seed no training run has seen; the model inverts it into W+
            (stage 1: the encoder alone; SMART: with the refined 16×16 feature), then moves the code along each edit
            direction by ∓\(s).</p>
            <div style="overflow-x:auto"><table><tr><th>input</th><th>stage 1</th><th>SMART</th>
            """
        for title in titles { html += "<th colspan=2>\(HTMLText.escape(title)) −\(s) / +\(s)</th>" }
        html += "</tr>"
        for face in result.faces {
            html += "<tr><td>\(img(face.input, "input"))</td><td>\(img(face.stageOne, "stage 1"))</td><td>\(img(face.smart, "SMART"))</td>"
            for (edit, title) in zip(face.edits, titles) {
                html += "<td>\(img(edit.negative, "\(title) −"))</td><td>\(img(edit.positive, "\(title) +"))</td>"
            }
            html += "</tr>"
        }
        html += "</table></div><h2>Reconstruction</h2><table class=num><tr><th></th><th>MSE</th><th>PSNR (dB)</th><th>SSIM</th></tr>"
        for (label, path) in [("stage 1", \SynthFacesDemo.Face.stageOneMetrics), ("SMART", \SynthFacesDemo.Face.smartMetrics)] {
            html += String(format: "<tr><td>%@</td><td>%.5f</td><td>%.2f</td><td>%.4f</td></tr>", label, mean("mse", path), mean("psnr", path), mean("ssim", path))
        }
        html += "</table><h2>Edits</h2><p>The attribute predictor (trained on SynthFaces labels) reads the edited attribute at −\(s), 0 and +\(s); "
        html += "the last column is the other attribute that moved most (mean |change| from −\(s) to +\(s)).</p>"
        html += "<table class=num><tr><th>edit</th><th>−\(s)</th><th>0</th><th>+\(s)</th><th>largest other change</th></tr>"
        for (edit, title) in zip(result.edits, titles) {
            let cells = edit.target.map { String(format: "<td>%+.2f</td>", $0) }.joined()
            html += "<tr><td>\(HTMLText.escape(title))</td>\(cells)<td>\(HTMLText.escape(edit.largestOther.name)) \(String(format: "%.2f", edit.largestOther.change))</td></tr>"
        }
        return html + "</table></body></html>\n"
    }
}
