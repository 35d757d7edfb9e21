import CPUKernelVariants
import FileAccess
import Foundation
import Tensors
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped privately (copy-on-write) into memory, whose float32 tensors can be lent
/// to the tensor library instead of copied.
///
/// Loading the released StylePrompter checkpoint copied its 280 MB into fresh tensor buffers —
/// a quarter of a second of page faults and copying in every `invert`. Lent tensors point into
/// a mapping: pages come straight from the page cache as they are first read, and a tensor
/// written in place (an optimiser step after loading) gets private copies of its pages, never
/// touching the file. The mappings live while any `Data` of them or lent tensor does.
///
/// Only the model loaders ask for lent tensors (`Tensor(lendingFrom:)`,
/// `StateDict.tensors(under:lendingMappedBytes:)`): latents, directions and other small reads copy,
/// so their mappings end with the read — a batch that reads back ten thousand latent files keeps
/// no mapping of them.
///
/// The file is mapped twice: the `Data` the readers parse, and the pages lent to tensors. Writing
/// a lent tensor then never changes the `Data` (a value, for everything else that reads it). And:
/// - each stored tensor's bytes are lent at most once; a second tensor made from the same bytes
///   gets a copy (of the unchanged `Data`), so writing one never changes the other;
/// - another program truncating the file while it is mapped would make touching a page past the
///   new end raise SIGBUS; `sp_watch_mapping` turns that into one line naming the file and
///   status 1. Long-running servers, for which that is no answer, copy their model's tensors out
///   after loading (`Module.detachFromFiles()`).
final class MappedRegion: @unchecked Sendable {
    /// The mapping the file's `Data` reads.
    let base: UnsafeMutableRawPointer
    /// The mapping lent tensors point into, at the same offsets.
    let lentBase: UnsafeMutableRawPointer
    let length: Int
    private let watchSlots: (Int32, Int32)
    private let lock = NSLock()
    /// Byte offsets of the tensors lent so far.
    private var lentOffsets: Set<Int> = []

    private init(base: UnsafeMutableRawPointer, lentBase: UnsafeMutableRawPointer, length: Int, path: String) {
        self.base = base
        self.lentBase = lentBase
        self.length = length
        let shown = CheckpointText.printable(path, limit: 400)
        watchSlots = (sp_watch_mapping(base, length, shown), sp_watch_mapping(lentBase, length, shown))
        Self.registry.insert(self)
    }

    deinit {
        sp_unwatch_mapping(watchSlots.0)
        sp_unwatch_mapping(watchSlots.1)
        Self.registry.remove(self)
        munmap(base, length)
        munmap(lentBase, length)
    }

    /// The file's bytes: a private mapping when the system gives one, else read into memory. A
    /// folder, FIFO, socket or device is refused by its kind before it is opened (opening a FIFO
    /// would block until a writer appears), so messages say what the path is, not "permission".
    package static func contents(of url: URL) throws -> Data {
        if let problem = FileKind.problemReading(url.path) {
            throw CheckpointError(.fileSystem, file: displayName(url), problem)
        }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CheckpointError(.fileSystem, file: displayName(url), "cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw CheckpointError(.fileSystem, file: displayName(url), "cannot read the file: \(String(cString: strerror(errno)))")
        }
        let length = Int(info.st_size)
        guard length > 0 else { return Data() }
        func map() -> UnsafeMutableRawPointer? {
            guard let pages = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, 0), pages != MAP_FAILED else { return nil }
            return pages
        }
        let mapped = map(), lent = map()
        guard let mapped, let lent else {
            // Some file systems cannot map files: read them instead.
            if let mapped { munmap(mapped, length) }
            if let lent { munmap(lent, length) }
            do { return try Data(contentsOf: url) } catch {
                throw CheckpointError(.fileSystem, file: displayName(url), "cannot read the file")
            }
        }
        // Ask for the whole file now: a checkpoint not in the page cache is then read in large
        // sequential requests, not page fault by page fault in the order the loader touches
        // tensors. On a disk giving `cat` 36–77 MB/s, an `invert` whose 280 MB checkpoint had left
        // the cache took 36 s fault by fault; with this, a cold `generate` (120 MB) takes 1.9 s
        // against 1.4 s warm. At most the first 2 GiB: a crafted multi-gigabyte file must not
        // make the loader fill the page cache before its header is even checked.
        madvise(mapped, min(length, 2 << 30), MADV_WILLNEED)
        let region = MappedRegion(base: mapped, lentBase: lent, length: length, path: url.path)
        return Data(bytesNoCopy: mapped, count: length, deallocator: .custom { _, _ in withExtendedLifetime(region) {} })
    }

    /// Tensor storage lent from the mapping `stored`'s bytes lie in, when they are float32,
    /// aligned for floats, in a live mapping and not lent before; nil means "copy them".
    static func lentStorage(for stored: StoredTensor) -> TensorStorage? {
        guard stored.dtype == .float32, stored.elementCount > 0 else { return nil }
        let start = stored.bytes.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        guard start % UInt(MemoryLayout<Float>.alignment) == 0, let region = registry.region(containing: start),
              start + UInt(stored.bytes.count) <= UInt(bitPattern: region.base + region.length) else { return nil }
        let offset = Int(start - UInt(bitPattern: region.base))
        guard region.lend(offset: offset) else { return nil }
        return TensorStorage(borrowing: (region.lentBase + offset).assumingMemoryBound(to: Float.self),
                             count: stored.elementCount, owner: region)
    }

    private func lend(offset: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return lentOffsets.insert(offset).inserted
    }

    /// The live mappings by address, for finding the one a `Data` slice points into.
    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        private struct Entry {
            let start: UInt, end: UInt
            weak var region: MappedRegion?
        }
        private let lock = NSLock()
        private var entries: [Entry] = []

        func insert(_ region: MappedRegion) {
            let start = UInt(bitPattern: region.base)
            lock.lock()
            entries.append(Entry(start: start, end: start + UInt(region.length), region: region))
            lock.unlock()
        }

        func remove(_ region: MappedRegion) {
            let start = UInt(bitPattern: region.base)
            lock.lock()
            entries.removeAll { $0.start == start }
            lock.unlock()
        }

        func region(containing address: UInt) -> MappedRegion? {
            lock.lock()
            defer { lock.unlock() }
            return entries.first { address >= $0.start && address < $0.end }?.region
        }
    }
}
