import ArgumentParser
import Checkpoints
import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors

/// `--shard i/N`: this job's deterministic 1/N of a command's inputs (every N-th input in the
/// collected order, starting at i), for job arrays (`--shard $SLURM_ARRAY_TASK_ID/N`).
struct InputShard: Equatable, CustomStringConvertible {
    let index: Int
    let count: Int

    /// Parses "i/N" (0 ≤ i < N ≤ 100,000); one line naming the value otherwise.
    init(parsing text: String, command: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, i >= 0, i < n else {
            throw ValidationError("\(command): --shard '\(text)' is not i/N with 0 ≤ i < N ≤ 100000 (for example 0/4)")
        }
        index = i
        count = n
    }

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    var description: String { "\(index)/\(count)" }

    /// The folder this shard writes inside the command's `--out`.
    var folderName: String { "shard-\(index)-of-\(count)" }

    /// This shard's inputs with their positions in the whole list.
    func select<T>(_ items: [T]) -> [(position: Int, item: T)] {
        items.enumerated().filter { $0.offset % count == index }.map { ($0.offset, $0.element) }
    }
}

/// What a finished shard records (`shard.json` in its folder), so that `--merge` can put the
/// shards' results back in input order and refuse shards of different jobs.
struct ShardRecord: Codable, Equatable {
    var index: Int
    var count: Int
    /// Inputs of the whole job, and a digest of their names in order.
    var inputs: Int
    var inputsDigest: String
    /// How the results were made (model, settings): shards made differently do not merge.
    var fingerprint: String
    /// Each written result: its input's position in the whole list, and its name.
    var rows: [Row]

    struct Row: Codable, Equatable {
        var input: Int
        var name: String
    }

    static let fileName = "shard.json"

    static func digest(ofNames names: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in names { for byte in name.utf8 + [0] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 } }
        return String(hash, radix: 16)
    }

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: folder.appendingPathComponent(Self.fileName))
    }
}

/// `invert --merge OUT`: the shards' results (`OUT/shard-i-of-N/`) assembled into `OUT` as one
/// unsharded run writes them — `latents.npy` and `names.txt` in input order (bit for bit the
/// unsharded files), `images.npy` when every shard saved it, and each reconstruction PNG linked in.
enum ShardMerge {
    struct Outcome {
        var rows: Int
        var shards: Int
    }

    static func merge(into out: URL) throws -> Outcome {
        let manager = FileManager.default
        let entries = (try? manager.contentsOfDirectory(atPath: out.path)) ?? []
        let folders = entries.filter { $0.hasPrefix("shard-") && $0.contains("-of-") }.sorted()
        guard !folders.isEmpty else {
            throw CommandErrors.Failure(message: "\(out.path): no shard-i-of-N folders to merge (run invert with --shard i/N --out \(out.path) first)")
        }
        var records: [ShardRecord] = []
        for name in folders {
            let file = out.appendingPathComponent(name).appendingPathComponent(ShardRecord.fileName)
            guard let data = manager.contents(atPath: file.path) else {
                throw CommandErrors.Failure(message: "\(file.path): missing — shard \(name) has not finished (rerun its job; it resumes)")
            }
            let record: ShardRecord
            do { record = try JSONDecoder().decode(ShardRecord.self, from: data) } catch {
                throw CommandErrors.Failure(message: "\(file.path): not a shard record (\(error))")
            }
            guard name == "shard-\(record.index)-of-\(record.count)" else {
                throw CommandErrors.Failure(message: "\(file.path): records shard \(record.index)/\(record.count), but the folder is \(name)")
            }
            records.append(record)
        }
        let first = records[0]
        for record in records where record.count != first.count || record.inputs != first.inputs
            || record.inputsDigest != first.inputsDigest || record.fingerprint != first.fingerprint {
            throw CommandErrors.Failure(message: "\(out.path): shard \(record.index)/\(record.count) was made from other inputs or settings than shard \(first.index)/\(first.count); merge shards of one job only")
        }
        let missing = Set(0..<first.count).subtracting(records.map(\.index)).sorted()
        guard missing.isEmpty else {
            throw CommandErrors.Failure(message: "\(out.path): shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) missing")
        }

        // Every row: (input position, order within the shard) → (shard, row in its latents.npy).
        var placed: [(input: Int, order: Int, shard: Int, row: Int, name: String)] = []
        for (s, record) in records.enumerated() {
            for (r, row) in record.rows.enumerated() { placed.append((row.input, r, s, r, row.name)) }
        }
        placed.sort { ($0.input, $0.order) < ($1.input, $1.order) }
        guard !placed.isEmpty else { throw CommandErrors.Failure(message: "\(out.path): the shards hold no results") }

        func shardFolder(_ s: Int) -> URL { out.appendingPathComponent(folders[s]) }
        let latents = try records.indices.map { s -> Tensor? in
            records[s].rows.isEmpty ? nil : try readRows(shardFolder(s).appendingPathComponent("latents.npy"), expected: records[s].rows.count)
        }
        let rows = placed.map { latents[$0.shard]!.narrow(0, start: $0.row, length: 1) }
        try LatentFile.write(Tensor.concat(rows, axis: 0), to: out.appendingPathComponent("latents.npy"))
        try AtomicFile.write(Array((placed.map(\.name).joined(separator: "\n") + "\n").utf8), to: out.appendingPathComponent("names.txt"))

        let rawFiles = records.indices.map { shardFolder($0).appendingPathComponent("images.npy") }
        if records.indices.allSatisfy({ records[$0].rows.isEmpty || manager.fileExists(atPath: rawFiles[$0].path) }) {
            let raw = try records.indices.map { s -> Tensor? in
                records[s].rows.isEmpty ? nil : try readRows(rawFiles[s], expected: records[s].rows.count)
            }
            if raw.contains(where: { $0 != nil }) {
                let images = placed.map { raw[$0.shard]!.narrow(0, start: $0.row, length: 1) }
                try NumpyFile.write(StoredTensor(Tensor.concat(images, axis: 0)), to: out.appendingPathComponent("images.npy"))
            }
        }
        // The per-input images (reconstructions, aligned crops, pasted photos), linked (or copied).
        for s in records.indices {
            let folder = shardFolder(s)
            for name in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []) where name.hasSuffix(".png") && !name.hasPrefix(".") {
                let target = out.appendingPathComponent(name)
                try? manager.removeItem(at: target)
                do { try manager.linkItem(at: folder.appendingPathComponent(name), to: target) } catch {
                    try manager.copyItem(at: folder.appendingPathComponent(name), to: target)
                }
            }
        }
        return Outcome(rows: placed.count, shards: records.count)
    }

    private static func readRows(_ url: URL, expected: Int) throws -> Tensor {
        let tensor = try CommandErrors.reporting { try Tensor(NumpyFile.readTensor(contentsOf: url)) }
        guard tensor.rank >= 1, tensor.shape[0] == expected else {
            throw CommandErrors.Failure(message: "\(url.path): \(tensor.shape.first ?? 0) rows, but its shard.json lists \(expected)")
        }
        return tensor
    }
}
