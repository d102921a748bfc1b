// LLVMFuzzerRunDriver itself is defined by libFuzzer, linked through `-sanitize=fuzzer`.
#include "FuzzerDriver.h"

// LeakSanitizer suppressions built into every target (so replaying a saved input suppresses them too).
// Each entry is a leak in the toolchain, not in clipseg-swift; README.md says how each was confirmed.
//  - swift-foundation's Data(contentsOf:) loses its 4 KiB read buffer when the file is empty (the
//    zero-size fast path of readBytesFromFile); reproduced with a three-line program under ASan.
const char *__lsan_default_suppressions(void) {
    return "leak:*readBytesFromFile*\n";
}
