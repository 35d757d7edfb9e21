// swift-tools-version:6.1
// StylePrompter in Swift: GAN inversion and editing for StyleGAN2 on the CPU.
//
// No unsafe flags, so the package can be a versioned dependency. The hot loops are C
// (`CPUKernelVariants`), compiled once per instruction-set level with target attributes (AVX-512,
// AVX2+FMA, SSE2 on x86-64; NEON on arm64) and chosen at run time by CPU features
// (`KernelDispatch`; `STYLEPROMPTER_KERNELS=baseline|avx2|avx512|neon` forces one). Build and test
// with `-c release`: a debug build compiles those kernels unoptimised (`CPUKernelsTests.SpeedCheck`
// says so loudly).
import PackageDescription

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
        // The kernels' inner loops per instruction-set level, in C for its target attributes.
        .target(name: "CPUKernelVariants"),
        .target(name: "CPUKernels", dependencies: ["CPUKernelVariants"]),
        // Open MPI through pkg-config; only the `MPI` trait imports it.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Rank, size and the collectives training needs; one process without the trait.
        .target(name: "MessagePassing", dependencies: ["FileAccess", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "Tensors", dependencies: ["CPUKernels", "CPUKernelVariants"]),
        .target(name: "NeuralNetwork", dependencies: ["FileAccess", "Tensors"]),
        // Plain sentences for paths that cannot be read, shared by every reader of files.
        .target(name: "FileAccess"),
        .target(name: "Checkpoints", dependencies: ["FileAccess", "CPUKernels", "CPUKernelVariants", "Tensors", "NeuralNetwork"]),
        .target(name: "Imaging", dependencies: ["CPUKernels", "FileAccess", "Tensors"]),
        .target(name: "StyleGAN", dependencies: ["FileAccess", "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints"]),
        .target(name: "Perceptual", dependencies: ["FileAccess", "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints"]),
        .target(name: "Inversion", dependencies: ["FileAccess", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN"]),
        .target(name: "Training", dependencies: ["FileAccess", "MessagePassing", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "SynthFaces"]),
        .target(name: "SynthFaces", dependencies: ["Imaging"]),
        .target(name: "DefaultModel", dependencies: ["SynthFaces"], resources: [.copy("Resources")]),
        // The library pipeline an app imports: `import StylePrompter`.
        .target(name: "StylePrompter", dependencies: ["Checkpoints", "DefaultModel", "FileAccess", "Imaging", "Inversion", "StyleGAN", "Tensors"]),
        .target(name: "Faces", dependencies: ["FileAccess", "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging"]),
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
            ]),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["CPUKernels", "Tensors", "NeuralNetwork", "StyleGAN", "Inversion", "Perceptual", "Training", "Imaging"]),
        .target(name: "TestSupport", dependencies: ["Tensors", "Checkpoints"], path: "Tests/TestSupport"),
        .testTarget(name: "CPUKernelsTests", dependencies: ["CPUKernels", "CPUKernelVariants"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ImagingTests", dependencies: ["CPUKernels", "FileAccess", "Imaging", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "InversionTests", dependencies: ["Inversion", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PerceptualTests", dependencies: ["Perceptual", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CommandLineTests", dependencies: ["StylePrompterCLI", "Checkpoints", "Faces", "FileAccess", "Imaging", "MessagePassing", "NeuralNetwork", "StyleGAN", "Tensors", "SynthFaces", "DefaultModel", "Inversion", "Perceptual", "Training", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["CPUKernels", "Training", "Imaging", "SynthFaces", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "StyleGANTests", dependencies: ["StyleGAN", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FacesTests", dependencies: ["Faces", "Imaging", "TestSupport"], exclude: ["Fixtures"]),
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
        .testTarget(name: "SynthFacesTests", dependencies: ["SynthFaces", "TestSupport"]),
        .testTarget(name: "StylePrompterTests", dependencies: ["StylePrompter"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "NeuralNetwork", "TestSupport"], exclude: ["Fixtures"]),
    ]
)
