import ArgumentParser
import DefaultModel
import Foundation
import Testing

import StylePrompterCLI

/// `styleprompter serve`'s arguments: absurd ones are one-line validation errors naming the
/// subcommand, and the sliders come from the files given or the bundled model's directions.
/// (The server itself is tested in WebEditorTests; `Scripts/load_test_serve.sh` runs the binary.)
@Suite struct ServeCommandTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("InversionTests/Fixtures/stylePrompter_small.pt").path

    private func message(_ arguments: [String]) -> String {
        do {
            var command = try StylePrompterCommand.parseAsRoot(arguments)
            try command.run()
        } catch {
            var message = StylePrompterCommand.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            #expect(!message.isEmpty && !message.contains("\n"), "\(arguments): \(message)")
            return message
        }
        Issue.record("\(arguments) succeeded")
        return ""
    }

    @Test func absurdArgumentsAreValidationErrors() {
        for (arguments, expected) in [
            (["--port", "70000"], "serve: --port 70000 is outside 0…65535"),
            (["--preview-size", "48"], "serve: --preview-size 48 is not a power of two"),
            (["--max-sessions", "0"], "serve: --max-sessions must be in 1…100000"),
            (["--max-upload-mib", "0"], "serve: --max-upload-mib must be in 1…1024"),
            (["--per-client", "0"], "serve: --per-client must be in 1…10000"),
            (["--no-smart"], "serve: --no-smart does not apply"),
            (["--all-faces"], "serve: --all-faces does not apply"),
            (["--log-level", "loud"], "serve: --log-level 'loud' is not one of"),
            (["--beta", "1,nan"], "--beta '1,nan'"),
            (["--directions", "/nonexistent/directions"], "serve: /nonexistent/directions: no such file or folder"),
            (["--model", Self.model, "--align", "--mtcnn", "/nonexistent/mtcnn"], "/nonexistent/mtcnn"),
        ] {
            let text = message(["serve"] + arguments)
            #expect(text.contains(expected), "\(arguments): \(text)")
        }
    }

    @Test func slidersComeFromTheFilesGivenOrTheBundledDirections() throws {
        let withModel = try ServeCommand.parse(["--model", Self.model])
        #expect(try withModel.sliderSources().files.isEmpty)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-directions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["b.npy", "a.pt", "notes.txt"] { try Data().write(to: folder.appendingPathComponent(name)) }
        let given = try ServeCommand.parse(["--model", Self.model, "--directions", folder.path, "--sefa-count", "2"])
        let sources = try given.sliderSources()
        #expect(sources.files.map(\.label) == ["a", "b"] && sources.sefaCount == 2)
        if FileManager.default.fileExists(atPath: DefaultModel.directions.path) {
            let bundled = try ServeCommand.parse([]).sliderSources()
            #expect(bundled.files.map(\.label) == DefaultModel.demoEdits.map(\.title))
        }
    }
}
