// swift-tools-version:6.0
// nasdata: the data side of NAS-Bench-201, in Swift.
//
// Module map (dependencies point downwards only; each target lists exactly the modules
// it imports, which Tools/check-package-map.py checks as part of Tools/test.sh):
//   C* system libraries (pkg-config)       CHDF5 CZlib CPNG CTurboJPEG COpenBLAS CCrypto
//                      (linked by name)    CBZ2 (Debian's libbz2-dev ships no .pc file)
//   EmbeddedFiles files built into the executable (Schemas/*.json, Data/nb201-splits), from the
//                 C table CEmbeddedFiles that Tools/embed-resources.py generates
//   Tensors       dtype + dense tensor, shared by every format
//   Concurrency   the ordered worker pool, the bounded parallel map, the locked box
//   Compression   the zlib wrapper: deflate/inflate, CRC-32, Huffman-only deflate, byte shuffle
//   HDF5          typed layer over libhdf5 (h5py-like File/Group/Dataset/Attribute); the only
//                 module that imports CHDF5
//   HDF5Schema    versioned layout descriptions (Schemas/*.json) and their checker
//   NASDataIO     atomic output, gzip/bz2/tar streams, progress reporting
//   Checksums     streaming MD5/SHA-256 (OpenSSL libcrypto)
//   Pickle        restricted unpickler (executes nothing) and a small pickler
//   TorchFormats  torch .pth (legacy + zip), safetensors, .npy
//   NASCore       the vocabulary: search spaces (topology cells, size-space channels) and the
//                 one index-or-string selector, operation, data set, schedule, run key,
//                 network config (both networks' layer plan) and its parameter list
//   NASBench      canonical results, costs, benchmark HDF5 + queries
//   ImageSet      the nb201-dataset image-set format (writer, reader, digest, integrity,
//                 layout, known originals)
//   ImageCodecs   JPEG (libjpeg-turbo) and PNG (libpng) decoding as Pillow does it, PNG writing,
//                 contact sheets and a bitmap font (previews, plots)
//   NASDatasets   CIFAR and ImageNet16-120 builders
//   TinyNetwork   the NB201 / NATS-Bench training networks (TinyNetwork, DynamicShapeTinyNet),
//                 eval-mode forward on the CPU
//   WeightArchive the packed full-weight archive
//   Verify        integrity checks of everything a user downloads or makes
//   Reload        one run's weights into the network, evaluated and exported (reload);
//                 a batch of images through a network (forward)
//   SelfTest      the HDF5 write/read self-test (selftest)
//   NASSearch     the query-based NAS algorithms (random, REA, REINFORCE, BOHB) on the benchmark, results, plots
//   nasdata       the command-line program (one file a subcommand)
import PackageDescription

func system(_ name: String, _ pkgConfig: String, _ apt: [String]) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt(apt)])
}

let package = Package(
    name: "nasdata",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nasdata", targets: ["nasdata"]),
        .library(name: "EmbeddedFiles", targets: ["EmbeddedFiles"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Concurrency", targets: ["Concurrency"]),
        .library(name: "Compression", targets: ["Compression"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "HDF5Schema", targets: ["HDF5Schema"]),
        .library(name: "NASDataIO", targets: ["NASDataIO"]),
        .library(name: "Checksums", targets: ["Checksums"]),
        .library(name: "Pickle", targets: ["Pickle"]),
        .library(name: "TorchFormats", targets: ["TorchFormats"]),
        .library(name: "NASCore", targets: ["NASCore"]),
        .library(name: "NASBench", targets: ["NASBench"]),
        .library(name: "ImageSet", targets: ["ImageSet"]),
        .library(name: "ImageCodecs", targets: ["ImageCodecs"]),
        .library(name: "NASDatasets", targets: ["NASDatasets"]),
        .library(name: "TinyNetwork", targets: ["TinyNetwork"]),
        .library(name: "WeightArchive", targets: ["WeightArchive"]),
        .library(name: "Verify", targets: ["Verify"]),
        .library(name: "Reload", targets: ["Reload"]),
        .library(name: "SelfTest", targets: ["SelfTest"]),
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
        // No pkg-config file on Debian bookworm: the modulemap links "bz2" by name.
        .systemLibrary(name: "CBZ2", path: "Sources/CBZ2", providers: [.apt(["libbz2-dev"])]),

        // Generated data, not a C library: Tools/embed-resources.py writes embedded_files.c.
        .target(name: "CEmbeddedFiles"),
        .target(name: "EmbeddedFiles", dependencies: ["CEmbeddedFiles"]),
        .target(name: "Tensors"),
        .target(name: "Concurrency"),
        .target(name: "Compression", dependencies: ["CZlib"]),
        .target(name: "HDF5", dependencies: ["CHDF5", "Tensors"]),
        .target(name: "HDF5Schema", dependencies: ["EmbeddedFiles", "HDF5", "Tensors"]),
        .target(name: "NASDataIO", dependencies: ["CBZ2", "Compression", "Concurrency"]),
        .target(name: "Checksums", dependencies: ["CCrypto", "Concurrency", "NASDataIO"]),
        .target(name: "Pickle", dependencies: ["NASDataIO", "Tensors"], exclude: ["README.md"]),
        .target(name: "TorchFormats", dependencies: ["Checksums", "Compression", "Concurrency", "NASDataIO", "Pickle", "Tensors"]),
        .target(name: "NASCore", dependencies: ["Tensors"]),
        .target(name: "NASBench", dependencies: ["Concurrency", "HDF5", "NASCore", "NASDataIO", "Pickle", "Tensors", "TorchFormats"]),
        .target(name: "ImageSet", dependencies: ["Checksums", "HDF5", "NASDataIO"]),
        .target(name: "ImageCodecs", dependencies: ["CPNG", "CTurboJPEG", "NASDataIO"]),
        .target(name: "NASDatasets", dependencies: ["Checksums", "EmbeddedFiles", "Concurrency", "HDF5", "ImageCodecs", "ImageSet", "NASBench", "NASCore", "NASDataIO", "Pickle", "TorchFormats"]),
        .target(name: "TinyNetwork", dependencies: ["COpenBLAS", "Concurrency", "NASCore", "NASDataIO", "Pickle", "Tensors", "TorchFormats"]),
        .target(name: "WeightArchive", dependencies: ["Checksums", "Compression", "Concurrency", "HDF5", "NASCore", "NASDataIO", "Pickle", "Tensors", "TorchFormats"]),
        .target(name: "Verify", dependencies: ["Checksums", "Concurrency", "HDF5", "HDF5Schema", "ImageCodecs", "ImageSet", "NASBench", "NASCore", "NASDataIO", "Pickle", "Tensors", "TorchFormats", "WeightArchive"]),
        .target(name: "Reload", dependencies: ["ImageSet", "NASCore", "NASDataIO", "Tensors", "TinyNetwork", "TorchFormats", "WeightArchive"]),
        .target(name: "SelfTest", dependencies: ["Compression", "Concurrency", "HDF5", "HDF5Schema", "NASDataIO", "Tensors"]),
        .target(name: "NASSearch", dependencies: ["Concurrency", "HDF5", "ImageCodecs", "NASBench", "NASCore", "NASDataIO", "Tensors"]),
        .executableTarget(name: "nasdata", dependencies: [
            "NASSearch", "Checksums", "Compression", "Concurrency", "HDF5", "HDF5Schema", "ImageSet", "NASBench", "NASCore", "NASDataIO", "NASDatasets", "Reload", "SelfTest", "TinyNetwork", "TorchFormats", "Verify", "WeightArchive",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Locates Tests/Fixtures for every test target; not a product.
        .target(name: "FixtureSupport", path: "Tests/FixtureSupport"),
        .testTarget(name: "EmbeddedFilesTests", dependencies: ["EmbeddedFiles", "FixtureSupport", "HDF5Schema", "NASDatasets"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "ConcurrencyTests", dependencies: ["Concurrency"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression", "FixtureSupport", "HDF5"]),
        .testTarget(name: "HDF5Tests", dependencies: ["Compression", "FixtureSupport", "HDF5", "HDF5Schema", "Tensors"]),
        .testTarget(name: "NASDataIOTests", dependencies: ["FixtureSupport", "NASDataIO"]),
        .testTarget(name: "ChecksumsTests", dependencies: ["Checksums", "FixtureSupport", "NASDataIO"]),
        .testTarget(name: "PickleTests", dependencies: ["Checksums", "FixtureSupport", "Pickle", "Tensors"]),
        .testTarget(name: "TorchFormatsTests", dependencies: ["Checksums", "Compression", "FixtureSupport", "NASDataIO", "Pickle", "Tensors", "TorchFormats"]),
        .testTarget(name: "NASCoreTests", dependencies: ["NASCore"]),
        .testTarget(name: "NASBenchTests", dependencies: ["Checksums", "FixtureSupport", "HDF5", "HDF5Schema", "NASBench", "NASCore", "NASDataIO", "Pickle", "TorchFormats"]),
        .testTarget(name: "ImageSetTests", dependencies: ["HDF5", "ImageSet"]),
        .testTarget(name: "NASDatasetsTests", dependencies: ["Checksums", "FixtureSupport", "HDF5", "HDF5Schema", "ImageCodecs", "ImageSet", "NASDataIO", "NASDatasets", "Pickle"]),
        .testTarget(name: "TinyNetworkTests", dependencies: ["FixtureSupport", "NASBench", "NASCore", "Tensors", "TinyNetwork", "TorchFormats"]),
        .testTarget(name: "WeightArchiveTests", dependencies: ["Checksums", "Compression", "FixtureSupport", "HDF5", "HDF5Schema", "NASCore", "Pickle", "Tensors", "TorchFormats", "WeightArchive"]),
        .testTarget(name: "VerifyTests", dependencies: ["Checksums", "FixtureSupport", "HDF5", "ImageSet", "NASBench", "NASCore", "NASDataIO", "NASDatasets", "Pickle", "Tensors", "Verify", "WeightArchive"]),
        .testTarget(name: "ReloadTests", dependencies: ["FixtureSupport", "NASCore", "Reload", "TorchFormats"]),
        .testTarget(name: "SelfTestTests", dependencies: ["SelfTest"]),
        .testTarget(name: "NASSearchTests", dependencies: ["FixtureSupport", "HDF5Schema", "NASBench", "NASCore", "NASDataIO", "NASSearch"]),
    ]
)
