// fuzz-torch-checkpoint: arbitrary bytes as a PyTorch checkpoint. Inputs that start like a ZIP archive are
// written to a file and opened with `TorchCheckpointFile` (the archive's directory, the pickle, the storages,
// every tensor read back); anything else is run through `RestrictedUnpickler` as a bare pickle, which is
// where a mutation does most. Nothing may trap, and every error is one line. See Tests/Fuzz/README.md.
import FuzzSupport

FuzzEntry.run(seeds: TorchCheckpointSeeds.all, body: TorchCheckpointProbe.check)
