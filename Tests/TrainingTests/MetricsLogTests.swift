import Foundation
import Testing
import Training

@Suite struct MetricsLogTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func record(_ step: Int, loss: Double = 0.5) -> TrainingRecord {
        TrainingRecord(step: step, kimg: Double(step) * 0.004, seconds: Double(step) * 0.1, imagesPerSecond: 40.1,
                       terms: ["loss": loss, "loss_l2": loss / 4])
    }

    @Test func recordsRoundTrip() throws {
        let url = try Self.temporaryFolder().appendingPathComponent("metrics.jsonl")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let log = try TrainingLog(url: url)
        for step in [10, 20, 30] { try log.append(Self.record(step, loss: 1 / Double(step))) }
        let records = try TrainingLog.read(contentsOf: url)
        #expect(records.map(\.step) == [10, 20, 30])
        #expect(records[1].terms == ["loss": 0.05, "loss_l2": 0.0125])
        #expect(records[2].kimg == 0.12 && records[2].seconds == 3 && records[2].imagesPerSecond == 40.1)
        let firstLine = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")[0]
        #expect(firstLine == #"{"step": 10, "kimg": 0.04, "seconds": 1, "images_per_second": 40.1, "terms": {"loss": 0.1, "loss_l2": 0.025}}"#)
    }

    /// JSON has no NaN: non-finite numbers are written as null and read back as NaN.
    @Test func nonFiniteNumbersAreNull() throws {
        let url = try Self.temporaryFolder().appendingPathComponent("metrics.jsonl")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let log = try TrainingLog(url: url)
        try log.append(TrainingRecord(step: 1, kimg: 0, seconds: .infinity, imagesPerSecond: 1,
                                      terms: ["loss": .nan, "r1": -.infinity, "loss_g": 0.5]))
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains(#""loss": null"#) && text.contains(#""r1": null"#) && text.contains(#""seconds": null"#))
        let record = try #require(try TrainingLog.read(contentsOf: url).first)
        #expect(record.terms["loss"]!.isNaN && record.terms["r1"]!.isNaN && record.seconds.isNaN)
        #expect(record.terms["loss_g"] == 0.5)
    }

    /// A line cut short by a crash is skipped by readers and cut off when the log is reopened,
    /// so the next record does not glue onto it.
    @Test func tornLastLineIsSkippedAndRepaired() throws {
        let url = try Self.temporaryFolder().appendingPathComponent("metrics.jsonl")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            let log = try TrainingLog(url: url)
            try log.append(Self.record(1))
            try log.append(Self.record(2))
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"step": 3, "kimg": 0.01"#.utf8))
        try handle.close()
        #expect(try TrainingLog.read(contentsOf: url).map(\.step) == [1, 2])

        let reopened = try TrainingLog(url: url)
        try reopened.append(Self.record(3))
        #expect(try TrainingLog.read(contentsOf: url).map(\.step) == [1, 2, 3])
        #expect(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count == 3)
    }

    /// A resumed run rewinds the log to its checkpoint's step; the rewrite leaves no temporary file.
    @Test func truncateDropsLaterSteps() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("metrics.jsonl")
        let log = try TrainingLog(url: url)
        for step in 1...10 { try log.append(Self.record(step)) }
        try log.truncate(afterStep: 5)
        #expect(try TrainingLog.read(contentsOf: url).map(\.step) == [1, 2, 3, 4, 5])
        try log.append(Self.record(6))
        #expect(try TrainingLog.read(contentsOf: url).map(\.step) == [1, 2, 3, 4, 5, 6])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["metrics.jsonl"])
    }

    @Test func validationRecordsRoundTrip() throws {
        let url = try Self.temporaryFolder().appendingPathComponent("validation.jsonl")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let log = try ValidationLog(url: url)
        try log.append(ValidationRecord(step: 1000, metrics: ["mse": 0.04, "psnr": .infinity, "ssim": 0.61],
                                        grid: "samples/val \"1\".png"))
        try log.append(ValidationRecord(step: 2000, metrics: [:]))
        let records = try ValidationLog.read(contentsOf: url)
        #expect(records.map(\.step) == [1000, 2000])
        #expect(records[0].metrics["mse"] == 0.04 && records[0].metrics["psnr"]!.isNaN)
        #expect(records[0].grid == "samples/val \"1\".png")
        #expect(records[1].metrics.isEmpty && records[1].grid == nil)
    }

    @Test func absentLogReadsAsEmpty() throws {
        let url = try Self.temporaryFolder().appendingPathComponent("none.jsonl")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        #expect(try TrainingLog.read(contentsOf: url).isEmpty)
    }
}

@Suite struct JSONValueTests {
    @Test func parsesWhatTheLogsHold() throws {
        let value = try #require(JSONValue.parse(#" {"a": [1, -2.5e-3, true, false, null], "b": {"c": "x\"\\\/\n\u00e9\ud83d\ude00"}, "d": {}} "#.utf8))
        guard case .array(let list) = value["a"] else { Issue.record("a is not an array"); return }
        #expect(list.count == 5 && list[1].number == -0.0025 && list[4].number!.isNaN)
        #expect(value["b"]?["c"]?.string == "x\"\\/\né😀")
        #expect(value["d"]?.numbers == [:])
    }

    @Test func rejectsTornAndTrailingText() {
        for text in [#"{"step": 3, "kimg""#, #"{"step": 3} x"#, #"{"step": }"#, "", #"{"a": "\q"}"#, "[1,]"] {
            #expect(JSONValue.parse(text.utf8) == nil, "\(text)")
        }
    }
}
