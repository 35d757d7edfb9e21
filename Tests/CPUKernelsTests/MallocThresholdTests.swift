#if canImport(Glibc)
import Glibc
#endif
import CPUKernels
import Testing

@Suite struct MallocThresholdTests {
    /// On glibc the threshold is pinned before the pool's first allocation, unless the
    /// environment chose one. (What it buys — 0.74 GiB less peak RSS for a 1024-px stage-1 step —
    /// is measured by `styleprompter-bench --rows stage1_step_b4`, not here: which blocks glibc
    /// maps also depends on the room left at the top of each heap.)
    @Test func theThresholdIsPinned() {
        #if canImport(Glibc)
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil else { return }
        #expect(MallocThreshold.applied)
        #expect(MallocThreshold.bytes == 256 * 1024)
        #endif
    }
}
