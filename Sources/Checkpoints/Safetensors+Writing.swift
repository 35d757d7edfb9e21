import Foundation

extension Safetensors {
    /// Writes tensors, in the given order, and string metadata to a `.safetensors` file.
    ///
    /// The header is padded with spaces to a multiple of 8 bytes, as the reference
    /// implementation does, so the tensor data starts aligned. The file is written under a
    /// temporary name and renamed into place.
    ///
    /// ```swift
    /// try Safetensors.write([("latent_avg", average)], metadata: ["source": "ffhq.pt"], to: url)
    /// ```
    public static func write(
        _ tensors: [(key: String, tensor: StoredTensor)], metadata: [String: String] = [:], to url: URL
    ) throws {
        try writeAtomically(try encode(tensors, metadata: metadata, file: displayName(url)), to: url)
    }

    /// The file's bytes as parts: length, header, then each tensor's bytes (not copied together).
    package static func encode(
        _ tensors: [(key: String, tensor: StoredTensor)], metadata: [String: String], file: String
    ) throws -> [Data] {
        var seen = Set<String>()
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (key, tensor) in tensors {
            guard key != "__metadata__", seen.insert(key).inserted else {
                throw CheckpointError(.malformed, file: file, "cannot write tensor key \(CheckpointError.quote(key)) twice or as __metadata__")
            }
            let end = offset + tensor.bytes.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(key)):{\"dtype\":\"\(tensor.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Data("{\(fields.joined(separator: ","))}".utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var length = UInt64(header.count).littleEndian
        return [Data(bytes: &length, count: 8), header] + tensors.map(\.tensor.bytes)
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    static func jsonString(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
