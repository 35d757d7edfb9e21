import MessagePassing
import NeuralNetwork
import StyleGAN
import Tensors
import Testing
import Training

/// The pieces of data-parallel training that run without MPI: which samples each rank reads,
/// gradient averaging over a communicator, the replica digest, and the path-length penalty
/// split over replicas. (Whole runs under `mpirun -np 2` are in Scripts/check_distributed.sh.)
@Suite struct DataParallelTests {
    @Test func ranksPartitionEveryStepsPositions() {
        for ranks in 1...4 {
            let block = 12, micro = 2                   // two micro-batches of 12 per step
            var seen: [Int] = []
            for rank in 0..<ranks {
                let plan = DataParallelPlan(shard: BatchShard(index: rank, count: ranks), block: block)
                let perStep = micro * plan.localBlock
                for step in 0..<3 {
                    let local = (0..<perStep).map { step * perStep + $0 }
                    let global = local.map(plan.globalPosition(ofLocal:))
                    // Each step's positions lie inside that step's global batch.
                    #expect(global.allSatisfy { (step * block * micro..<(step + 1) * block * micro).contains($0) })
                    // Micro-batch m of every rank is part of the one process's micro-batch m.
                    for m in 0..<micro {
                        let part = global[(m * plan.localBlock)..<((m + 1) * plan.localBlock)]
                        #expect(part.allSatisfy { ((step * micro + m) * block..<(step * micro + m + 1) * block).contains($0) })
                    }
                    seen += global
                }
            }
            #expect(seen.sorted() == Array(0..<(3 * micro * block)))
        }
    }

    @Test func savedPositionsResumeOnAnyRankCount() {
        let two = DataParallelPlan(shard: BatchShard(index: 1, count: 2), block: 8)
        #expect(two.globalPosition(afterLocal: 12) == 24)          // 3 blocks read by each rank
        #expect(two.globalPosition(afterLocal: 13) == 32)          // a skip: the next whole block
        #expect(two.localStart(forGlobal: 24) == 12)
        #expect(two.localStart(forGlobal: 25) == 16)               // one process's odd position: next block
        let one = DataParallelPlan.single(block: 8)
        #expect(one.localStart(forGlobal: 25) == 25)
        #expect(one.globalPosition(afterLocal: 25) == 25)
        #expect(one.globalPosition(ofLocal: 7) == 7)
    }

    @Test func gradientsAreAveragedInBuckets() {
        // Rank 0 of two; the other rank's gradients are 10 × this rank's.
        let parameters = [Tensor.zeros([3]), Tensor.zeros([2, 2]), Tensor.zeros([5])]
        for (i, p) in parameters.enumerated() { p.grad = Tensor(shape: p.shape, scalars: (0..<p.count).map { Float($0 + i) }) }
        parameters[2].grad = nil
        let expected = parameters.map { $0.grad?.scalars.map { $0 * 5.5 } }
        let other = PairedRank()
        let reduce = GradientAllReduce(communicator: other, bucketBytes: 16)    // four floats: one bucket per tensor
        reduce.averageGradients(of: parameters)
        for (p, e) in zip(parameters, expected) { #expect(p.grad?.scalars == e) }
        #expect(other.reductions == 2)                                          // flags + first tensor, then the second
        #expect(reduce.average([2, 4]) == [11, 22])
    }

    @Test func replicaDigestSeesEveryBit() throws {
        var state = TrainingState(step: 3, tensors: ["w": Tensor(shape: [2], scalars: [1, 2])], values: ["position": "12"])
        let digest = ReplicaCheck.digest(state)
        state.tensors["w"] = Tensor(shape: [2], scalars: [1, Float(bitPattern: Float(2).bitPattern + 1)])
        #expect(ReplicaCheck.digest(state) != digest)
        state.tensors["w"] = Tensor(shape: [2], scalars: [1, 2])
        #expect(ReplicaCheck.digest(state) == digest)
        state.values["position"] = "13"
        #expect(ReplicaCheck.digest(state) != digest)
        let verified = try ReplicaCheck.verify(state, communicator: SingleProcess())
        #expect(verified == ReplicaCheck.digest(state))
    }

    /// The replicas' mean gradient of the split path-length penalty is the one-process gradient
    /// on the whole batch, and the running mean is the same float on both.
    @Test func pathLengthPenaltySplitsExactly() {
        let random = RandomGenerator(seed: 8)
        let weight = Tensor.randomNormal([12, 8], generator: random, requiresGrad: true)
        let latents = Tensor.randomNormal([4, 3, 8], generator: random)
        let probe = Tensor.randomNormal([4, 3, 2, 2], generator: random)
        // A small differentiable "generator": W+ [b, 3, 8] → images [b, 3, 2, 2].
        func images(_ w: Tensor) -> Tensor { (Tensor.linear(w, weight: weight).tanh() * 2).sum(axis: 1).reshape([w.shape[0], 3, 2, 2]) }
        func penalty(rows: Range<Int>, synchronizer: (any GradientSynchronizer)?) -> (Tensor, Float, Tensor) {
            let w = latents.narrow(0, start: rows.lowerBound, length: rows.count).detached()
            w.requiresGrad = true
            let p = probe.narrow(0, start: rows.lowerBound, length: rows.count)
            return GANLosses.pathLength(fakeImages: images(w), latents: w, probe: p, meanPathLength: 0.7, synchronizer: synchronizer)
        }
        weight.grad = nil
        let (whole, wholeMean, _) = penalty(rows: 0..<4, synchronizer: nil)
        whole.backward()
        let wholeGradient = weight.grad!.scalars

        let halves = [0..<2, 2..<4]
        let lengths = halves.map { penalty(rows: $0, synchronizer: nil).2.scalars }
        var averaged = [Float](repeating: 0, count: wholeGradient.count)
        var means: [Float] = [], values: [Float] = []
        for (h, rows) in halves.enumerated() {
            let other = lengths[1 - h]
            let synchronizer = KnownOtherReplica(other: [other.reduce(0, +), other.map { $0 * $0 }.reduce(0, +)])
            weight.grad = nil
            let (part, mean, _) = penalty(rows: rows, synchronizer: synchronizer)
            part.backward()
            for (i, g) in weight.grad!.scalars.enumerated() { averaged[i] += g / 2 }
            means.append(mean)
            values.append(part.item())
        }
        #expect(means[0] == means[1])
        #expect(abs(means[0] - wholeMean) < 1e-6)
        for v in values { #expect(abs(v - whole.item()) < 1e-5 * max(1, abs(whole.item()))) }
        let scale = wholeGradient.map(abs).max()!
        for (a, b) in zip(averaged, wholeGradient) { #expect(abs(a - b) <= 1e-5 * scale) }
    }
}

/// Rank 0 of two whose partner always holds 10 × this rank's buffer (flags excepted: the same).
private final class PairedRank: Communicator {
    var reductions = 0
    var rank: Int { 0 }
    var size: Int { 2 }
    func barrier() {}
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        reductions += 1
        for i in buffer.indices { buffer[i] = buffer[i] == 1 && reductions == 1 && i < 3 ? 2 : buffer[i] * 11 }
    }
    func allReduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>) {}
    func allGather(_ value: UInt64) -> [UInt64] { [value, value] }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
    func finish() {}
}

/// One of two replicas whose partner's reduced values are known in advance.
private final class KnownOtherReplica: GradientSynchronizer {
    let other: [Float]
    init(other: [Float]) { self.other = other }
    var replicas: Int { 2 }
    func averageGradients(of parameters: [Tensor]) {}
    func average(_ values: [Float]) -> [Float] { zip(values, other).map { ($0 + $1) / 2 } }
}
