/// Match finding for `Deflate`: hash chains over 4-byte prefixes in a 32 KiB window, with one
/// step of lazy evaluation (a match is deferred when the next position has a longer one), as
/// zlib does at its default level.
///
/// ```swift
/// let bytes = Array("abcabcabc".utf8)
/// let tokens = bytes.withUnsafeBufferPointer { LZ77.tokens($0, range: 0..<9) }  // a, b, c, (length 6, distance 3)
/// ```
enum LZ77 {
    /// A literal byte (`distance == 0`, `value` is the byte) or a match (`value` is its length).
    struct Token {
        var value: UInt16
        var distance: UInt16
    }

    static let windowSize = 1 << 15
    static let minimumMatch = 3
    static let maximumMatch = 258
    /// How many chain links to follow per position, and the match length that ends a search
    /// (zlib level 5's 32 and 32 are close). Against 48 and 128 (which matched PIL's level 6):
    /// half the matching time on `invert`'s 1024² reconstruction for a 1.3 % larger file; on a
    /// noisy photo, whose chains are short anyway, 8 % less time, +0.07 %. A PNG is written once
    /// per command, where its time counts; a few percent of size does not.
    static let chainLimit = 16
    static let niceLength = 32
    /// Matches at least this long are not reconsidered at the next position.
    static let lazyLimit = 16
    /// Past a deferred match at least this long, the next position searches a quarter of the chain (zlib's good_length).
    static let goodLength = 8

    /// Tokens for `data[range]`, with matches reaching back up to a window before the range (a
    /// decoder has those bytes: they come earlier in the same stream). Parallel deflate codes
    /// consecutive ranges independently this way, primed like pigz, and loses almost nothing.
    static func tokens(_ data: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> [Token] {
        var tokens: [Token] = []
        // At most one token per byte (a photo's noise is mostly literals): no regrowth copies.
        tokens.reserveCapacity(range.count + 1)
        let n = range.upperBound
        let hashBits = 15
        // Raw buffers: the helpers below capture them, and captured Swift arrays would be boxed.
        let head = UnsafeMutablePointer<Int32>.allocate(capacity: 1 << hashBits)
        head.initialize(repeating: -1, count: 1 << hashBits)
        let previous = UnsafeMutablePointer<Int32>.allocate(capacity: windowSize)
        previous.initialize(repeating: -1, count: windowSize)
        defer { head.deallocate(); previous.deallocate() }

        do {
            /// Chains link positions whose next four bytes hash alike (zlib hashes three). Three-byte
            /// matches cost about what their literals do, and in a photo's noise they filled the
            /// chains with useless candidates: on the noisy 1024² photo this made deflate 1.6×
            /// faster and the file 6 % smaller (now 5 % under zlib level 6's); flat cartoon faces
            /// come out 2–5 % larger. A match of three can still be found through a collision.
            @inline(__always) func hash(_ i: Int) -> Int {
                let v = UInt32(data[i]) << 24 | UInt32(data[i + 1]) << 16 | UInt32(data[i + 2]) << 8 | UInt32(data[i + 3])
                return Int((v &* 2_654_435_761) >> UInt32(32 - hashBits))
            }
            @inline(__always) func insert(_ i: Int) {
                guard i + 3 < n else { return }
                let h = hash(i)
                previous[i & (windowSize - 1)] = head[h]
                head[h] = Int32(i)
            }
            /// How many bytes from `earlier` and from `i` agree, up to `limit` (`i + limit <= n`).
            /// Eight at a time: the first differing byte of two little-endian words is the lowest
            /// set byte of their XOR. The byte-by-byte loop was a third of a PNG's deflate time.
            @inline(__always) func commonPrefix(_ earlier: Int, _ i: Int, limit: Int) -> Int {
                let bytes = UnsafeRawPointer(data.baseAddress!)
                var length = 0
                while length + 8 <= limit {
                    let difference = bytes.loadUnaligned(fromByteOffset: earlier + length, as: UInt64.self)
                        ^ bytes.loadUnaligned(fromByteOffset: i + length, as: UInt64.self)
                    if difference != 0 { return length + UInt64(littleEndian: difference).trailingZeroBitCount >> 3 }
                    length += 8
                }
                while length < limit && data[earlier + length] == data[i + length] { length += 1 }
                return length
            }
            /// Longest earlier match for position `i` (length, distance), or length 0.
            func longestMatch(_ i: Int, chainLimit: Int = chainLimit) -> (Int, Int) {
                guard i + 4 <= n else { return (0, 0) }
                let limit = Swift.min(maximumMatch, n - i)
                var candidate = Int(head[hash(i)])
                var best = 0, bestDistance = 0, chain = chainLimit
                while candidate >= 0 && i - candidate <= windowSize && chain > 0 {
                    if data[candidate + best] == data[i + best] {
                        let length = commonPrefix(candidate, i, limit: limit)
                        if length > best {
                            best = length
                            bestDistance = i - candidate
                            if length >= Swift.min(niceLength, limit) { break }
                        }
                    }
                    let next = Int(previous[candidate & (windowSize - 1)])
                    // Chains only go backwards; a stale slot can point forwards after wrapping.
                    if next >= candidate { break }
                    candidate = next
                    chain -= 1
                }
                return best >= minimumMatch ? (best, bestDistance) : (0, 0)
            }

            // Prime the chains with the window before the range.
            for p in Swift.max(0, range.lowerBound - windowSize)..<range.lowerBound { insert(p) }
            var i = range.lowerBound
            var pending: (length: Int, distance: Int)? = nil  // match found at i - 1, deferred
            while i < n {
                // A deferred match that is already long is kept without searching here (zlib's max_lazy).
                let (length, distance) = pending.map { $0.length >= lazyLimit } == true ? (0, 0)
                    : longestMatch(i, chainLimit: (pending?.length ?? 0) >= goodLength ? chainLimit / 4 : chainLimit)
                if let deferred = pending {
                    if length > deferred.length && deferred.length < lazyLimit {
                        // The match here is better: the previous position becomes a literal.
                        tokens.append(Token(value: UInt16(data[i - 1]), distance: 0))
                        pending = (length, distance)
                        insert(i)
                        i += 1
                    } else {
                        tokens.append(Token(value: UInt16(deferred.length), distance: UInt16(deferred.distance)))
                        // The match started at i - 1; positions i ..< i - 1 + length still need hashing.
                        let end = i - 1 + deferred.length
                        while i < end { insert(i); i += 1 }
                        pending = nil
                    }
                } else if length > 0 {
                    pending = (length, distance)
                    insert(i)
                    i += 1
                } else {
                    tokens.append(Token(value: UInt16(data[i]), distance: 0))
                    insert(i)
                    i += 1
                }
            }
            if let deferred = pending {
                tokens.append(Token(value: UInt16(deferred.length), distance: UInt16(deferred.distance)))
            }
        }
        return tokens
    }
}
