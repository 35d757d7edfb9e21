import Checkpoints
import Foundation
import Tensors

/// The checkpoints of a run: `checkpoints/step-00001200.safetensors`, each the whole training
/// state (weights, optimiser moments, EMA, counters, every random stream, the data position),
/// written atomically (temporary name, fsync, rename); the newest `keep` are kept, plus
/// `best.safetensors` when asked. Loading takes the newest file that reads back whole, so a
/// kill in the middle of a save costs at most one save interval.
///
/// ```swift
/// let store = TrainingCheckpointStore(run: run, keep: 3)
/// try store.save(TrainingState(step: 100, tensors: tensors, values: ["position": "400"]))
/// let latest = try store.latest()          // nil for a fresh run
/// ```
public struct TrainingCheckpointStore: Sendable {
    public let run: RunFolder
    public let keep: Int
    static let format = "styleprompter-training-state"

    public init(run: RunFolder, keep: Int = 3) {
        self.run = run
        self.keep = max(1, keep)
    }

    public func url(step: Int) -> URL { run.checkpoints.appendingPathComponent(String(format: "step-%08d.safetensors", step)) }
    public var bestURL: URL { run.checkpoints.appendingPathComponent("best.safetensors") }

    /// Saves `state` as the checkpoint of its step and prunes older ones.
    @discardableResult
    public func save(_ state: TrainingState) throws -> URL {
        let destination = url(step: state.step)
        try write(state, to: destination)
        prune()
        return destination
    }

    /// Saves `state` as `best.safetensors`.
    public func saveBest(_ state: TrainingState) throws { try write(state, to: bestURL) }

    /// Steps of the checkpoints on disk, newest first.
    public func steps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.checkpoints.path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(5).dropLast(12))
        }.sorted(by: >)
    }

    /// The newest checkpoint that reads back whole; unreadable ones are reported in the run's log.
    public func latest() throws -> TrainingState? {
        for step in steps() {
            let file = url(step: step)
            do { return try Self.read(file) } catch {
                run.log("checkpoint \(file.lastPathComponent) is unreadable, trying an older one: \(error)")
            }
        }
        return nil
    }

    public static func read(_ url: URL) throws -> TrainingState {
        let file = try Safetensors.read(contentsOf: url)
        guard file.metadata["format"] == format, let stepText = file.metadata["step"], let step = Int(stepText) else {
            throw TrainingError.run("\(url.lastPathComponent): not a training-state checkpoint (metadata 'format' is \(file.metadata["format"].map { "'\($0)'" } ?? "missing"))")
        }
        var tensors: [String: Tensor] = [:]
        for (key, stored) in file.tensors { tensors[key] = try Tensor(stored) }
        var values = file.metadata
        values["format"] = nil
        values["step"] = nil
        return TrainingState(step: step, tensors: tensors, values: values)
    }

    private func write(_ state: TrainingState, to destination: URL) throws {
        var metadata = state.values
        metadata["format"] = Self.format
        metadata["step"] = String(state.step)
        let entries = state.tensors.keys.sorted().map { ($0, StoredTensor(state.tensors[$0]!)) }
        do { try Safetensors.write(entries, metadata: metadata, to: destination) } catch {
            throw TrainingError.run("\(destination.path): cannot save the checkpoint (\(error))")
        }
    }

    private func prune() {
        for step in steps().dropFirst(keep) { try? FileManager.default.removeItem(at: url(step: step)) }
    }
}

/// Everything a run needs to continue exactly: named tensors and string values.
public struct TrainingState {
    public var step: Int
    public var tensors: [String: Tensor]
    public var values: [String: String]

    public init(step: Int, tensors: [String: Tensor] = [:], values: [String: String] = [:]) {
        self.step = step
        self.tensors = tensors
        self.values = values
    }

    /// Stores a random stream's state (four words, exactly).
    public mutating func store(random: RandomGenerator, as name: String) {
        values[name] = random.state256.map { String($0) }.joined(separator: ",")
    }

    /// Restores a random stream saved by `store(random:as:)`.
    public func restore(random: RandomGenerator, from name: String) throws {
        guard let text = values[name] else { throw TrainingError.run("checkpoint: no random state '\(name)'") }
        let words = text.split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4 else { throw TrainingError.run("checkpoint: random state '\(name)' is malformed") }
        random.state256 = words
    }

    /// A float kept bit for bit.
    public mutating func store(_ value: Float, as name: String) { values[name] = String(value.bitPattern) }
    public func float(_ name: String) throws -> Float {
        guard let bits = values[name].flatMap(UInt32.init) else { throw TrainingError.run("checkpoint: no value '\(name)'") }
        return Float(bitPattern: bits)
    }

    public func integer(_ name: String) throws -> Int {
        guard let value = values[name].flatMap(Int.init) else { throw TrainingError.run("checkpoint: no integer '\(name)'") }
        return value
    }

    /// Adds a module's or optimiser's tensors under `prefix`.
    public mutating func add(_ tensors: [String: Tensor], prefix: String) {
        for (key, value) in tensors { self.tensors[prefix + key] = value }
    }

    /// The tensors stored under `prefix`, the prefix removed.
    public func tensors(under prefix: String) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (key, value) in tensors where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = value }
        return result
    }
}
