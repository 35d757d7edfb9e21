import FileAccess
import Foundation
import Imaging

/// The run folder's `report.html`: one self-contained page (no scripts, no external files) to
/// watch a run — title with the run's name, kind and last step; one SVG chart per loss term;
/// the validation table with each column's best value highlighted; the newest grids of
/// `samples/` embedded as `data:` URIs; the configuration. Rewritten atomically at each
/// validation, so a browser reloading it never sees half a page, and the file still works when
/// copied alone.
///
/// ```swift
/// try RunReport.write(runFolder: URL(fileURLWithPath: "runs/stage1"))   // runs/stage1/report.html
/// ```
public enum RunReport {
    /// Grids larger than this are named, not embedded.
    public static let maximumEmbeddedImageBytes = 5 * 1024 * 1024
    /// How many of the newest grids the page shows.
    public static let gridCount = 3

    /// Reads the run folder and writes `report.html` into it; returns its URL.
    @discardableResult
    public static func write(runFolder: URL) throws -> URL {
        let destination = runFolder.appendingPathComponent("report.html")
        let page = try html(runFolder: runFolder)
        do {
            try AtomicFile.write(Array(page.utf8), to: destination)
        } catch {
            throw RunLogError(path: destination.path, message: "cannot write the report: \(error)")
        }
        return destination
    }

    /// The page for the run folder, without writing it.
    public static func html(runFolder: URL, now: Date = Date()) throws -> String {
        let configuration = readConfiguration(runFolder.appendingPathComponent("config.json"))
        let training = try TrainingLog.read(contentsOf: runFolder.appendingPathComponent("metrics.jsonl"))
        let validations = try ValidationLog.read(contentsOf: runFolder.appendingPathComponent("validation.jsonl"))
        let grids = newestGrids(in: runFolder, validations: validations)

        let name = runFolder.standardizedFileURL.lastPathComponent
        let kind = (configuration.object?["kind"] as? String) ?? "run"
        let lastStep = Swift.max(training.last?.step ?? 0, validations.last?.step ?? 0)
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(HTMLText.escape("\(name) · \(kind) · step \(lastStep)"))</title>"
        page += "<style>\(style)</style></head><body>\n"
        page += "<header><h1>\(HTMLText.escape(name))</h1>"
        page += "<p class=\"subtitle\">\(HTMLText.escape(summaryLine(kind: kind, lastStep: lastStep, configuration: configuration.object, training: training, now: now)))</p></header>\n"
        page += lossSection(training)
        page += validationSection(validations)
        page += gridSection(grids)
        page += configurationSection(configuration)
        page += "</body></html>\n"
        return page
    }

    /// `config.json` as an object, or why it could not be read.
    struct Configuration {
        var object: [String: Any]?
        var problem: String?
    }

    static func readConfiguration(_ url: URL) -> Configuration {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return Configuration(object: nil, problem: "no config.json")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return Configuration(object: nil, problem: "config.json is not a JSON object")
        }
        return Configuration(object: object, problem: nil)
    }

    /// `kind · step 1200 / 50000 · 4.8 kimg · 41.2 img/s · 2h03m of training · written 2026-12-01 14:55 UTC`.
    static func summaryLine(kind: String, lastStep: Int, configuration: [String: Any]?, training: [TrainingRecord], now: Date) -> String {
        var parts = [kind]
        let total = ["total_steps", "steps", "iterations", "max_steps"].lazy
            .compactMap { (configuration?[$0] as? NSNumber)?.intValue }.first
        parts.append("step \(lastStep)" + (total.map { " / \($0)" } ?? ""))
        if let last = training.last {
            if last.kimg.isFinite { parts.append("\(ProgressLine.number(last.kimg)) kimg") }
            if last.imagesPerSecond.isFinite { parts.append("\(ProgressLine.number(last.imagesPerSecond)) img/s") }
            if last.seconds.isFinite { parts.append("\(ProgressLine.duration(last.seconds)) of training") }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        parts.append("written \(formatter.string(from: now)) UTC")
        return parts.joined(separator: " · ")
    }

    /// A grid file of `samples/` and, if a validation names it, that validation's step.
    struct Grid {
        var name: String
        var bytes: Data?
        var size: Int
        var step: Int?
    }

    /// The newest `gridCount` PNGs of `samples/`, newest first (by modification time, then name).
    static func newestGrids(in runFolder: URL, validations: [ValidationRecord]) -> [Grid] {
        let samples = runFolder.appendingPathComponent("samples")
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey]
        guard let files = try? FileManager.default.contentsOfDirectory(at: samples, includingPropertiesForKeys: keys) else {
            return []
        }
        let pngs = files.filter { $0.pathExtension.lowercased() == "png" }.map { url in
            let values = try? url.resourceValues(forKeys: Set(keys))
            return (url: url, date: values?.contentModificationDate ?? .distantPast, size: values?.fileSize ?? 0)
        }
        let newest = pngs.sorted { $0.date != $1.date ? $0.date > $1.date : $0.url.lastPathComponent > $1.url.lastPathComponent }
            .prefix(gridCount)
        var stepByName: [String: Int] = [:]
        for record in validations {
            if let grid = record.grid { stepByName[(grid as NSString).lastPathComponent] = record.step }
        }
        return newest.map { file in
            let name = file.url.lastPathComponent
            let bytes = file.size <= maximumEmbeddedImageBytes ? FileManager.default.contents(atPath: file.url.path) : nil
            return Grid(name: name, bytes: bytes, size: file.size, step: stepByName[name])
        }
    }

    /// `config.json` flattened: nested objects as dotted keys, sorted; arrays as compact JSON.
    public static func flatten(_ object: [String: Any], prefix: String = "") -> [(key: String, value: String)] {
        var rows: [(key: String, value: String)] = []
        for key in object.keys.sorted() {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let nested = object[key] as? [String: Any], !nested.isEmpty {
                rows += flatten(nested, prefix: path)
            } else {
                rows.append((path, describe(object[key]!)))
            }
        }
        return rows
    }

    public static func describe(_ value: Any) -> String {
        switch value {
        case let text as String: return text
        case is NSNull: return "null"
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return "\(number)"
        default:
            guard JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return "\(value)" }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
