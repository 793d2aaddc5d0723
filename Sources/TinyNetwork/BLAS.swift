import COpenBLAS

/// The one BLAS call the forward pass is made of, with PyTorch-free names.
///
/// Row-major `C[m×n] = A[m×k] · B[k×n] + beta·C`, optionally with A transposed
/// (stored as k×m), which the classifier uses to read `Linear.weight` as it is.
enum BLAS {
    static func gemm(m: Int, n: Int, k: Int,
                     a: UnsafePointer<Float>, transposeA: Bool = false,
                     b: UnsafePointer<Float>, transposeB: Bool = false,
                     c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1,
                    a, Int32(transposeA ? m : k),
                    b, Int32(transposeB ? k : n),
                    accumulate ? 1 : 0, c, Int32(n))
    }

    /// Threads OpenBLAS uses for one call (a process-wide setting of the library).
    static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
