import Testing
import Training

/// `EditRows.ranked`: the cleanest range among those that keep half the strongest change.
struct EditRowsRankingTests {
    func candidate(_ rows: Range<Int>, change: Double, others: Double, appearance: Double) -> EditRows.Candidate {
        EditRows.Candidate(rows: rows, changePerUnit: change, othersMeanPerUnit: others, appearancePerUnit: appearance)
    }

    @Test func aRangeThatMovesNothingIsNotChosen() {
        let ranked = EditRows.ranked([
            candidate(0..<10, change: 0.032, others: 0.022, appearance: 0.037),   // score −0.027
            candidate(2..<10, change: 0.034, others: 0.019, appearance: 0.035),   // score −0.020
            candidate(8..<10, change: 0.0005, others: 0.009, appearance: 0.003),  // score −0.012, moves nothing
        ])
        #expect(ranked.map(\.rows) == [2..<10, 0..<10, 8..<10])
    }

    @Test func appearanceCountsAgainstARange() {
        // Rows 2–9 change most, but make glasses appear on 29 % of faces at ±10; rows 4–9 keep
        // most of the change on 6 % (the default model's eye-openness edit).
        let ranked = EditRows.ranked([
            candidate(2..<10, change: 0.077, others: 0.019, appearance: 0.029),
            candidate(4..<10, change: 0.067, others: 0.015, appearance: 0.006),
        ])
        #expect(ranked.first?.rows == 4..<10)
        #expect(abs(ranked[0].score - (0.067 - 0.015 - 0.006)) < 1e-12)
    }

    @Test func aDirectionThatMovesNothingIsToldApart() {
        // The fine-tuned candidate's glasses direction: its best range changed the glasses 0.0015 per unit.
        let ranked = EditRows.ranked([candidate(0..<10, change: -0.006, others: 0.018, appearance: 0.012),
                                      candidate(0..<2, change: 0.0015, others: 0.008, appearance: 0.002)])
        #expect(ranked[0].rows == 0..<2 && !ranked[0].movesItsAttribute)
        #expect(candidate(6..<10, change: 0.021, others: 0.010, appearance: 0.003).movesItsAttribute)
    }

    @Test func tiesKeepTheGivenOrder() {
        let ranked = EditRows.ranked([candidate(0..<10, change: 0.02, others: 0.01, appearance: 0),
                                      candidate(0..<2, change: 0.02, others: 0.01, appearance: 0)])
        #expect(ranked.map(\.rows) == [0..<10, 0..<2])
    }
}
