import ArgumentParser
import Checkpoints
import FileAccess
import Foundation
import Imaging
import StyleGAN
import Tensors

/// `styleprompter directions`: InterFaceGAN-style edit directions fitted on labelled latents.
struct DirectionsCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "directions",
        abstract: "Fit edit directions from latents and attribute labels (InterFaceGAN: a linear model per attribute).",
        discussion: """
        --latents is N×n×D (W+, e.g. invert's latents.npy) or N×D; --labels a CSV with a header, one row per latent \
        (matched by file name to a names.txt beside the latents when there is one, else by row order). Columns whose \
        values are small integers are categories: one direction per class against the rest, plus 'any' against 0. \
        Writes, per attribute, NAME.pt ([1, D], the InterFaceGAN format; [1, n, D] with --space wplus) and \
        NAME_wplus.npy ([n, D]); NAME_conditional.* with the components of correlated attributes removed; and \
        directions.json with held-out fit quality and the cosines between directions.
        """)

    @Option(help: "Latent codes (.npy or .pt): N×n×D or N×D.") var latents: String
    @Option(help: "Labels: CSV with a header row; a 'file' column is used for matching.") var labels: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "w (fit on the mean of the W+ rows; default) or wplus (fit on all rows).") var space: String = "w"
    @Option(help: "Attributes to fit (default: every label column).") var attributes: String?
    @Option(help: "|cosine| above which another attribute is removed from a conditional direction.") var correlated: Double = 0.2
    @Option(help: "covariance (cov(w, label): how the labelled latents move; default) or normal (InterFaceGAN's boundary normal, for latents sampled from the prior).")
    var method: String = "covariance"

    func validate() throws {
        guard DirectionFitting.Method(rawValue: method) != nil else { throw ValidationError("directions: --method must be covariance or normal, not '\(method)'") }
        guard ["w", "wplus"].contains(space) else { throw ValidationError("directions: --space must be w or wplus, not '\(space)'") }
        guard correlated.isFinite, correlated >= 0, correlated <= 1 else { throw ValidationError("directions: --correlated must be in [0, 1]") }
    }

    func execute() throws {
        try CommandErrors.reporting {
            let latentURL = URL(fileURLWithPath: latents)
            // One array, or an e4e/ReStyle dictionary {image name: latents}; a dictionary's keys name
            // its rows, matched against the labels' file column like names.txt.
            let (codes, dictionaryNames) = try LatentFile.readNamed(latentURL)
            guard codes.rank == 3, codes.shape[0] > 0, codes.shape.last! > 0 else {
                throw CommandErrors.Failure(message: "\(latents): shape \(codes.shape), expected N×n×D or N×D")
            }
            let (count, rows, width) = (codes.shape[0], codes.rank == 3 ? codes.shape[1] : 1, codes.shape.last!)
            let values = codes.scalars
            let features: [[Float]] = (0..<count).map { i in
                let sample = Array(values[(i * rows * width)..<((i + 1) * rows * width)])
                if space == "wplus" { return sample }
                return (0..<width).map { j in (0..<rows).reduce(Float(0)) { $0 + sample[$1 * width + j] } / Float(rows) }
            }
            let table = try LabelTable(contentsOf: URL(fileURLWithPath: labels))
            let names = dictionaryNames ?? (try? String(contentsOf: latentURL.deletingLastPathComponent().appendingPathComponent("names.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init))
            let order = try table.rows(matching: names, count: count)
            let wanted = attributes.map { Set(ArgumentChecks.names($0)) }
            if let wanted, let unknown = wanted.first(where: { !table.columns.contains($0) }) {
                throw CommandErrors.Failure(message: "\(labels): no column '\(unknown)' (columns: \(table.columns.joined(separator: ", ")))")
            }

            let fitting = DirectionFitting.Method(rawValue: method)!
            var fits: [(name: String, kind: String, fit: DirectionFitting.Fit)] = []
            for column in table.columns where wanted?.contains(column) ?? true {
                let columnValues = order.map { table.values[$0][column]! }
                let distinct = Set(columnValues)
                if distinct.count < 2 { print("skipped \(column): constant"); continue }
                if distinct.count <= 6 && distinct.allSatisfy({ $0 == $0.rounded() }) {
                    let classes = distinct.sorted()
                    var targets: [(String, [Double])] = classes.dropFirst(classes.first == 0 ? 1 : 0).map { c in
                        ("\(column)=\(Int(c))", columnValues.map { $0 == c ? 1 : -1 })
                    }
                    if classes.first == 0 && classes.count > 2 { targets.append((column, columnValues.map { $0 != 0 ? 1 : -1 })) }
                    if classes.count == 2 { targets = [(column, columnValues.map { $0 == classes[1] ? 1 : -1 })] }
                    for (name, y) in targets { fits.append((name, "category", try DirectionFitting.fit(latents: features, targets: y, method: fitting))) }
                } else {
                    fits.append((column, "continuous", try DirectionFitting.fit(latents: features, targets: columnValues, method: fitting)))
                }
            }
            guard !fits.isEmpty else { throw CommandErrors.Failure(message: "\(labels): no attribute to fit") }

            let folder = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var report: [[String: Any]] = []
            print("attribute                  held-out r   accuracy   conditioned on")
            for (name, kind, fit) in fits {
                let others = fits.filter { $0.name != name && !$0.name.hasPrefix(name.split(separator: "=")[0] + "=") && $0.name != String(name.split(separator: "=")[0]) }
                    .filter { abs(DirectionFitting.cosine(fit.direction, $0.fit.direction)) >= correlated }
                try write(fit.direction, name: Self.fileName(name), rows: rows, width: width, to: folder)
                if !others.isEmpty {
                    let conditional = DirectionFitting.conditioned(fit.direction, on: others.map(\.fit.direction))
                    try write(conditional, name: Self.fileName(name) + "_conditional", rows: rows, width: width, to: folder)
                }
                print(name.padding(toLength: 26, withPad: " ", startingAt: 0),
                      String(format: "%9.3f   %@   %@", fit.heldOutCorrelation, fit.heldOutAccuracy.map { String(format: "%7.3f", $0) } ?? "      –",
                             others.map(\.name).joined(separator: ", ")))
                report.append(["attribute": name, "kind": kind, "file": Self.fileName(name) + ".pt",
                               "held_out_correlation": fit.heldOutCorrelation, "held_out_accuracy": fit.heldOutAccuracy ?? NSNull(),
                               "slope": fit.slope, "spread": fit.spread, "method": method, "conditioned_on": others.map(\.name),
                               "cosines": Dictionary(uniqueKeysWithValues: fits.filter { $0.name != name }.map { ($0.name, DirectionFitting.cosine(fit.direction, $0.fit.direction)) })])
            }
            let json = try JSONSerialization.data(withJSONObject: ["space": space, "samples": count, "directions": report],
                                                  options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write([UInt8](json), to: folder.appendingPathComponent("directions.json"))
            print("wrote \(fits.count) directions to \(folder.path)")
        }
    }

    /// NAME.pt ([1, D] or [1, n, D]) and NAME_wplus.npy ([n, D]).
    func write(_ direction: [Float], name: String, rows: Int, width: Int, to folder: URL) throws {
        let wplusRows = space == "wplus" ? direction : (0..<rows).flatMap { _ in direction }
        let pt = space == "wplus" ? Tensor(shape: [1, rows, width], scalars: direction) : Tensor(shape: [1, width], scalars: direction)
        try TorchCheckpoint.write(PickleValue(pt), to: folder.appendingPathComponent(name + ".pt"))
        try NumpyFile.write(StoredTensor(Tensor(shape: [rows, width], scalars: wplusRows)), to: folder.appendingPathComponent(name + "_wplus.npy"))
    }

    static func fileName(_ attribute: String) -> String {
        String(attribute.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}

/// A labels CSV: a header of column names, then one row of numbers per sample; a `file` column
/// (names, not numbers) is kept for matching.
struct LabelTable {
    var columns: [String] = []
    var files: [String] = []
    var values: [[String: Double]] = []

    init(contentsOf url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw CommandErrors.Failure(message: "\(url.path): cannot be read as UTF-8 text") }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { throw CommandErrors.Failure(message: "\(url.path): empty") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let fileColumn = header.firstIndex(of: "file")
        columns = header.enumerated().filter { $0.offset != fileColumn }.map(\.element)
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == header.count else {
                throw CommandErrors.Failure(message: "\(url.path): line \(number + 2) has \(fields.count) fields, the header \(header.count)")
            }
            var row: [String: Double] = [:]
            for (index, field) in fields.enumerated() where index != fileColumn {
                guard let value = Double(field), value.isFinite else {
                    throw CommandErrors.Failure(message: "\(url.path): line \(number + 2), column '\(header[index])': '\(field)' is not a finite number")
                }
                row[header[index]] = value
            }
            values.append(row)
            files.append(fileColumn.map { fields[$0] } ?? "")
        }
    }

    /// Row indices in latent order: by name (`names.txt` stems against the `file` column's
    /// stems) when both exist, else row i for latent i.
    func rows(matching names: [String]?, count: Int) throws -> [Int] {
        if let names, names.count == count, files.contains(where: { !$0.isEmpty }) {
            let stem = { (s: String) in (s as NSString).deletingPathExtension }
            var index: [String: Int] = [:]
            for (i, f) in files.enumerated() { index[stem(f)] = i }
            return try names.map { name in
                guard let i = index[stem(name)] else { throw CommandErrors.Failure(message: "labels: no row for '\(name)' (named by the latents' dictionary or names.txt)") }
                return i
            }
        }
        guard values.count == count else {
            throw CommandErrors.Failure(message: "labels: \(values.count) rows for \(count) latents (and no names.txt to match by name)")
        }
        return Array(0..<count)
    }
}
