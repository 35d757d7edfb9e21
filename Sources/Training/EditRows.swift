import Inversion
import StyleGAN
import Tensors

/// Which W+ rows an edit should move. A direction fitted on W moves every row of W+ alike, but
/// the generator's layers carry different things: its coarse rows (4–8 px) the head's shape and
/// hair, its fine rows (32 px and up) the mouth and eyes. Measured on the default model, moving a
/// mouth or eye direction's middle rows pushed the attribute the wrong way and moved the others,
/// so the whole-W+ edit changed less, and less cleanly, than the same direction on its fine rows
/// alone. This measures the candidate row ranges on inverted SynthFaces (through SMART, as
/// `demo` edits) and picks the one whose change of the attribute most exceeds the mean change of
/// the others.
public struct EditRows {
    /// File-name suffix of a row-restricted direction (`NAME_rows_wplus.npy`), and the suffix of
    /// its key in an evaluation (`NAME_rows`).
    public static let suffix = "_rows"
    /// The end of a row-restricted direction's file name: `NAME` + this.
    public static let fileSuffix = suffix + "_wplus.npy"
    /// First seed of the faces the choice is measured on: apart from every evaluation's faces.
    public static let seedBase = SynthFacesEvaluation.seedBase + 4_000_000

    /// One candidate: the rows it moves and what moving them did, per unit strength.
    public struct Candidate: Sendable {
        public var rows: Range<Int>
        public var changePerUnit: Double
        public var othersMeanPerUnit: Double
        /// The attribute's change less the others' mean change: what the choice maximises.
        public var score: Double { changePerUnit - othersMeanPerUnit }
    }

    public let evaluation: SynthFacesEvaluation

    public init(evaluation: SynthFacesEvaluation) {
        self.evaluation = evaluation
    }

    /// The ranges tried for `n` rows: all of them, the first 2, 4, … (coarse), the last 2, 4, … (fine).
    public static func candidateRanges(rows n: Int) -> [Range<Int>] {
        [0..<n] + stride(from: 2, to: n, by: 2).map { 0..<$0 } + stride(from: 2, to: n, by: 2).map { $0..<n }
    }

    /// Every candidate range measured for `direction` (which targets `attribute`: `NAME` or
    /// `NAME=k`), best first; ties keep the order of `candidateRanges` (all rows first).
    public func measure(model: StylePrompterModel, attribute: String, direction: Tensor,
                        count: Int, strength: Float) throws -> [Candidate] {
        let n = model.generator.configuration.latentCount, d = model.generator.configuration.styleDimension
        let ranges = Self.candidateRanges(rows: n)
        let requests = try ranges.enumerated().map { index, rows in
            SynthFacesEvaluation.EditRequest(key: String(index), attribute: attribute,
                                             direction: try LatentEditing.restricted(direction, to: rows, rows: n, dimension: d))
        }
        let effects = try evaluation.editEffects(model: model, requests: requests, faces: Self.seedBase, count: count,
                                                 strengths: [-strength, strength])
        guard effects.count == ranges.count else {
            throw TrainingError.configuration("the attribute predictor does not read '\(attribute)'")
        }
        let candidates = ranges.enumerated().map { index, rows in
            Candidate(rows: rows, changePerUnit: effects[String(index)]?["change_per_unit"] ?? 0,
                      othersMeanPerUnit: effects[String(index)]?["others_mean_abs_change_per_unit"] ?? 0)
        }
        return candidates.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }
}
