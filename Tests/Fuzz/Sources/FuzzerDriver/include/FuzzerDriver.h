#ifndef CLIPSEG_FUZZER_DRIVER_H
#define CLIPSEG_FUZZER_DRIVER_H
// libFuzzer's entry point for programs that have their own `main` (compiler-rt FuzzerInterface.h).
// Swift executables do — SwiftPM links `main` to the module's top-level code — so each fuzz target
// hands its arguments and its one-input callback to libFuzzer through this.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// LeakSanitizer (part of AddressSanitizer, linked through `-sanitize=address`): allocations made
// between these two calls are never reported as leaks.
void __lsan_disable(void);
void __lsan_enable(void);

#endif
