import Foundation
import MessagePassing
import NeuralNetwork
import Tensors

/// Data-parallel gradient averaging over a `Communicator`, the way PyTorch's DDP does it: the
/// gradients are packed into buckets of about `bucketBytes` (25 MiB, DDP's default), each bucket
/// summed over the ranks with one all-reduce and scaled by 1/N. A model of a few million
/// parameters is one bucket: one fused all-reduce per step.
///
/// The first bucket also carries one flag per parameter (1 when this rank has its gradient):
/// ranks that disagree — a different graph on one of them — end the job with a message instead
/// of averaging misaligned buffers.
///
/// The reduction runs after the backward pass rather than overlapping it: on a CPU the backward
/// pass already uses every core, so a reduction hidden behind it would only take cores from it
/// (the measured share of the all-reduce in a step is in the README).
public final class GradientAllReduce: GradientSynchronizer {
    public let communicator: any Communicator
    public let bucketBytes: Int
    /// Seconds spent in all-reduce calls (waiting for the slowest rank included).
    public private(set) var seconds = 0.0
    /// Floats this rank has sent through all-reduce.
    public private(set) var floatsReduced = 0

    public init(communicator: any Communicator, bucketBytes: Int = 25 << 20) {
        self.communicator = communicator
        self.bucketBytes = max(4, bucketBytes)
    }

    public var replicas: Int { communicator.size }

    public func averageGradients(of parameters: [Tensor]) {
        let n = communicator.size
        guard n > 1 else { return }
        let withGradient = parameters.indices.filter { parameters[$0].grad != nil }
        let scale = 1 / Float(n)
        var buffer: [Float] = parameters.map { $0.grad == nil ? 0 : 1 }
        var pending: [Int] = []
        var first = true

        func flush() {
            reduce(&buffer)
            var cursor = 0
            if first {
                for (i, flag) in buffer.prefix(parameters.count).enumerated() where flag != 0 && flag != Float(n) {
                    fail("rank \(communicator.rank): parameter \(i) has a gradient on \(Int(flag)) of \(n) ranks — the replicas ran different graphs")
                }
                cursor = parameters.count
                first = false
            }
            for index in pending {
                let count = parameters[index].count
                let averaged = Tensor(uninitializedShape: parameters[index].shape)
                buffer.withUnsafeBufferPointer { source in
                    for k in 0..<count { averaged.data[k] = source[cursor + k] * scale }
                }
                parameters[index].grad = averaged
                cursor += count
            }
            buffer.removeAll(keepingCapacity: true)
            pending.removeAll()
        }

        let bucketFloats = bucketBytes / 4
        for index in withGradient {
            let gradient = parameters[index].grad!
            if !pending.isEmpty && buffer.count + gradient.count > bucketFloats { flush() }
            buffer.append(contentsOf: UnsafeBufferPointer(start: gradient.readData, count: gradient.count))
            pending.append(index)
        }
        if first || !pending.isEmpty { flush() }
    }

    public func average(_ values: [Float]) -> [Float] {
        let n = communicator.size
        guard n > 1 else { return values }
        var buffer = values
        reduce(&buffer)
        return buffer.map { $0 / Float(n) }
    }

    private func reduce(_ buffer: inout [Float]) {
        let start = Date()
        buffer.withUnsafeMutableBufferPointer { communicator.allReduceSum($0) }
        seconds += Date().timeIntervalSince(start)
        floatsReduced += buffer.count
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        communicator.abort(code: 1)
    }
}
