import ArgumentParser
import Checkpoints
import DefaultModel
import FileAccess
import Foundation
import Perceptual
import StyleGAN
import Tensors
import Training

/// `styleprompter edit-rows`: for each direction, the W+ rows an edit should move, measured.
struct EditRowsCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "edit-rows",
        abstract: "Choose, per direction, the W+ rows an edit moves: measured on inverted SynthFaces with the attribute predictor.",
        discussion: """
        A direction fitted on W moves every W+ row; the generator's coarse rows carry head shape and hair, its fine \
        rows the mouth and eyes, so a feature's edit is often larger and cleaner on some rows alone. For each NAME.pt \
        in --directions (or each of --names), this inverts --count unseen SynthFaces, edits them at ±--strength with \
        the direction restricted to each candidate range (all rows, the first 2, 4, …, the last 2, 4, …), reads the \
        results with the attribute predictor, and keeps the range whose change of the attribute per unit most exceeds \
        the others' mean change. Writes NAME_rows_wplus.npy ([n, D], zero outside the chosen rows; `edit`, `demo` and \
        `serve` take it like any W+ direction) and records the rows and every candidate's numbers in directions.json.
        """)

    @Option(help: "StylePrompter model (file or run folder; default: the bundled model).") var model: String?
    @Option(help: "Attribute predictor (train-attributes; default: the bundled one).") var attributes: String?
    @Option(help: "Folder of directions (NAME.pt and directions.json, as `directions` writes them); written into.") var directions: String
    @Option(help: "Directions to measure (comma-separated; default: every NAME.pt the predictor reads).") var names: String?
    @Option(help: "Faces to measure on.") var count: Int = 100
    @Option(help: "Edit strength (distance along the unit direction in W).") var strength: Float = 10
    @OptionGroup var renders: RenderStyleOption
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (2...10_000).contains(count) else { throw ValidationError("edit-rows: --count must be in 2…10,000, got \(count)") }
        guard strength.isFinite, strength > 0, strength <= 100 else { throw ValidationError("edit-rows: --strength must be in (0, 100], got \(strength)") }
    }

    func execute() throws {
        try compute.apply()
        try CommandErrors.reporting {
            let folder = URL(fileURLWithPath: directions, isDirectory: true)
            let reportURL = folder.appendingPathComponent("directions.json")
            if let problem = FileKind.problemReading(reportURL.path) { throw CommandErrors.Failure(message: "\(reportURL.path): \(problem)") }
            if let size = try? FileManager.default.attributesOfItem(atPath: reportURL.path)[.size] as? Int, size > 16 << 20 {
                throw CommandErrors.Failure(message: "\(reportURL.path): \(size) bytes; a directions.json is at most 16 MiB")
            }
            guard let reportData = try? Data(contentsOf: reportURL),
                  var report = try? JSONSerialization.jsonObject(with: reportData) as? [String: Any],
                  var fits = report["directions"] as? [[String: Any]] else {
                throw CommandErrors.Failure(message: "\(reportURL.path): not a directions.json as `directions` writes it (an object with a 'directions' list)")
            }
            // Attribute name (NAME or NAME=k) by direction file (NAME.pt or NAME_k.pt).
            var attributeOfFile: [String: String] = [:]
            for fit in fits {
                guard let attribute = fit["attribute"] as? String, let file = fit["file"] as? String else { continue }
                // A plain NAME.pt in this folder: the row file is written beside it, never elsewhere.
                guard file.hasSuffix(".pt"), !file.contains("/"), !file.hasPrefix(".") else {
                    throw CommandErrors.Failure(message: "\(reportURL.path): direction file '\(file)' of '\(attribute)' is not a NAME.pt in this folder")
                }
                attributeOfFile[file] = attribute
            }
            let (predictor, size) = try AttributePredictor.load(contentsOf: attributes.map { URL(fileURLWithPath: $0) } ?? DefaultModel.attributes)
            let readable = Set(predictor.layout.names)
            let requested: [String]
            if let names {
                var seen = Set<String>()
                requested = ArgumentChecks.names(names).filter { seen.insert($0).inserted }
                for name in requested where !attributeOfFile.values.contains(name) {
                    throw CommandErrors.Failure(message: "\(reportURL.path): no direction for '\(name)' (it lists \(attributeOfFile.values.sorted().joined(separator: ", ")))")
                }
            } else {
                requested = attributeOfFile.values.filter { readable.contains(String($0.split(separator: "=", omittingEmptySubsequences: false)[0])) }.sorted()
            }
            var options = try ModelOptions.parse(["--model", model ?? DefaultModel.model.path])
            options.noSmart = false
            let loaded = try options.load()
            let chooser = EditRows(evaluation: SynthFacesEvaluation(predictor: predictor, predictorSize: size, style: try renders.resolved(bundled: model == nil)))
            let (n, d) = (loaded.generator.configuration.latentCount, loaded.generator.configuration.styleDimension)
            print("rows of W+ (\(n)) per direction, measured at ±\(strength) on \(count) inverted faces (change of the attribute per unit − the others' mean change − the rate at which glasses or hair appear or vanish):")
            for name in requested {
                guard let file = attributeOfFile.first(where: { $0.value == name })?.key else { continue }
                guard let direction = try DirectionFile.vector(at: folder.appendingPathComponent(file), fitting: loaded) else {
                    throw CommandErrors.Failure(message: "\(folder.appendingPathComponent(file).path): not a vector direction")
                }
                let candidates = try chooser.measure(model: loaded, attribute: name, direction: direction, count: count, strength: strength)
                let best = candidates[0]
                let whole = candidates.first { $0.rows == 0..<n }!
                // A direction that moves nothing (or the wrong way) on every range still gets a
                // file, but the user should hear that no choice of rows makes it an edit.
                if !best.movesItsAttribute {
                    StatusLine.write(String(format: "warning: %@: no range of rows moves it (best %+.4f per unit on rows %d–%d)",
                                            name, best.changePerUnit, best.rows.lowerBound, best.rows.upperBound - 1))
                }
                let stem = String(file.dropLast(".pt".count))
                let restricted = try LatentEditing.restricted(direction, to: best.rows, rows: n, dimension: d)
                try NumpyFile.write(StoredTensor(restricted), to: folder.appendingPathComponent(stem + EditRows.fileSuffix))
                print(name.padding(toLength: 16, withPad: " ", startingAt: 0),
                      String(format: "rows %d–%d: %+.4f − %.4f − %.4f   (all rows: %+.4f − %.4f − %.4f)", best.rows.lowerBound, best.rows.upperBound - 1,
                             best.changePerUnit, best.othersMeanPerUnit, best.appearancePerUnit,
                             whole.changePerUnit, whole.othersMeanPerUnit, whole.appearancePerUnit))
                if let index = fits.firstIndex(where: { ($0["attribute"] as? String) == name }) {
                    fits[index]["rows"] = [best.rows.lowerBound, best.rows.upperBound]
                    fits[index]["rows_candidates"] = candidates.map {
                        ["rows": [$0.rows.lowerBound, $0.rows.upperBound], "change_per_unit": $0.changePerUnit,
                         "others_mean_abs_change_per_unit": $0.othersMeanPerUnit, "appearance_per_unit": $0.appearancePerUnit]
                    }
                }
            }
            report["directions"] = fits
            report["rows_measured"] = ["faces": count, "strength": Double(strength)]
            let json = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write([UInt8](json), to: reportURL)
            print("wrote \(requested.count) row-restricted directions (NAME\(EditRows.fileSuffix)) and their rows in \(reportURL.path)")
        }
    }
}
