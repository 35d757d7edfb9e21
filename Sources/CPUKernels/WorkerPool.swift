import Foundation

/// Long-lived worker threads that run the parts of one `Parallel` call at a time.
///
/// Why not `DispatchQueue.concurrentPerform`: on Linux it only borrows threads from the global
/// pool, and when the machine is busy it often runs every iteration on the calling thread —
/// measured here: a 1024³ GEMM "on 2 threads" used one core in most runs. These threads are
/// ours, started once and parked on a condition variable between calls.
package final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Held by the one caller whose job the workers are running.
    private let submission = NSLock()
    // Guarded by `mutex`.
    private var job: ((Int) -> Void)?
    private var partCount = 0, nextPart = 0, donePart = 0, generation = 0
    /// Workers started so far, and how many may join the current job.
    private var workerCount = 0, helpersWanted = 0

    /// A pool of its own (tests); kernels share `shared`.
    package init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
    }

    /// Runs `body(part)` for every part in `0..<parts` on the caller and up to `threads − 1`
    /// workers, each claiming the next unclaimed part, and returns when all are done. Returns
    /// false without running anything when another caller's job is in flight (the caller then
    /// runs the parts itself).
    package func run(parts: Int, threads: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard submission.try() else { return false }
        defer { submission.unlock() }
        pthread_mutex_lock(mutex)
        let helpers = min(parts, threads) - 1
        while workerCount < helpers {
            workerCount += 1
            // The worker reads the mutex only after this job has advanced `generation`; handed the
            // generation before it, it joins this job (started with the current one, it slept
            // through it, and each process's first parallel job ran on this thread alone).
            let before = generation
            let thread = Thread { [self] in workerLoop(seen: before) }
            thread.name = "CPUKernels worker \(workerCount)"
            thread.start()
        }
        job = body
        partCount = parts; nextPart = 0; donePart = 0; helpersWanted = helpers
        generation &+= 1
        pthread_cond_broadcast(wake)
        claimParts()
        while donePart < partCount { pthread_cond_wait(finished, mutex) }
        job = nil
        pthread_mutex_unlock(mutex)
        return true
    }

    /// Runs unclaimed parts of the current job; called with `mutex` held, returns with it held.
    private func claimParts() {
        while nextPart < partCount, let body = job {
            let part = nextPart
            nextPart += 1
            pthread_mutex_unlock(mutex)
            body(part)
            pthread_mutex_lock(mutex)
            donePart += 1
            if donePart == partCount { pthread_cond_broadcast(finished) }
        }
    }

    /// A worker's life; `seen` is the last generation it need not run (the one before the job
    /// that started it).
    private func workerLoop(seen start: Int) {
        pthread_mutex_lock(mutex)
        var seen = start
        while true {
            // Kernels often come back to back (attention: product, softmax, product), so poll
            // for 100 µs before sleeping: a condition-variable wake-up costs tens of µs, as
            // much as a whole small kernel. `sched_yield` hands the core to any other runnable
            // thread meanwhile.
            let pollUntil = DispatchTime.now().uptimeNanoseconds + 100_000
            while generation == seen && DispatchTime.now().uptimeNanoseconds < pollUntil {
                pthread_mutex_unlock(mutex)
                sched_yield()
                pthread_mutex_lock(mutex)
            }
            while generation == seen { pthread_cond_wait(wake, mutex) }
            seen = generation
            // More workers than this job's thread count (threadCount was lowered): sit it out.
            guard helpersWanted > 0 else { continue }
            helpersWanted -= 1
            claimParts()
        }
    }
}
