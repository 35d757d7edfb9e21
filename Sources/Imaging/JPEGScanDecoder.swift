/// Decodes one scan (SOS to the next marker) into the components' coefficient arrays:
/// sequential scans, and the four progressive kinds (DC first/refine, AC first/refine; T.81
/// Annex G), with restart intervals.
struct ScanDecoder {
    private var reader: EntropyReader
    private let componentIndices: [Int]
    private let dcTables: [HuffmanTable?], acTables: [HuffmanTable?]
    private let spectralStart: Int, spectralEnd: Int
    private let approximationHigh: Int, approximationLow: Int
    private let restartInterval: Int
    private let progressive: Bool
    /// Blocks still to skip in a progressive AC band (an "end of band" run).
    private var endOfBandRun = 0

    var endPosition: Int { reader.position }

    init(header: ArraySlice<UInt8>, frame: JPEG.Frame, huffman: [HuffmanTable?], restartInterval: Int,
         bytes: [UInt8], start: Int) throws {
        let h = Array(header)
        guard let count = h.first, count >= 1, count <= 4, h.count >= 4 + 2 * Int(count) else { throw ImagingError.jpeg("malformed SOS") }
        var indices: [Int] = [], dc: [HuffmanTable?] = [], ac: [HuffmanTable?] = []
        for i in 0..<Int(count) {
            guard let index = frame.components.firstIndex(where: { $0.id == Int(h[1 + 2 * i]) }) else {
                throw ImagingError.jpeg("scan names unknown component \(h[1 + 2 * i])")
            }
            indices.append(index)
            let tables = Int(h[2 + 2 * i])
            guard tables >> 4 < 4, tables & 15 < 4 else { throw ImagingError.jpeg("invalid Huffman table selector") }
            dc.append(huffman[tables >> 4])
            ac.append(huffman[4 + tables & 15])
        }
        let at = 1 + 2 * Int(count)
        spectralStart = Int(h[at])
        spectralEnd = Int(h[at + 1])
        approximationHigh = Int(h[at + 2] >> 4)
        approximationLow = Int(h[at + 2] & 15)
        progressive = frame.progressive
        if progressive {
            guard spectralStart <= spectralEnd, spectralEnd < 64, (spectralStart == 0) == (spectralEnd == 0),
                  spectralStart == 0 || count == 1, approximationLow < 14 else {
                throw ImagingError.jpeg("invalid progressive scan parameters Ss=\(spectralStart) Se=\(spectralEnd)")
            }
        }
        componentIndices = indices
        dcTables = dc
        acTables = ac
        self.restartInterval = restartInterval
        reader = EntropyReader(bytes, start: start)
    }

    mutating func decode(_ frame: inout JPEG.Frame) throws {
        for i in componentIndices { frame.components[i].dcPrediction = 0 }
        // One component: blocks in raster order over the real samples; several: whole MCUs.
        let single = componentIndices.count == 1
        let first = frame.components[componentIndices[0]]
        let unitsAcross = single ? first.blocksAcross : frame.mcusAcross
        let unitCount = single ? first.blocksAcross * first.blocksDown : frame.mcusAcross * frame.mcusDown
        var untilRestart = restartInterval
        for unit in 0..<unitCount {
            if restartInterval > 0 {
                if untilRestart == 0 {
                    try reader.restart()
                    untilRestart = restartInterval
                    endOfBandRun = 0
                    for i in componentIndices { frame.components[i].dcPrediction = 0 }
                }
                untilRestart -= 1
            }
            let row = unit / unitsAcross, column = unit % unitsAcross
            for (s, index) in componentIndices.enumerated() {
                let c = frame.components[index]
                if single {
                    try decodeBlock(&frame.components[index], scanSlot: s, offset: (row * c.storedBlocksAcross + column) * 64)
                    continue
                }
                for v in 0..<c.verticalSampling {
                    for h in 0..<c.horizontalSampling {
                        let blockRow = row * c.verticalSampling + v, blockColumn = column * c.horizontalSampling + h
                        try decodeBlock(&frame.components[index], scanSlot: s, offset: (blockRow * c.storedBlocksAcross + blockColumn) * 64)
                    }
                }
            }
        }
    }

    private func table(_ tables: [HuffmanTable?], _ slot: Int, _ kind: String) throws -> HuffmanTable {
        guard let t = tables[slot] else { throw ImagingError.jpeg("scan uses an undefined \(kind) Huffman table") }
        return t
    }

    @inline(__always)
    private mutating func decodeBlock(_ c: inout JPEG.Component, scanSlot s: Int, offset: Int) throws {
        if !progressive {
            try decodeSequential(&c, try table(dcTables, s, "DC"), try table(acTables, s, "AC"), offset)
        } else if spectralStart == 0 {
            if approximationHigh == 0 {
                let dc = try table(dcTables, s, "DC")
                let size = try dc.decode(&reader)
                guard size <= 16 else { throw ImagingError.jpeg("DC difference of \(size) bits") }
                c.dcPrediction += size == 0 ? 0 : try reader.extended(size)
                c.coefficients[offset] = Int32(truncatingIfNeeded: c.dcPrediction << approximationLow)
            } else if try reader.bits(1) == 1 {
                c.coefficients[offset] |= Int32(1) << Int32(approximationLow)
            }
        } else if approximationHigh == 0 {
            try decodeACFirst(&c.coefficients, try table(acTables, s, "AC"), offset)
        } else {
            try decodeACRefine(&c.coefficients, try table(acTables, s, "AC"), offset)
        }
    }

    private mutating func decodeSequential(_ c: inout JPEG.Component, _ dc: HuffmanTable, _ ac: HuffmanTable, _ offset: Int) throws {
        let size = try dc.decode(&reader)
        guard size <= 16 else { throw ImagingError.jpeg("DC difference of \(size) bits") }
        c.dcPrediction += size == 0 ? 0 : try reader.extended(size)
        c.coefficients[offset] = Int32(truncatingIfNeeded: c.dcPrediction)
        var k = 1
        while k < 64 {
            let rs = try ac.decode(&reader)
            let run = rs >> 4, size = rs & 15
            if size == 0 {
                if run < 15 { break }  // end of block
                k += 16
                continue
            }
            k += run
            guard k < 64 else { throw ImagingError.jpeg("AC coefficient index past 63") }
            c.coefficients[offset + JPEG.zigzag[k]] = Int32(try reader.extended(size))
            k += 1
        }
    }

    private mutating func decodeACFirst(_ block: inout [Int32], _ ac: HuffmanTable, _ offset: Int) throws {
        if endOfBandRun > 0 { endOfBandRun -= 1; return }
        var k = spectralStart
        while k <= spectralEnd {
            let rs = try ac.decode(&reader)
            let run = rs >> 4, size = rs & 15
            if size == 0 {
                if run < 15 {
                    endOfBandRun = (1 << run) - 1 + (try reader.bits(run))
                    break
                }
                k += 16
                continue
            }
            k += run
            guard k <= spectralEnd else { throw ImagingError.jpeg("AC coefficient index past the band end") }
            block[offset + JPEG.zigzag[k]] = Int32(truncatingIfNeeded: try reader.extended(size) * (1 << approximationLow))
            k += 1
        }
    }

    /// Successive approximation of AC coefficients: one more bit for coefficients already
    /// non-zero, and new coefficients of magnitude 1 placed among the zeros (T.81 G.1.2.3,
    /// following libjpeg's `decode_mcu_AC_refine`).
    private mutating func decodeACRefine(_ block: inout [Int32], _ ac: HuffmanTable, _ offset: Int) throws {
        let plus = Int32(1) << Int32(approximationLow), minus = Int32(-1) << Int32(approximationLow)
        var k = spectralStart
        @inline(__always) func refine(_ at: Int) throws {
            let coefficient = block[at]
            if try reader.bits(1) == 1, coefficient & plus == 0 { block[at] = coefficient >= 0 ? coefficient + plus : coefficient + minus }
        }
        if endOfBandRun == 0 {
            while k <= spectralEnd {
                let rs = try ac.decode(&reader)
                var run = rs >> 4
                let size = rs & 15
                var value: Int32 = 0
                if size != 0 {
                    guard size == 1 else { throw ImagingError.jpeg("refinement coefficient of \(size) bits") }
                    value = try reader.bits(1) == 1 ? plus : minus
                } else if run != 15 {
                    endOfBandRun = (1 << run) + (try reader.bits(run))
                    break
                }
                // Skip `run` zero coefficients, refining the non-zero ones passed on the way.
                while k <= spectralEnd {
                    let at = offset + JPEG.zigzag[k]
                    if block[at] != 0 {
                        try refine(at)
                    } else {
                        if run == 0 { break }
                        run -= 1
                    }
                    k += 1
                }
                if value != 0 {
                    guard k <= spectralEnd else { throw ImagingError.jpeg("refinement coefficient past the band end") }
                    block[offset + JPEG.zigzag[k]] = value
                }
                k += 1
            }
        }
        if endOfBandRun > 0 {
            while k <= spectralEnd {
                let at = offset + JPEG.zigzag[k]
                if block[at] != 0 { try refine(at) }
                k += 1
            }
            endOfBandRun -= 1
        }
    }
}
