import Foundation
import Testing
import Training

@Suite struct RunReportTests {
    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Point counts of every `<polyline>` of the page.
    static func polylinePointCounts(_ html: String) -> [Int] {
        html.components(separatedBy: "<polyline").dropFirst().map { chunk in
            let points = chunk.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
            return points.split(separator: " ").count
        }
    }

    /// Every section from a complete run folder. `STYLEPROMPTER_SAMPLE_RUN=/path` keeps the
    /// folder there, to open the report in a browser.
    @Test func reportHasEverySection() throws {
        let folder = try ProcessInfo.processInfo.environment["STYLEPROMPTER_SAMPLE_RUN"].map { path in
            let url = URL(fileURLWithPath: path)
            try? FileManager.default.removeItem(at: url)
            return url
        } ?? FakeRunFolder.temporary("run-report")
        // Kept only where the caller asked for it.
        defer { if ProcessInfo.processInfo.environment["STYLEPROMPTER_SAMPLE_RUN"] == nil { try? FileManager.default.removeItem(at: folder) } }
        try FakeRunFolder.make(at: folder)
        let url = try RunReport.write(runFolder: folder)
        #expect(url.lastPathComponent == "report.html")
        let html = try String(contentsOf: url, encoding: .utf8)

        #expect(html.contains("<title>\(folder.lastPathComponent) · stage1 · step 4000</title>"))
        // One chart per loss term, one per validation metric.
        #expect(Self.occurrences(of: "<svg", in: html) == 5 + 5)
        for term in ["loss", "loss_l2", "loss_lpips", "loss_id", "loss_align"] {
            #expect(html.contains("class=\"title\">\(term)</text>"), "\(term)")
        }
        #expect(html.contains("1 non-finite value not drawn"))
        #expect(html.contains("log scale"))   // loss_l2 spans three decades
        // The three newest grids, embedded.
        #expect(Self.occurrences(of: "src=\"data:image/png;base64,iVBORw0KGgo", in: html) == 3)
        #expect(html.contains("val-004000.png · step 4000") && !html.contains("val-001000.png · step"))
        // A row per validation, the best value of each column highlighted once.
        for step in [1000, 2000, 3000, 4000] { #expect(html.contains("<tr><td>\(step)</td>")) }
        #expect(Self.occurrences(of: "class=\"best\"", in: html) == 5)
        #expect(html.contains("<td class=\"best\">19.5</td>"))   // PSNR peaks at step 3000, not the last
        #expect(html.contains("<th>optimizer.learning_rate</th><td>0.0001</td>"))
        #expect(html.contains("<th>optimizer.betas</th><td>[0.95,0.999]</td>"))
        #expect(html.contains("<th>smart</th><td>false</td>") && html.contains("<th>resume</th><td>null</td>"))
        #expect(!html.contains("http-equiv") && !html.contains("<script") && !html.contains("src=\"http"))
    }

    /// Keys and values from the run's files are escaped, never markup.
    @Test func textIsEscaped() throws {
        let folder = try FakeRunFolder.temporary("run-report-escape")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FakeRunFolder.make(at: folder, steps: 100, grids: 1)
        try Data(#"{"step": 5, "kimg": 0, "seconds": 1, "images_per_second": 1, "terms": {"<b>&\"x\"": 1}}"#.utf8 + [10])
            .append(to: folder.appendingPathComponent("metrics.jsonl"))
        let html = try RunReport.html(runFolder: folder)
        #expect(html.contains("<th>&lt;script&gt;</th><td>alert(&quot;x&quot;) &amp; &lt;b&gt;bold&lt;/b&gt;</td>"))
        #expect(html.contains("data/ffhq &amp; friends"))
        #expect(html.contains("class=\"title\">&lt;b&gt;&amp;&quot;x&quot;</text>"))
        #expect(!html.contains("<script>") && !html.contains("<b>"))
    }

    /// 100k logged steps: every chart stays within the point budget and the page
    /// is written quickly.
    @Test func hugeLogIsDownsampled() throws {
        let folder = try FakeRunFolder.temporary("run-report-huge")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FakeRunFolder.make(at: folder, steps: 100_000, every: 1, grids: 1)
        let start = Date()
        let html = try RunReport.html(runFolder: folder)
        let seconds = Date().timeIntervalSince(start)
        let counts = Self.polylinePointCounts(html)
        #expect(counts.count == 2 * 5)   // raw and smoothed line per term
        let perChart = stride(from: 0, to: counts.count, by: 2).map { counts[$0] + counts[$0 + 1] }
        #expect(perChart.allSatisfy { $0 <= LineChart.maximumPoints && $0 >= 600 }, "\(counts)")
        #expect(html.utf8.count < 600_000, "\(html.utf8.count) bytes")
        #expect(seconds < 10, "\(seconds) s")
        print("RunReport: 100k steps in \(String(format: "%.2f", seconds)) s, \(html.utf8.count) bytes")
    }

    /// A grid too large to embed is named with a note; the others still are embedded.
    @Test func largeGridIsNotEmbedded() throws {
        let folder = try FakeRunFolder.temporary("run-report-large")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FakeRunFolder.make(at: folder, steps: 100, grids: 3)
        let big = folder.appendingPathComponent("samples/val-009000.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 6_000_000)).write(to: big)
        let html = try RunReport.html(runFolder: folder)
        #expect(html.contains("val-009000.png — 5.7 MB, over the 5 MB embedding limit: open samples/val-009000.png"))
        #expect(Self.occurrences(of: "data:image/png;base64,", in: html) == 2)
    }

    /// A fresh folder (nothing logged yet) still gives a page.
    @Test func emptyFolderGivesAPage() throws {
        let folder = try FakeRunFolder.temporary("run-report-empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunReport.write(runFolder: folder)
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("No training steps logged yet.") && html.contains("No validation yet.")
            && html.contains("no config.json") && html.contains("No grids in samples/ yet."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.html"])
    }

    /// GAN runs validate with samples only: the table has the step and grid columns.
    @Test func validationWithoutMetrics() throws {
        let folder = try FakeRunFolder.temporary("run-report-gan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try ValidationLog(url: folder.appendingPathComponent("validation.jsonl"))
        try log.append(ValidationRecord(step: 500, metrics: [:], grid: "samples/fakes-000500.png"))
        let html = try RunReport.html(runFolder: folder)
        #expect(html.contains("<tr><td>500</td><td class=\"file\">samples/fakes-000500.png</td></tr>"))
    }

    @Test func chartsOfDegenerateSeries() {
        let single = LineChart(title: "r1", points: [(x: 10, y: 0.5)]).svg()
        #expect(single.contains("<circle") && !single.contains("<polyline"))
        let few = LineChart(title: "psnr", points: [(x: 1000, y: 17), (x: 2000, y: 19), (x: 3000, y: 18)]).svg()
        #expect(Self.occurrences(of: "<circle", in: few) == 3 && Self.occurrences(of: "<polyline", in: few) == 1)
        let constant = LineChart(title: "c", points: (0..<50).map { (x: Double($0), y: 0.25) }).svg()
        #expect(constant.contains("<polyline"))
        let coordinates = constant.components(separatedBy: "points=\"").dropFirst().flatMap { $0.prefix { $0 != "\"" }.split(separator: " ") }
        #expect(coordinates.flatMap { $0.split(separator: ",") }.allSatisfy { Double($0)?.isFinite == true })
        let empty = LineChart(title: "n", points: [(x: 1, y: .nan), (x: 2, y: .infinity)]).svg()
        #expect(empty.contains("no finite values (2 non-finite)"))
        #expect(LineChart(title: "l", points: [(x: 1, y: 1), (x: 2, y: 1e-3)]).isLogarithmic)
        #expect(!LineChart(title: "l", points: [(x: 1, y: 1), (x: 2, y: 0.02)]).isLogarithmic)
        #expect(!LineChart(title: "l", points: [(x: 1, y: 1), (x: 2, y: -1e-3)]).isLogarithmic)
    }

    /// Min/max decimation keeps a single spike that plain subsampling would miss.
    @Test func reductionKeepsSpikes() {
        var values = [Double](repeating: 1, count: 100_000)
        values[54_321] = 50
        let indices = LineChart.reducedIndices(of: values)
        #expect(indices.count <= LineChart.maximumPoints)
        #expect(indices.contains(54_321))
        #expect(indices == indices.sorted())
        #expect(LineChart.reducedIndices(of: [1, 2, 3]) == [0, 1, 2])
    }

    @Test func configurationIsFlattened() {
        let rows = RunReport.flatten(["b": ["c": 1, "d": ["e": "x"]], "a": true, "f": [1, 2]])
        #expect(rows.map(\.key) == ["a", "b.c", "b.d.e", "f"])
        #expect(rows.map(\.value) == ["true", "1", "x", "[1,2]"])
    }
}

extension Data {
    func append(to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: self)
    }
}
