import CPUKernels
import Foundation
import Testing

/// The tile choices kept between processes: a layer timed once on a machine is not timed again by
/// the next process there; another machine's lines, damaged lines and files that are not files
/// are never used and never trap or hang. Nested in the serialized tuning suite: both reset the
/// process's choices, which must not happen in the middle of the other's test.
extension ConvolutionTuningTests { @Suite struct TuningCacheTests {
    static func layerText(_ g: ConvolutionGeometry) -> String {
        "\(g.inputChannelsPerGroup),\(g.outputChannelsPerGroup),\(g.kernelHeight),\(g.kernelWidth),\(g.outputWidth)"
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tuning-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Times `g` with a fake clock that makes `fastest` win; returns the choice and the trials run.
    static func choose(_ g: ConvolutionGeometry, file: TuningCache?, fastest: ConvolutionTileShape) -> (ConvolutionTileShape, Int) {
        var timed = 0
        let chosen = ConvolutionTuning.shape(for: g, file: file) { candidate in
            timed += 1
            return candidate == fastest ? 100 : 1_000
        }
        return (chosen, timed)
    }

    @Test func aLayerTimedByOneProcessIsNotTimedByTheNext() throws {
        ConvolutionTuning.reset()
        defer { ConvolutionTuning.reset() }
        guard ConvolutionTuning.mode == .measure else { return }   // STYLEPROMPTER_TUNING=estimate: nothing is timed
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nested/tiles.tsv")   // the folder is created on writing
        let g = ConvolutionTuningTests.timedLayer(), fastest = KernelDispatch.convolutionTiles.last!

        let (first, trials) = Self.choose(g, file: TuningCache(url: url, machine: "test machine"), fastest: fastest)
        #expect(first == fastest && trials > 0)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == "test machine\t\(Self.layerText(g))\t\(fastest)\n")

        ConvolutionTuning.reset()                                      // as a new process starts
        let (second, retimed) = Self.choose(g, file: TuningCache(url: url, machine: "test machine"), fastest: KernelDispatch.convolutionTiles[0])
        #expect(second == fastest && retimed == 0)
        #expect(ConvolutionTuning.report.contains { $0.contains("timed by an earlier run, \(url.path)") }, "\(ConvolutionTuning.report)")

        // Another machine (or another kernel level: it is part of the name) times it again and
        // adds its own line next to the first.
        ConvolutionTuning.reset()
        let (other, otherTrials) = Self.choose(g, file: TuningCache(url: url, machine: "other machine"), fastest: KernelDispatch.convolutionTiles[0])
        #expect(other == KernelDispatch.convolutionTiles[0] && otherTrials > 0)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines.contains { $0.hasPrefix("test machine\t") } && lines.contains { $0.hasPrefix("other machine\t") })
        // Without a file nothing is remembered.
        ConvolutionTuning.reset()
        #expect(Self.choose(g, file: nil, fastest: fastest).1 > 0)
    }

    /// Lines that are not this machine's valid choices are skipped; a tile this level lacks is
    /// timed again and its line replaced; nothing traps.
    @Test func damagedLinesAreNotUsed() throws {
        ConvolutionTuning.reset()
        defer { ConvolutionTuning.reset() }
        guard ConvolutionTuning.mode == .measure else { return }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("tiles.tsv")
        let g = ConvolutionTuningTests.timedLayer(), layer = Self.layerText(g), fastest = KernelDispatch.convolutionTiles.last!
        var bytes = Array("m\t\(layer)\t99×99\nm\t\(layer)\nm\t\(layer)\t8×32\textra\n\t\t\n".utf8)
        bytes += [0xFF, 0xFE, 0x00, 0x09, 0x0A] + Array("other\t\(layer)\t\(fastest)\n".utf8)
        try Data(bytes).write(to: url)
        let (chosen, trials) = Self.choose(g, file: TuningCache(url: url, machine: "m"), fastest: fastest)
        #expect(chosen == fastest && trials > 0)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.last == "m\t\(layer)\t\(fastest)")
        #expect(lines.contains("other\t\(layer)\t\(fastest)"))
        #expect(!lines.contains { $0.hasSuffix("99×99") }, "the stale choice was kept: \(lines)")
    }

    /// A file larger than `maximumBytes` is read only that far (its valid first line is still
    /// used); a folder, an empty file and a FIFO at the path are caches with nothing in them.
    @Test func oversizedAndSpecialFilesAreBoundedAndHarmless() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let big = folder.appendingPathComponent("big.tsv")
        var text = "m\t1,2,3,3,64\t8×32\n"
        text += String(repeating: "m\tjunk\tjunk\n", count: TuningCache.maximumBytes / 10)
        try Data(text.utf8).write(to: big)
        #expect(TuningCache(url: big, machine: "m").choice(for: "1,2,3,3,64") == "8×32")

        let empty = folder.appendingPathComponent("empty.tsv")
        try Data().write(to: empty)
        #expect(TuningCache(url: empty, machine: "m").choice(for: "1,2,3,3,64") == nil)

        let directory = folder.appendingPathComponent("a folder")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let onFolder = TuningCache(url: directory, machine: "m")
        #expect(onFolder.choice(for: "1,2,3,3,64") == nil)
        onFolder.record("1,2,3,3,64", tile: "8×32")                  // cannot replace a folder: kept in memory only
        #expect(onFolder.choice(for: "1,2,3,3,64") == "8×32")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["a folder", "big.tsv", "empty.tsv"],
                "a temporary was left behind")

        let fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(TuningCache(url: fifo, machine: "m").choice(for: "1,2,3,3,64") == nil)   // returns at once, no writer needed
    }

    @Test func theFileIsFoundFromTheEnvironment() {
        let name = TuningCache.environmentVariable
        #expect(TuningCache.location(environment: [name: "off", "HOME": "/home/u"]) == nil)
        #expect(TuningCache.location(environment: [name: "", "HOME": "/home/u"]) == nil)
        #expect(TuningCache.location(environment: [name: "/tmp/t.tsv"])?.path == "/tmp/t.tsv")
        #expect(TuningCache.location(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/home/u"])?.path == "/c/styleprompter/convolution-tiles.tsv")
        // A relative XDG_CACHE_HOME is invalid by the XDG specification: the home's .cache instead.
        #expect(TuningCache.location(environment: ["XDG_CACHE_HOME": "c", "HOME": "/home/u"])?.path == "/home/u/.cache/styleprompter/convolution-tiles.tsv")
        #expect(TuningCache.location(environment: [:]) == nil)
        #expect(TuningCache.thisMachine.hasPrefix(KernelDispatch.level.rawValue + " "))
    }
} }
