// fuzz-safetensors: arbitrary bytes as a safetensors file — the length prefix, the JSON header, the
// entries and their offsets — through `SafeTensorsLayout` (libFuzzer's buffer) and `SafeTensorsFile`
// (the same bytes written to a file and memory-mapped), which must agree; every accepted tensor is
// converted from both. See Tests/Fuzz/README.md.
import FuzzSupport

FuzzEntry.run(seeds: SafeTensorsSeeds.all, body: SafeTensorsProbe.check)
