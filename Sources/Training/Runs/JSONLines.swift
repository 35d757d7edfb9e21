import Foundation

/// Appends one JSON object per line, written whole with one `write` so that a kill leaves at
/// most a torn last line (readers skip it).
enum JSONLines {
    static func append(_ object: [String: Any], to url: URL) {
        guard JSONSerialization.isValidJSONObject(object),
              var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        if let handle = FileHandle(forWritingAtPath: url.path) {
            handle.seekToEndOfFile()
            handle.write(data)
            try? handle.close()
        } else {
            FileManager.default.createFile(atPath: url.path, contents: data)
        }
    }

    /// JSON has no NaN or infinity: those become null.
    static func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
}

extension JSONLines {
    /// Drops the records whose "step" is above `step` (and torn lines): a resumed run rewinds
    /// its logs to its checkpoint so no step appears twice.
    static func truncate(_ url: URL, afterStep step: Int, in run: RunFolder) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        var kept = Data()
        for line in data.split(separator: 0x0A) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let lineStep = object["step"] as? Int, lineStep <= step else { continue }
            kept.append(contentsOf: line)
            kept.append(0x0A)
        }
        try run.writeAtomically(kept, to: url)
    }
}
