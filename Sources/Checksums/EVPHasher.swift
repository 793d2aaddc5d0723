import CCrypto

/// An incremental hash: feed bytes with `update`, then `finalize` once.
public protocol IncrementalHasher: AnyObject {
    var algorithm: HashAlgorithm { get }
    func update(_ bytes: UnsafeRawBufferPointer)
    /// Returns the digest. The hasher is then reset and may be reused for new input.
    func finalize() -> Digest
}

extension IncrementalHasher {
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }
}

/// One OpenSSL EVP digest context. Not thread-safe (like EVP_MD_CTX); use one a thread.
public class EVPHasher: IncrementalHasher {
    public let algorithm: HashAlgorithm
    private let ctx: OpaquePointer
    private let md: OpaquePointer

    fileprivate init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        // EVP_md5()/EVP_sha256() return static descriptors; allocation failure of a
        // ~200-byte context is an out-of-memory condition we cannot recover from.
        switch algorithm {
        case .md5: md = EVP_md5()
        case .sha256: md = EVP_sha256()
        }
        guard let c = EVP_MD_CTX_new() else { fatalError("OpenSSL: EVP_MD_CTX_new failed (out of memory)") }
        ctx = c
        reset()
    }

    deinit { EVP_MD_CTX_free(ctx) }

    private func reset() {
        guard EVP_DigestInit_ex(ctx, md, nil) == 1 else {
            fatalError("OpenSSL: EVP_DigestInit_ex(\(algorithm.rawValue)) failed; is the algorithm disabled (FIPS)?")
        }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // EVP_DigestUpdate only fails on a context that was never initialised.
        _ = EVP_DigestUpdate(ctx, base, bytes.count)
    }

    public func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &length) }
        reset()
        return Digest(bytes: Array(out.prefix(Int(length))))
    }
}

/// Incremental MD5 (the algorithm of every published NAS-Bench-201 and dataset checksum).
public final class MD5: EVPHasher {
    public init() { super.init(.md5) }

    /// MD5 of an in-memory buffer.
    public static func hash(_ bytes: [UInt8]) -> Digest {
        let h = MD5(); h.update(bytes); return h.finalize()
    }
}

/// Incremental SHA-256 (what `nasdata manifest` writes).
public final class SHA256: EVPHasher {
    public init() { super.init(.sha256) }

    /// SHA-256 of an in-memory buffer.
    public static func hash(_ bytes: [UInt8]) -> Digest {
        let h = SHA256(); h.update(bytes); return h.finalize()
    }
}
