import Foundation

/// The sections of `report.html`, each a `<section>` of already-escaped HTML.
extension RunReport {
    /// Metrics where higher is better; every other column is best at its minimum.
    static let higherIsBetter: Set<String> = ["psnr", "ssim", "msssim", "id", "id_similarity"]
    /// The usual metrics first, in the order papers print them, then any others alphabetically.
    static let metricOrder = ["mse", "psnr", "ssim", "msssim", "lpips", "id", "id_similarity"]

    static func lossSection(_ training: [TrainingRecord]) -> String {
        var html = "<section><h2>Loss terms</h2>"
        guard !training.isEmpty else { return html + "<p class=\"note\">No training steps logged yet.</p></section>\n" }
        var names = Set<String>()
        for record in training { names.formUnion(record.terms.keys) }
        html += "<div class=\"charts\">"
        for name in ProgressLine.orderedTermNames(names) {
            // A term missing from some steps (logged every few steps only) leaves no gap point.
            let points = training.compactMap { record in record.terms[name].map { (x: Double(record.step), y: $0) } }
            html += LineChart(title: name, points: points).svg()
        }
        return html + "</div></section>\n"
    }

    static func orderedMetricNames(_ names: Set<String>) -> [String] {
        metricOrder.filter(names.contains) + names.subtracting(metricOrder).sorted()
    }

    static func validationSection(_ validations: [ValidationRecord]) -> String {
        var html = "<section><h2>Validation</h2>"
        guard !validations.isEmpty else { return html + "<p class=\"note\">No validation yet.</p></section>\n" }
        var names = Set<String>()
        for record in validations { names.formUnion(record.metrics.keys) }
        let columns = orderedMetricNames(names)
        var best: [String: Double] = [:]
        for name in columns {
            let values = validations.compactMap { $0.metrics[name] }.filter { !$0.isNaN }
            best[name] = higherIsBetter.contains(name) ? values.max() : values.min()
        }
        html += "<table class=\"validation\"><thead><tr><th>step</th>"
        for name in columns {
            html += "<th>\(HTMLText.escape(name)) <span class=\"direction\">\(higherIsBetter.contains(name) ? "↑" : "↓")</span></th>"
        }
        html += "<th class=\"file\">grid</th></tr></thead><tbody>"
        for record in validations {
            html += "<tr><td>\(record.step)</td>"
            for name in columns {
                guard let value = record.metrics[name] else { html += "<td class=\"missing\">–</td>"; continue }
                let isBest = !value.isNaN && value == best[name]
                html += "<td\(isBest ? " class=\"best\"" : "")>\(tableNumber(value))</td>"
            }
            html += "<td class=\"file\">\(HTMLText.escape(record.grid ?? ""))</td></tr>"
        }
        html += "</tbody></table>"
        if validations.count > 1, !columns.isEmpty {
            html += "<div class=\"charts small\">"
            for name in columns {
                let points = validations.compactMap { record in record.metrics[name].map { (x: Double(record.step), y: $0) } }
                var chart = LineChart(title: name, points: points)
                (chart.width, chart.height) = (354, 200)
                chart.higherIsBetter = higherIsBetter.contains(name)
                html += chart.svg()
            }
            html += "</div>"
        }
        return html + "</section>\n"
    }

    /// Four significant digits; NaN as `nan`, ±∞ as such.
    static func tableNumber(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        return String(format: "%.4g", value)
    }

    static func gridSection(_ grids: [Grid]) -> String {
        var html = "<section><h2>Latest grids</h2>"
        guard !grids.isEmpty else { return html + "<p class=\"note\">No grids in samples/ yet.</p></section>\n" }
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        html += "<div class=\"grids\">"
        for grid in grids {
            var caption = grid.name
            if let step = grid.step { caption += " · step \(step)" }
            html += "<figure>"
            if let bytes = grid.bytes, bytes.starts(with: pngSignature) {
                html += "<img alt=\"\(HTMLText.escape(grid.name))\" src=\"data:image/png;base64,\(bytes.base64EncodedString())\">"
            } else if grid.bytes != nil {
                caption += " — not a PNG file, not shown"
            } else {
                let megabytes = String(format: "%.1f", Double(grid.size) / 1_048_576)
                caption += " — \(megabytes) MB, over the \(maximumEmbeddedImageBytes / 1_048_576) MB embedding limit: open samples/\(grid.name)"
            }
            html += "<figcaption>\(HTMLText.escape(caption))</figcaption></figure>"
        }
        return html + "</div></section>\n"
    }

    static func configurationSection(_ configuration: Configuration) -> String {
        var html = "<section><h2>Configuration</h2>"
        guard let object = configuration.object else {
            return html + "<p class=\"note\">\(HTMLText.escape(configuration.problem ?? "no configuration"))</p></section>\n"
        }
        html += "<table class=\"configuration\"><tbody>"
        for row in flatten(object) {
            html += "<tr><th>\(HTMLText.escape(row.key))</th><td>\(HTMLText.escape(row.value))</td></tr>"
        }
        return html + "</tbody></table></section>\n"
    }

    static let style = """
        body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2433;\
        background:#f6f7f9;margin:0 auto;max-width:1180px;padding:20px 24px 48px}\
        h1{font-size:24px;margin:0 0 2px}h2{font-size:17px;margin:0 0 12px;color:#2b3a55}\
        .subtitle{color:#5b6475;margin:0 0 18px}\
        section{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:16px 18px;margin:0 0 18px}\
        .charts{display:flex;flex-wrap:wrap;gap:12px}\
        svg.chart{background:#fff;border:1px solid #eceef2;border-radius:6px;font-size:11px}\
        svg .title{font-weight:600;font-size:13px;fill:#1d2433}svg .note{fill:#5b6475}\
        svg .warning{fill:#b42318}svg .tick{fill:#6b7385}svg .axis{fill:#5b6475}\
        svg .frame{fill:none;stroke:#c9ced8}svg .grid{stroke:#eef0f4}\
        svg .raw{fill:none;stroke:#9fc3ea;stroke-width:1}svg .smooth{fill:none;stroke:#1f5fa8;stroke-width:2}\
        svg .dot{fill:#1f5fa8}\
        table{border-collapse:collapse;font-variant-numeric:tabular-nums}\
        th,td{padding:4px 12px;border-bottom:1px solid #eceef2;text-align:right}\
        thead th{background:#f0f2f6;color:#2b3a55}.direction{color:#8a92a3;font-weight:400}\
        td.best{background:#dff3e4;font-weight:600;color:#14532d}td.missing{color:#a0a6b2}\
        .file{text-align:left}td.file{color:#5b6475;font-size:12px}\
        table.validation{margin-bottom:14px}\
        table.configuration th{text-align:left;font-weight:500;color:#2b3a55;font-family:ui-monospace,Menlo,monospace;font-size:12.5px}\
        table.configuration td{text-align:left;font-family:ui-monospace,Menlo,monospace;font-size:12.5px;word-break:break-all}\
        .grids{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}figure{margin:0}\
        figure img{display:block;max-width:100%;min-width:min(100%,340px);border:1px solid #e1e4ea}\
        figcaption{color:#5b6475;font-size:12px;margin-top:4px}.note{color:#5b6475}
        """
}
