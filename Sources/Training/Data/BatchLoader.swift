import Foundation
import Imaging
import Tensors

/// Batches for training: items decoded, resized, flipped and normalised to [−1, 1] on
/// background threads, a bounded number of samples ahead of the trainer, and handed out in the
/// order `SampleOrder` fixes — so the batches are the same whatever the thread timing, and a run
/// resumed at `position` continues exactly.
///
/// An item that cannot be read is skipped (its position is used up, the next one fills the
/// slot), counted and kept in `skipped` for the run's log — never fatal, never silent.
///
/// ```swift
/// let loader = BatchLoader(source: train, batchSize: 4, imageSize: 256, seed: 0, flipProbability: 0.5)
/// let batch = try loader.next()            // batch.images [4, 3, 256, 256]
/// ```
public final class BatchLoader: @unchecked Sendable {
    /// One batch: images [B, 3, S, S] in [−1, 1], the source's W+ when it has them ([B, n, D]).
    public struct Batch {
        public let images: Tensor
        public let latents: Tensor?
        public let names: [String]
    }

    /// A skipped item and why.
    public struct Skipped: Sendable, Equatable {
        public let name: String
        public let reason: String
    }

    /// Where the time went: the trainer's waits for data against the decoding work done.
    public struct Statistics: Sendable {
        public var samples = 0
        public var decodeSeconds = 0.0
        public var waitSeconds = 0.0
        /// Items per second one decoding thread sustains.
        public var decodeRate: Double { decodeSeconds > 0 ? Double(samples) / decodeSeconds : 0 }
    }

    private struct Decoded {
        let pixels: [Float]?        // 3·S·S, channel-major
        let latents: Tensor?
        let name: String
        let failure: String?
    }

    public let source: any TrainingImageSource
    public let batchSize: Int
    public let imageSize: Int
    private var order: SampleOrder
    private let plan: DataParallelPlan?
    private let capacity: Int
    private let condition = NSCondition()
    private var results: [Int: Decoded] = [:]
    private var produceCursor: Int
    private var consumeCursor: Int
    private var running = true
    private var workers: [Thread] = []
    private var stats = Statistics()
    private var skippedItems: [Skipped] = []
    private var skippedNames: Set<String> = []

    /// - Parameters:
    ///   - startPosition: the position of the first sample (a resumed run's saved `position`).
    ///   - prefetch: samples decoded ahead of the trainer (default four batches).
    ///   - threads: background decoding threads.
    ///   - plan: one rank's part of a data-parallel run: its positions (`startPosition`,
    ///     `position`) are local and map to the run's global ones through the plan.
    public init(source: any TrainingImageSource, batchSize: Int, imageSize: Int, seed: UInt64, shuffle: Bool = true,
                flipProbability: Float = 0, startPosition: Int = 0, prefetch: Int? = nil, threads: Int = 2,
                plan: DataParallelPlan? = nil) {
        precondition(batchSize > 0 && imageSize > 0, "BatchLoader: batch \(batchSize), size \(imageSize)")
        self.source = source
        self.batchSize = batchSize
        self.imageSize = imageSize
        order = SampleOrder(count: source.count, seed: seed, shuffle: shuffle, flipProbability: flipProbability)
        self.plan = plan
        capacity = max(batchSize, prefetch ?? 4 * batchSize)
        produceCursor = startPosition
        consumeCursor = startPosition
        for i in 0..<max(1, threads) {
            let thread = Thread { [weak self] in self?.work() }
            thread.name = "BatchLoader-\(i)"
            thread.stackSize = 4 << 20
            workers.append(thread)
            thread.start()
        }
    }

    deinit { stop() }

    /// The position of the next sample the trainer will get (save it to resume).
    public var position: Int {
        condition.lock(); defer { condition.unlock() }
        return consumeCursor
    }

    /// Items skipped so far.
    public var skipped: [Skipped] {
        condition.lock(); defer { condition.unlock() }
        return skippedItems
    }

    public var statistics: Statistics {
        condition.lock(); defer { condition.unlock() }
        return stats
    }

    /// Stops the decoding threads (also done on deinit).
    public func stop() {
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch. Throws when the source yields nothing readable for a whole epoch
    /// (or 10,000 consecutive items of a stream).
    public func next() throws -> Batch {
        var pixels: [Float] = []
        pixels.reserveCapacity(batchSize * 3 * imageSize * imageSize)
        var latents: [Tensor] = []
        var names: [String] = []
        var consecutiveFailures = 0
        let failureLimit = source.count ?? 10_000
        let waitStart = Date()
        var waited = 0.0
        while names.count < batchSize {
            condition.lock()
            let position = consumeCursor
            var item = results.removeValue(forKey: position)
            while item == nil && running {
                let before = Date()
                condition.wait()
                waited += Date().timeIntervalSince(before)
                item = results.removeValue(forKey: position)
            }
            guard let item else {
                condition.unlock()
                throw TrainingError.data("the data loader was stopped")
            }
            consumeCursor += 1
            if let failure = item.failure {
                if skippedNames.insert(item.name).inserted { skippedItems.append(Skipped(name: item.name, reason: failure)) }
                consecutiveFailures += 1
            } else {
                consecutiveFailures = 0
            }
            condition.broadcast()
            condition.unlock()
            if consecutiveFailures >= failureLimit {
                throw TrainingError.data("no readable image in \(failureLimit) consecutive items (last: \(item.name): \(item.failure ?? ""))")
            }
            guard let itemPixels = item.pixels else { continue }
            pixels.append(contentsOf: itemPixels)
            names.append(item.name)
            if let l = item.latents { latents.append(l) }
        }
        _ = waitStart
        condition.lock()
        stats.waitSeconds += waited
        condition.unlock()
        let images = Tensor(shape: [batchSize, 3, imageSize, imageSize], scalars: pixels)
        let stacked = latents.count == batchSize ? Tensor.concat(latents.map { $0.unsqueeze(0) }, axis: 0) : nil
        return Batch(images: images, latents: stacked, names: names)
    }

    private func work() {
        while true {
            condition.lock()
            while running && produceCursor >= consumeCursor + capacity { condition.wait() }
            guard running else { condition.unlock(); return }
            let position = produceCursor
            produceCursor += 1
            let global = plan?.globalPosition(ofLocal: position) ?? position
            let index = order.index(at: global)
            let flip = order.flips(at: global)
            condition.unlock()

            let start = Date()
            let decoded = decode(index: index, flip: flip)
            let seconds = Date().timeIntervalSince(start)

            condition.lock()
            results[position] = decoded
            stats.samples += 1
            stats.decodeSeconds += seconds
            condition.broadcast()
            condition.unlock()
        }
    }

    private func decode(index: Int, flip: Bool) -> Decoded {
        let name = source.name(of: index)
        do {
            var image = try source.image(at: index)
            guard image.width > 0 && image.height > 0 else { throw TrainingError.data("empty image") }
            if image.width != imageSize || image.height != imageSize {
                image = image.resized(width: imageSize, height: imageSize)
            }
            return Decoded(pixels: Self.normalizedPlanes(image, flip: flip), latents: source.latents(at: index), name: name, failure: nil)
        } catch {
            return Decoded(pixels: nil, latents: nil, name: name, failure: "\(error)")
        }
    }

    /// RGB bytes → [3, S, S] in [−1, 1] as `Image.tensor()` computes it (`(v/255 − 0.5)/0.5`),
    /// mirrored left–right when `flip`.
    package static func normalizedPlanes(_ image: Image, flip: Bool) -> [Float] {
        let width = image.width, height = image.height, plane = width * height
        var out = [Float](repeating: 0, count: 3 * plane)
        image.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                for x in 0..<width {
                    let source = 3 * (y * width + (flip ? width - 1 - x : x))
                    let target = y * width + x
                    for c in 0..<3 { out[c * plane + target] = (Float(pixels[source + c]) / 255 - 0.5) / 0.5 }
                }
            }
        }
        return out
    }
}
