import Foundation

/// Reads PyTorch `.pt`/`.pth` files saved by `torch.save`, in both of its formats:
/// the zip archive of PyTorch ≥ 1.6 and the legacy stream of pickles before it.
///
/// Storages saved from a GPU (`cuda:0`) load onto the CPU like any other. Only allow-listed
/// globals are accepted (see `Unpickler`), so loading a checkpoint never runs code from it.
///
/// ```swift
/// let top = try TorchCheckpoint.load(contentsOf: URL(filePath: "ganspace_ffhq_pca.pt"))
/// let comp = top["comp"]?.tensor          // [80, 1, 512] float32
/// let weights = StateDict(flattening: top) // "mean", "comp", "std"
/// ```
public enum TorchCheckpoint {
    /// Loads a checkpoint, memory-mapping the file.
    public static func load(contentsOf url: URL) throws -> PickleValue {
        try load(mapFile(url), file: displayName(url))
    }

    /// Loads a checkpoint from bytes; `file` names it in errors.
    public static func load(_ data: Data, file: String) throws -> PickleValue {
        if ZipArchive.isZip(data) { return try loadZip(data, file: file) }
        if isLegacy(data) { return try TorchLegacyFormat.load(data, file: file) }
        throw CheckpointError(.malformed, file: file,
            "not a PyTorch checkpoint: neither a zip archive nor a legacy pickle stream")
    }

    /// Whether the bytes start the way legacy `torch.save` output does: a protocol-2 pickle of
    /// torch's magic number.
    static func isLegacy(_ data: Data) -> Bool {
        data.count >= 13 && data.prefix(4).elementsEqual([0x80, 0x02, 0x8A, 0x0A])
            && data.dropFirst(4).prefix(10).elementsEqual(TorchLegacyFormat.magicNumber)
    }

    private static func loadZip(_ data: Data, file: String) throws -> PickleValue {
        let archive = try ZipArchive(data, file: file)
        // The top folder is named after the file torch saved to, e.g. "archive/" or "interfacegan_age/".
        guard let pickleName = archive.entries.map(\.name).first(where: {
            $0.hasSuffix("/data.pkl") && $0.dropLast("/data.pkl".count).firstIndex(of: "/") == nil
        }) else {
            throw CheckpointError(.malformed, file: file, "zip archive has no '<folder>/data.pkl' entry")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if archive.contains(prefix + "byteorder") {
            let order = String(decoding: try archive.contents(of: prefix + "byteorder"), as: UTF8.self)
            guard order == "little" else {
                throw CheckpointError(.unsupported, file: file,
                    "entry \(CheckpointError.quote(prefix + "byteorder")) says \(CheckpointError.quote(order)); only little-endian storages are read")
            }
        }
        var storages: [String: StoredTensor] = [:]
        let pickle = try archive.contents(of: pickleName)
        return try Unpickler.load(pickle, file: file, part: "entry \(CheckpointError.quote(pickleName))",
                                  persistentLoad: { id in
            let reference = try StorageReference(id, file: file)
            if let cached = storages[reference.key] { return .storage(cached) }
            let entryName = prefix + "data/" + reference.key
            let bytes = try archive.contents(of: entryName)
            let needed = try reference.byteCount(file: file)
            guard bytes.count >= needed else {
                throw CheckpointError(.truncated, file: file,
                    "entry \(CheckpointError.quote(entryName)) holds \(bytes.count) bytes, storage needs \(needed)")
            }
            let storage = StoredTensor(validated: reference.dtype, shape: [reference.elementCount],
                                       bytes: bytes.prefix(needed))
            storages[reference.key] = storage
            return .storage(storage)
        }, viewBudget: Unpickler.defaultViewBudget(forFileOf: data.count))
    }
}

/// A decoded persistent id: `('storage', storage_type, key, location, numel[, view_metadata])`.
struct StorageReference {
    let dtype: StoredDType
    let key: String
    let location: String
    let elementCount: Int
    /// Legacy storage views: (view key, offset, size in elements) into the root storage.
    let view: (key: String, offset: Int, count: Int)?

    init(_ id: PickleValue, file: String) throws {
        guard let parts = id.elements, parts.count >= 5, parts[0] == .string("storage") else {
            throw CheckpointError(.malformed, file: file, "persistent id is not ('storage', type, key, location, numel)")
        }
        guard case .global(_, let typeName) = parts[1],
              let dtype = StoredDType(torchStorageName: typeName) ?? Self.dtype(named: typeName) else {
            throw CheckpointError(.unsupported, file: file, "persistent id has unknown storage type \(parts[1])")
        }
        guard let key = parts[2].string ?? parts[2].int.map(String.init), let count = parts[4].int, count >= 0 else {
            throw CheckpointError(.malformed, file: file, "persistent id has a bad key or element count")
        }
        self.dtype = dtype
        self.key = key
        self.location = parts[3].string ?? "cpu"
        self.elementCount = count
        if parts.count > 5, let view = parts[5].elements {
            guard view.count == 3, let viewKey = view[0].string, let offset = view[1].int, let size = view[2].int,
                  offset >= 0, size >= 0, offset <= count, size <= count - offset else {
                throw CheckpointError(.malformed, file: file, "storage \(CheckpointError.quote(key)) has a bad view \(parts[5])")
            }
            self.view = (viewKey, offset, size)
        } else {
            self.view = nil
        }
    }

    func byteCount(file: String) throws -> Int {
        let (bytes, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow else {
            throw CheckpointError(.malformed, file: file, "storage \(CheckpointError.quote(key)) of \(elementCount) elements is too large")
        }
        return bytes
    }

    /// torch dtype objects (`torch.float16`) in case a writer records a dtype instead of a storage class.
    private static func dtype(named name: String) -> StoredDType? {
        switch name {
        case "float", "float32": .float32
        case "double", "float64": .float64
        case "half", "float16": .float16
        case "bfloat16": .bfloat16
        case "long", "int64": .int64
        case "int", "int32": .int32
        case "short", "int16": .int16
        case "int8": .int8
        case "uint8": .uint8
        case "bool": .bool
        default: nil
        }
    }
}
