// swift-tools-version:6.0
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
        .library(name: "StylePrompterKit", targets: ["CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "Training", "SynthFaces", "Faces", "DefaultModel"]),
        .executable(name: "styleprompter", targets: ["styleprompter"]),
        .executable(name: "styleprompter-bench", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CPUKernels", swiftSettings: numericSettings),
        .target(name: "Tensors", dependencies: ["CPUKernels"], swiftSettings: numericSettings),
        .target(name: "NeuralNetwork", dependencies: ["Tensors"], swiftSettings: numericSettings),
        .target(name: "Checkpoints", dependencies: ["Tensors", "NeuralNetwork"], swiftSettings: numericSettings),
        .target(name: "Imaging", dependencies: ["CPUKernels", "Tensors"], swiftSettings: numericSettings),
        .target(name: "StyleGAN", dependencies: ["CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints"], swiftSettings: numericSettings),
        .target(name: "Perceptual", dependencies: ["CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints"], swiftSettings: numericSettings),
        .target(name: "Inversion", dependencies: ["Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN"],
                swiftSettings: numericSettings),
        .target(name: "Training", dependencies: ["Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "SynthFaces"],
                swiftSettings: numericSettings),
        .target(name: "SynthFaces", dependencies: ["Imaging"], swiftSettings: numericSettings),
        .target(name: "DefaultModel", resources: [.copy("Resources")]),
        .target(name: "Faces", dependencies: ["CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging"], swiftSettings: numericSettings),
        .executableTarget(
            name: "styleprompter",
            dependencies: [
                "CPUKernels", "Tensors", "NeuralNetwork", "Checkpoints", "Imaging", "StyleGAN", "Inversion", "Perceptual", "Training", "SynthFaces", "Faces", "DefaultModel",
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
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "InversionTests", dependencies: ["Inversion", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "PerceptualTests", dependencies: ["Perceptual", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "CommandLineTests", dependencies: ["styleprompter", "Checkpoints", "Imaging", "SynthFaces", "TestSupport"],
                    swiftSettings: numericSettings),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Imaging", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "StyleGANTests", dependencies: ["StyleGAN", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "FacesTests", dependencies: ["Faces", "Imaging", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
        .testTarget(name: "SynthFacesTests", dependencies: ["SynthFaces", "TestSupport"], swiftSettings: numericSettings),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "NeuralNetwork", "TestSupport"], exclude: ["Fixtures"], swiftSettings: numericSettings),
    ]
)
