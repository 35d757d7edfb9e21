import Foundation

/// Decoders for the text encodings of pickle protocol 0.
package enum PickleText {
    /// Undoes Python's `repr()` of a byte string as written by the STRING opcode: `'it\'s\n'`.
    static func unquote(_ text: String, machine: PickleMachine) throws -> Data {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, let quote = bytes.first, quote == 0x27 || quote == 0x22, bytes.last == quote else {
            throw machine.failure("STRING argument is not a quoted string")
        }
        var output = [UInt8]()
        var index = 1
        let end = bytes.count - 1
        while index < end {
            let byte = bytes[index]
            index += 1
            guard byte == 0x5C, index < end else {
                output.append(byte)
                continue
            }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "x"):
                guard index + 2 <= end, let value = UInt8(String(decoding: bytes[index..<(index + 2)], as: UTF8.self), radix: 16) else {
                    throw machine.failure("bad \\x escape in STRING")
                }
                output.append(value)
                index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - 0x30)
                var digits = 1
                while digits < 3, index < end, (0x30...0x37).contains(bytes[index]) {
                    value = value * 8 + Int(bytes[index] - 0x30)
                    index += 1
                    digits += 1
                }
                output.append(UInt8(truncatingIfNeeded: value))
            default: output.append(escape)  // \\ \' \" and unknown escapes keep the character
            }
        }
        return Data(output)
    }

    /// Python's `raw-unicode-escape`: `\uXXXX` and `\UXXXXXXXX` escapes, other bytes Latin-1.
    static func rawUnicodeEscape(_ line: Data) -> String {
        let bytes = Array(line)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x5C, index + 1 < bytes.count, bytes[index + 1] == 0x75 || bytes[index + 1] == 0x55 {
                let width = bytes[index + 1] == 0x75 ? 4 : 8
                let digits = bytes[min(index + 2, bytes.count)..<min(index + 2 + width, bytes.count)]
                if digits.count == width, let code = UInt32(String(decoding: digits, as: UTF8.self), radix: 16),
                   let scalar = Unicode.Scalar(code) {
                    scalars.append(scalar)
                    index += 2 + width
                    continue
                }
            }
            scalars.append(Unicode.Scalar(bytes[index]))
            index += 1
        }
        return String(scalars)
    }

    /// A decimal integer of any size as minimal little-endian two's complement, the form pickle's
    /// LONG1 uses, so `2**70` reads the same from protocol 0 text as from protocol 2 bytes.
    package static func twosComplement(decimal text: String) -> Data? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 10_000, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var magnitude: [UInt8] = [0]  // little-endian base 256
        for digit in digits.utf8 {
            var carry = Int(digit - 0x30)
            for index in magnitude.indices {
                let value = Int(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            if carry > 0 { magnitude.append(UInt8(carry)) }
        }
        magnitude.append(0)  // room for the sign bit
        if negative {
            var carry = 1
            for index in magnitude.indices {
                let value = Int(~magnitude[index]) + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
        }
        let fill: UInt8 = negative ? 0xFF : 0x00
        while magnitude.count > 1, magnitude.last == fill, (magnitude[magnitude.count - 2] & 0x80 != 0) == negative {
            magnitude.removeLast()
        }
        return Data(magnitude)
    }
}
