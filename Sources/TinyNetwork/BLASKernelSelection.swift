#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS

/// Makes OpenBLAS use the kernels this CPU can run.
///
/// Debian's OpenBLAS 0.3.21 picks its kernels at load time from the CPU model; on CPU
/// models it does not know (newer Xeons, some virtual CPUs) it falls back to the generic
/// `Prescott` SSE3 kernels, which run sgemm at about half speed even though the CPU has
/// AVX2/AVX-512. The documented override is the `OPENBLAS_CORETYPE` environment variable,
/// read only when the library loads, so a program has to set it and restart itself.
public enum BLASKernelSelection {
    /// The kernel set OpenBLAS chose (`Prescott`, `Haswell`, `SkylakeX`, ...).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The best core type this CPU supports, from its feature flags (Linux only), or nil.
    public static func supportedCoreType() -> String? {
        #if os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
            if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
            if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
            if flags.contains("avx") { return "SandyBridge" }
            return nil
        }
        #endif
        return nil
    }

    /// When OpenBLAS fell back to its generic kernels on a CPU that supports better ones and
    /// the user did not choose (`OPENBLAS_CORETYPE` unset), restarts this program with
    /// `OPENBLAS_CORETYPE` set; returns only when no restart is needed or possible.
    public static func restartWithFasterKernelsIfNeeded() {
        #if os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv("NASDATA_BLAS_RESTARTED") == nil,
              ["prescott", "core2", "penryn", "dunnington", "nehalem", "katmai", "coppermine", "northwood", "banias"]
                .contains(coreName.lowercased()),
              let better = supportedCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv("NASDATA_BLAS_RESTARTED", "1", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: it failed; carry on with the slow kernels.
        for p in argv { free(p) }
        #endif
    }
}
