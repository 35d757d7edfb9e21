import Foundation
import NeuralNetwork
import Tensors
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Checkpoints

/// Float32 tensors of a mapped checkpoint are lent to the tensor library, not copied
/// (`MappedRegion`): same values, private writes, a copy for the second tensor of the same bytes,
/// and one line with status 1 when another program truncates the file under the mapping.
@Suite("Mapped checkpoints")
struct MappedTensorTests {
    /// A safetensors file: "a" 64 float32 (lendable), "h" float16 (converted, so copied).
    static func writeFile() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).safetensors")
        try Safetensors.write([("a", try StoredTensor(shape: [8, 8], floats: (0..<64).map { Float($0) / 4 })),
                               ("h", try StoredTensor(dtype: .float16, shape: [2], bytes: Data([0x00, 0x3C, 0x00, 0xC0])))],
                              metadata: [:], to: url)
        return url
    }

    @Test("without asking for lending, tensors are copies and no mapping outlives the read")
    func plainReadsCopy() throws {
        let url = try Self.writeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let contents = try CheckpointFile.load(contentsOf: url)
        #expect(try contents.tensors.tensors().values.allSatisfy { !$0.storage.isBorrowed })
        #expect(try !Tensor(#require(contents.tensors["a"])).storage.isBorrowed)
    }

    @Test("float32 tensors are lent from the mapping with the file's values; float16 ones are converted copies")
    func lentTensorsHoldTheFilesValues() throws {
        let url = try Self.writeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let tensors = try CheckpointFile.load(contentsOf: url).tensors.tensors(lendingMappedBytes: true)
        let a = try #require(tensors["a"]), h = try #require(tensors["h"])
        #expect(a.storage.isBorrowed)
        #expect(a.scalars == (0..<64).map { Float($0) / 4 })
        #expect(!h.storage.isBorrowed)
        #expect(h.scalars == [1, -2])
    }

    @Test("a float32 tensor that lies unaligned in the file (after an odd number of halves) is copied, with its values")
    func unalignedBytesAreCopied() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("unaligned-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write([("h", try StoredTensor(dtype: .float16, shape: [3], bytes: Data([0x00, 0x3C, 0x00, 0x3C, 0x00, 0x3C]))),
                               ("f", try StoredTensor(shape: [4], floats: [1, 2, 3, 4]))], metadata: [:], to: url)
        let f = try #require(try CheckpointFile.load(contentsOf: url).tensors.tensors(lendingMappedBytes: true)["f"])
        #expect(!f.storage.isBorrowed)
        #expect(f.scalars == [1, 2, 3, 4])
    }

    @Test("writing a lent tensor changes neither the file, nor the stored bytes, nor a second tensor of them")
    func writesStayPrivate() throws {
        let url = try Self.writeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let stored = try #require(try CheckpointFile.load(contentsOf: url).tensors["a"])
        let first = try Tensor(lendingFrom: stored)
        #expect(first.storage.isBorrowed)
        first.assign(Tensor(shape: [8, 8], scalars: [Float](repeating: 7, count: 64)))
        let second = try Tensor(lendingFrom: stored)
        #expect(!second.storage.isBorrowed)
        #expect(second.scalars == (0..<64).map { Float($0) / 4 })
        #expect(try stored.floats() == (0..<64).map { Float($0) / 4 })
        #expect(first.scalars == [Float](repeating: 7, count: 64))
        let reread = try Safetensors.read(contentsOf: url)
        #expect(try reread["a"]?.floats() == (0..<64).map { Float($0) / 4 })
    }

    @Test("a lent tensor keeps its mapping alive after the file's data and state dict are gone")
    func lentTensorOutlivesTheData() throws {
        let url = try Self.writeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        var tensor: Tensor?
        do { tensor = try CheckpointFile.load(contentsOf: url).tensors.tensors(lendingMappedBytes: true)["a"] }
        try FileManager.default.removeItem(at: url)
        #expect(tensor?.storage.isBorrowed == true)
        #expect(tensor?.scalars == (0..<64).map { Float($0) / 4 })
    }

    @Test("a module loaded from a mapped file detaches from it: its tensors get memory of their own, same values")
    func modulesDetachFromTheirFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linear-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Linear(16, 8).saveSafetensors(to: url)
        let layer = Linear(16, 8)
        try layer.load(contentsOf: url)
        let before = layer.stateDictionary().map(\.tensor.scalars)
        #expect(layer.stateDictionary().allSatisfy { $0.tensor.storage.isBorrowed })
        layer.detachFromFiles()
        #expect(layer.stateDictionary().allSatisfy { !$0.tensor.storage.isBorrowed })
        #expect(layer.stateDictionary().map(\.tensor.scalars) == before)
    }

    /// The file is truncated by "another program" (a forked child, which then touches the lost
    /// page): the SIGBUS handler prints one line naming the file and exits with status 1. The
    /// child calls nothing but system calls on memory prepared before the fork.
    @Test("a file truncated under its mapping ends the process with one line naming it and status 1")
    func truncatedFileIsOneLineAndStatusOne() throws {
        #if os(Linux) || os(macOS)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        // Two pages of float32, so that the tensor's second page lies past the truncation.
        let pageFloats = Int(getpagesize()) / 4
        try Safetensors.write([("w", try StoredTensor(shape: [2 * pageFloats], floats: [Float](repeating: 1, count: 2 * pageFloats)))],
                              metadata: [:], to: url)
        let tensor = try #require(try CheckpointFile.load(contentsOf: url).tensors.tensors(lendingMappedBytes: true)["w"])
        #expect(tensor.storage.isBorrowed)
        let lastElement = tensor.readData + 2 * pageFloats - 1
        let descriptor = open(url.path, O_WRONLY)
        #expect(descriptor >= 0)
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        let child = fork()
        if child == 0 {
            dup2(pipeEnds[1], 2)
            ftruncate(descriptor, 0)
            let value = lastElement.pointee          // SIGBUS: the page is past the end of the file
            _exit(value == 1 ? 98 : 99)
        }
        close(pipeEnds[1])
        close(descriptor)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        var message = [UInt8](repeating: 0, count: 4096)
        let count = read(pipeEnds[0], &message, message.count)
        close(pipeEnds[0])
        let text = String(decoding: message.prefix(max(count, 0)), as: UTF8.self)
        #expect(status & 0x7F == 0, "the child was killed by signal \(status & 0x7F)")
        #expect((status >> 8) & 0xFF == 1, "\(text)")
        #expect(text == "Error: \(url.path): the file was truncated or rewritten by another program while in use; run again once it is complete\n")
        // This process's mapping lost the page too; the tensor must not be read again.
        withExtendedLifetime(tensor) {}
        #endif
    }
}
