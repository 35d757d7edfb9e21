import ArgumentParser
import CPUKernels
import Dispatch
import FileAccess
import Foundation
import Imaging
import SynthFaces

/// `styleprompter synthfaces`: procedural cartoon faces and their labels, the data the default
/// model is trained on.
///
/// ```
/// styleprompter synthfaces --count 1000 --seed 0 --size 64 --out faces/
/// ```
/// writes `faces/face_000000.png` … `faces/face_000999.png` (face i from seed S + i) and
/// `faces/labels.csv` (`file,<FaceAttributes.labelNames…>`, one row per face).
struct SynthFacesCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "synthfaces",
        abstract: "Render procedural cartoon faces (SynthFaces) as PNGs with their attributes in labels.csv.",
        discussion: """
            Face i (counting from 0) is rendered from seed S + i, so --seed 100 --count 5 gives the same \
            faces as faces 100-104 of --seed 0 --count 105, on every machine. labels.csv has one row per \
            face: the file name, then every label of FaceAttributes.labelNames (continuous ones in [-1, 1], \
            hairStyle, glasses and frameColor as integers).
            """)

    static let maximumCount = 10_000_000

    @Option(help: "Number of faces (1 to 10000000).") var count: Int
    @Option(help: "Seed of the first face; face i gets seed S + i.") var seed: UInt64 = 0
    @Option(help: "Image size in pixels: a power of two from 16 to 1024.") var size: Int = 64
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "Proportions: classic (the first default model's data) or large-mouth.") var style: RenderStyle = .classic
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard count >= 1 && count <= Self.maximumCount else {
            throw ValidationError("--count must be between 1 and \(Self.maximumCount), got \(count)")
        }
        guard size >= 16 && size <= 1024 && size & (size - 1) == 0 else {
            throw ValidationError("--size must be a power of two from 16 to 1024, got \(size)")
        }
        guard seed <= UInt64.max - UInt64(count - 1) else {
            throw ValidationError("--seed \(seed) + --count \(count) runs past the largest seed")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) && !isDirectory.boolValue {
            throw ValidationError("--out \(out) is an existing file, not a folder")
        }
    }

    func execute() throws {
        try compute.apply()
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try CommandErrors.reporting { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let threads = Parallel.threadCount
        let names = FaceAttributes.labelNames
        let categorical = names.map { FaceAttributes.categoricalLabelNames.contains($0) }
        var csv = "file," + names.joined(separator: ",") + "\n"
        let progress = Progress(total: count, label: "synthfaces")
        var renderSeconds = 0.0
        let chunk = max(threads * 64, 256)
        var start = 0
        while start < count {
            let length = min(chunk, count - start)
            let faces = (0..<length).map { FaceAttributes(seed: seed + UInt64(start + $0)) }
            let fileNames = (0..<length).map { String(format: "face_%06d.png", start + $0) }
            let renderStart = DispatchTime.now()
            let images = FaceRenderer.render(faces, size: size, style: style, threads: threads)
            renderSeconds += Double(DispatchTime.now().uptimeNanoseconds - renderStart.uptimeNanoseconds) / 1e9
            try writeConcurrently(images, names: fileNames, to: folder, threads: threads)
            for (face, file) in zip(faces, fileNames) {
                let fields = zip(face.labels, categorical).map { value, isCategory in isCategory ? String(Int(value)) : "\(value)" }
                csv += file + "," + fields.joined(separator: ",") + "\n"
            }
            progress.advance(by: length)
            start += length
        }
        try CommandErrors.reporting { try AtomicFile.write(Array(csv.utf8), to: folder.appendingPathComponent("labels.csv")) }
        let elapsed = Date().timeIntervalSince(progress.start)
        print(String(format: "wrote %d faces (%d px) and labels.csv to %@ in %.1f s (%.0f faces/s with PNG encoding); rendering alone: %.0f faces/s on %d threads",
                     count, size, folder.path, elapsed, Double(count) / elapsed, Double(count) / max(renderSeconds, 1e-9), threads))
    }

    /// Encodes and writes each image (atomically) on `threads` threads; the first error is thrown.
    private func writeConcurrently(_ images: [Image], names: [String], to folder: URL, threads: Int) throws {
        let parts = max(1, min(threads, images.count))
        let failures = FailureList()
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            for index in (part * images.count / parts)..<((part + 1) * images.count / parts) {
                do {
                    try images[index].write(to: folder.appendingPathComponent(names[index]))
                } catch {
                    failures.append(error)
                }
            }
        }
        if let first = failures.first { throw CommandErrors.Failure(message: "\(first)") }
    }
}

/// Errors collected from concurrent writers.
private final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []

    func append(_ error: Error) { lock.withLock { errors.append(error) } }
    var first: Error? { lock.withLock { errors.first } }
}
