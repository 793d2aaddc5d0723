// swift-tools-version:6.0
// nasdata: the data side of NAS-Bench-201, in Swift.
//
// Module map (dependencies point downwards only):
//   C* system libraries (pkg-config)       CHDF5 CZlib CPNG CTurboJPEG COpenBLAS CCrypto
//   Tensors       dtype + dense tensor, shared by every format
//   HDF5          typed layer over libhdf5 (h5py-like File/Group/Dataset/Attribute)
//   HDF5Schema    versioned layout descriptions (Schemas/*.json) and their checker
//   NASDataIO     atomic output, gzip/tar streams, progress reporting
//   Checksums     streaming MD5/SHA-256 (OpenSSL libcrypto)
//   Pickle        restricted unpickler (executes nothing) and a small pickler
//   TorchFormats  torch .pth (legacy + zip), safetensors, .npy
//   NASBench      search space, canonical index, costs, results, benchmark HDF5 + queries
//   NASDatasets   CIFAR and ImageNet16-120 builders, image codecs, previews
//   TinyNetwork   the NB201 training network, eval-mode forward on the CPU
//   WeightArchive the packed full-weight archive
//   Verify        integrity checks of everything a user downloads or makes
//   NASSearch     the query-based NAS algorithms (random, REA, REINFORCE, BOHB) on the benchmark, results, plots
//   nasdata       the command-line program (one file a subcommand)
import PackageDescription

func system(_ name: String, _ pkgConfig: String, _ apt: [String]) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt(apt)])
}

// Test targets may use any library module (fixtures often cross modules); listing
// them once keeps Package.swift from conflicting every time a test needs one more.
let libraryModules: [Target.Dependency] = [
    "Tensors", "HDF5", "HDF5Schema", "NASDataIO", "Checksums", "Pickle", "TorchFormats",
    "NASBench", "NASDatasets", "TinyNetwork", "WeightArchive", "Verify", "NASSearch",
]

let package = Package(
    name: "nasdata",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nasdata", targets: ["nasdata"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "HDF5Schema", targets: ["HDF5Schema"]),
        .library(name: "NASDataIO", targets: ["NASDataIO"]),
        .library(name: "Checksums", targets: ["Checksums"]),
        .library(name: "Pickle", targets: ["Pickle"]),
        .library(name: "TorchFormats", targets: ["TorchFormats"]),
        .library(name: "NASBench", targets: ["NASBench"]),
        .library(name: "NASDatasets", targets: ["NASDatasets"]),
        .library(name: "TinyNetwork", targets: ["TinyNetwork"]),
        .library(name: "WeightArchive", targets: ["WeightArchive"]),
        .library(name: "Verify", targets: ["Verify"]),
        .library(name: "NASSearch", targets: ["NASSearch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        system("CHDF5", "hdf5", ["libhdf5-dev"]),
        system("CZlib", "zlib", ["zlib1g-dev"]),
        system("CPNG", "libpng", ["libpng-dev"]),
        system("CTurboJPEG", "libturbojpeg", ["libturbojpeg0-dev"]),
        system("COpenBLAS", "openblas", ["libopenblas-dev"]),
        system("CCrypto", "libcrypto", ["libssl-dev"]),

        .target(name: "Tensors"),
        .target(name: "HDF5", dependencies: ["CHDF5", "CZlib", "Tensors"]),
        .target(name: "HDF5Schema", dependencies: ["HDF5"]),
        .target(name: "NASDataIO", dependencies: ["CZlib"]),
        .target(name: "Checksums", dependencies: ["CCrypto", "NASDataIO"]),
        .target(name: "Pickle", dependencies: ["Tensors"], exclude: ["README.md"]),
        .target(name: "TorchFormats", dependencies: ["Pickle", "Tensors", "NASDataIO", "Checksums", "CZlib"]),
        .target(name: "NASBench", dependencies: ["HDF5", "HDF5Schema", "Pickle", "TorchFormats", "Tensors", "NASDataIO", "Checksums"]),
        .target(name: "NASDatasets", dependencies: ["NASBench", "HDF5", "HDF5Schema", "Pickle", "TorchFormats", "Tensors", "NASDataIO", "Checksums", "CPNG", "CTurboJPEG", "CZlib"]),
        .target(name: "TinyNetwork", dependencies: ["NASBench", "Tensors", "TorchFormats", "Pickle", "NASDataIO", "COpenBLAS"]),
        .target(name: "WeightArchive", dependencies: ["NASBench", "HDF5", "HDF5Schema", "TorchFormats", "Pickle", "Tensors", "NASDataIO", "Checksums", "CZlib", "CHDF5"]),
        .target(name: "Verify", dependencies: ["NASBench", "NASDatasets", "WeightArchive", "TinyNetwork", "HDF5", "HDF5Schema", "TorchFormats", "Pickle", "NASDataIO", "Checksums"]),
        .target(name: "NASSearch", dependencies: ["NASBench", "NASDatasets", "HDF5", "HDF5Schema", "NASDataIO", "Checksums"]),
        .executableTarget(name: "nasdata", dependencies: [
            "NASSearch", "Verify", "WeightArchive", "TinyNetwork", "NASDatasets", "NASBench", "TorchFormats", "Pickle",
            "HDF5", "HDF5Schema", "NASDataIO", "Checksums", "Tensors",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Locates Tests/Fixtures for every test target; not a product.
        .target(name: "FixtureSupport", path: "Tests/FixtureSupport"),
        .testTarget(name: "TensorsTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "NASDataIOTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "ChecksumsTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "PickleTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "TorchFormatsTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "NASBenchTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "NASDatasetsTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "TinyNetworkTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "WeightArchiveTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "VerifyTests", dependencies: libraryModules + ["FixtureSupport"]),
        .testTarget(name: "NASSearchTests", dependencies: libraryModules + ["FixtureSupport"]),
    ]
)
