import Checkpoints
import FileAccess
import Foundation
import Imaging
import StyleGAN
import Tensors

/// The output folder of a batch job, and everything written into it: per-input results (images,
/// latents) through the one atomic writer, a work folder (`.styleprompter-work`) that lets an
/// interrupted job resume, and the assembled `latents.npy` / `names.txt` at the end.
///
/// Resume is keyed on a fingerprint of how the results are made (model file, generator, β, SMART,
/// preprocessing): results made another way are discarded, never silently reused. Latents
/// computed in this session stay in memory, so assembling `latents.npy` reads back only those a
/// previous session left.
///
/// ```swift
/// let writer = try ResultWriter(folder: outURL, fingerprint: "model … β 1,1")
/// if !writer.isDone("photo", needing: ["latents.npy"]) {
///     try writer.write(face.reconstruction, as: "photo.png")
///     try writer.record(face.latents, for: "photo")
/// }
/// try writer.writeLatents(names: ["photo"])     // latents.npy [1, n, 512] and names.txt
/// ```
public final class ResultWriter {
    public let folder: URL
    public let work: URL
    /// Whether results of another model or settings were found and discarded.
    public private(set) var discardedStaleResults = false
    private var latentsInMemory: [String: Tensor] = [:]
    private var rawInMemory: [String: Tensor] = [:]

    static let fingerprintName = "fingerprint.txt"

    /// Opens (creating) `folder` and its work folder, removes temporaries a killed run left, and
    /// discards per-input results made with another `fingerprint` (nil: a job that does not
    /// resume, which leaves the work folder's results alone).
    public init(folder: URL, fingerprint: String?) throws {
        self.folder = folder
        work = folder.appendingPathComponent(".styleprompter-work", isDirectory: true)
        let manager = FileManager.default
        do { try manager.createDirectory(at: work, withIntermediateDirectories: true) } catch {
            throw AtomicFile.Failure(path: work.path, reason: "cannot create the folder")
        }
        for place in [folder, work] { AtomicFile.removeLeftovers(in: place) }
        guard let fingerprint else { return }
        let record = work.appendingPathComponent(Self.fingerprintName)
        let previous = try? String(contentsOf: record, encoding: .utf8)
        if previous != fingerprint {
            let results = ((try? manager.contentsOfDirectory(atPath: work.path)) ?? []).filter { $0 != Self.fingerprintName }
            discardedStaleResults = !results.isEmpty
            for name in results { try? manager.removeItem(at: work.appendingPathComponent(name)) }
            try AtomicFile.write(Data(fingerprint.utf8), to: record)
        }
    }

    /// A per-input file in the work folder (`NAME.SUFFIX`).
    public func workFile(_ name: String, _ suffix: String) -> URL { work.appendingPathComponent("\(name).\(suffix)") }

    /// Whether `name`'s work files with every one of `suffixes` exist (it was finished before).
    public func isDone(_ name: String, needing suffixes: [String]) -> Bool {
        suffixes.allSatisfy { latentsInMemory[name] != nil && $0 == "latents.npy" || FileManager.default.fileExists(atPath: workFile(name, $0).path) }
    }

    /// Writes an image (PNG or JPEG by extension) into the folder.
    public func write(_ image: Image, as fileName: String) throws {
        try image.write(to: folder.appendingPathComponent(fileName))
    }

    /// Writes bytes into the folder.
    public func write(_ data: Data, as fileName: String) throws {
        try AtomicFile.write(data, to: folder.appendingPathComponent(fileName))
    }

    /// Keeps `name`'s W+ latents [1, n, D] (and saves them to the work folder, for a resume).
    public func record(_ latents: Tensor, for name: String) throws {
        try LatentFile.write(latents, to: workFile(name, "latents.npy"))
        latentsInMemory[name] = latents
    }

    /// Keeps `name`'s unclamped reconstruction [1, 3, H, W] (`images.npy` at the end).
    public func record(raw: Tensor, for name: String) throws {
        try NumpyFile.write(StoredTensor(raw), to: workFile(name, "raw.npy"))
        rawInMemory[name] = raw
    }

    /// `name`'s latents: from memory, or from the work folder a previous session wrote.
    public func latents(for name: String) throws -> Tensor {
        if let kept = latentsInMemory[name] { return kept }
        return try Tensor(NumpyFile.readTensor(contentsOf: workFile(name, "latents.npy")))
    }

    /// Writes `latents.npy` [N, n, D] and `names.txt` for `names` in that order (and, with
    /// `raw`, `images.npy` [N, 3, H, W]). Returns the latents' shape.
    @discardableResult
    public func writeLatents(names: [String], raw: Bool = false) throws -> [Int] {
        let latents = try names.map { try self.latents(for: $0) }
        let stacked = Tensor.concat(latents, axis: 0)
        try LatentFile.write(stacked, to: folder.appendingPathComponent("latents.npy"))
        try AtomicFile.write(Data((names.joined(separator: "\n") + "\n").utf8), to: folder.appendingPathComponent("names.txt"))
        if raw {
            let images = try names.map { name in
                try rawInMemory[name] ?? Tensor(NumpyFile.readTensor(contentsOf: workFile(name, "raw.npy")))
            }
            try NumpyFile.write(StoredTensor(Tensor.concat(images, axis: 0)), to: folder.appendingPathComponent("images.npy"))
        }
        return stacked.shape
    }
}
