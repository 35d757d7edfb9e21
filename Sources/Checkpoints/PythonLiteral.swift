import Foundation

/// The Python literals a `.npy` header uses: dicts, tuples, lists, strings, integers, booleans
/// and None. Parsed by hand because the header is a `repr()`, not JSON.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: PythonLiteral, value: PythonLiteral)])

    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.none, .none): true
        case let (.tuple(a), .tuple(b)), let (.list(a), .list(b)): a == b
        case let (.dict(a), .dict(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Headers hold a flat dict; a deeper structure is malformed.
    static let maximumDepth = 16

    static func parse(_ text: String, file: String) throws -> PythonLiteral {
        var parser = Parser(characters: Array(text.unicodeScalars), file: file)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.characters.count else { throw parser.failure("trailing characters") }
        return value
    }

    private struct Parser {
        let characters: [Unicode.Scalar]
        let file: String
        var position = 0

        func failure(_ what: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, "npy header: \(what) at character \(position)")
        }

        var current: Unicode.Scalar? { position < characters.count ? characters[position] : nil }

        mutating func skipSpace() {
            while let character = current, character == " " || character == "\n" || character == "\t" || character == "\r" {
                position += 1
            }
        }

        mutating func value(depth: Int) throws -> PythonLiteral {
            guard depth < PythonLiteral.maximumDepth else { throw failure("nesting too deep") }
            skipSpace()
            guard let character = current else { throw failure("unexpected end") }
            switch character {
            case "{":
                position += 1
                var pairs: [(key: PythonLiteral, value: PythonLiteral)] = []
                while true {
                    skipSpace()
                    if current == "}" { position += 1; return .dict(pairs) }
                    let key = try value(depth: depth + 1)
                    skipSpace()
                    guard current == ":" else { throw failure("expected ':'") }
                    position += 1
                    pairs.append((key, try value(depth: depth + 1)))
                    try separator(closing: "}")
                }
            case "(", "[":
                let closing: Unicode.Scalar = character == "(" ? ")" : "]"
                position += 1
                var items: [PythonLiteral] = []
                while true {
                    skipSpace()
                    if current == closing {
                        position += 1
                        return character == "(" ? .tuple(items) : .list(items)
                    }
                    items.append(try value(depth: depth + 1))
                    try separator(closing: closing)
                }
            case "'", "\"":
                return .string(try string(quote: character))
            default:
                var word = ""
                while let next = current, next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "-" || next == "_" {
                    word.unicodeScalars.append(next)
                    position += 1
                }
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default:
                    // Python 2 numpy wrote shapes like (3L, 4L).
                    let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                    guard let number = Int(digits) else { throw failure("unexpected \(CheckpointError.quote(word))") }
                    return .int(number)
                }
            }
        }

        /// After an item: a comma (possibly trailing) or the closing bracket.
        mutating func separator(closing: Unicode.Scalar) throws {
            skipSpace()
            if current == "," { position += 1; return }
            guard current == closing else { throw failure("expected ',' or '\(closing)'") }
        }

        mutating func string(quote: Unicode.Scalar) throws -> String {
            position += 1
            var text = ""
            while let character = current {
                position += 1
                if character == quote { return text }
                if character == "\\" {
                    guard let escaped = current else { break }
                    position += 1
                    switch escaped {
                    case "n": text += "\n"
                    case "t": text += "\t"
                    default: text.unicodeScalars.append(escaped)
                    }
                } else {
                    text.unicodeScalars.append(character)
                }
            }
            throw failure("unterminated string")
        }
    }
}
