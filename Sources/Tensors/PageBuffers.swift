import CPUKernelVariants
import CPUKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system memory behind the storage pool's buffers: large ones mapped straight from the
/// kernel, so that a cached one can be grown in place of a fresh one.
///
/// A fresh buffer costs a page fault per 4 KiB the first time it is written (the kernel zeroes
/// each page): a 1024-px `generate` spent ~0.3 s of its first pass that way. Each level of a
/// generator needs buffers twice the size of the previous level's, which the pool then holds
/// freed and cannot use. `mremap` moves such a buffer's resident pages into a larger mapping —
/// page-table entries, no copy, no zeroing — so only the added part faults. glibc's `realloc`
/// does the same for its own mappings but keeps only 16-byte alignment when it falls back to a
/// copy; mapping ourselves keeps page alignment (the kernels want 64 bytes) and says what happens.
enum PageBuffers {
    /// Buffers of at least this many bytes are mappings of their own; smaller ones come from malloc.
    static let mappedMinimumBytes = 1 << 20

    /// An uninitialised buffer of `bytes` bytes, 64-byte aligned.
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= mappedMinimumBytes else {
            _ = MallocThreshold.applied
            return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        }
        guard let pointer = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pointer != MAP_FAILED else {
            fatalError("out of memory: the system refused a tensor buffer of \(bytes) bytes (errno \(errno))")
        }
        return pointer
    }

    /// Returns a buffer of `bytes` bytes (the size it was allocated or grown to).
    static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= mappedMinimumBytes else { pointer.deallocate(); return }
        munmap(pointer, bytes)
    }

    /// Whether `grow` can serve a request of `bytes` bytes from a cached buffer here.
    static var canGrow: Bool {
        #if os(Linux)
        return true
        #else
        return false
        #endif
    }

    /// The buffer at `pointer` (`bytes` bytes, mapped) enlarged to `newBytes`, its contents kept:
    /// its pages move to the new address without copying, and only the added part is fresh.
    /// Nil where the system cannot (then `pointer` is untouched).
    static func grow(_ pointer: UnsafeMutableRawPointer, from bytes: Int, to newBytes: Int) -> UnsafeMutableRawPointer? {
        precondition(bytes >= mappedMinimumBytes && newBytes >= bytes, "PageBuffers.grow: \(bytes) → \(newBytes) bytes")
        return sp_remap_grow(pointer, bytes, newBytes)
    }
}
