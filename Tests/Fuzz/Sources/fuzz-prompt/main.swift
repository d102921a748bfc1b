// fuzz-prompt: arbitrary bytes, decoded as UTF-8 with replacement (as a prompt from the command line
// or `--control` would be), through the real CLIP tokenizer (Samples/models/shapes). See README.md.
import FuzzSupport

FuzzEntry.run(seeds: PromptSeeds.all, prepare: PromptProbe.prepare, body: PromptProbe.check)
