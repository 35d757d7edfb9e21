import Foundation

/// Images per second over the steps since the last logged one.
struct ThroughputWindow {
    private var start = Date()
    private var images = 0

    mutating func add(_ count: Int) { images += count }

    /// The rate since the last call (or the start), and a fresh window.
    mutating func takeRate() -> Double {
        let rate = Double(images) / max(Date().timeIntervalSince(start), 1e-9)
        self = ThroughputWindow()
        return rate
    }
}

/// Passes the items a loader skipped to the run's log and the terminal, each once.
struct SkipReporter {
    private var reported = 0

    mutating func report(_ loader: BatchLoader, folder: RunFolder, progress: TerminalProgress) {
        let skipped = loader.skipped
        for item in skipped.dropFirst(reported) {
            folder.log("skipped \(item.name): \(item.reason)")
            progress.message("skipped \(item.name): \(item.reason)")
        }
        reported = skipped.count
    }
}

extension RunFolder {
    /// The closing lines of a training session: an interrupt, and the loader against the trainer.
    func logSessionEnd(loader: BatchLoader, started: Date, step: Int) {
        if InterruptSignal.isRequested { log("interrupted at step \(step); saved") }
        let stats = loader.statistics
        log(String(format: "loader: %d samples decoded at %.0f/s per thread; trainer waited %.1f s for data in %.0f s",
                   stats.samples, stats.decodeRate, stats.waitSeconds, Date().timeIntervalSince(started)))
    }
}
