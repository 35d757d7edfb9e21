import Foundation
import Imaging
import Perceptual

/// One shard of an `eval` (`eval --shard i/N --json F` writes it to F): the per-image values of
/// the shard's photos with their positions in the whole input list, so that `eval --merge`
/// rebuilds the summary an unsharded run prints — the same values, in input order.
struct EvalShardRecord: Codable, Equatable {
    var index: Int
    var count: Int
    var inputs: Int
    var inputsDigest: String
    var fingerprint: String
    /// Positions (in the whole input list) of the photos evaluated, in order.
    var positions: [Int]
    /// Metric names in the order the summary shows them, and each metric's value per position.
    var metrics: [String]
    var values: [String: [Double]]
    /// Photos that failed: file name and message.
    var failures: [[String]]

    var kind = "styleprompter-eval-shard"

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decode(_ data: Data, source: String) throws -> EvalShardRecord {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let record: EvalShardRecord
        do { record = try decoder.decode(EvalShardRecord.self, from: data) } catch {
            throw CommandErrors.Failure(message: "\(source): not an eval shard record (written by eval --shard i/N --json FILE)")
        }
        guard record.kind == "styleprompter-eval-shard", record.count >= 1, (0..<record.count).contains(record.index),
              record.metrics.allSatisfy({ record.values[$0]?.count == record.positions.count }),
              record.positions.allSatisfy({ (0..<record.inputs).contains($0) }) else {
            throw CommandErrors.Failure(message: "\(source): an inconsistent eval shard record (values do not match its positions)")
        }
        return record
    }

    /// The summary of the whole input list from every shard's record (one per shard, any order).
    static func merge(_ records: [(record: EvalShardRecord, source: String)]) throws -> (summary: MetricSummary, failures: [[String]]) {
        guard let first = records.first?.record else { throw CommandErrors.Failure(message: "eval --merge: give the shard records to merge") }
        for (record, source) in records where record.count != first.count || record.inputs != first.inputs
            || record.inputsDigest != first.inputsDigest || record.fingerprint != first.fingerprint {
            throw CommandErrors.Failure(message: "\(source): shard \(record.index)/\(record.count) was made from other photos or settings than shard \(first.index)/\(first.count); merge shards of one job only")
        }
        let indices = records.map(\.record.index)
        if let duplicate = Dictionary(grouping: indices, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw CommandErrors.Failure(message: "eval --merge: shard \(duplicate)/\(first.count) is given twice")
        }
        let missing = ShardMerge.missingShards(present: indices, count: first.count)
        guard missing.isEmpty else {
            throw CommandErrors.Failure(message: "eval --merge: shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) missing")
        }
        var rows: [(position: Int, record: Int, row: Int)] = []
        for (r, entry) in records.enumerated() { for (k, position) in entry.record.positions.enumerated() { rows.append((position, r, k)) } }
        rows.sort { $0.position < $1.position }
        var summary = MetricSummary()
        let names = records.map(\.record.metrics).max { $0.count < $1.count } ?? []
        for row in rows {
            let record = records[row.record].record
            for name in names where record.values[name] != nil { summary.add(name, record.values[name]![row.row]) }
        }
        return (summary, records.flatMap(\.record.failures))
    }
}
