import Foundation
import StylePrompter
import Testing

// The getting-started article's example, verbatim (a test below checks that the article still
// shows exactly this code), so that the documentation compiles and runs.
// BEGIN EXAMPLE
func smile(photo: URL, into output: URL) throws {
    let inverter = try Inverter()                                   // or Inverter(contentsOf: checkpointURL)
    let face = try inverter.invert(contentsOf: [photo])[0]          // W+ latents, SMART features, reconstruction
    let smile = try Edit.load(contentsOf: DefaultModel.direction("smile")!)
    let edited = try inverter.render(face, edit: smile, strength: 10)
    try edited.write(to: output)                                    // PNG or JPEG by extension
}
// END EXAMPLE

@Suite struct GettingStartedTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("getting-started-\(UUID().uuidString)")

    @Test("the article's example runs: a photo in, an edited photo out")
    func exampleRuns() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = folder.appendingPathComponent("face.png"), output = folder.appendingPathComponent("smiling.png")
        // A face the default model knows: rendered by SynthFaces' evaluation range via the inverter's own size.
        let inverter = try Inverter()
        let reconstruction = try inverter.invert([Image(width: 64, height: 64, red: 200, green: 160, blue: 140)])[0].reconstruction
        try reconstruction.write(to: photo)
        try smile(photo: photo, into: output)
        let edited = try Image(contentsOf: output)
        #expect(edited.width == 64 && edited.height == 64)
    }

    @Test("the article shows exactly the code this file compiles")
    func articleMatchesThisFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(contentsOf: root.appendingPathComponent("Sources/StylePrompter/StylePrompter.docc/GettingStarted.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let example = try #require(source.components(separatedBy: "// BEGIN EXAMPLE\n").last?.components(separatedBy: "// END EXAMPLE").first)
        #expect(article.contains("```swift\nimport Foundation\nimport StylePrompter\n\n" + example + "```"))
        #expect(example.split(separator: "\n").count <= 10)
    }

    @Test("every kind of edit applies the same way, and strength 0 leaves the latents as they are")
    func editsApplyAlike() throws {
        let inverter = try Inverter()
        let face = try inverter.invert([Image(width: 64, height: 64, red: 90, green: 120, blue: 200)])[0]
        let other = try inverter.invert([Image(width: 64, height: 64, red: 220, green: 200, blue: 90)])[0]
        let n = face.latents.shape[1], d = face.latents.shape[2]
        let edits: [Edit] = [.direction(Tensor(shape: [1, d], scalars: [1] + [Float](repeating: 0, count: d - 1))), .sefa(index: 0),
                             .interpolate(to: other.latents), .styleMix(other.latents, layers: 0..<(n / 2))]
        for edit in edits {
            let unchanged = try edit.apply(to: face.latents, strength: 0, generator: inverter.model.generator)
            #expect(zip(unchanged.scalars, face.latents.scalars).allSatisfy { abs($0 - $1) < 1e-6 }, "\(edit)")
            let moved = try edit.apply(to: face.latents, strength: 1, generator: inverter.model.generator)
            #expect(zip(moved.scalars, face.latents.scalars).contains { abs($0 - $1) > 1e-4 }, "\(edit)")
            _ = try inverter.render(face, edit: edit, strength: 1)
        }
        #expect(throws: EditError.self) { try Edit.sefa(index: -1).apply(to: face.latents, strength: 1, generator: inverter.model.generator) }
        #expect(throws: EditError.self) { try Edit.direction(Tensor(shape: [1, d], scalars: [Float](repeating: 0, count: d))).apply(to: face.latents, strength: .nan, generator: inverter.model.generator) }
    }
}
