import CDNNL

/// Facts about the oneDNN library this process runs on, for logs, `bench` output and tests.
public enum OneDNNRuntime {
    /// The library version, e.g. "2.6.3".
    public static var version: String {
        guard let version = dnnl_version()?.pointee else { return "unknown" }
        return "\(version.major).\(version.minor).\(version.patch)"
    }

    /// The most capable instruction set oneDNN dispatches to on this CPU (lowered by the
    /// `DNNL_MAX_CPU_ISA` environment variable), e.g. "avx512_core_bf16" (AVX-512 with BF16 and
    /// VNNI), "avx512_core_vnni", "avx512_core", "avx2".
    public static var instructionSet: String {
        let isa = dnnl_get_effective_cpu_isa()
        switch isa {
        case dnnl_cpu_isa_sse41: return "sse41"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx512_mic: return "avx512_mic"
        case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        default: return "isa 0x\(String(isa.rawValue, radix: 16))"
        }
    }

    /// Whether oneDNN's int8 kernels here use VNNI (exact int32 sums of u8·s8 products).
    public static var hasVNNI: Bool {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_avx512_core_vnni, dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_amx,
             dnnl_cpu_isa_avx2_vnni: return true
        default: return false
        }
    }

    /// Whether oneDNN multiplies bf16 in hardware here (AVX512-BF16 or AMX), rather than converting in software.
    public static var hasNativeBF16: Bool {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_amx: return true
        default: return false
        }
    }

    /// OpenMP threads oneDNN would use for a call made now on the CURRENT thread. OpenMP keeps
    /// this per thread; `ReducedPrecisionContext` sets it before each of its calls. Setting it
    /// here affects only the current thread (and oneDNN's other primitives called on it).
    public static var currentThreadCount: Int {
        get { Int(clipseg_dnnl_get_threads()) }
        set { clipseg_dnnl_set_threads(Int32(max(1, newValue))) }
    }
}
