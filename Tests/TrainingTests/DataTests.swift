import Foundation
import Imaging
import Tensors
import Testing
import Training

@Suite struct DataTests {
    /// Shuffling is a pure function of (seed, epoch): each epoch is a permutation, epochs differ,
    /// and the same seed gives the same order.
    @Test func sampleOrderIsDeterministicBySeedAndEpoch() {
        var a = SampleOrder(count: 50, seed: 3, shuffle: true, flipProbability: 0.5)
        var b = SampleOrder(count: 50, seed: 3, shuffle: true, flipProbability: 0.5)
        var c = SampleOrder(count: 50, seed: 4, shuffle: true)
        let epoch0 = (0..<50).map { a.index(at: $0) }, epoch1 = (50..<100).map { a.index(at: $0) }
        #expect(Set(epoch0) == Set(0..<50) && Set(epoch1) == Set(0..<50))
        #expect(epoch0 != epoch1)
        #expect((0..<100).map { b.index(at: $0) } == epoch0 + epoch1)
        #expect((0..<50).map { c.index(at: $0) } != epoch0)
        let flips = (0..<1000).filter { a.flips(at: $0) }.count
        #expect(flips > 430 && flips < 570)
        #expect((0..<100).map { a.flips(at: $0) } == (0..<100).map { b.flips(at: $0) })
        var stream = SampleOrder(count: nil, seed: 3, shuffle: true)
        #expect(stream.index(at: 12345) == 12345)
    }

    /// Folders are listed recursively in name order; the held-out split depends on the names
    /// and the seed only.
    @Test func folderListingAndSplit() throws {
        let folder = try TinyDataSet.make(count: 40)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try ImageFolderSource(folder: folder)
        #expect(source.count == 40)
        #expect(source.relativePaths.contains("sub/img0.png"))
        #expect(source.relativePaths == source.relativePaths.sorted())
        let (train, test) = source.split(heldOutFraction: 0.25, seed: 1)
        #expect(train.count! + test.count! == 40 && test.count! > 2 && test.count! < 20)
        #expect(Set(train.relativePaths).isDisjoint(with: test.relativePaths))
        let again = try ImageFolderSource(folder: folder).split(heldOutFraction: 0.25, seed: 1)
        #expect(again.test.relativePaths == test.relativePaths)
        #expect(source.split(heldOutFraction: 0.25, seed: 2).test.relativePaths != test.relativePaths)
        #expect(throws: TrainingError.self) { try ImageFolderSource(folder: folder.appendingPathComponent("missing")) }
    }

    /// The loader's batches do not depend on its thread count or timing, a loader started at a
    /// saved position continues the same sequence, and flips mirror the image.
    @Test func loaderIsDeterministicAndResumes() throws {
        let folder = try TinyDataSet.make(count: 10)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try ImageFolderSource(folder: folder)
        func batches(threads: Int, start: Int, count: Int) throws -> [[Float]] {
            let loader = BatchLoader(source: source, batchSize: 3, imageSize: 16, seed: 9, flipProbability: 0.5,
                                     startPosition: start, prefetch: 5, threads: threads)
            defer { loader.stop() }
            return try (0..<count).map { _ in try loader.next().images.scalars }
        }
        let one = try batches(threads: 1, start: 0, count: 8)
        #expect(try batches(threads: 3, start: 0, count: 8) == one)
        #expect(try batches(threads: 2, start: 9, count: 5) == Array(one[3...]))
        let order = SampleOrder(count: 10, seed: 9, shuffle: true, flipProbability: 0.5)
        let flipped = (0..<30).first { order.flips(at: $0) }!
        var o = order
        let image = try source.image(at: o.index(at: flipped)).resized(width: 16, height: 16)
        let planes = BatchLoader.normalizedPlanes(image, flip: true), straight = BatchLoader.normalizedPlanes(image, flip: false)
        #expect(planes[0] == straight[15] && planes[16] == straight[31])
    }

    /// Unreadable files are skipped, counted and named — never fatal — and the batches stay full.
    @Test func badFilesAreSkippedAndListed() throws {
        let folder = try TinyDataSet.make(count: 6, extraFiles: ["broken.png": [0x89, 0x50, 0x4E, 0x47, 1, 2, 3], "text.jpg": Array("hello".utf8)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let loader = BatchLoader(source: try ImageFolderSource(folder: folder), batchSize: 4, imageSize: 8, seed: 0)
        defer { loader.stop() }
        for _ in 0..<6 { #expect(try loader.next().images.shape == [4, 3, 8, 8]) }
        #expect(Set(loader.skipped.map(\.name)) == ["broken.png", "text.jpg"])
        #expect(loader.skipped.allSatisfy { !$0.reason.isEmpty })
    }

    /// A source with nothing readable ends with an error naming the problem, not a hang.
    @Test func nothingReadableIsAnError() throws {
        let folder = try TinyDataSet.make(count: 0, extraFiles: ["a.png": [1, 2, 3], "b.png": [4, 5]])
        defer { try? FileManager.default.removeItem(at: folder) }
        let loader = BatchLoader(source: try ImageFolderSource(folder: folder), batchSize: 2, imageSize: 8, seed: 0)
        defer { loader.stop() }
        #expect(throws: TrainingError.self) { _ = try loader.next() }
    }

    /// Streams and generator samples: items are functions of their index; the generator source
    /// returns the W+ it synthesised from.
    @Test func streamAndGeneratorSources() throws {
        let stream = StreamImageSource(label: "tiles", offset: 100) { TinyDataSet.image($0, side: 8) }
        #expect(stream.count == nil && stream.name(of: 2) == "tiles #102")
        #expect(try stream.image(at: 2) == TinyDataSet.image(102, side: 8))
        let g = StyleGANTiny.generator()
        let samples = GeneratorSampleSource(generator: g, seed: 5)
        let loader = BatchLoader(source: samples, batchSize: 2, imageSize: 16, seed: 0)
        defer { loader.stop() }
        let batch = try loader.next()
        #expect(batch.latents?.shape == [2, g.configuration.latentCount, 16])
        #expect(samples.latents(at: 3)!.scalars == samples.latents(at: 3)!.scalars)
    }
}
