import Foundation
import Testing

import Checkpoints

@Suite("Unpickler")
struct UnpicklerTests {
    /// The object `make_checkpoint_fixtures.py` pickles in every protocol.
    static let expected: PickleValue = {
        func s(_ text: String) -> PickleValue { .string(text) }
        let shared = PickleValue.list([.int(1)])
        return .dict(PickleDictionary([
            (s("int"), .int(7)), (s("neg"), .int(-300)),
            (s("big"), .bigInt(Data([0, 0, 0, 0, 0, 0, 0, 0, 0x40]))),
            (s("negbig"), .bigInt(Data([0, 0, 0, 0, 0, 0, 0, 0, 0xFE]))),
            (s("i32"), .int(2_147_483_647)), (s("i64"), .int(-(1 << 62))),
            (s("float"), .float(1.25)), (s("text"), s("h\u{e9}llo \u{2603}")),
            (s("raw"), .bytes(Data([0x00, 0xFF, 0x61, 0x62]))),
            (s("list"), .list([.int(1), .list([.int(2), .int(3)]), .tuple([])])),
            (s("t1"), .tuple([.int(1)])), (s("t2"), .tuple([.int(1), .int(2)])),
            (s("t3"), .tuple([.int(1), .int(2), .int(3)])), (s("t4"), .tuple([.int(1), .int(2), .int(3), .int(4)])),
            (s("none"), .none), (s("yes"), .bool(true)), (s("no"), .bool(false)),
            (s("set"), .set([.int(1), .int(2)])), (s("frozen"), .set([.int(4)])),
            (s("s1"), shared), (s("s2"), shared),
            (s("od"), .dict(PickleDictionary([(s("b"), .int(1)), (s("a"), .int(2))]))),
            (.tuple([.int(1), .int(2)]), s("tuple key")), (.int(3), s("int key")),
        ]))
    }()

    @Test("every pickle protocol decodes to the same value", arguments: 0...5)
    func protocols(version: Int) throws {
        let name = "pickle_protocol\(version).pkl"
        let value = try Unpickler.load(Fixtures.data(name), file: name)
        #expect(value == Self.expected)
    }

    @Test("hostile globals are refused by name",
          arguments: [("evil_zip.pt", "posix.system"), ("evil_legacy.pt", "posix.system"),
                      ("evil_object.npy", "builtins.eval"), ("evil_protocol4.pkl", "posix.system")])
    func refusesGlobals(name: String, global: String) throws {
        let data = try Fixtures.data(name)
        do {
            if name.hasSuffix(".npy") {
                _ = try NumpyFile.read(data, file: name)
            } else if name.hasSuffix(".pkl") {
                _ = try Unpickler.load(data, file: name)
            } else {
                _ = try TorchCheckpoint.load(data, file: name)
            }
            Issue.record("\(name) loaded")
        } catch let error as CheckpointError {
            #expect(error.kind == .refusedGlobal(global))
            #expect(error.description.hasPrefix("\(name): refusing global '\(global)'"), "\(error)")
        }
    }

    @Test("the zip refusal names the archive entry")
    func refusalNamesEntry() throws {
        #expect {
            try TorchCheckpoint.load(Fixtures.data("evil_zip.pt"), file: "evil.pt")
        } throws: { error in
            "\(error)" == "evil.pt: refusing global 'posix.system' in entry 'evil/data.pkl' at byte 2"
        }
    }

    @Test("an unknown opcode is named with its offset")
    func unknownOpcode() {
        #expect {
            try Unpickler.load(Data([0x80, 0x02, 0xFF]), file: "x.pkl")
        } throws: { error in
            "\(error)" == "x.pkl: unknown pickle opcode 0xFF in pickle at byte 2"
        }
    }

    @Test("deep nesting, cycles and exponential sharing give errors, not crashes")
    func hostileStructures() {
        // 100 000 lists, each appended into the one below: nesting far past the limit.
        let deep = Data([0x80, 0x02] + [UInt8](repeating: 0x5D, count: 100_000)
            + [UInt8](repeating: 0x61, count: 99_999) + [0x2E])
        #expect(throws: CheckpointError.self) { try Unpickler.load(deep, file: "deep.pkl") }
        // 100 000 nested TUPLE1s built without any MARK.
        let tuples = Data([0x80, 0x02, 0x4E] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E])
        #expect(throws: CheckpointError.self) { try Unpickler.load(tuples, file: "tuples.pkl") }
        // A list that contains itself.
        let cycle = Data([0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E])
        #expect(throws: CheckpointError.self) { try Unpickler.load(cycle, file: "cycle.pkl") }
        // x = (x, x) sixty times: 2^60 leaves from 120 bytes.
        let laughs = Data([0x80, 0x02, 0x4E] + Array([[UInt8]](repeating: [0x32, 0x86], count: 60).joined()) + [0x2E])
        #expect(throws: CheckpointError.self) { try Unpickler.load(laughs, file: "laughs.pkl") }
    }

    @Test("malformed streams are errors", arguments: [
        [0x80, 0x02, 0x61, 0x2E],  // APPEND on an empty stack
        [0x80, 0x02, 0x68, 0x05, 0x2E],  // memo key never stored
        [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F],  // string longer than the input
        [0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0xFF],  // negative BINSTRING length
        [0x80, 0x06, 0x4E, 0x2E],  // protocol 6
        [0x80, 0x02, 0x4E, 0x4E, 0x52, 0x2E],  // REDUCE of None
        [0x80, 0x02, 0x4E],  // no STOP
        [0x80, 0x02, 0x51, 0x2E],  // BINPERSID without a loader
        [0x80, 0x02, 0x7D, 0x5D, 0x4E, 0x73, 0x2E],  // a list as a dict key
    ] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        #expect(throws: CheckpointError.self) { try Unpickler.load(Data(bytes), file: "bad.pkl") }
    }

    @Test("protocol-0 big integers match LONG1 encodings")
    func bigDecimal() {
        #expect(PickleText.twosComplement(decimal: "0") == Data([0]))
        #expect(PickleText.twosComplement(decimal: "255") == Data([0xFF, 0x00]))
        #expect(PickleText.twosComplement(decimal: "-256") == Data([0x00, 0xFF]))
        #expect(PickleText.twosComplement(decimal: "-1") == Data([0xFF]))
        #expect(PickleMachine.integer(fromTwosComplement: Data([0x00, 0xFF])) == .int(-256))
    }
}
