import Foundation
import Testing

import Checkpoints

/// The `.pt` writer: every value kind round-trips through our reader, the archive is laid out
/// as torch's (aligned storages), the bytes are fixed (a committed golden file that
/// `Scripts/check_torch_export.py` loads with `torch.load(weights_only=True)`), and what cannot be
/// written is a clear error.
@Suite("TorchWriter")
struct TorchWriterTests {
    static func tensor(_ dtype: StoredDType, _ shape: [Int], _ bytes: [UInt8]) -> PickleValue {
        .tensor(try! StoredTensor(dtype: dtype, shape: shape, bytes: Data(bytes)))
    }

    static func floats(_ shape: [Int], _ values: [Float]) -> PickleValue {
        .tensor(try! StoredTensor(shape: shape, floats: values))
    }

    static func dict(_ pairs: [(PickleValue, PickleValue)]) -> PickleValue { .dict(PickleDictionary(pairs)) }

    /// The tree behind `Fixtures/torch_writer_golden.pt`; the Python check expects exactly this.
    static let golden: PickleValue = dict([
        (.string("state_dict"), .orderedDict(PickleDictionary([
            (.string("layer.weight"), floats([2, 3], [0, 0.5, 1, 1.5, 2, 2.5])),
            (.string("layer.bias"), floats([3], [-1, 0, 1])),
            (.string("odd key\n\"é/∂ .pt"), tensor(.float16, [2], [0x00, 0x3C, 0x00, 0xC0])),  // [1, -2]
            (.string("count"), tensor(.int64, [2], [7, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])),  // [7, -1]
        ]))),
        (.string("opts"), dict([
            (.string("lr"), .float(0.0001)), (.string("betas"), .tuple([.float(0.9), .float(0.999)])),
            (.string("name"), .string("run")), (.string("none"), .none), (.string("flag"), .bool(true)),
            (.string("layers"), .list([.int(1), .int(2), .int(300), .int(70000), .int(-5), .int(1 << 40)])),
        ])),
        (.int(0), .string("int key")),
        (.string("bytes"), .bytes(Data([0, 0x7F, 0x80, 0xFF]))),
        (.string("step"), floats([], [3])),
    ])

    /// The reader returns OrderedDicts as dicts.
    static func asRead(_ value: PickleValue) -> PickleValue {
        switch value {
        case .object(type: "collections.OrderedDict", _, state: .dict(let dictionary)):
            return asRead(.dict(dictionary))
        case .dict(let dictionary):
            return .dict(PickleDictionary(zip(dictionary.keys, dictionary.values).map { ($0, asRead($1)) }))
        case .list(let items): return .list(items.map(asRead))
        case .tuple(let items): return .tuple(items.map(asRead))
        default: return value
        }
    }

    /// The `CheckpointError` `body` throws, if any.
    static func error(_ body: () throws -> Any) -> CheckpointError? {
        do { _ = try body() } catch let error as CheckpointError { return error } catch {}
        return nil
    }

    static func encoded(_ value: PickleValue, limits: ZipArchiveWriter.Limits = .init()) throws -> Data {
        try TorchCheckpoint.encode(value, file: "test.pt", limits: limits).reduce(into: Data()) { $0.append($1) }
    }

    @Test("every value kind round-trips through the reader, in order")
    func everyKindRoundTrips() throws {
        let integers: [Int] = [0, 1, 255, 256, 65535, 65536, -1, -256, Int(Int32.max), Int(Int32.min), Int(Int32.max) + 1,
                               Int(Int32.min) - 1, 1 << 40, -(1 << 40), Int.max, Int.min]
        let tree = Self.dict([
            (.string("integers"), .list(integers.map { .int($0) })),
            (.string("floats"), .list([0.0, -0.0, 1.5, -1e-30, 1e300, .infinity, -.infinity, Double(Float(0.1))].map { .float($0) })),
            (.string("strings"), .list(["", "plain", "dotted.key.0", "new\nline", "quote'\"", "ünïcødé ∂ 🙂", String(repeating: "x", count: 300)].map { .string($0) })),
            (.string("tuples"), .list((0...5).map { n in .tuple((0..<n).map { .int($0) }) })),
            (.string("nested"), .list([.list([]), .dict(PickleDictionary()), .orderedDict(PickleDictionary()), .none, .bool(false), .bool(true)])),
            (.int(3), .string("integer key")), (.int(-7), .string("negative key")),
            (.string("bytes"), .bytes(Data([0, 1, 0x7F, 0x80, 0xFF]))),
            (.string("big"), .bigInt(Data([0, 0, 0, 0, 0, 0, 0, 0, 1]))),  // 2^64
            (.string("long list"), .list((0..<2500).map { .int($0) })),
            (.string("long dict"), .orderedDict(PickleDictionary((0..<1500).map { (.string("k\($0)"), .int($0)) }))),
            (.string("tensors"), .orderedDict(PickleDictionary(StoredDType.allCases.enumerated().map { index, dtype in
                let count = 6
                let bytes = (0..<(count * dtype.byteCount)).map { UInt8(($0 * 37 + index) & 0x3F) }
                return (.string(dtype.rawValue), Self.tensor(dtype, [2, 3], bytes))
            }))),
            (.string("scalar"), Self.floats([], [2.5])),
            (.string("empty"), Self.floats([0, 4], [])),
            (.string("golden"), Self.golden),
        ])
        let read = try TorchCheckpoint.load(try Self.encoded(tree), file: "test.pt")
        #expect(read == Self.asRead(tree))
    }

    @Test("the archive is torch's: entries in its order, stored, data on 64-byte boundaries")
    func archiveLayout() throws {
        let data = try Self.encoded(Self.golden)
        let archive = try ZipArchive(data, file: "test.pt")
        #expect(archive.entries.map(\.name) == [
            "archive/data.pkl", "archive/.format_version", "archive/.storage_alignment", "archive/byteorder",
            "archive/data/0", "archive/data/1", "archive/data/2", "archive/data/3", "archive/data/4",
            "archive/version", "archive/.data/serialization_id",
        ])
        for entry in archive.entries {
            #expect(entry.method == 0)
            let header = entry.localHeaderOffset
            let nameLength = Int(data[header + 26]) | Int(data[header + 27]) << 8
            let extraLength = Int(data[header + 28]) | Int(data[header + 29]) << 8
            #expect((header + 30 + nameLength + extraLength) % 64 == 0, "\(entry.name) data is not aligned")
        }
        #expect(try archive.contents(of: "archive/version") == Data("3\n".utf8))
        #expect(try archive.contents(of: "archive/byteorder") == Data("little".utf8))
        #expect(try archive.contents(of: "archive/.data/serialization_id").count == 40)
    }

    /// Regenerate after a deliberate format change with `STYLEPROMPTER_WRITE_GOLDEN=1 swift test
    /// --filter TorchWriter`, then run `Scripts/check_torch_export.py`, which loads it in PyTorch.
    @Test("a fixed tree gives the committed bytes, and written files read back")
    func goldenBytes() throws {
        let url = Fixtures.url("torch_writer_golden.pt")
        if ProcessInfo.processInfo.environment["STYLEPROMPTER_WRITE_GOLDEN"] == "1" {
            try TorchCheckpoint.write(Self.golden, to: url)
        }
        #expect(try Self.encoded(Self.golden) == Data(contentsOf: url))
        #expect(try TorchCheckpoint.load(contentsOf: url) == Self.asRead(Self.golden))
        let contents = try CheckpointFile.load(contentsOf: url)
        #expect(contents.format == .torchZip)
        #expect(contents.tensors.keys == ["state_dict.layer.weight", "state_dict.layer.bias", "state_dict.odd key\n\"é/∂ .pt",
                                          "state_dict.count", "step"])
    }

    @Test("values torch's safe loader would refuse, and archives past the zip limits, are clear errors")
    func refusals() throws {
        let refused: [(PickleValue, String)] = [
            (.set([.int(1)]), "a set"),
            (.object(type: "argparse.Namespace", arguments: [], state: .none), "'argparse.Namespace'"),
            (.global(module: "os", name: "system"), "'os.system'"),
        ]
        for (value, named) in refused {
            let error = try #require(Self.error { try Self.encoded(Self.dict([(.string("x"), value)])) })
            #expect(error.kind == .unsupported && error.message.contains(named), "\(error)")
        }
        var deep = PickleValue.none
        for _ in 0..<200 { deep = .list([deep]) }
        let depth = try #require(Self.error { try Self.encoded(deep) })
        #expect(depth.message.contains("nest deeper"))

        let many = Self.dict((0..<10).map { (.string("t\($0)"), Self.floats([1], [Float($0)])) })
        let entries = try #require(Self.error { try Self.encoded(many, limits: ZipArchiveWriter.Limits(maximumBytes: 1 << 30, maximumEntries: 12)) })
        #expect(entries.kind == .unsupported && entries.message.contains("too many tensors"), "\(entries)")
        let big = Self.dict([(.string("w"), Self.floats([4096], [Float](repeating: 1, count: 4096)))])
        let tooBig = try #require(Self.error { try Self.encoded(big, limits: ZipArchiveWriter.Limits(maximumBytes: 10_000, maximumEntries: 100)) })
        #expect(tooBig.kind == CheckpointError.Kind.unsupported && tooBig.message.contains("4 GiB"), "\(tooBig)")
    }

    @Test("an unwritable destination is a file-system error and leaves nothing behind")
    func unwritableDestination() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/model.pt")
        let error = try #require(Self.error { try TorchCheckpoint.write(Self.golden, to: url) })
        #expect(error.kind == .fileSystem)
    }
}
