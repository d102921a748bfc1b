/// How `CLIPSEG_ISA` (or its alias `CLIPSEG_PORTABLE_KERNELS=1`) and the CPU decide the kernel family at
/// start-up: a pure function of the variables' values and the best family the CPU runs, so it can be tested
/// for every CPU.
public struct KernelISAChoice: Sendable, Equatable {
    /// The family the environment named, or nil (unset, empty, or not a family's name).
    public let requested: KernelISA?
    /// The family selected: the request lowered to what the CPU runs, or the best the CPU runs.
    public let selected: KernelISA
    /// One line for standard error when the environment's request could not be followed (a family the CPU
    /// lacks, or an unknown name), naming the variable, its value and what runs instead; nil otherwise.
    public let note: String?

    public init(environment: [String: String], supported: KernelISA) {
        let variable = KernelISA.variable
        let value = environment[variable] ?? ""
        if !value.isEmpty {
            guard let isa = KernelISA(name: value) else {
                requested = nil
                selected = supported
                note = "\(variable)=\(value) is not one of avx512, avx2, portable; using \(supported)"
                return
            }
            requested = isa
            selected = min(isa, supported)
            note = isa > supported
                ? "\(variable)=\(value) needs \(isa.requirement), which this CPU lacks; using \(supported)" : nil
        } else if environment[KernelISA.portableAliasVariable] == "1" {
            requested = .portable
            selected = .portable
            note = nil
        } else {
            requested = nil
            selected = supported
            note = nil
        }
    }
}
