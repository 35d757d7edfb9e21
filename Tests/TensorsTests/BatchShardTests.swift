import Tensors
import Testing

/// Per-sample draws of a data-parallel batch: each shard gets exactly its rows of the draw one
/// process makes for the whole batch, and every shard leaves the stream in the same state.
@Suite struct BatchShardTests {
    @Test func shardsAreTheRowsOfTheWholeDraw() {
        let whole = Tensor.randomNormal([6, 5], generator: RandomGenerator(seed: 11))
        var streams: [[UInt64]] = []
        for index in 0..<3 {
            let random = RandomGenerator(seed: 11)
            let part = BatchShard(index: index, count: 3).randomNormal([2, 5], generator: random)
            #expect(part.scalars == whole.narrow(0, start: 2 * index, length: 2).scalars)
            streams.append(random.state256)
        }
        #expect(streams.allSatisfy { $0 == streams[0] })
        let whole1 = BatchShard.whole.randomUniform([4, 3], generator: RandomGenerator(seed: 2))
        #expect(whole1.scalars == Tensor.randomUniform([4, 3], generator: RandomGenerator(seed: 2)).scalars)
    }

    @Test func shardedDropoutAndDropPathAreSlicesOfTheWholeMasks() {
        let x = Tensor.full([4, 3, 2], value: 1)
        let wholeDropout = x.dropout(probability: 0.5, generator: RandomGenerator(seed: 5))
        let wholePath = x.dropPath(probability: 0.5, generator: RandomGenerator(seed: 6))
        let half = Tensor.full([2, 3, 2], value: 1)
        for index in 0..<2 {
            let shard = BatchShard(index: index, count: 2)
            #expect(half.dropout(probability: 0.5, generator: RandomGenerator(seed: 5), shard: shard).scalars
                    == wholeDropout.narrow(0, start: 2 * index, length: 2).scalars)
            #expect(half.dropPath(probability: 0.5, generator: RandomGenerator(seed: 6), shard: shard).scalars
                    == wholePath.narrow(0, start: 2 * index, length: 2).scalars)
        }
    }
}
