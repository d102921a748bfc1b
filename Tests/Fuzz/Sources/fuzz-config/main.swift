// fuzz-config: arbitrary bytes as config.json, preprocessor_config.json or tokenizer_config.json (the
// first byte picks which), parsed, validated and — when accepted — used: the model is loaded from a
// model folder holding the file and, when it loads, run on a small image. See README.md.
import FuzzSupport

FuzzEntry.run(seeds: ConfigurationSeeds.all, prepare: ConfigurationProbe.prepare, body: ConfigurationProbe.check)
