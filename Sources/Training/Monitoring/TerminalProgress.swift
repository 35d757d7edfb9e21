import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws `ProgressLine` on standard error: redrawn in place on a terminal (carriage return, then
/// `ESC[K` to clear what a longer previous line left), and as plain lines every `plainEvery`
/// steps otherwise, so a log file gets a readable history instead of a megabyte of `\r`.
///
/// ```swift
/// let progress = TerminalProgress(totalSteps: 50_000, startStep: resumedStep)
/// progress.update(step: step, terms: terms, imagesPerSecond: rate)
/// progress.message("validation at step \(step): psnr 21.3")   // a line of its own, above the bar
/// progress.finish()
/// ```
public final class TerminalProgress {
    public let totalSteps: Int
    public let isTerminal: Bool
    public let plainEvery: Int
    private let output: (String) -> Void
    private let clock: () -> Double
    private var eta = ETAEstimator()
    private var lastLine: String?
    private var lastPlainStep: Int

    /// `isTerminal` defaults to whether standard error is one; `output` and `clock` are for tests.
    public init(totalSteps: Int, startStep: Int = 0, plainEvery: Int = 100, isTerminal: Bool = isatty(2) != 0,
                output: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
                clock: @escaping () -> Double = { Date().timeIntervalSinceReferenceDate }) {
        self.totalSteps = totalSteps
        self.plainEvery = Swift.max(1, plainEvery)
        self.isTerminal = isTerminal
        self.output = output
        self.clock = clock
        lastPlainStep = startStep
        eta.observe(step: startStep, seconds: clock())
    }

    /// Shows the state after `step`.
    public func update(step: Int, terms: [String: Double], imagesPerSecond: Double?) {
        eta.observe(step: step, seconds: clock())
        let line = ProgressLine.format(step: step, totalSteps: totalSteps, terms: terms, imagesPerSecond: imagesPerSecond,
                                       secondsRemaining: eta.secondsRemaining(toStep: totalSteps))
        if isTerminal {
            output("\r" + line + "\u{1B}[K")
            lastLine = line
        } else if step / plainEvery > lastPlainStep / plainEvery || step == totalSteps {
            output(line + "\n")
            lastPlainStep = step
        }
    }

    /// Prints `text` on a line of its own; on a terminal the progress line is redrawn below it.
    public func message(_ text: String) {
        if isTerminal, let lastLine {
            output("\r\u{1B}[K" + text + "\n" + lastLine + "\u{1B}[K")
        } else {
            output(text + "\n")
        }
    }

    /// Ends the in-place line with a newline.
    public func finish() {
        if isTerminal, lastLine != nil { output("\n") }
        lastLine = nil
    }
}
