import Checkpoints
import Tensors
import Testing

/// `FiniteWeights.require` scans tensors in pieces on every core and names the first bad key in
/// key order wherever the bad value lies: in a small tensor, in a large one's later pieces, or in
/// several tensors at once.
@Suite struct FiniteWeightsTests {
    static let pieceFloats = 1 << 20

    static func weights(bad: [(key: String, index: Int, value: Float)]) -> [String: Tensor] {
        var scalars: [String: [Float]] = [
            "a.bias": [Float](repeating: 0.5, count: 7),
            "b.weight": [Float](repeating: -1, count: 2 * pieceFloats + 5),    // three pieces
            "c.empty": [],
            "d.weight": [Float](repeating: 2, count: pieceFloats),
        ]
        for (key, index, value) in bad { scalars[key]![index] = value }
        return scalars.mapValues { Tensor(shape: [$0.count], scalars: $0) }
    }

    @Test func finiteWeightsPass() throws {
        try FiniteWeights.require(Self.weights(bad: []), file: "w.pt", what: "weight")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let bad: [(key: String, index: Int, value: Float)]
        let named: String
        var testDescription: String { "\(bad.map { "\($0.key)[\($0.index)] = \($0.value)" }) → \(named)" }
    }

    static let cases: [Case] = [
        Case(bad: [("b.weight", 2 * pieceFloats + 4, .nan)], named: "b.weight"),             // the last piece's last float
        Case(bad: [("b.weight", pieceFloats + 1, -.infinity)], named: "b.weight"),          // the middle piece
        Case(bad: [("d.weight", 0, .infinity), ("a.bias", 6, .nan)], named: "a.bias"),
        Case(bad: [("d.weight", pieceFloats - 1, .nan), ("b.weight", 3, .nan)], named: "b.weight"),
    ]

    @Test(arguments: cases)
    func theFirstBadKeyInKeyOrderIsNamed(_ test: Case) {
        let weights = Self.weights(bad: test.bad)
        do {
            try FiniteWeights.require(weights, file: "w.pt", what: "weight")
            Issue.record("accepted non-finite weights")
        } catch {
            let message = "\(error)"
            #expect(message.contains("'\(test.named)' holds NaN or infinite values"), "\(message)")
            #expect(message.contains("w.pt"), "\(message)")
        }
    }
}
