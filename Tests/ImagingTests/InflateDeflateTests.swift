import CPUKernels
import Foundation
import Imaging
import Testing

@Suite("Inflate and Deflate")
struct InflateDeflateTests {
    @Test func checksumsMatchKnownValues() {
        #expect(Checksum.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Checksum.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksum.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        // Piecewise equals whole, and the modulus is applied in long runs.
        let long = [UInt8](repeating: 255, count: 100_000)
        #expect(Checksum.adler32(long[50_000...], continuing: Checksum.adler32(long[..<50_000])) == Checksum.adler32(long))
        #expect(Checksum.crc32(long[50_000...], continuing: Checksum.crc32(long[..<50_000])) == Checksum.crc32(long))
    }

    /// Inputs covering stored-like (random), highly repetitive (long matches, overlapping
    /// copies), empty and text data.
    static let samples: [(String, [UInt8])] = {
        var generator = SystemRandomNumberGenerator()
        var random = [UInt8](repeating: 0, count: 70_000)
        for i in random.indices { random[i] = UInt8.random(in: 0...255, using: &generator) }
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 500).utf8)
        var smooth = [UInt8](repeating: 0, count: 200_000)
        for i in smooth.indices { smooth[i] = UInt8((i / 7) % 256) }
        // A random block of every length 3...300 followed by its copy and one byte that breaks
        // the match, then a copy running to the very end: matches of every length and alignment
        // (the match finder compares eight bytes at a time), each ending exactly where it must.
        var repeats: [UInt8] = []
        var state: UInt32 = 7
        for length in 3...300 {
            let block = (0..<length).map { _ in state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24) }
            repeats += block + block + [~block[0]]
        }
        repeats += repeats.suffix(1_000)
        return [("empty", []), ("one byte", [42]), ("random", random), ("text", text),
                ("zeros", [UInt8](repeating: 0, count: 100_000)), ("smooth", smooth), ("repeats", repeats)]
    }()

    @Test(arguments: samples.indices)
    func zlibRoundTripsExactly(_ index: Int) throws {
        let (name, input) = Self.samples[index]
        let packed = Deflate.zlibCompress(input)
        #expect(try Inflate.zlibDecompress(packed) == input, "\(name)")
        if name == "text" || name == "zeros" { #expect(packed.count < input.count / 20, "\(name): \(packed.count) bytes") }
        if name == "repeats" { #expect(packed.count < input.count * 6 / 10, "repeats: \(packed.count) bytes for \(input.count)") }
        if name == "random" { #expect(packed.count < input.count + input.count / 100 + 64, "random expands too much") }
    }

    /// Inputs of several pieces are coded in parallel pieces, each primed with the window before
    /// it and joined by empty stored blocks: the stream decodes exactly, is barely larger than the
    /// pieces' sum suggests, and its bytes do not depend on the thread count.
    @Test func parallelPiecesDecodeExactlyForAnyThreadCount() throws {
        var input = [UInt8](repeating: 0, count: 3 << 20 | 12_345)
        var state: UInt32 = 1
        for i in input.indices {       // a smooth gradient with a little noise, like image rows
            state = state &* 1_664_525 &+ 1_013_904_223
            input[i] = UInt8(truncatingIfNeeded: (i / 3) % 200) &+ UInt8(state >> 30)
        }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let one = Deflate.zlibCompress(input)
        Parallel.threadCount = 2
        let two = Deflate.zlibCompress(input)
        #expect(one == two)
        #expect(try Inflate.zlibDecompress(two) == input)
        // The noise costs ~2 bits a byte; the gradient under it compresses away.
        #expect(two.count < input.count * 6 / 10, "\(two.count) bytes for \(input.count)")
    }

    /// Streams made by Python's zlib: fixed Huffman codes, and a stored block. (Dynamic
    /// Huffman streams from zlib are covered by every PNG fixture.)
    @Test func decodesForeignStreams() throws {
        // zlib.compress(b"hello hello hello hello", 9)
        let fixed: [UInt8] = [0x78, 0xDA, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x57, 0xC8, 0x40, 0x27, 0x01, 0x68, 0x03, 0x08, 0xB1]
        #expect(try Inflate.zlibDecompress(fixed) == Array("hello hello hello hello".utf8))
        // zlib.compress(b"abc", 0): a single stored block.
        let stored: [UInt8] = [0x78, 0x01, 0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63, 0x02, 0x4D, 0x01, 0x27]
        #expect(try Inflate.zlibDecompress(stored) == Array("abc".utf8))
    }

    @Test func corruptStreamsThrowAndNeverTrap() throws {
        let input = Self.samples[3].1 + Self.samples[5].1.prefix(5000)
        let packed = Deflate.zlibCompress(input)
        for cut in [0, 1, 2, 5, packed.count / 3, packed.count / 2, packed.count - 5, packed.count - 1] {
            #expect(throws: ImagingError.self) { try Inflate.zlibDecompress(Array(packed[..<cut])) }
        }
        var rejected = 0
        for i in stride(from: 2, to: packed.count, by: max(1, packed.count / 200)) {
            var damaged = packed
            damaged[i] ^= 0x5A
            // Most flips are caught by the decoder itself, the rest by Adler-32; none may trap.
            if (try? Inflate.zlibDecompress(damaged, maximumOutput: input.count * 2)) == nil { rejected += 1 }
        }
        #expect(rejected > 0)
        #expect(throws: ImagingError.self) { try Inflate.zlibDecompress(packed, maximumOutput: 100) }
    }

    /// Random damage to deflate streams (which PNG's CRCs would otherwise stop before inflate
    /// sees it) and random bytes: every outcome is a result or an error. A seeded generator
    /// keeps the run reproducible; 250 000 such cases were run once while writing this.
    @Test func randomDamageNeverTraps() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(state >> 33) }
        let stream = Deflate.rawCompress(Self.samples[3].1)
        var rejected = 0
        for _ in 0..<3000 {
            var damaged = stream
            for _ in 0..<(1 + next() % 3) { damaged[next() % damaged.count] ^= UInt8(1 + next() % 255) }
            if (try? Inflate.rawDecompress(damaged, maximumOutput: 1 << 20)) == nil { rejected += 1 }
            let noise = (0..<(next() % 100)).map { _ in UInt8(next() % 256) }
            _ = try? Inflate.rawDecompress(noise, maximumOutput: 1 << 20)
        }
        #expect(rejected > 0)
    }
}
