import ArgumentParser
import Foundation
import Imaging

/// Parsing and bounds of the numeric arguments, for the commands' `validate()`: every value a
/// user can type gives a result or a `ValidationError` naming the subcommand and the option,
/// never a trap, an unbounded loop or a NaN that reaches the pixels.
package enum ArgumentChecks {
    /// Most seeds one `generate` call takes.
    static let maximumSeeds = 100_000
    /// Most strengths one `edit --strength start:end:count` sweep takes.
    static let maximumStrengths = 1000

    /// "smile, mouthOpen" → ["smile", "mouthOpen"]: a comma-separated list of names, each trimmed of
    /// spaces (the form every --names, --hold, --ship, --attribute-readings option takes).
    static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// "0-7", "3", "1,4,9-11" → seeds in order, each 0…Int64.max, at most `maximumSeeds`.
    static func seeds(_ text: String, command: String) throws -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let piece = part.trimmingCharacters(in: .whitespaces)
            let bounds = piece.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard !piece.isEmpty, (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                throw ValidationError("\(command): --seeds takes seeds 0 or more and ranges like 0-7, separated by commas; '\(piece)' is neither")
            }
            let first = bounds[0]!, last = bounds.count == 2 ? bounds[1]! : bounds[0]!
            guard first <= last else { throw ValidationError("\(command): --seeds range '\(piece)' ends before it starts") }
            // Counted before any array is built: 0-9223372036854775807 must not be materialised.
            let (span, overflow) = last.subtractingReportingOverflow(first)
            guard !overflow, span < maximumSeeds - values.count else {
                throw ValidationError("\(command): --seeds '\(text)' asks for more than \(maximumSeeds) images")
            }
            values += Array(first...last)
        }
        return values
    }

    /// "7-8" (rows 7 up to 8, end exclusive as in e4e), "2-6", or "7" (row 7 alone).
    package static func rowRange(_ text: String, command: String) throws -> Range<Int> {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 1024 }) else {
            throw ValidationError("\(command): --layers takes W+ rows first-end like 7-8 or 2-6 (0…1024), not '\(text)'")
        }
        let first = bounds[0]!, end = bounds.count == 2 ? bounds[1]! : first + 1
        guard first < end else { throw ValidationError("\(command): --layers '\(text)' is empty (the end row is exclusive)") }
        return first..<end
    }

    /// "2", "-3:3:7" (seven values from −3 to 3): finite values, 1…`maximumStrengths` of them.
    static func strengths(_ text: String, command: String) throws -> [Float] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        let usage = "\(command): --strength takes a number or start:end:count like -3:3:7, not '\(text)'"
        if parts.count == 1 {
            guard let value = parts[0] else { throw ValidationError(usage) }
            guard value.isFinite else { throw ValidationError("\(command): --strength \(text) is not a finite number") }
            return [value]
        }
        guard parts.count == 3, let start = parts[0], let end = parts[1], let countValue = parts[2] else {
            throw ValidationError(usage)
        }
        guard start.isFinite, end.isFinite else { throw ValidationError("\(command): --strength '\(text)': start and end must be finite numbers") }
        guard countValue.isFinite, countValue == countValue.rounded(), countValue >= 1, countValue <= Float(maximumStrengths) else {
            throw ValidationError("\(command): --strength '\(text)': the count must be a whole number from 1 to \(maximumStrengths)")
        }
        let count = Int(countValue)
        return count == 1 ? [start] : (0..<count).map { start + (end - start) * Float($0) / Float(count - 1) }
    }

    /// "1,1", "0.5,0.8": two finite numbers. (Checked in `ModelOptions.validate()`, which
    /// ArgumentParser reports under the subcommand's usage.)
    static func beta(_ text: String) throws -> (Float, Float) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let b1 = parts[0], let b2 = parts[1] else {
            throw ValidationError("--beta takes two numbers like 1,1 or 0.5,0.8, not '\(text)'")
        }
        guard b1.isFinite, b2.isFinite else { throw ValidationError("--beta '\(text)': both values must be finite numbers") }
        return (b1, b2)
    }

    /// `--resize-outputs N`: 1…4096.
    static func resizeOutputs(_ size: Int?, command: String) throws {
        if let size, !(1...4096).contains(size) {
            throw ValidationError("\(command): --resize-outputs \(size) is outside 1…4096")
        }
    }

    /// `image` resized (antialiased) to `size`² when `--resize-outputs` asks for it.
    static func resized(_ image: Image, to size: Int?) -> Image {
        guard let size, image.width != size || image.height != size else { return image }
        return image.resized(width: size, height: size)
    }

    /// `--out` must be a folder that exists or can be made, and writable; checked in `validate()`,
    /// before any model is loaded.
    static func outputFolder(_ path: String, command: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(command): --out is empty") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ValidationError("\(command): --out \(path) is a file, not a folder") }
            guard access(path, W_OK | X_OK) == 0 else { throw ValidationError("\(command): --out \(path): permission denied (the folder is not writable)") }
            return
        }
        // The nearest existing ancestor must be a writable folder.
        var ancestor = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder) && ancestor.path != "/" {
            ancestor = ancestor.deletingLastPathComponent()
        }
        guard isFolder.boolValue else {
            throw ValidationError("\(command): --out \(path) cannot be made: \(ancestor.path) is a file, not a folder")
        }
        guard access(ancestor.path, W_OK | X_OK) == 0 else {
            throw ValidationError("\(command): --out \(path) cannot be made: permission denied in \(ancestor.path)")
        }
    }

    /// Refuses an output folder that holds one of the inputs: a result named like a photo
    /// (`x.png` from `x.png`) would overwrite it, and a later run would read results as photos.
    static func outputHoldsNoInput(_ out: String, inputs: [URL], command: String) throws {
        let folder = canonical(URL(fileURLWithPath: out, isDirectory: true))
        for input in inputs where canonical(input.deletingLastPathComponent()) == folder {
            throw CommandErrors.Failure(message: "\(command): --out \(out) is the folder of the input \(input.path); choose another folder so no input is overwritten")
        }
    }

    /// Refuses an input file that the command would overwrite with one of its outputs
    /// (`generate --latents out/latents.npy --out out` would replace the codes it reads).
    static func outputs(_ names: [String], in out: String, spare input: String, option: String, command: String) throws {
        let source = canonical(URL(fileURLWithPath: input))
        for name in names where canonical(URL(fileURLWithPath: out, isDirectory: true).appendingPathComponent(name)) == source {
            throw ValidationError("\(command): \(option) \(input) would be overwritten by the output \(name) in --out \(out); choose another folder")
        }
    }

    private static func canonical(_ url: URL) -> String {
        url.standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// A seed as a file name: the full decimal number, zero-padded to 4 digits.
    package static func seedName(_ seed: Int) -> String {
        let digits = String(seed)
        return "seed" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
