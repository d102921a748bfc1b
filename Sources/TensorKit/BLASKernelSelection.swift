import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernels run this process's GEMMs, and a way to get the fastest ones.
///
/// OpenBLAS built with `DYNAMIC_ARCH` (Debian's 0.3.21 is) picks a kernel family once, in its library
/// constructor before `main`: from `OPENBLAS_CORETYPE` when set, else from the CPU id. Its AVX-512
/// `SkylakeX`/`Cooperlake` float32 GEMM runs about 1.85× faster per thread than the AVX2 `Haswell`
/// one on AMD Zen 5 (measured: 245 vs 135 GFLOP/s), but OpenBLAS releases older than the CPU can fall
/// back to `Haswell`/`Zen` on AVX-512 AMD processors. A running process cannot switch, so
/// `relaunchWithFastestKernelsIfNeeded()` re-executes the program once with
/// `OPENBLAS_CORETYPE=SKYLAKEX` in that case. A user's own `OPENBLAS_CORETYPE` is always respected;
/// `forcedSlowerKernelsNote` says when it costs speed.
public enum BLASKernelSelection {
    /// The environment variable OpenBLAS reads at load time.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set to `1` in the environment of a relaunched process (so it never relaunches again).
    public static let relaunchMarkerVariable = "CLIPSEG_BLAS_RELAUNCHED"
    /// The `OPENBLAS_CORETYPE` value a relaunch asks for.
    public static let avx512CoreType = "SKYLAKEX"

    /// OpenBLAS's name for the kernels in use, e.g. `Haswell` or `SkylakeX`.
    public static var coreName: String {
        clipseg_blas_core_name().map { String(cString: $0) } ?? "unknown"
    }

    /// OpenBLAS's build configuration, e.g. `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    public static var configuration: String {
        clipseg_blas_configuration().map { String(cString: $0) } ?? "unknown"
    }

    /// Whether the CPU (and OS) support AVX-512 F, BW, DQ and VL, the subsets the SkylakeX kernels need.
    public static var cpuHasAVX512: Bool { clipseg_cpu_has_avx512_skylakex_subset() != 0 }

    /// Whether this process was started by `relaunchWithFastestKernelsIfNeeded()`.
    public static var wasRelaunched: Bool { getenv(relaunchMarkerVariable).map { String(cString: $0) } == "1" }

    /// The `OPENBLAS_CORETYPE` a relaunch should set, or nil when none should happen: only when the
    /// kernels in use are the AVX2 ones (`Haswell`, `Zen`), the CPU has AVX-512, OpenBLAS can switch
    /// (`DYNAMIC_ARCH` in its configuration), the user has not chosen a core type, and this process
    /// is not itself a relaunch.
    public static func relaunchCoreType(coreName: String, configuration: String, cpuHasAVX512: Bool,
                                        environment: [String: String]) -> String? {
        guard environment[relaunchMarkerVariable] == nil, environment[coreTypeVariable] == nil,
              cpuHasAVX512, configuration.split(separator: " ").contains("DYNAMIC_ARCH"),
              ["haswell", "zen"].contains(coreName.lowercased()) else { return nil }
        return avx512CoreType
    }

    /// A one-line note when the environment forces the AVX2 kernels on a CPU with AVX-512 (the
    /// user's `OPENBLAS_CORETYPE` is respected, so no relaunch fixes it), else nil.
    public static func forcedSlowerKernelsNote(coreName: String, configuration: String, cpuHasAVX512: Bool,
                                               environment: [String: String]) -> String? {
        guard let forced = environment[coreTypeVariable], environment[relaunchMarkerVariable] == nil,
              relaunchCoreType(coreName: coreName, configuration: configuration, cpuHasAVX512: cpuHasAVX512,
                               environment: [:]) != nil else { return nil }
        return "\(coreTypeVariable)=\(forced) makes OpenBLAS use its \(coreName) (AVX2) kernels; this CPU has AVX-512: "
            + "unset \(coreTypeVariable) for about twice the float32 speed"
    }

    /// `forcedSlowerKernelsNote` for this process.
    public static var forcedSlowerKernelsNote: String? {
        forcedSlowerKernelsNote(coreName: coreName, configuration: configuration, cpuHasAVX512: cpuHasAVX512,
                                environment: currentEnvironment())
    }

    /// The environment settings a relaunch would add (empty when none is needed), for a program that
    /// folds several start-up settings (e.g. thread wait policies) into one relaunch of its own.
    public static var relaunchSettings: [(name: String, value: String)] {
        guard let coreType = relaunchCoreType(coreName: coreName, configuration: configuration,
                                              cpuHasAVX512: cpuHasAVX512, environment: currentEnvironment())
        else { return [] }
        return [(coreTypeVariable, coreType), (relaunchMarkerVariable, "1")]
    }

    /// Re-executes this program with `OPENBLAS_CORETYPE=SKYLAKEX` when `relaunchCoreType` says so.
    /// Call it first thing in `main`, before reading stdin, writing output, installing signal
    /// handlers or starting threads. Returns normally when no relaunch is needed or it failed (the
    /// process then keeps its current kernels).
    public static func relaunchWithFastestKernelsIfNeeded() {
        guard let coreType = relaunchCoreType(coreName: coreName, configuration: configuration,
                                              cpuHasAVX512: cpuHasAVX512, environment: currentEnvironment())
        else { return }
        relaunch(coreType: coreType)
    }

    /// Re-executes this program (`/proc/self/exe`, same arguments, same process id, same open
    /// descriptors: stdin, stdout and stderr pipes carry over untouched, and signals sent to the
    /// process id reach the new image) with `OPENBLAS_CORETYPE=coreType` and the relaunch marker set.
    /// Does nothing in a process that is itself a relaunch; returns when `execv` fails, with the
    /// environment restored.
    public static func relaunch(coreType: String) {
        guard !wasRelaunched else { return }
        let previous = getenv(coreTypeVariable).map { String(cString: $0) }
        guard setenv(coreTypeVariable, coreType, 1) == 0, setenv(relaunchMarkerVariable, "1", 1) == 0 else { return }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: children must see the environment the user gave.
        if let previous { setenv(coreTypeVariable, previous, 1) } else { unsetenv(coreTypeVariable) }
        unsetenv(relaunchMarkerVariable)
    }

    /// The two variables `relaunchCoreType` looks at, read from the live environment.
    private static func currentEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        for name in [coreTypeVariable, relaunchMarkerVariable] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }
}
