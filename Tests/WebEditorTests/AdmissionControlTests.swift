import Foundation
import Testing
import WebEditor

/// The concurrency limits on their own: running, waiting in order, refused when full.
@Suite struct AdmissionControlTests {
    /// A latch a test opens to let admitted work finish.
    actor Gate {
        private var open = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if open { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func release() {
            open = true
            waiters.forEach { $0.resume() }
            waiters = []
        }
    }

    @Test func overflowIsRefusedAndTheQueueDrainsInOrder() async throws {
        let admission = AdmissionControl(concurrent: 1, queued: 2, perClient: 10)
        let gate = Gate()
        let order = OrderLog()
        var tasks: [Task<Void, any Error>] = []
        for k in 0..<3 {
            tasks.append(Task {
                try await admission.admitted(client: "a") {
                    await order.append(k)
                    await gate.wait()
                }
            })
            // Let each reach its place in line before the next arrives.
            while await admission.load.running + admission.load.waiting < k + 1 { await Task.yield() }
        }
        await #expect(throws: AdmissionControl.Refusal.queueFull) {
            try await admission.admitted(client: "b") {}
        }
        await gate.release()
        for task in tasks { try await task.value }
        #expect(await order.values == [0, 1, 2])
        let load = await admission.load
        #expect(load.running == 0 && load.waiting == 0)
        #expect(await admission.refusals == 1)
    }

    @Test func oneClientCannotTakeEveryPlace() async throws {
        let admission = AdmissionControl(concurrent: 1, queued: 8, perClient: 2)
        let gate = Gate()
        let first = Task { try await admission.admitted(client: "greedy") { await gate.wait() } }
        let second = Task { try await admission.admitted(client: "greedy") { await gate.wait() } }
        while await admission.load.running + admission.load.waiting < 2 { await Task.yield() }
        await #expect(throws: AdmissionControl.Refusal.clientBusy) {
            try await admission.admitted(client: "greedy") {}
        }
        // Another client still gets a place in line.
        let other = Task { try await admission.admitted(client: "polite") { 7 } }
        await gate.release()
        try await first.value
        try await second.value
        #expect(try await other.value == 7)
    }

    actor OrderLog {
        var values: [Int] = []
        func append(_ value: Int) { values.append(value) }
    }
}

/// Uploads are judged by their bytes: magic numbers and header sizes.
@Suite struct UploadedPhotoTests {
    @Test func headerSizesAreReadWithoutDecoding() throws {
        let photo = EditorFixtures.photo(width: 120, height: 80)
        let png = photo.pngData(), jpeg = photo.jpegData()
        #expect(UploadedPhoto.format(of: png) == .png && UploadedPhoto.format(of: jpeg) == .jpeg)
        for (bytes, format) in [(png, UploadedPhoto.Format.png), (jpeg, .jpeg)] {
            let size = try #require(UploadedPhoto.dimensions(of: bytes, format: format))
            #expect(size.width == 120 && size.height == 80, "\(format)")
        }
        #expect(UploadedPhoto.format(of: Array("<svg/>".utf8)) == nil)
        // Every prefix of a JPEG either has no size yet or the right one, and never traps.
        for length in stride(from: 0, to: min(jpeg.count, 700), by: 3) {
            if let size = UploadedPhoto.dimensions(of: Array(jpeg.prefix(length)), format: .jpeg) {
                #expect(size.width == 120 && size.height == 80)
            }
        }
        #expect(try UploadedPhoto.decode(png, maximumPixels: 10_000).width == 120)
        #expect(throws: EditorError.self) { try UploadedPhoto.decode(png, maximumPixels: 9_000) }
    }
}
