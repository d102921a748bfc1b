// fuzz-media: arbitrary (in practice: byte-mutated) media files through the demux + decode + RGB
// conversion path — `StillImage.load` and `VideoFileSource` — capped at 12 frames per input. Seeds
// are encoded by the ffmpeg command-line tool at fuzz time (run.sh). See README.md.
import FuzzSupport

FuzzEntry.run(seeds: { [] }, prepare: MediaProbe.prepare, body: MediaProbe.check)
