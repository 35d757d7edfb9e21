import FileAccess
import Tensors

/// What happened when a state dict was loaded into a module.
public struct StateDictionaryReport: CustomStringConvertible, Sendable {
    /// Keys the module has but the state dict lacks (left at their current values).
    public var missingKeys: [String] = []
    /// Keys the state dict has but the module does not.
    public var unexpectedKeys: [String] = []
    /// Keys present in both with different shapes: (key, expected, found).
    public var shapeMismatches: [(key: String, expected: [Int], found: [Int])] = []
    /// Keys whose values were copied.
    public var loadedKeys: [String] = []

    public var isExact: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var parts = ["loaded \(loadedKeys.count) tensors"]
        if !missingKeys.isEmpty { parts.append("missing: \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { parts.append("unexpected: \(unexpectedKeys.joined(separator: ", "))") }
        if !shapeMismatches.isEmpty {
            parts.append("shape mismatch: " + shapeMismatches.map { "\($0.key) expected \($0.expected) found \($0.found)" }.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
}

/// A state dict that does not fit a module, with every offending key named.
public struct StateDictionaryError: ContextualError {
    public var report: StateDictionaryReport
    public var source: String
    public var description: String {
        var problems: [String] = []
        if !report.missingKeys.isEmpty { problems.append("missing keys \(report.missingKeys.prefix(8).joined(separator: ", "))\(report.missingKeys.count > 8 ? " (+\(report.missingKeys.count - 8) more)" : "")") }
        if !report.unexpectedKeys.isEmpty { problems.append("unexpected keys \(report.unexpectedKeys.prefix(8).joined(separator: ", "))\(report.unexpectedKeys.count > 8 ? " (+\(report.unexpectedKeys.count - 8) more)" : "")") }
        for m in report.shapeMismatches.prefix(8) { problems.append("'\(m.key)' has shape \(m.found), expected \(m.expected)") }
        return "\(source): " + problems.joined(separator: "; ")
    }
}

extension Module {
    /// Copies `stateDictionary`'s tensors into this module's parameters and buffers by key.
    /// With `strict`, any missing, unexpected or mis-shaped key throws `StateDictionaryError`
    /// before anything is copied; otherwise matching keys are copied and the rest reported.
    ///
    /// With `adoptingStorage`, parameters take over the given tensors' buffers instead of copying
    /// them (for a dictionary just converted from a file and dropped after the load): the given
    /// tensors then share memory with the module's parameters.
    @discardableResult
    public func load(stateDictionary values: [String: Tensor], strict: Bool = true, source: String = "state dict",
                     adoptingStorage: Bool = false) throws -> StateDictionaryReport {
        var report = StateDictionaryReport()
        let own = self.stateDictionary()
        var ownKeys = Set<String>()
        var assignments: [(Tensor, Tensor)] = []
        for (key, tensor) in own {
            ownKeys.insert(key)
            guard let value = values[key] else {
                report.missingKeys.append(key)
                continue
            }
            if value.shape != tensor.shape {
                report.shapeMismatches.append((key, tensor.shape, value.shape))
                continue
            }
            assignments.append((tensor, value))
            report.loadedKeys.append(key)
        }
        report.unexpectedKeys = values.keys.filter { !ownKeys.contains($0) }.sorted()
        if strict && !report.isExact {
            throw StateDictionaryError(report: report, source: source)
        }
        for (target, value) in assignments {
            if adoptingStorage { target.adoptStorage(of: value) } else { target.assign(value) }
        }
        return report
    }
}

extension StateDictionaryError {
    /// The source, and the first offending key (with its shape when the shape is what is wrong).
    public var context: ErrorContext {
        if let mismatch = report.shapeMismatches.first { return ErrorContext(file: source, key: mismatch.key, shape: mismatch.found) }
        return ErrorContext(file: source, key: report.missingKeys.first ?? report.unexpectedKeys.first)
    }
}
