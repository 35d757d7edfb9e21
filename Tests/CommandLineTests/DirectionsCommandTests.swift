import Checkpoints
import Foundation
import StyleGAN
import Tensors
import Testing
import StylePrompterCLI

/// `directions` on latents with planted attributes: files in the ecosystem's formats that the
/// edit loader reads, and a report of the fit.
@Suite(.serialized) struct DirectionsCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("directions-\(UUID().uuidString)")

    @Test func writesDirectionFilesAndReport() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let rng = RandomGenerator(seed: 9)
        let (n, rows, d) = (120, 4, 8)
        let latents = Tensor.randomNormal([n, rows, d], generator: rng)
        try LatentFile.write(latents, to: folder.appendingPathComponent("latents.npy"))
        var csv = "file,smile,glasses\n"
        for i in 0..<n {
            let w = (0..<d).map { j in (0..<rows).reduce(Float(0)) { $0 + latents.scalars[(i * rows + $1) * d + j] } / Float(rows) }
            csv += "face_\(i).png,\(w[0] - w[1]),\(w[2] > 0 ? 1 : 0)\n"
        }
        try csv.write(to: folder.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        var command = try StylePrompterCommand.parseAsRoot(["directions", "--latents", folder.appendingPathComponent("latents.npy").path,
                                                            "--labels", folder.appendingPathComponent("labels.csv").path, "--out", out.path,
                                                            "--method", "normal"])   // exact recovery of a planted normal
        try command.run()
        guard case .vector(let smile) = try EditDirection.load(contentsOf: out.appendingPathComponent("smile.pt")) else {
            Issue.record("smile.pt is not a vector direction"); return
        }
        #expect(smile.shape == [1, d])
        #expect(smile.scalars[0] > 0.69 && smile.scalars[1] < -0.69)
        let wplus = try NumpyFile.readTensor(contentsOf: out.appendingPathComponent("glasses_wplus.npy"))
        #expect(wplus.shape == [rows, d])
        let report = try String(contentsOf: out.appendingPathComponent("directions.json"), encoding: .utf8)
        #expect(report.contains("held_out_correlation") && report.contains("\"glasses\""))
        var bad = try StylePrompterCommand.parseAsRoot(["directions", "--latents", folder.appendingPathComponent("latents.npy").path,
                                                        "--labels", folder.appendingPathComponent("labels.csv").path, "--out", out.path,
                                                        "--attributes", "nosuch"])
        #expect(throws: (any Error).self) { try bad.run() }
    }

    /// e4e/ReStyle save latents as a dictionary {image name: [n, D]}: its keys name the rows, so the
    /// labels are matched by name whatever the dictionary's order.
    @Test func readsALatentDictionaryMatchedByName() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let rng = RandomGenerator(seed: 10)
        let (n, rows, d) = (80, 3, 6)
        let latents = Tensor.randomNormal([n, rows, d], generator: rng)
        var entries: [(PickleValue, PickleValue)] = []
        var csv = "file,smile\n"
        for i in (0..<n).reversed() {   // the dictionary in the opposite order to the labels
            let row = latents.narrow(0, start: i, length: 1).reshape([rows, d])
            entries.append((.string("face_\(i).jpg"), .tensor(StoredTensor(row))))
        }
        for i in 0..<n {
            let w0 = (0..<rows).reduce(Float(0)) { $0 + latents.scalars[(i * rows + $1) * d] } / Float(rows)
            csv += "face_\(i).png,\(w0)\n"
        }
        try TorchCheckpoint.write(.dict(PickleDictionary(entries)), to: folder.appendingPathComponent("latents.pt"))
        try csv.write(to: folder.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        var command = try StylePrompterCommand.parseAsRoot(["directions", "--latents", folder.appendingPathComponent("latents.pt").path,
                                                            "--labels", folder.appendingPathComponent("labels.csv").path, "--out", out.path,
                                                            "--method", "normal"])
        try command.run()
        guard case .vector(let smile) = try EditDirection.load(contentsOf: out.appendingPathComponent("smile.pt")) else {
            Issue.record("smile.pt is not a vector direction"); return
        }
        // The label is w's first coordinate: matched by name, the direction is that axis.
        #expect(smile.scalars[0] > 0.95, "\(smile.scalars)")
    }
}
