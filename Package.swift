// swift-tools-version:6.1
// StylePrompter in Swift: GAN inversion and editing for StyleGAN2 on the CPU.
//
// Kernels are compiled optimised and for the host CPU in every configuration, so `swift test`
// (debug) and `swift run -c release` both get AVX-512/AVX2 FMAs. Without a target-CPU flag
// Swift builds for baseline x86-64: SIMD16<Float> is split into SSE registers and every FMA
// becomes a library call (~120x slower GEMM). `CPUKernels.SpeedCheck` fails loudly if that
// ever happens.
import PackageDescription

#if arch(x86_64)
let hostCPU: [String] = ["-Xcc", "-march=native"]
#else
let hostCPU: [String] = []
#endif

/// Numeric code is optimised even in debug builds: tests run whole models.
let numericSettings: [SwiftSetting] = [.unsafeFlags(["-O"] + hostCPU)]

let package = Package(
    name: "StylePrompter",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "StylePrompterKit", targets: ["CPUKernels", "MessagePassing", "FileAccess", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "Training", "SynthFaces", "Faces", "DefaultModel"]),
        // The web editor on its own, so that the kit does not pull in an HTTP server.
        .library(name: "StylePrompterWebEditor", targets: ["WebEditor"]),
        .library(name: "StylePrompter", targets: ["StylePrompter"]),
        .executable(name: "styleprompter", targets: ["StylePrompterCLI"]),
        .executable(name: "styleprompter-bench", targets: ["Benchmarks"]),
    ],
    // `swift build --traits MPI` (Open MPI's libopenmpi-dev installed) builds `--distributed`
    // training and inversion; without it the package needs no MPI and runs single-process.
    traits: [.trait(name: "MPI", description: "Data-parallel training and sharded inversion over Open MPI (needs libopenmpi-dev)")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Tests only: the WebSocket client that drives headless Chromium over the DevTools
        // protocol, and the HTTP client of the load test (both already in Hummingbird's graph).
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
    ],
    targets: [
        .target(name: "CPUKernels", swiftSettings: numericSettings),
        // Open MPI through pkg-config; only the `MPI` trait imports it.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Rank, size and the collectives training needs; one process without the trait.
        .target(name: "MessagePassing", dependencies: ["FileAccess", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "Tensors", dependencies: ["CPUKernels"], swiftSettings: numericSettings),
        .target(name: "NeuralNetwork", dependencies: ["FileAccess", "Tensors"], swiftSettings: numericSettings),
        // Plain sentences for paths that cannot be read, shared by every reader of files.
        .target(name: "FileAccess"),
        .target(name: "Checkpoints", dependencies: ["FileAccess", "Tensors", "NeuralNetwork"], swiftSettings: numericSettings),
        .target(name: "Imaging", dependencies: ["CPUKernels", "FileAccess", "Tensors"], swiftSettings: numericSettings),
        .target(name: "StyleGAN", dependencies: ["FileAccess", "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints"], swiftSettings: numericSettings),
        .target(name: "Perceptual", dependencies: ["FileAccess", "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints"], swiftSettings: numericSettings),
        .target(name: "Inversion", dependencies: ["FileAccess", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN"],
                swiftSettings: numericSettings),
        .target(name: "Training", dependencies: ["FileAccess", "MessagePassing", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "SynthFaces"],
                swiftSettings: numericSettings),
        .target(name: "SynthFaces", dependencies: ["Imaging"], swiftSettings: numericSettings),
        .target(name: "DefaultModel", resources: [.copy("Resources")]),
        // The library pipeline an app imports: `import StylePrompter`.
        .target(name: "StylePrompter", dependencies: ["Checkpoints", "DefaultModel", "FileAccess", "Imaging", "Inversion", "StyleGAN", "Tensors"],
                swiftSettings: numericSettings),
        .target(name: "Faces", dependencies: ["FileAccess", "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging"], swiftSettings: numericSettings),
        .target(
            name: "WebEditor",
            dependencies: [
                "FileAccess", "Tensors", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Faces",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Page")]),
        .executableTarget(
            name: "StylePrompterCLI",
            dependencies: [
                "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "Training", "SynthFaces", "Faces", "DefaultModel", "WebEditor", "StylePrompter", "MessagePassing", "FileAccess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: numericSettings),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["CPUKernels", "Tensors", "NeuralNetwork", "StyleGAN", "Inversion", "Perceptual", "Training"],
            swiftSettings: numericSettings),
        .target(name: "TestSupport", dependencies: ["Tensors", "Checkpoints"], path: "Tests/TestSupport",
                swiftSettings: numericSettings),
        .testTarget(name: "CPUKernelsTests", dependencies: ["CPUKernels"], swiftSettings: numericSettings),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "ImagingTests", dependencies: ["CPUKernels", "FileAccess", "Imaging", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "InversionTests", dependencies: ["Inversion", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "PerceptualTests", dependencies: ["Perceptual", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "CommandLineTests", dependencies: ["StylePrompterCLI", "Checkpoints", "Faces", "FileAccess", "Imaging", "MessagePassing", "NeuralNetwork", "StyleGAN", "Tensors", "SynthFaces", "DefaultModel", "Inversion", "Perceptual", "Training", "TestSupport"],
                    swiftSettings: numericSettings),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Imaging", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "StyleGANTests", dependencies: ["StyleGAN", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "FacesTests", dependencies: ["Faces", "Imaging", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(
            name: "WebEditorTests",
            dependencies: [
                "WebEditor", "Inversion", "StyleGAN", "Imaging", "Checkpoints", "Tensors", "DefaultModel", "SynthFaces", "Faces", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .testTarget(name: "SynthFacesTests", dependencies: ["SynthFaces", "TestSupport"], swiftSettings: numericSettings),
        .testTarget(name: "StylePrompterTests", dependencies: ["StylePrompter"], swiftSettings: numericSettings),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "NeuralNetwork", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
    ]
)
