// swift-tools-version:6.0
// libFuzzer harnesses for every parser of the main package, kept in their own package so that
// `swift build` / `swift test` of the main package never see the fuzzer flags.
//
//     Scripts/fuzz.sh TARGET SECONDS      # TARGET: pickle torch-zip torch-legacy safetensors npy png jpeg exif model-config
//
// One executable holds every harness; FUZZ_TARGET picks one. It is built with
// `-sanitize=fuzzer` (libFuzzer provides `main`), so every module is built as a library.
import Foundation
import PackageDescription

/// A path dependency's identity is its folder's name (`main`, a worktree's name, …).
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "StylePrompterFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "Fuzzers",
            dependencies: [
                .product(name: "StylePrompterKit", package: mainPackage),
            ]),
    ]
)
