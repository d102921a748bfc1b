// fuzz-tokenizer-files: arbitrary bytes as vocab.json and merges.txt — each parser alone, and both
// files together loaded as a tokenizer that then encodes a few prompts. See README.md.
import FuzzSupport

FuzzEntry.run(seeds: TokenizerFileSeeds.all, body: TokenizerFileProbe.check)
