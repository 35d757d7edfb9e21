import Foundation
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors
import Testing
import Training

@Suite struct AttributeWalkTests {
    static let layout = AttributeLayout(names: ["a", "kind", "b", "c"], categorical: ["kind": 2])

    /// A tiny random generator (16 px, 6 W+ rows of 16) and predictor: the walk's properties hold
    /// for any differentiable pair.
    static func models() -> (Generator, AttributePredictor) {
        let g = Generator(GeneratorConfiguration(size: 16, styleDimension: 16, mappingLayers: 2, channels: [4: 16, 8: 16, 16: 8]),
                          generator: RandomGenerator(seed: 21))
        let p = AttributePredictor(layout: layout, architecture: AttributePredictorArchitecture(layers: [.init(channels: 8, stride: 2), .init(channels: 8, stride: 2)]),
                                   generator: RandomGenerator(seed: 22))
        return (g, p)
    }

    static func codes(_ g: Generator) -> Tensor {
        let z = Tensor.randomNormal([3, 16], generator: RandomGenerator(seed: 23))
        return GradientMode.withoutGradients { g.broadcastLatent(g.mapping(z)) }
    }

    /// One step moves only the chosen rows, by the requested length per row, and to first order
    /// raises the attribute while the held readings stay: a small step's change of each held
    /// reading is second order (here under 2 % of the attribute's).
    @Test func aStepRaisesTheAttributeAndHoldsTheRest() throws {
        let (g, p) = Self.models()
        let walk = try AttributeWalk(generator: g, predictor: p, predictorSize: 16, attribute: "b", rows: 1..<4)
        #expect(walk.attribute == 1 && walk.held == [0, 2])
        let codes = Self.codes(g)
        let length: Float = 2e-3
        let moved = walk.step(codes, length: length)
        let before = codes.scalars, after = moved.scalars
        let (n, d) = (codes.shape[1], codes.shape[2])
        for face in 0..<3 {
            var squared = 0.0
            for row in 0..<n {
                for i in 0..<d {
                    let k = (face * n + row) * d + i
                    if (1..<4).contains(row) { squared += Double(after[k] - before[k]) * Double(after[k] - before[k]) }
                    else { #expect(after[k] == before[k], "face \(face) row \(row) must not move") }
                }
            }
            #expect(abs(squared.squareRoot() - Double(length) * 3.0.squareRoot()) < 1e-6, "face \(face): step norm \(squared.squareRoot())")
        }
        let r0 = walk.readings(codes).scalars, r1 = walk.readings(moved).scalars
        for face in 0..<3 {
            let change = { (c: Int) in Double(r1[face * 3 + c] - r0[face * 3 + c]) }
            #expect(change(1) > 0, "face \(face): the attribute rises (\(change(1)))")
            for c in [0, 2] { #expect(abs(change(c)) < 0.02 * change(1), "face \(face): held reading \(c) moved \(change(c)) against \(change(1))") }
        }
    }

    /// A step is the held-out gradient's direction: it agrees with the attribute gradient
    /// projected off the held gradients, computed here independently by least squares.
    @Test func theDirectionIsTheProjectedGradient() throws {
        let (g, p) = Self.models()
        let walk = try AttributeWalk(generator: g, predictor: p, predictorSize: 16, attribute: "a", hold: ["c"], rows: 0..<2)
        let codes = Self.codes(g)
        let moved = walk.step(codes, length: 1).scalars, start = codes.scalars
        // Finite-difference gradients of reading a and c with respect to face 0's rows 0–1.
        let (n, d) = (codes.shape[1], codes.shape[2])
        func reading(_ values: [Float], _ column: Int) -> Double { Double(walk.readings(Tensor(shape: codes.shape, scalars: values)).scalars[column]) }
        var ga = [Double](repeating: 0, count: 2 * d), gc = ga
        let h: Float = 1e-2
        for i in 0..<(2 * d) {
            var plus = start, minus = start
            plus[i] += h; minus[i] -= h
            ga[i] = (reading(plus, 0) - reading(minus, 0)) / Double(2 * h)
            gc[i] = (reading(plus, 2) - reading(minus, 2)) / Double(2 * h)
        }
        let cc = gc.reduce(0) { $0 + $1 * $1 }, ac = zip(ga, gc).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = zip(ga, gc).map { $0 - ac / cc * $1 }
        let expectedNorm = expected.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let step = (0..<(2 * d)).map { Double(moved[$0] - start[$0]) }
        let stepNorm = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let cosine = zip(step, expected).reduce(0) { $0 + $1.0 * $1.1 } / (stepNorm * expectedNorm)
        #expect(cosine > 0.99, "cosine \(cosine) between the step and the projected finite-difference gradient")
        #expect(n == 6)
    }

    /// A negative strength lowers the attribute; zero leaves the codes; NaN or an absurd strength is refused.
    @Test func theSignChoosesTheWay() throws {
        let (g, p) = Self.models()
        let walk = try AttributeWalk(generator: g, predictor: p, predictorSize: 16, attribute: "c", rows: 0..<6)
        let codes = Self.codes(g)
        let base = walk.readings(codes).scalars
        let down = walk.readings(try walk.walk(codes, strength: -0.05)).scalars, up = walk.readings(try walk.walk(codes, strength: 0.05)).scalars
        for face in 0..<3 { #expect(down[face * 3 + 2] < base[face * 3 + 2] && up[face * 3 + 2] > base[face * 3 + 2]) }
        #expect(try walk.walk(codes, strength: 0).scalars == codes.scalars)
        // A strength that is not a number, or one that would take hours, is refused.
        #expect(throws: AttributeWalkError.self) { _ = try walk.walk(codes, strength: .nan) }
        #expect(throws: AttributeWalkError.strength(1e9)) { _ = try walk.walk(codes, strength: 1e9) }
    }

    /// Names the predictor does not read as continuous, rows outside W+, or more held readings
    /// than dimensions are refused, naming what was wrong.
    @Test func badSetupsAreRefused() {
        let (g, p) = Self.models()
        #expect(throws: AttributeWalkError.unknownAttribute("kind", known: ["a", "b", "c"])) {
            _ = try AttributeWalk(generator: g, predictor: p, predictorSize: 16, attribute: "kind", rows: 0..<2)
        }
        #expect(throws: AttributeWalkError.unknownAttribute("smile", known: ["a", "b", "c"])) {
            _ = try AttributeWalk(generator: g, predictor: p, predictorSize: 16, attribute: "a", hold: ["smile"], rows: 0..<2)
        }
        #expect(throws: AttributeWalkError.rows(4..<8, latentCount: 6)) {
            _ = try AttributeWalk(generator: g, predictor: p, predictorSize: 16, attribute: "a", rows: 4..<8)
        }
        #expect(AttributeWalkError.rows(4..<8, latentCount: 6).description == "attribute walk: rows 4-7 are not within the generator's 6 W+ rows")
    }
}
