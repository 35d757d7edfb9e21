import ArgumentParser
import DefaultModel
import Faces
import Foundation
import Logging
import WebEditor

/// `styleprompter serve`: the web editor on the bundled model, or on `--model`.
package struct ServeCommand: StylePrompterSubcommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The web editor: drop a photo, see it inverted, move a slider per direction and for SMART's β, download the result.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(parsing: .upToNextOption, help: "Direction files or folders of them (.pt/.pth/.npy/.safetensors; GANSpace files give a slider per leading component). Default: the bundled model's directions when --model is not given.")
    var directions: [String] = []
    @Option(help: "A GANSpace PCA file {mean, comp, std}: a slider for each of its leading --ganspace-components.")
    var ganspace: String?
    @Option(help: "Sliders per GANSpace file (its leading components).") var ganspaceComponents = 8
    @Option(help: "Sliders for the generator's strongest SeFa directions (0 for none).") var sefaCount = 5
    @Option(help: "Address to listen on (loopback by default: the editor has no authentication).") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Side of live previews while a slider moves, a power of two (default: a quarter of the model's output, 32…256).")
    var previewSize: Int?
    @Option(help: "Sessions (uploaded photos) kept; the least recently used goes first.") var maxSessions = 32
    @Option(help: "MiB all sessions together may hold.") var sessionMemoryMib = 512
    @Option(help: "Largest upload accepted, in MiB.") var maxUploadMib = 16
    @Option(help: "Model requests waiting beyond the one running (429 when full).") var queue = 8
    @Option(help: "Model requests one client may have running or waiting at once.") var perClient = 4
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Flag(help: "Offer face alignment on upload (MTCNN) and show the edit pasted back into the photo; needs --mtcnn DIR or $STYLEPROMPTER_MTCNN.")
    var align = false
    @OptionGroup var detection: DetectionOptions
    @OptionGroup var compute: ComputeOptions

    package func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("serve: --port \(port) is outside 0…65535") }
        guard !host.isEmpty else { throw ValidationError("serve: --host is empty") }
        if let previewSize, !(previewSize >= 4 && previewSize <= 4096 && previewSize & (previewSize - 1) == 0) {
            throw ValidationError("serve: --preview-size \(previewSize) is not a power of two in 4…4096")
        }
        guard (1...100_000).contains(maxSessions) else { throw ValidationError("serve: --max-sessions must be in 1…100000") }
        guard (16...1 << 20).contains(sessionMemoryMib) else { throw ValidationError("serve: --session-memory-mib must be in 16…1048576") }
        guard (1...1024).contains(maxUploadMib) else { throw ValidationError("serve: --max-upload-mib must be in 1…1024") }
        guard (0...10_000).contains(queue) else { throw ValidationError("serve: --queue must be in 0…10000") }
        guard (1...10_000).contains(perClient) else { throw ValidationError("serve: --per-client must be in 1…10000") }
        guard (0...4096).contains(sefaCount) else { throw ValidationError("serve: --sefa-count must be in 0…4096") }
        guard (1...4096).contains(ganspaceComponents) else { throw ValidationError("serve: --ganspace-components must be in 1…4096") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("serve: --log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical") }
        if modelOptions.noSmart { throw ValidationError("serve: --no-smart does not apply (the page shows both inversions)") }
        if detection.allFaces { throw ValidationError("serve: --all-faces does not apply (the editor takes the largest face)") }
    }

    /// The sliders' files: those given, or the bundled model's directions when the model is the bundled one.
    package func sliderSources() throws -> SliderSources {
        var files: [SliderSources.File]
        if !directions.isEmpty {
            files = try CommandErrors.reporting { try SliderSources.directionFiles(in: directions) }
        } else if modelOptions.model == nil {
            files = DefaultModel.demoEdits.compactMap { edit in
                DefaultModel.editDirection(edit.name).map { SliderSources.File(label: edit.title, url: $0) }
            }
        } else {
            files = []
        }
        if let ganspace {
            files += try CommandErrors.reporting { try SliderSources.directionFiles(in: [ganspace]) }
        }
        return SliderSources(files: files, sefaCount: sefaCount, ganspaceComponents: ganspaceComponents)
    }

    func execute() throws {
        try compute.apply()
        let sources = try sliderSources()
        let weights = try modelOptions.weights()
        let detector = align ? try detection.detector() : nil
        let model = try modelOptions.load()
        // A server runs for days: a checkpoint rewritten in place meanwhile must not stop it, so
        // its weights are copied out of the file's mapping.
        model.detachFromFiles()
        var limits = EditorLimits()
        limits.maximumSessions = maxSessions
        limits.sessionMemoryBytes = sessionMemoryMib << 20
        limits.maximumUploadBytes = maxUploadMib << 20
        limits.queuedRequests = queue
        limits.requestsPerClient = perClient
        // Standard error, as the tool's other status lines (standard output prints the address).
        var logger = Logger(label: "styleprompter.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel)!
        let server = try CommandErrors.reporting {
            try EditorServer(model: model, sliders: sources, detector: detector,
                             configuration: .init(host: host, port: port, limits: limits, previewSize: previewSize, defaultWeights: weights),
                             logger: logger)
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        try BlockingAsync.run {
            try await server.run { port in
                // Unbuffered, so that a script reading the pipe sees the port at once.
                let line = "serving the web editor at http://\(shownHost):\(port)/ (Ctrl-C to stop)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        }
    }
}
