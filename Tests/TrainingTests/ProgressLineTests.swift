import Testing
import Training

@Suite struct ProgressLineTests {
    @Test func formatsTheWholeLine() {
        let line = ProgressLine.format(step: 1200, totalSteps: 50_000, terms: ["loss_l2": 0.051, "loss": 0.2134],
                                       imagesPerSecond: 41.23, secondsRemaining: 11_520)
        #expect(line == "step 1200/50000 (2.4%) · loss 0.213 · loss_l2 0.0510 · 41.2 img/s · ETA 3h12m")
        let early = ProgressLine.format(step: 0, totalSteps: 10, terms: [:], imagesPerSecond: nil, secondsRemaining: nil)
        #expect(early == "step 0/10 (0.0%) · ETA –")
    }

    @Test func numbersHaveThreeSignificantDigits() {
        #expect(ProgressLine.number(0.2134) == "0.213")
        #expect(ProgressLine.number(41.23) == "41.2")
        #expect(ProgressLine.number(1234.6) == "1235")
        #expect(ProgressLine.number(1) == "1.00")
        #expect(ProgressLine.number(-0.5) == "-0.500")
        #expect(ProgressLine.number(0.000012345) == "1.23e-05")
        #expect(ProgressLine.number(123_456) == "1.23e+05")
        #expect(ProgressLine.number(0) == "0")
        #expect(ProgressLine.number(.nan) == "nan")
        #expect(ProgressLine.number(-.infinity) == "-inf")
    }

    @Test func durations() {
        #expect(ProgressLine.duration(42) == "42s")
        #expect(ProgressLine.duration(425) == "7m05s")
        #expect(ProgressLine.duration(11_520) == "3h12m")
        #expect(ProgressLine.duration(190_000) == "2d04h")
        #expect(ProgressLine.duration(.nan) == "–")
    }

    /// The total first, then the rest alphabetically, whatever order the dictionary gives.
    @Test func termOrderIsStable() {
        #expect(ProgressLine.orderedTermNames(["r1", "path", "loss_g", "mean_path_length", "loss_d"])
            == ["loss_d", "loss_g", "mean_path_length", "path", "r1"])
        #expect(ProgressLine.orderedTermNames(["loss_l2", "loss", "loss_id"]) == ["loss", "loss_id", "loss_l2"])
    }

    /// One slow step (a validation) moves the smoothed rate a tenth of the way, not all of it.
    @Test func etaUsesASmoothedRate() {
        var eta = ETAEstimator(smoothing: 0.1)
        #expect(eta.secondsRemaining(toStep: 100) == nil)
        eta.observe(step: 0, seconds: 0)
        eta.observe(step: 10, seconds: 10)
        #expect(eta.secondsRemaining(toStep: 100) == 90)
        eta.observe(step: 20, seconds: 120)   // 11 s/step for these ten
        #expect(abs(eta.secondsPerStep! - 2) < 1e-12)
        #expect(abs(eta.secondsRemaining(toStep: 100)! - 160) < 1e-9)
    }

    @Test func terminalRedrawsInPlaceAndPipesPrintEveryFewSteps() {
        var written: [String] = []
        var now = 0.0
        let terminal = TerminalProgress(totalSteps: 100, isTerminal: true, output: { written.append($0) }, clock: { now })
        now = 1
        terminal.update(step: 1, terms: ["loss": 0.5], imagesPerSecond: 8)
        #expect(written == ["\rstep 1/100 (1.0%) · loss 0.500 · 8.00 img/s · ETA 1m39s\u{1B}[K"])
        terminal.message("validation")
        #expect(written.last! == "\r\u{1B}[Kvalidation\nstep 1/100 (1.0%) · loss 0.500 · 8.00 img/s · ETA 1m39s\u{1B}[K")
        terminal.finish()
        #expect(written.last! == "\n")

        written = []
        let pipe = TerminalProgress(totalSteps: 100, plainEvery: 25, isTerminal: false, output: { written.append($0) }, clock: { now })
        for step in 1...100 { now = Double(step); pipe.update(step: step, terms: [:], imagesPerSecond: nil) }
        #expect(written.count == 4)
        #expect(written.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        #expect(written.last!.hasPrefix("step 100/100 (100.0%)"))
    }
}
