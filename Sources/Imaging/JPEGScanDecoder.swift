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
            ac.append(huffman[4 + (tables & 15)])
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

    mutating func decode(_ frame: JPEG.Frame) throws {
        let components = componentIndices.map { frame.components[$0] }
        // Resolve the tables this kind of scan needs once, so a missing one is reported up front.
        let needsDC = !progressive || (spectralStart == 0 && approximationHigh == 0)
        let needsAC = !progressive || spectralStart > 0
        for s in components.indices {
            if needsDC && dcTables[s] == nil { throw ImagingError.jpeg("scan uses an undefined DC Huffman table") }
            if needsAC && acTables[s] == nil { throw ImagingError.jpeg("scan uses an undefined AC Huffman table") }
        }
        var predictions = [Int](repeating: 0, count: components.count)
        // One component: blocks in raster order over the real samples; several: whole MCUs.
        let single = components.count == 1
        let unitsAcross = single ? components[0].blocksAcross : frame.mcusAcross
        let unitCount = single ? components[0].blocksAcross * components[0].blocksDown : frame.mcusAcross * frame.mcusDown
        var untilRestart = restartInterval
        for unit in 0..<unitCount {
            if restartInterval > 0 {
                if untilRestart == 0 {
                    try reader.restart()
                    untilRestart = restartInterval
                    endOfBandRun = 0
                    for s in predictions.indices { predictions[s] = 0 }
                }
                untilRestart -= 1
            }
            let row = unit / unitsAcross, column = unit % unitsAcross
            for (s, c) in components.enumerated() {
                let coefficients = c.coefficients.pointer
                if single {
                    try decodeBlock(coefficients + (row * c.storedBlocksAcross + column) * 64, slot: s, prediction: &predictions[s])
                    continue
                }
                for v in 0..<c.verticalSampling {
                    for h in 0..<c.horizontalSampling {
                        let blockRow = row * c.verticalSampling + v, blockColumn = column * c.horizontalSampling + h
                        try decodeBlock(coefficients + (blockRow * c.storedBlocksAcross + blockColumn) * 64, slot: s, prediction: &predictions[s])
                    }
                }
            }
        }
    }

    /// Decodes into the 64 coefficients at `block` (natural order).
    @inline(__always)
    private mutating func decodeBlock(_ block: UnsafeMutablePointer<Int32>, slot s: Int, prediction: inout Int) throws {
        if !progressive {
            try decodeSequential(block, dcTables[s]!, acTables[s]!, &prediction)
        } else if spectralStart == 0 {
            if approximationHigh == 0 {
                let size = try dcTables[s]!.decode(&reader)
                guard size <= 16 else { throw ImagingError.jpeg("DC difference of \(size) bits") }
                prediction += size == 0 ? 0 : try reader.extended(size)
                block[0] = Self.coefficient(prediction << approximationLow)
            } else if try reader.bits(1) == 1 {
                block[0] |= Int32(1) << Int32(approximationLow)
            }
        } else if approximationHigh == 0 {
            try decodeACFirst(block, acTables[s]!)
        } else {
            try decodeACRefine(block, acTables[s]!)
        }
    }

    /// libjpeg keeps coefficients in 16 bits (`JCOEF`); truncating the same way keeps corrupt
    /// streams from overflowing the IDCT's arithmetic.
    @inline(__always) static func coefficient(_ value: Int) -> Int32 { Int32(Int16(truncatingIfNeeded: value)) }

    private mutating func decodeSequential(_ block: UnsafeMutablePointer<Int32>, _ dc: HuffmanTable, _ ac: HuffmanTable, _ prediction: inout Int) throws {
        let size = try dc.decode(&reader)
        guard size <= 16 else { throw ImagingError.jpeg("DC difference of \(size) bits") }
        prediction += size == 0 ? 0 : try reader.extended(size)
        block[0] = Self.coefficient(prediction)
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
            block[JPEG.zigzag[k]] = Self.coefficient(try reader.extended(size))
            k += 1
        }
    }

    private mutating func decodeACFirst(_ block: UnsafeMutablePointer<Int32>, _ ac: HuffmanTable) throws {
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
            block[JPEG.zigzag[k]] = Self.coefficient(try reader.extended(size) * (1 << approximationLow))
            k += 1
        }
    }

    /// Successive approximation of AC coefficients: one more bit for coefficients already
    /// non-zero, and new coefficients of magnitude 1 placed among the zeros (T.81 G.1.2.3,
    /// following libjpeg's `decode_mcu_AC_refine`).
    private mutating func decodeACRefine(_ block: UnsafeMutablePointer<Int32>, _ ac: HuffmanTable) throws {
        let plus = Int32(1) << Int32(approximationLow), minus = Int32(-1) << Int32(approximationLow)
        var k = spectralStart
        @inline(__always) func refine(_ at: Int) throws {
            let coefficient = block[at]
            if try reader.bits(1) == 1, coefficient & plus == 0 { block[at] = Self.coefficient(Int(coefficient >= 0 ? coefficient + plus : coefficient + minus)) }
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
                    let at = JPEG.zigzag[k]
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
                    block[JPEG.zigzag[k]] = value
                }
                k += 1
            }
        }
        if endOfBandRun > 0 {
            while k <= spectralEnd {
                let at = JPEG.zigzag[k]
                if block[at] != 0 { try refine(at) }
                k += 1
            }
            endOfBandRun -= 1
        }
    }
}
