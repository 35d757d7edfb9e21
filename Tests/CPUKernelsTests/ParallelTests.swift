import Testing
import CPUKernels

@Suite(.serialized) struct ParallelTests {
    final class Marks: @unchecked Sendable {
        let pointer = UnsafeMutablePointer<Int>.allocate(capacity: 1000)
        init() { pointer.initialize(repeating: 0, count: 1000) }
        deinit { pointer.deallocate() }
    }

    @Test(arguments: [1, 2, 3, 7])
    func rangesCoverEveryIndexOnce(threads: Int) {
        let marks = Marks()
        let shared = SharedPointer(marks.pointer)
        Parallel.forRanges(count: 1000, minimumPerThread: 10, threads: threads) { range in
            for i in range { shared[i] += 1 }
        }
        #expect((0..<1000).allSatisfy { marks.pointer[$0] == 1 })
        let parts = Marks()
        let partsShared = SharedPointer(parts.pointer)
        Parallel.forParts(37, threads: threads) { part in partsShared[part] += 1 }
        #expect((0..<37).allSatisfy { parts.pointer[$0] == 1 })
    }

    @Test func nestedCallsRunSeriallyInsideTheOuterPart() {
        let marks = Marks()
        let shared = SharedPointer(marks.pointer)
        Parallel.forRanges(count: 4, threads: 2) { outer in
            for o in outer {
                Parallel.forRanges(count: 100, threads: 2) { inner in
                    #expect(inner == 0..<100)   // not split again
                    for i in inner { shared[o * 100 + i] += 1 }
                }
            }
        }
        #expect((0..<400).allSatisfy { marks.pointer[$0] == 1 })
    }

    @Test func convolutionBitsDoNotDependOnThreadCount() {
        // GEMM-based passes sum every output in the same order whatever the split.
        let g = ConvolutionGeometry(batch: 2, inputChannels: 64, inputHeight: 40, inputWidth: 40,
                                    outputChannels: 96, kernelHeight: 3, kernelWidth: 3,
                                    paddingHeight: 1, paddingWidth: 1)
        let input = TestBuffer(count: g.inputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        var outputs: [[Float]] = []
        let saved = Parallel.threadCount
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let output = TestBuffer(count: g.outputCount, seed: 3)
            Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: nil, output: output.pointer)
            outputs.append(output.array)
        }
        Parallel.threadCount = saved
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test func backwardInputBitsDoNotDependOnThreadCount() {
        // Units split input channels only; col2im's order is fixed by the geometry.
        let g = ConvolutionGeometry(batch: 1, inputChannels: 3 * 40, inputHeight: 23, inputWidth: 23,
                                    outputChannels: 3 * 50, kernelHeight: 3, kernelWidth: 3,
                                    strideHeight: 2, strideWidth: 2, groups: 3)
        let gradOutput = TestBuffer(count: g.outputCount, seed: 1), weight = TestBuffer(count: g.weightCount, seed: 2)
        var results: [[Float]] = []
        let saved = Parallel.threadCount
        for threads in [1, 2, 4] {
            Parallel.threadCount = threads
            let gradInput = TestBuffer(count: g.inputCount, seed: 3)
            Convolution.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer, gradInput: gradInput.pointer)
            results.append(gradInput.array)
        }
        Parallel.threadCount = saved
        #expect(results[0] == results[1] && results[1] == results[2])
    }
}
