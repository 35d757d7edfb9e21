import Foundation

extension TorchCheckpoint {
    /// Writes `value` as `torch.save` does (zip format, pickle protocol 2), so that
    /// `torch.load(path, weights_only=True)` — with or without `mmap=True` — and this module's
    /// own reader load it.
    ///
    /// The value may hold dicts with any hashable keys (insertion order kept),
    /// `PickleValue.orderedDict`, lists, tuples, strings, integers, floats, bools, None, bytes
    /// and tensors of every `StoredDType`; anything torch's safe loader would refuse (sets,
    /// arbitrary objects) is an error. Each tensor gets its own storage. The archive layout is
    /// torch 2's: `archive/data.pkl`, `.format_version`, `.storage_alignment`, `byteorder`,
    /// `data/<n>` (64-byte aligned), `version`, `.data/serialization_id`. The same value always
    /// gives the same bytes. The file is written under a temporary name and renamed into place.
    ///
    /// ```swift
    /// let stateDict = PickleDictionary([(.string("weight"), .tensor(try StoredTensor(shape: [2], floats: [1, 2])))])
    /// try TorchCheckpoint.write(.dict(PickleDictionary([(.string("state_dict"), .orderedDict(stateDict))])), to: url)
    /// // Python: torch.load(url, weights_only=True)["state_dict"]["weight"]  → tensor([1., 2.])
    /// ```
    public static func write(_ value: PickleValue, to url: URL) throws {
        try writeAtomically(try encode(value, file: displayName(url)), to: url)
    }

    /// The archive's bytes, as parts to be written in order (tensor bytes are not copied).
    package static func encode(_ value: PickleValue, file: String, limits: ZipArchiveWriter.Limits = .init()) throws -> [Data] {
        var pickle = PickleWriter(file: file)
        try pickle.write(value)
        // torch names the folder after the destination file; a fixed name keeps the bytes
        // independent of where they are written ("archive" is torch's name for streams).
        let folder = "archive/"
        var zip = ZipArchiveWriter(file: file, limits: limits)
        try zip.add(folder + "data.pkl", pickle.bytes)
        try zip.add(folder + ".format_version", Data("1".utf8))
        try zip.add(folder + ".storage_alignment", Data(String(ZipArchiveWriter.alignment).utf8))
        try zip.add(folder + "byteorder", Data("little".utf8))
        var hasher = FNV1a()
        hasher.combine(pickle.bytes)
        for (index, storage) in pickle.storages.enumerated() {
            try zip.add(folder + "data/\(index)", storage.bytes)
            hasher.combine(storage.bytes)
        }
        try zip.add(folder + "version", Data("3\n".utf8))
        // torch records a 40-digit id to tell saves apart; ours is derived from the contents
        // so that identical checkpoints are identical files.
        try zip.add(folder + ".data/serialization_id", Data(hasher.serializationID.utf8))
        return try zip.finish()
    }
}

/// 64-bit FNV-1a, run twice with different offsets, for a content-derived serialization id.
private struct FNV1a {
    private var first: UInt64 = 0xCBF2_9CE4_8422_2325
    private var second: UInt64 = 0x6C62_272E_07BB_0142

    mutating func combine(_ data: Data) {
        data.withUnsafeBytes { raw in
            for byte in raw {
                first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
        }
    }

    /// 40 decimal digits, as torch's ids are.
    var serializationID: String {
        func digits(_ value: UInt64) -> String {
            let text = String(value % 10_000_000_000_000_000_000)
            return String(repeating: "0", count: 20 - text.count) + text
        }
        return digits(first) + digits(second)
    }
}
