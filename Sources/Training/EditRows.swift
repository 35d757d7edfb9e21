import Inversion
import StyleGAN
import Tensors

/// Which W+ rows an edit should move. A direction fitted on W moves every row of W+ alike, but
/// the generator's layers carry different things: its coarse rows (4–8 px) the head's shape and
/// hair, its fine rows (32 px and up) the mouth and eyes. Measured on the default model, moving a
/// mouth or eye direction's middle rows pushed the attribute the wrong way and moved the others,
/// so the whole-W+ edit changed less, and less cleanly, than the same direction on its fine rows
/// alone. And the 8-px rows are where glasses come from: the default model's eye-openness and
/// skin-tone edits on every row made glasses appear or vanish on 58 % and 75 % of faces at ±10,
/// on rows 4–9 on 6 % and 8 %. This measures the candidate row ranges on inverted SynthFaces
/// (through SMART, as `demo` edits) and, among those that keep at least half the strongest
/// range's change, picks the one whose change of the attribute most exceeds the mean change of
/// the others plus the rate at which another category appears or vanishes.
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
        /// The largest fraction of faces on which another category (glasses, hair) appears or
        /// vanishes, per unit strength: the fraction over the strength that did it, as if the
        /// category were one more attribute moving from 0 to 1.
        public var appearancePerUnit: Double
        /// The attribute's change less the others' mean change and the appearance rate: what the
        /// choice maximises.
        public var score: Double { changePerUnit - othersMeanPerUnit - appearancePerUnit }

        /// Whether it moves its attribute at all: at least `smallestUsefulChangePerUnit` the
        /// named way. A direction whose best range does not is no edit on any rows.
        public var movesItsAttribute: Bool { changePerUnit >= EditRows.smallestUsefulChangePerUnit }

        public init(rows: Range<Int>, changePerUnit: Double, othersMeanPerUnit: Double, appearancePerUnit: Double = 0) {
            self.rows = rows
            self.changePerUnit = changePerUnit
            self.othersMeanPerUnit = othersMeanPerUnit
            self.appearancePerUnit = appearancePerUnit
        }
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
        // The unedited face too: what appears or vanishes is judged against it.
        let effects = try evaluation.editEffects(model: model, requests: requests, faces: Self.seedBase, count: count,
                                                 strengths: [-strength, 0, strength])
        guard effects.count == ranges.count else {
            throw TrainingError.configuration("the attribute predictor does not read '\(attribute)'")
        }
        let candidates = ranges.enumerated().map { index, rows in
            let effect = effects[String(index)] ?? [:]
            let appearing = effect.filter { $0.key.hasPrefix(SynthFacesEvaluation.presenceChangeKey) }.values.max() ?? 0
            return Candidate(rows: rows, changePerUnit: effect["change_per_unit"] ?? 0,
                             othersMeanPerUnit: effect["others_mean_abs_change_per_unit"] ?? 0,
                             appearancePerUnit: appearing / Double(strength))
        }
        return Self.ranked(candidates)
    }

    /// The least change per unit that counts as moving the attribute: 0.05 over a ±10 edit, a
    /// quarter of the weakest shipped edit's (smile on rows 6–9, 0.021 per unit). The fine-tuned
    /// candidate model's glasses direction, which no longer added glasses, reached 0.0015–0.0025.
    public static let smallestUsefulChangePerUnit = 0.005

    /// The share of the strongest candidate's change a candidate must keep to be chosen: without
    /// it the cleanest range is one that moves nothing (the default model's glasses edit scored
    /// best on rows 8–9, where it changed the glasses 0.0005 per unit against 0.034 on rows 2–9).
    public static let minimumShareOfStrongest = 0.5

    /// Best first: the candidates that keep `minimumShareOfStrongest` of the strongest change, by
    /// score, then the rest by score; ties keep the given order (all rows first).
    public static func ranked(_ candidates: [Candidate]) -> [Candidate] {
        let strongest = candidates.map(\.changePerUnit).max() ?? 0
        func eligible(_ c: Candidate) -> Bool { c.changePerUnit >= minimumShareOfStrongest * strongest }
        return candidates.enumerated().sorted { a, b in
            if eligible(a.element) != eligible(b.element) { return eligible(a.element) }
            return a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }
}
