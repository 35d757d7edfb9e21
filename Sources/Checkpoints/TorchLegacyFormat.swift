import Foundation

/// The stream `torch.save(..., _use_new_zipfile_serialization=False)` writes (and every
/// `torch.save` before 1.6):
///
/// 1. a pickle of the magic number `0x1950a86a20f9469cfc6c`,
/// 2. a pickle of the protocol version (1001),
/// 3. a pickle of `sys_info` (byte order, type sizes),
/// 4. the main pickle, whose storages are persistent ids
///    `('storage', type, root_key, location, numel, view_metadata)`,
/// 5. a pickle of the sorted storage keys,
/// 6. per key: an 8-byte little-endian element count, then the raw elements.
enum TorchLegacyFormat {
    /// 0x1950a86a20f9469cfc6c as little-endian bytes, the payload of pickle's LONG1.
    static let magicNumber: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    static func load(_ data: Data, file: String) throws -> PickleValue {
        var reader = ByteReader(data, file: file, context: "legacy header pickle")
        guard case .bigInt(let magic) = try Unpickler.load(from: &reader, persistentLoad: nil),
              magic.elementsEqual(magicNumber) else {
            throw CheckpointError(.malformed, file: file, "legacy checkpoint has a wrong magic number")
        }
        let version = try Unpickler.load(from: &reader, persistentLoad: nil)
        guard version == .int(1001) else {
            throw CheckpointError(.unsupported, file: file, "legacy checkpoint protocol version \(version), expected 1001")
        }
        let systemInfo = try Unpickler.load(from: &reader, persistentLoad: nil)
        if systemInfo["little_endian"] == .bool(false) {
            throw CheckpointError(.unsupported, file: file, "legacy checkpoint was saved on a big-endian machine")
        }

        // The storages follow the main pickle, so a first pass records which storages it names
        // (standing in zero-filled bytes), finds where it ends, and the second pass builds the
        // tensors from the real bytes.
        let mainStart = reader.offset
        // One placeholder per storage, shared by every reference to it; all storages together
        // must fit in what follows the pickle.
        var references: [String: StorageReference] = [:]
        var placeholders: [String: StoredTensor] = [:]
        var placeholderBytes = 0
        let viewBudget = Unpickler.defaultViewBudget(forFileOf: data.count)
        var mainReader = ByteReader(data, file: file, context: "legacy main pickle")
        try mainReader.seek(to: mainStart)
        _ = try Unpickler.load(from: &mainReader, persistentLoad: { id in
            let reference = try StorageReference(id, file: file)
            var placeholder: StoredTensor
            if let known = placeholders[reference.key] {
                guard known.dtype == reference.dtype, known.elementCount == reference.elementCount else {
                    throw CheckpointError(.malformed, file: file,
                        "storage \(CheckpointError.quote(reference.key)) is referenced with two different types or sizes")
                }
                placeholder = known
            } else {
                let bytes = try reference.byteCount(file: file)
                placeholderBytes += bytes
                // Storages are stored after this pickle: more than the rest of the file is a lie.
                guard placeholderBytes <= data.count - mainStart else {
                    throw CheckpointError(.truncated, file: file,
                        "storage \(CheckpointError.quote(reference.key)) needs \(bytes) bytes, and with the storages before it \(placeholderBytes); the file has \(data.count - mainStart) left")
                }
                placeholder = StoredTensor(validated: reference.dtype, shape: [reference.elementCount], bytes: Data(count: bytes))
                placeholders[reference.key] = placeholder
                references[reference.key] = reference
            }
            if let view = reference.view {
                placeholder = try slice(placeholder, view, file: file)
            }
            return .storage(placeholder)
        }, viewBudget: viewBudget)

        var keysReader = ByteReader(data, file: file, context: "legacy storage key list")
        try keysReader.seek(to: mainReader.offset)
        guard let keys = try Unpickler.load(from: &keysReader, persistentLoad: nil).elements?.compactMap(\.string) else {
            throw CheckpointError(.malformed, file: file, "legacy storage key list is not a list of strings")
        }
        var storages: [String: StoredTensor] = [:]
        var dataReader = ByteReader(data, file: file, context: "legacy storage data")
        try dataReader.seek(to: keysReader.offset)
        for key in keys {
            guard let reference = references[key] else {
                throw CheckpointError(.malformed, file: file, "legacy storage \(CheckpointError.quote(key)) is listed but never used")
            }
            let count = try dataReader.integer(Int64.self, "element count of storage \(CheckpointError.quote(key))")
            guard count == Int64(reference.elementCount) else {
                throw CheckpointError(.malformed, file: file,
                    "legacy storage \(CheckpointError.quote(key)) holds \(count) elements, the pickle says \(reference.elementCount)")
            }
            let bytes = try dataReader.bytes(try reference.byteCount(file: file), "storage \(CheckpointError.quote(key))")
            storages[key] = StoredTensor(validated: reference.dtype, shape: [reference.elementCount], bytes: bytes)
        }

        try mainReader.seek(to: mainStart)
        return try Unpickler.load(from: &mainReader, persistentLoad: { id in
            let reference = try StorageReference(id, file: file)
            guard let storage = storages[reference.key] else {
                throw CheckpointError(.malformed, file: file, "legacy storage \(CheckpointError.quote(reference.key)) has no data")
            }
            return .storage(try reference.view.map { try slice(storage, $0, file: file) } ?? storage)
        }, viewBudget: viewBudget)
    }

    /// A legacy storage view: `count` elements from `offset` of the root storage.
    private static func slice(_ root: StoredTensor, _ view: (key: String, offset: Int, count: Int), file: String) throws -> StoredTensor {
        let width = root.dtype.byteCount
        guard view.offset + view.count <= root.elementCount else {
            throw CheckpointError(.malformed, file: file, "storage view \(CheckpointError.quote(view.key)) exceeds its root storage")
        }
        let start = root.bytes.startIndex + view.offset * width
        return StoredTensor(validated: root.dtype, shape: [view.count], bytes: root.bytes[start..<(start + view.count * width)])
    }
}
