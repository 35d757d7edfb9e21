import NeuralNetwork
import Tensors

/// The two SMART weights (REFERENCE §3): β₁ scales the attention values (how much of the
/// photo's detail flows in), β₂ the FFN branch. (1, 1) reconstructs most faithfully; smaller
/// values leave more room for edits.
public struct SMARTWeights: Equatable, Sendable {
    public var values: Float
    public var feedForward: Float
    public init(_ values: Float = 1, _ feedForward: Float = 1) {
        self.values = values
        self.feedForward = feedForward
    }
    public static let standard = SMARTWeights()
}

/// SMART: Style-driven Multi-scale Adaptive Refinement Transformer. The generator's feature map
/// (16×16×512 at the refined layer) queries the encoder's four feature maps through a fixed
/// local pattern — for query (r, c): (r/2, c/2) in each 8×8 map, (r, c) in the 16×16 map and the
/// 2×2 block at (2r, 2c) in the 32×32 map, 7 keys in all — with the released code's raw
/// dot-product weights (no softmax, no 1/√d).
///
/// Keys (under `decoder.module.smart_block.`): `query_proj`, `input_proj.{i}.0`, `proj`,
/// `linear1`, `linear2`.
public final class SMARTBlock: Module {
    public var queryProj: Linear
    public var inputProj: [Sequential]
    public var proj: Linear
    public var linear1: Linear
    public var linear2: Linear
    let dropout1: Dropout, dropout2: Dropout, dropout3: Dropout
    public let heads: Int
    public let querySide: Int
    /// For each query position, the 7 indices into the concatenated key maps, flattened [L·7].
    public let attentionIndex: [Int]
    public let keysPerQuery: Int

    public override class var keyRenames: [String: String] { ["queryProj": "query_proj", "inputProj": "input_proj"] }

    /// `featureShapes`: (side, channels) of the encoder maps, deepest first.
    public init(featureShapes: [(side: Int, channels: Int)], queryChannels: Int, querySide: Int, embedDimension: Int? = nil,
                feedForwardDimension: Int = 1024, heads: Int = 4, dropout: Float = 0.1, generator: RandomGenerator? = nil) {
        let embed = embedDimension ?? queryChannels
        self.heads = heads
        self.querySide = querySide
        queryProj = Linear(queryChannels, embed, generator: generator)
        inputProj = featureShapes.map { Sequential([Linear($0.channels, embed * 2, generator: generator)]) }
        proj = Linear(embed, embed, generator: generator)
        linear1 = Linear(embed, feedForwardDimension, generator: generator)
        linear2 = Linear(feedForwardDimension, queryChannels, generator: generator)
        dropout1 = Dropout(dropout, generator: generator)
        dropout2 = Dropout(dropout, generator: generator)
        dropout3 = Dropout(dropout, generator: generator)
        (attentionIndex, keysPerQuery) = SMARTBlock.localAttentionIndex(querySide: querySide, featureSides: featureShapes.map(\.side))
    }

    /// The released `get_attn_idx`: maps no larger than the query map contribute the one
    /// position covering the query (nearest, as its exact-ratio area resize gives); larger maps
    /// the `ratio × ratio` block under it. Levels are concatenated, deepest first.
    static func localAttentionIndex(querySide q: Int, featureSides: [Int]) -> (indices: [Int], perQuery: Int) {
        var perQuery = 0
        var rows = [[Int]](repeating: [], count: q * q)
        var start = 0
        for s in featureSides {
            if s <= q {
                precondition(q % s == 0, "SMART: feature side \(s) does not divide query side \(q)")
                for r in 0..<q { for c in 0..<q { rows[r * q + c].append(start + (r * s / q) * s + c * s / q) } }
                perQuery += 1
            } else {
                precondition(s % q == 0, "SMART: query side \(q) does not divide feature side \(s)")
                let ratio = s / q
                for r in 0..<q {
                    for c in 0..<q {
                        for a in 0..<ratio { for b in 0..<ratio { rows[r * q + c].append(start + (r * ratio + a) * s + c * ratio + b) } }
                    }
                }
                perQuery += ratio * ratio
            }
            start += s * s
        }
        return (rows.flatMap { $0 }, perQuery)
    }

    /// `target` [B, L, C] (the generator feature as tokens), `features` [B, lᵢ, cᵢ] → refined [B, L, C].
    public func callAsFunction(_ target: Tensor, features: [Tensor], weights: SMARTWeights = .standard) -> Tensor {
        let (b, l, c) = (target.shape[0], target.shape[1], target.shape[2])
        precondition(l == querySide * querySide && features.count == inputProj.count,
                     "SMART: target \(target.shape) with \(features.count) feature maps, expected \(querySide)² positions and \(inputProj.count) maps")
        let d = c / heads, k = keysPerQuery
        let query = queryProj(target).reshape([b, l, heads, d]).permute([0, 2, 1, 3])          // [B, h, L, d]
        var keys: [Tensor] = [], values: [Tensor] = []
        for (projection, feature) in zip(inputProj, features) {
            let n = feature.shape[1]
            let kv = projection(feature)                                                       // [B, n, 2C]
            keys.append(kv.narrow(2, start: 0, length: c).reshape([b, n, heads, d]).transposed(1, 2))
            values.append(kv.narrow(2, start: c, length: c).reshape([b, n, heads, d]).transposed(1, 2))
        }
        let localKeys = Tensor.concat(keys, axis: 2).indexSelect(2, indices: attentionIndex).reshape([b, heads, l, k, d])
        let localValues = (Tensor.concat(values, axis: 2) * weights.values)
            .indexSelect(2, indices: attentionIndex).reshape([b, heads, l, k, d])
        let attention = (query.unsqueeze(3) * localKeys).sum(axis: 4)                          // [B, h, L, k]
        let attended = (attention.unsqueeze(4) * localValues).sum(axis: 3)                     // [B, h, L, d]
        var x = target + dropout1(proj(attended.transposed(1, 2).reshape([b, l, c])))
        x = x + dropout3(linear2(dropout2(linear1(x).relu()))) * weights.feedForward
        return x
    }
}
