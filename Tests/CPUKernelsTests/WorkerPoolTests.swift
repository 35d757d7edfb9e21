import Foundation
import Testing
import CPUKernels

struct WorkerPoolTests {
    /// Which thread ran each part, and whether part 1 has started.
    final class Record: @unchecked Sendable {
        let lock = NSLock()
        var threads: [Int: pthread_t] = [:]
        var secondStarted = false
    }

    /// A worker started for a job must join that job. It used to take the generation the job had
    /// already advanced to and sleep through it, so each process's first parallel job ran on the
    /// calling thread alone. Part 0 waits (up to 5 s) for part 1 to start: on one thread it cannot
    /// until part 0 returns, so the two parts then report the same thread.
    @Test func aNewWorkerJoinsTheJobThatStartedIt() {
        let pool = WorkerPool()
        let record = Record()
        let ran = pool.run(parts: 2, threads: 2) { part in
            record.lock.lock()
            record.threads[part] = pthread_self()
            if part == 1 { record.secondStarted = true }
            record.lock.unlock()
            if part == 0 {
                let deadline = Date().addingTimeInterval(5)
                while Date() < deadline {
                    record.lock.lock()
                    let started = record.secondStarted
                    record.lock.unlock()
                    if started { break }
                    usleep(1000)
                }
            }
        }
        #expect(ran)
        let first = record.threads[0], second = record.threads[1]
        #expect(first != nil && second != nil)
        if let first, let second { #expect(pthread_equal(first, second) == 0, "both parts ran on one thread") }
    }
}
