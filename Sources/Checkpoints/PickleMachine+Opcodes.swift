import Foundation

/// The opcode table: one case per pickle opcode (names from CPython's `pickletools`).
extension PickleMachine {
    mutating func execute(_ opcode: UInt8, _ reader: inout ByteReader) throws {
        switch opcode {
        // Framing and protocol: frames only help streaming readers, so their lengths are skipped.
        case 0x80:  // PROTO
            let version = try reader.uint8("protocol version")
            guard version <= 5 else { throw failure(.unsupported, "pickle protocol \(version)") }
        case 0x95: _ = try reader.integer(UInt64.self, "FRAME length")  // FRAME
        case 0x28: marks.append(stack.count)  // MARK
        case 0x30: _ = try pop()  // POP
        case 0x31: _ = try popMark()  // POP_MARK
        case 0x32: stack.append(try top())  // DUP

        // Constants and numbers.
        case 0x4E: push(.none)  // NONE
        case 0x88: push(.bool(true))  // NEWTRUE
        case 0x89: push(.bool(false))  // NEWFALSE
        case 0x4A: push(.int(Int(try reader.integer(Int32.self, "BININT"))))  // BININT
        case 0x4B: push(.int(Int(try reader.uint8("BININT1"))))  // BININT1
        case 0x4D: push(.int(Int(try reader.integer(UInt16.self, "BININT2"))))  // BININT2
        case 0x8A:  // LONG1
            let count = Int(try reader.uint8("LONG1 length"))
            push(Self.integer(fromTwosComplement: try reader.bytes(count, "LONG1")))
        case 0x8B:  // LONG4
            let count = try reader.length(Int32.self, "LONG4")
            push(Self.integer(fromTwosComplement: try reader.bytes(count, "LONG4")))
        case 0x47:  // BINFLOAT, the one big-endian field in pickle
            push(.float(Double(bitPattern: UInt64(bigEndian: try reader.integer(UInt64.self, "BINFLOAT")))))
        case 0x49:  // INT (protocol 0; "00"/"01" are False/True)
            let text = try textLine(&reader, "INT")
            if text == "00" || text == "01" {
                push(.bool(text == "01"))
            } else if let bytes = PickleText.twosComplement(decimal: text) {
                push(Self.integer(fromTwosComplement: bytes))  // Python 2 wrote 64-bit ints as INT
            } else {
                throw failure("INT \(CheckpointError.quote(text)) is not an integer")
            }
        case 0x4C:  // LONG (protocol 0, trailing "L")
            var text = try textLine(&reader, "LONG")
            if text.hasSuffix("L") { text.removeLast() }
            guard let bytes = PickleText.twosComplement(decimal: text) else {
                throw failure("LONG \(CheckpointError.quote(text)) is not an integer")
            }
            push(Self.integer(fromTwosComplement: bytes))
        case 0x46:  // FLOAT
            let text = try textLine(&reader, "FLOAT")
            guard let value = Double(text) else { throw failure("FLOAT \(CheckpointError.quote(text)) is not a number") }
            push(.float(value))

        // Strings and bytes. Python 2 `str` (STRING, BINSTRING) decodes as torch.load does: UTF-8,
        // falling back to Latin-1 for binary content.
        case 0x53:  // STRING
            push(.string(Self.decodeNarrow(try PickleText.unquote(try textLine(&reader, "STRING"), machine: self))))
        case 0x54: push(.string(Self.decodeNarrow(try reader.bytes(try reader.length(Int32.self, "BINSTRING"), "BINSTRING"))))
        case 0x55: push(.string(Self.decodeNarrow(try reader.bytes(Int(try reader.uint8("SHORT_BINSTRING length")), "SHORT_BINSTRING"))))
        case 0x56:  // UNICODE (raw-unicode-escape)
            push(.string(PickleText.rawUnicodeEscape(try reader.line("UNICODE"))))
        case 0x58: push(.string(try utf8(try reader.bytes(try reader.length(UInt32.self, "BINUNICODE"), "BINUNICODE"))))
        case 0x8C: push(.string(try utf8(try reader.bytes(Int(try reader.uint8("SHORT_BINUNICODE length")), "SHORT_BINUNICODE"))))
        case 0x8D: push(.string(try utf8(try reader.bytes(try reader.length(UInt64.self, "BINUNICODE8"), "BINUNICODE8"))))
        case 0x42: push(.bytes(try reader.bytes(try reader.length(UInt32.self, "BINBYTES"), "BINBYTES")))
        case 0x43: push(.bytes(try reader.bytes(Int(try reader.uint8("SHORT_BINBYTES length")), "SHORT_BINBYTES")))
        case 0x8E: push(.bytes(try reader.bytes(try reader.length(UInt64.self, "BINBYTES8"), "BINBYTES8")))
        case 0x96: push(.bytes(try reader.bytes(try reader.length(UInt64.self, "BYTEARRAY8"), "BYTEARRAY8")))
        case 0x97: throw failure(.unsupported, "NEXT_BUFFER (out-of-band buffers are not part of a file)")
        case 0x98: _ = try top()  // READONLY_BUFFER: no effect on a copy

        // Containers.
        case 0x29: pushNode(.tuple([]))  // EMPTY_TUPLE
        case 0x5D: pushNode(.list([]))  // EMPTY_LIST
        case 0x7D: pushNode(.dict(keys: [], values: [], positions: [:]))  // EMPTY_DICT
        case 0x8F: pushNode(.set([]))  // EMPTY_SET
        case 0x85: pushNode(.tuple([try pop()]))  // TUPLE1
        case 0x86:  // TUPLE2
            let second = try pop(), first = try pop()
            pushNode(.tuple([first, second]))
        case 0x87:  // TUPLE3
            let third = try pop(), second = try pop(), first = try pop()
            pushNode(.tuple([first, second, third]))
        case 0x74: pushNode(.tuple(try popMark()))  // TUPLE
        case 0x6C: pushNode(.list(try popMark()))  // LIST
        case 0x91: pushNode(.set(try popMark()))  // FROZENSET
        case 0x64:  // DICT
            let items = try popMark()
            pushNode(.dict(keys: [], values: [], positions: [:]))
            try setItems(items, in: try top())
        case 0x61:  // APPEND
            let item = try pop()
            try append([item], to: try top())
        case 0x65:  // APPENDS
            let items = try popMark()
            try append(items, to: try top())
        case 0x73:  // SETITEM
            let value = try pop(), key = try pop()
            try setItems([key, value], in: try top())
        case 0x75:  // SETITEMS
            let items = try popMark()
            try setItems(items, in: try top())
        case 0x90:  // ADDITEMS
            let items = try popMark()
            try addItems(items, to: try top())

        // Memo.
        case 0x67: try memoGet(try memoIndex(try decimal(try textLine(&reader, "GET"), "GET")))  // GET
        case 0x68: try memoGet(Int(try reader.uint8("BINGET")))  // BINGET
        case 0x6A: try memoGet(Int(try reader.integer(UInt32.self, "LONG_BINGET")))  // LONG_BINGET
        case 0x70: memo[try memoIndex(try decimal(try textLine(&reader, "PUT"), "PUT"))] = try top()  // PUT
        case 0x71: memo[Int(try reader.uint8("BINPUT"))] = try top()  // BINPUT
        case 0x72: memo[Int(try reader.integer(UInt32.self, "LONG_BINPUT"))] = try top()  // LONG_BINPUT
        case 0x94: memo[memo.count] = try top()  // MEMOIZE

        // Globals and object construction, all through the allow-list.
        case 0x63:  // GLOBAL
            let module = try textLine(&reader, "GLOBAL module")
            let name = try textLine(&reader, "GLOBAL name")
            push(try resolveGlobal(module: module, name: name))
        case 0x93:  // STACK_GLOBAL
            let name = try materialize(try pop(), depth: 0), module = try materialize(try pop(), depth: 0)
            guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                throw failure("STACK_GLOBAL needs two strings")
            }
            push(try resolveGlobal(module: moduleName, name: globalName))
        case 0x52:  // REDUCE
            let arguments = try pop(), callable = try pop()
            stack.append(try call(callable, arguments: try tupleItems(arguments, "REDUCE arguments")))
        case 0x81:  // NEWOBJ
            let arguments = try pop(), type = try pop()
            stack.append(try call(type, arguments: try tupleItems(arguments, "NEWOBJ arguments")))
        case 0x92:  // NEWOBJ_EX: keyword arguments are not used by any allowed class
            _ = try pop()
            let arguments = try pop(), type = try pop()
            stack.append(try call(type, arguments: try tupleItems(arguments, "NEWOBJ_EX arguments")))
        case 0x69:  // INST
            let module = try textLine(&reader, "INST module")
            let name = try textLine(&reader, "INST name")
            let type = try resolveGlobal(module: module, name: name)
            stack.append(try call(.value(type), arguments: try popMark()))
        case 0x6F:  // OBJ
            var items = try popMark()
            guard !items.isEmpty else { throw failure("OBJ without a class") }
            let type = items.removeFirst()
            stack.append(try call(type, arguments: items))
        case 0x62:  // BUILD
            let state = try pop()
            try build(try top(), state: state)
        case 0x50:  // PERSID
            stack.append(try persistent(.string(try textLine(&reader, "PERSID"))))
        case 0x51:  // BINPERSID
            stack.append(try persistent(try materialize(try pop(), depth: 0)))
        case 0x82, 0x83, 0x84:
            throw failure(.unsupported, "extension-registry opcode EXT (0x\(String(opcode, radix: 16)))")
        default:
            throw failure(.unsupported, "unknown pickle opcode 0x\(String(opcode, radix: 16, uppercase: true))")
        }
    }

    mutating func persistent(_ id: PickleValue) throws -> PickleSlot {
        guard let persistentLoad else { throw failure(.unsupported, "persistent id with no loader") }
        return .value(try persistentLoad(id))
    }

    func tupleItems(_ slot: PickleSlot, _ what: String) throws -> [PickleSlot] {
        guard case .node(let index) = slot, case .tuple(let items) = nodes[index] else {
            throw failure("\(what) are not a tuple")
        }
        return items
    }

    func textLine(_ reader: inout ByteReader, _ what: String) throws -> String {
        let line = try reader.line(what)
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }  // files written on Windows in text mode
        return text
    }

    func decimal(_ text: String, _ what: String) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw failure(.unsupported, "\(what) \(CheckpointError.quote(text)) is not a 64-bit integer")
        }
        return value
    }

    func utf8(_ bytes: Data) throws -> String {
        guard let text = String(data: bytes, encoding: .utf8) else { throw failure("string is not valid UTF-8") }
        return text
    }

    static func decodeNarrow(_ bytes: Data) -> String {
        String(data: bytes, encoding: .utf8) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// pickle's LONG1/LONG4 payload: little-endian two's complement of any length.
    package static func integer(fromTwosComplement bytes: Data) -> PickleValue {
        guard !bytes.isEmpty else { return .int(0) }
        let negative = bytes.last! & 0x80 != 0
        let signByte: UInt8 = negative ? 0xFF : 0x00
        // Bytes beyond the eighth that are only sign extension do not change the value.
        let significant = bytes.count > 8 && bytes.dropFirst(8).allSatisfy({ $0 == signByte })
            && (bytes[bytes.startIndex + 7] & 0x80 != 0) == negative
        guard bytes.count <= 8 || significant else { return .bigInt(Data(bytes)) }
        var value: UInt64 = negative ? .max : 0
        for (shift, byte) in bytes.prefix(8).enumerated() {
            value &= ~(UInt64(0xFF) << (8 * shift))
            value |= UInt64(byte) << (8 * shift)
        }
        return .int(Int(Int64(bitPattern: value)))
    }
}
