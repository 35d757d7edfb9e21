import CPUKernelVariants
#if canImport(Glibc)
import Glibc
#endif

/// Keeps tensor-sized blocks from lingering in glibc's heaps.
///
/// glibc serves a request below its mmap threshold from its heaps, and raises that threshold (up
/// to 32 MiB) — and the trim threshold with it, to twice that — each time a mapped block is freed.
/// After the first few frees, tensor buffers come from the heaps, and freed ones stay in the
/// process until 64 MiB lie free at a heap's top, so the peak RSS of a training step ran ~0.7 GiB
/// above what the pool held. Pinned at 256 KiB (`mallopt` also stops the raising, and leaves the
/// trim threshold at 128 KiB), a larger block that the heap's top cannot hold is a mapping that
/// `free` returns, and freed heap tops are returned early: a 1024-px stage-1 step at batch 4 peaked
/// at 11.10 GiB RSS instead of 11.84, at the same speed (30.4 against 32.4 s; AMD EPYC Zen 5, 2
/// threads). A `MALLOC_MMAP_THRESHOLD_` set in the environment wins.
package enum MallocThreshold {
    package static let bytes = 256 * 1024

    /// Applied once, before the tensor pool's first allocation from the system (`StoragePool`).
    package static let applied: Bool = {
        #if canImport(Glibc)
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil else { return false }
        #endif
        return sp_pin_mmap_threshold(Int32(bytes)) == 1
    }()
}
