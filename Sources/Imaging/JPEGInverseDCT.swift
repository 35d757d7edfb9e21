/// libjpeg's accurate integer inverse DCT (`jpeg_idct_islow`, Loeffler–Ligtenberg–Moschytz
/// with 13-bit fixed-point constants), reproduced exactly so decoded samples match
/// libjpeg-turbo (and so PIL) bit for bit before upsampling.
enum InverseDCT {
    private static let constBits = 13, pass1Bits = 2
    private static let f0_298631336 = 2446, f0_390180644 = 3196, f0_541196100 = 4433, f0_765366865 = 6270
    private static let f0_899976223 = 7373, f1_175875602 = 9633, f1_501321110 = 12299, f1_847759065 = 15137
    private static let f1_961570560 = 16069, f2_053119869 = 16819, f2_562915447 = 20995, f3_072711026 = 25172

    @inline(__always) private static func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }

    /// Every block of `component` transformed to samples: a plane of
    /// `storedBlocksAcross·8 × storedBlocksDown·8` bytes.
    static func plane(_ component: JPEG.Component, quantization: [Int32]) -> [UInt8] {
        let stride = component.storedBlocksAcross * 8
        var plane = [UInt8](repeating: 0, count: stride * component.storedBlocksDown * 8)
        var workspace = [Int](repeating: 0, count: 64)
        var dequantized = [Int](repeating: 0, count: 64)
        let coefficients = component.coefficients.pointer
        plane.withUnsafeMutableBufferPointer { out in
            workspace.withUnsafeMutableBufferPointer { ws in
                dequantized.withUnsafeMutableBufferPointer { input in
                    quantization.withUnsafeBufferPointer { q in
                        for by in 0..<component.storedBlocksDown {
                            for bx in 0..<component.storedBlocksAcross {
                                let block = coefficients + (by * component.storedBlocksAcross + bx) * 64
                                for i in 0..<64 { input[i] = Int(block[i]) * Int(q[i]) }
                                transform(input.baseAddress!, ws.baseAddress!, out.baseAddress! + (by * 8 * stride + bx * 8), stride: stride)
                            }
                        }
                    }
                }
            }
        }
        return plane
    }

    /// One 8×8 block: `input` dequantised coefficients (row-major), samples written at `output`.
    static func transform(_ input: UnsafeMutablePointer<Int>, _ ws: UnsafeMutablePointer<Int>, _ output: UnsafeMutablePointer<UInt8>, stride: Int) {
        // Pass 1: columns, results scaled up by 2^pass1Bits.
        for col in 0..<8 {
            if input[8 + col] == 0, input[16 + col] == 0, input[24 + col] == 0, input[32 + col] == 0,
               input[40 + col] == 0, input[48 + col] == 0, input[56 + col] == 0 {
                let dc = input[col] << pass1Bits
                for row in 0..<8 { ws[row * 8 + col] = dc }
                continue
            }
            let (o0, o1, o2, o3, o4, o5, o6, o7) = butterfly(
                input[col], input[8 + col], input[16 + col], input[24 + col],
                input[32 + col], input[40 + col], input[48 + col], input[56 + col])
            let n = constBits - pass1Bits
            ws[col] = descale(o0, n); ws[8 + col] = descale(o1, n); ws[16 + col] = descale(o2, n); ws[24 + col] = descale(o3, n)
            ws[32 + col] = descale(o4, n); ws[40 + col] = descale(o5, n); ws[48 + col] = descale(o6, n); ws[56 + col] = descale(o7, n)
        }
        // Pass 2: rows; remove the pass-1 scale and the DCT's factor 8, recentre on 128.
        let n = constBits + pass1Bits + 3
        for row in 0..<8 {
            let r = row * 8
            let out = output + row * stride
            if ws[r + 1] == 0, ws[r + 2] == 0, ws[r + 3] == 0, ws[r + 4] == 0, ws[r + 5] == 0, ws[r + 6] == 0, ws[r + 7] == 0 {
                let value = clampSample(descale(ws[r], pass1Bits + 3) + 128)
                for i in 0..<8 { out[i] = value }
                continue
            }
            let (o0, o1, o2, o3, o4, o5, o6, o7) = butterfly(ws[r], ws[r + 1], ws[r + 2], ws[r + 3], ws[r + 4], ws[r + 5], ws[r + 6], ws[r + 7])
            out[0] = clampSample(descale(o0, n) + 128); out[1] = clampSample(descale(o1, n) + 128)
            out[2] = clampSample(descale(o2, n) + 128); out[3] = clampSample(descale(o3, n) + 128)
            out[4] = clampSample(descale(o4, n) + 128); out[5] = clampSample(descale(o5, n) + 128)
            out[6] = clampSample(descale(o6, n) + 128); out[7] = clampSample(descale(o7, n) + 128)
        }
    }

    @inline(__always) static func clampSample(_ x: Int) -> UInt8 { UInt8(Swift.min(Swift.max(x, 0), 255)) }

    /// The 8-point transform shared by both passes, outputs scaled by 2^constBits.
    @inline(__always)
    private static func butterfly(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ i4: Int, _ i5: Int, _ i6: Int, _ i7: Int)
        -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        // Even part.
        var z1 = (i2 + i6) * f0_541196100
        var tmp2 = z1 - i6 * f1_847759065
        var tmp3 = z1 + i2 * f0_765366865
        var tmp0 = (i0 + i4) << constBits
        var tmp1 = (i0 - i4) << constBits
        let tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2
        // Odd part.
        tmp0 = i7; tmp1 = i5; tmp2 = i3; tmp3 = i1
        z1 = tmp0 + tmp3
        var z2 = tmp1 + tmp2, z3 = tmp0 + tmp2, z4 = tmp1 + tmp3
        let z5 = (z3 + z4) * f1_175875602
        tmp0 *= f0_298631336; tmp1 *= f2_053119869; tmp2 *= f3_072711026; tmp3 *= f1_501321110
        z1 *= -f0_899976223; z2 *= -f2_562915447; z3 *= -f1_961570560; z4 *= -f0_390180644
        z3 += z5; z4 += z5
        tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4
        return (tmp10 + tmp3, tmp11 + tmp2, tmp12 + tmp1, tmp13 + tmp0, tmp13 - tmp0, tmp12 - tmp1, tmp11 - tmp2, tmp10 - tmp3)
    }
}
