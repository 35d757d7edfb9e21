import Checkpoints
import Foundation
import Imaging
import Inversion
import StyleGAN

/// libFuzzer's entry point: one input, parsed by the harness `FUZZ_TARGET` names. Any thrown
/// error is a correct answer; a trap, a hang or an allocation beyond libFuzzer's `-rss_limit_mb`
/// is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))
    Harness.current(bytes)
    return 0
}

enum Harness {
    static let current: @Sendable ([UInt8]) -> Void = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let harness = all[name] else {
            FileHandle.standardError.write(Data("FUZZ_TARGET must be one of \(all.keys.sorted().joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return harness
    }()

    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "pickle": { _ = try? Unpickler.load(Data($0), file: "fuzz.pkl") },
        "torch-zip": { _ = try? TorchCheckpoint.load(Data($0), file: "fuzz.pt") },
        "torch-legacy": { _ = try? TorchCheckpoint.load(Data($0), file: "fuzz.pt") },
        "safetensors": { _ = try? Safetensors(Data($0), file: "fuzz.safetensors") },
        "npy": { _ = try? NumpyFile.read(Data($0), file: "fuzz.npy") },
        "png": { _ = try? PNG.decode($0) },
        "jpeg": { _ = try? Image(encoded: $0) },
        "exif": { bytes in
            if let orientation = ExifOrientation.parse(bytes) {
                _ = ExifOrientation.apply(orientation, width: 3, height: 2, channels: 3, pixels: [UInt8](repeating: 7, count: 18))
            }
        },
        "model-config": { bytes in
            // Any checkpoint format; the loaders infer and validate the configurations.
            guard let contents = try? CheckpointFile.load(Data(bytes), file: "fuzz.model") else { return }
            _ = try? GeneratorCheckpoint.load(from: contents, file: "fuzz.model")
            _ = try? StylePrompterCheckpoint.load(from: contents, file: "fuzz.model")
        },
    ]
}

/// libFuzzer's driver, linked in by `-sanitize=fuzzer`.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main` (and defines `main` as it), so the
/// harness hands control to libFuzzer's driver from there instead of libFuzzer's own `main`.
@_cdecl("Fuzzers_main")
public func fuzzersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { start, size in fuzzOneInput(start, size) }
}
