import ArgumentParser
import Checkpoints
import FileAccess
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

/// What a finished shard records (`shard.json` for `invert`, `shard-edit-TAG.json` for `edit`,
/// in its folder), so that `--merge` can put the shards' results back in input order and refuse
/// shards of different jobs.
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
    /// `.npy` files in the shard folder with one row per result, assembled in input order.
    var arrays: [String]
    /// Whether the merged folder gets `names.txt` (the result names in input order).
    var writesNames: Bool

    struct Row: Codable, Equatable {
        var input: Int
        var name: String
    }

    static let fileName = "shard.json"
    static func editFileName(tag: String) -> String { "shard-edit-\(tag).json" }

    /// A shard record's bytes: a regular file of at most 256 MiB (a record lists one row per
    /// result; a larger or odd file is refused rather than read into memory).
    static func readBytes(_ url: URL) throws -> Data? {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        if let problem = FileKind.problemReading(path) { throw CommandErrors.Failure(message: "\(path): \(problem)") }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= 256 << 20 else { throw CommandErrors.Failure(message: "\(path): \(size) bytes, more than a shard record can hold (256 MiB)") }
        return FileManager.default.contents(atPath: path)
    }

    static func digest(ofNames names: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in names { for byte in name.utf8 + [0] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 } }
        return String(hash, radix: 16)
    }

    func write(to folder: URL, name: String = Self.fileName) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: folder.appendingPathComponent(name))
    }
}

/// `invert --merge` / `edit --merge`: the shards' results (`OUT/shard-i-of-N/`) assembled into
/// `OUT` as one unsharded run writes them — the row-stacked arrays (`latents.npy`, `images.npy`,
/// `edits_TAG.npy`) and `names.txt` in input order (bit for bit the unsharded files), and every
/// image of the shards (reconstructions, grids, edits, pasted photos) linked in.
enum ShardMerge {
    struct Outcome {
        var rows: Int
        var shards: Int
    }

    /// The shard folders in `out`, sorted.
    static func shardFolders(in out: URL, command: String) throws -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        let folders = entries.filter { $0.hasPrefix("shard-") && $0.contains("-of-") }.sorted()
        guard !folders.isEmpty else {
            throw CommandErrors.Failure(message: "\(out.path): no shard-i-of-N folders to merge (run \(command) with --shard i/N --out \(out.path) first)")
        }
        return folders
    }

    /// The edit tags whose shard records are in `out`'s shard folders.
    static func editTags(in out: URL) throws -> [String] {
        var tags = Set<String>()
        for folder in try shardFolders(in: out, command: "edit") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(folder).path)) ?? []
            where name.hasPrefix("shard-edit-") && name.hasSuffix(".json") {
                tags.insert(String(name.dropFirst("shard-edit-".count).dropLast(".json".count)))
            }
        }
        guard !tags.isEmpty else { throw CommandErrors.Failure(message: "\(out.path): no finished edit shards (shard-edit-TAG.json) to merge") }
        return tags.sorted()
    }

    static func merge(into out: URL, record recordName: String = ShardRecord.fileName, command: String = "invert") throws -> Outcome {
        let manager = FileManager.default
        let folders = try shardFolders(in: out, command: command)
        var records: [ShardRecord] = []
        for name in folders {
            let file = out.appendingPathComponent(name).appendingPathComponent(recordName)
            guard let data = try ShardRecord.readBytes(file) else {
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
        let missing = missingShards(present: records.map(\.index), count: first.count)
        guard missing.isEmpty else {
            throw CommandErrors.Failure(message: "\(out.path): shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) missing")
        }

        // Every row: its input position → (shard, row in that shard's arrays); a photo's several
        // faces keep their order within the shard.
        var placed: [(input: Int, shard: Int, row: Int, name: String)] = []
        for (s, record) in records.enumerated() {
            for (r, row) in record.rows.enumerated() { placed.append((row.input, s, r, row.name)) }
        }
        placed.sort { ($0.input, $0.row) < ($1.input, $1.row) }
        guard !placed.isEmpty else { throw CommandErrors.Failure(message: "\(out.path): the shards hold no results") }

        func shardFolder(_ s: Int) -> URL { out.appendingPathComponent(folders[s]) }
        // Each row-stacked array, its rows in input order (arrays a shard recorded but another
        // with results lacks cannot be assembled: that is an error, not a silent gap).
        for array in records.first(where: { !$0.rows.isEmpty })?.arrays ?? [] {
            let parts = try records.indices.map { s -> Tensor? in
                guard !records[s].rows.isEmpty else { return nil }
                guard records[s].arrays.contains(array) else {
                    throw CommandErrors.Failure(message: "\(shardFolder(s).path): has no \(array), which other shards wrote; rerun the shards with the same options")
                }
                return try readRows(shardFolder(s).appendingPathComponent(array), expected: records[s].rows.count)
            }
            let rows = placed.map { parts[$0.shard]!.narrow(0, start: $0.row, length: 1) }
            try NumpyFile.write(StoredTensor(Tensor.concat(rows, axis: 0)), to: out.appendingPathComponent(array))
        }
        if first.writesNames {
            try AtomicFile.write(Array((placed.map(\.name).joined(separator: "\n") + "\n").utf8), to: out.appendingPathComponent("names.txt"))
        }
        // The per-input images (reconstructions, grids, edits, aligned crops, pasted photos), linked (or copied).
        for s in records.indices {
            let folder = shardFolder(s)
            let images = ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).filter { name in
                !name.hasPrefix(".") && [".png", ".jpg"].contains { name.lowercased().hasSuffix($0) }
            }
            for name in images {
                let target = out.appendingPathComponent(name)
                try? manager.removeItem(at: target)
                do { try manager.linkItem(at: folder.appendingPathComponent(name), to: target) } catch {
                    try manager.copyItem(at: folder.appendingPathComponent(name), to: target)
                }
            }
        }
        return Outcome(rows: placed.count, shards: records.count)
    }

    /// Up to five shard indices in 0..<count absent from `present`, without materialising the
    /// range (a crafted record may claim any count).
    static func missingShards(present: [Int], count: Int) -> [Int] {
        let have = Set(present)
        var missing: [Int] = []
        var i = 0
        while i < count && missing.count < 5 && i <= have.count + 5 {
            if !have.contains(i) { missing.append(i) }
            i += 1
        }
        return missing
    }

    private static func readRows(_ url: URL, expected: Int) throws -> Tensor {
        let tensor = try CommandErrors.reporting { try Tensor(NumpyFile.readTensor(contentsOf: url)) }
        guard tensor.rank >= 1, tensor.shape[0] == expected else {
            throw CommandErrors.Failure(message: "\(url.path): \(tensor.shape.first ?? 0) rows, but its shard.json lists \(expected)")
        }
        return tensor
    }
}
