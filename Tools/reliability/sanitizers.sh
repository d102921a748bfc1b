# clipseg under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer (sourced by Tools/reliability.sh).
#
# Builds (debug; skipped when --asan-binary / --tsan-binary name binaries already built):
#   swift build --scratch-path .build-asan --sanitize=address --product clipseg
#   swift build --scratch-path .build-tsan --sanitize=thread --product clipseg
# then runs each binary on the tiny models: a file with several prompts and a negative to a video, masks
# (labels layout) and statistics; the sample model (Samples/models/shapes) on the sample video in blur mode,
# float32 and bf16; a --realtime run whose prompts and threshold change over --control; SIGINT in the middle
# of a run; a closed standard output; the fake camera until it is unplugged. A trial passes when the exit
# status is the expected one, no sanitizer report (or other trap text) is on standard error and the outputs
# agree with the summary.

sanitizer_build() { # KIND (address | thread) SCRATCH: prints the binary's path
    local kind=$1 scratch=$2
    echo "reliability.sh: building clipseg with --sanitize=$kind in $scratch (debug)" >&2
    (cd "$root" && swift build --scratch-path "$scratch" --sanitize="$kind" --product clipseg >"$work/build-$kind.log" 2>&1) \
        || { echo "reliability.sh: the $kind build failed (see $work/build-$kind.log)" >&2; return 1; }
    echo "$scratch/debug/clipseg"
}

# sanitizer_run SWEEP NAME EXPECTED-STATUS VIDEO MASKS STATS -- COMMAND...: runs COMMAND (timeout 300 s,
# standard input from /dev/null) in $work/run; VIDEO/MASKS/STATS are the outputs it writes there ("" if none).
sanitizer_run() {
    local sweep=$1 name=$2 expected=$3 video=$4 masks=$5 stats=$6 dir=$work/run status reason=""
    shift 7
    (cd "$dir" && timeout -k 10 300 "$@" </dev/null >"$dir/out" 2>"$dir/err"); status=$?
    sanitizer_judgement "$sweep" "$name" "$status" "$expected" "$video" "$masks" "$stats"
}

sanitizer_judgement() { # SWEEP NAME STATUS EXPECTED VIDEO MASKS STATS
    local sweep=$1 name=$2 status=$3 expected=$4 dir=$work/run reason="" report
    report=$(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error:|SUMMARY: ' "$dir/err" | cut -c1-110)
    if [ -n "$report" ]; then reason="sanitizer report: $report"; cp "$dir/err" "$work/failures/$sweep-$name.report" 2>/dev/null
    elif ! [[ "$status" =~ ^($expected)$ ]]; then reason="exit $status, expected $expected ($(last_line "$dir/err" | cut -c1-80))"
    else
        reason=$(stderr_problem "$status" "$dir/err")
        [ -z "$reason" ] && reason=$(outputs_problem "$dir/err" "${5:+$dir/$5}" "${6:+$dir/$6}" "${7:+$dir/$7}")
    fi
    judge "$sweep" "$status" "$reason" "$name" "$dir/err"
}

sanitizer_trials() { # SWEEP BINARY
    local sweep=$1 san=$2 dir=$work/run pid status sample=$root/Samples
    local base=("$san" segment --model "$model" --threads 2)
    rm -rf "$dir"; mkdir -p "$dir"
    sanitizer_run "$sweep" "3 prompts + negative" 0 out.mp4 m.y4m s.ndjson -- "${base[@]}" "$work/clips/h264.mp4" \
        --prompt "a red circle" --prompt "a cat" --prompt "the sky" --negative "a dog" -o out.mp4 --masks m.y4m \
        --mask-layout labels --stats s.ndjson
    rm -rf "$dir"; mkdir -p "$dir"
    sanitizer_run "$sweep" "sample model, blur" 0 out.mkv "" s.ndjson -- "$san" segment "$sample/videos/shapes.mp4" \
        --model "$sample/models/shapes" --prompt "blue circle" --prompt "red circle" --mode blur -o out.mkv --stats s.ndjson
    rm -rf "$dir"; mkdir -p "$dir"
    sanitizer_run "$sweep" "sample model, bf16" 0 "" m.y4m "" -- "$san" segment "$sample/videos/shapes.mp4" \
        --model "$sample/models/shapes" --prompt "yellow square" --precision bf16 --soft --masks m.y4m

    # --realtime with prompt and threshold changes over --control (a FIFO), stopped by `quit`.
    rm -rf "$dir"; mkdir -p "$dir"; mkfifo "$dir/control"
    exec {control_fd}<>"$dir/control"
    (cd "$dir" && timeout -k 10 300 "${base[@]}" "$work/clips/long.mp4" --prompt "a red circle" --realtime \
        --control "$dir/control" --masks m.y4m --stats s.ndjson </dev/null >"$dir/out" 2>"$dir/err") &
    pid=$!
    wait_lines "$dir/s.ndjson" 5 "$pid"
    printf 'prompt add a dog\nthreshold 0.3\n' >&"$control_fd"
    wait_lines "$dir/s.ndjson" 15 "$pid"
    printf 'prompt set a cat;a bird;a tree\nbogus\nprompt remove a bird\n' >&"$control_fd"
    wait_lines "$dir/s.ndjson" 30 "$pid"
    printf 'quit\n' >&"$control_fd"
    wait "$pid"; status=$?
    exec {control_fd}>&-
    sanitizer_judgement "$sweep" "realtime + --control" "$status" 0 "" m.y4m s.ndjson

    # SIGINT in the middle of a run.
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && exec timeout -k 10 300 "${base[@]}" "$work/clips/long.mp4" --prompt "a red circle" -o out.mkv \
        --masks m.y4m --stats s.ndjson </dev/null >"$dir/out" 2>"$dir/err") &
    pid=$!
    wait_lines "$dir/s.ndjson" 20 "$pid"
    signal_child "$pid" INT
    wait "$pid"; status=$?
    sanitizer_judgement "$sweep" "SIGINT" "$status" 130 out.mkv m.y4m s.ndjson

    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && timeout -k 10 300 bash -c '"$@" 2>err </dev/null | head -c 3000 >/dev/null; exit ${PIPESTATUS[0]}' _ \
        "${base[@]}" "$work/clips/long.mp4" --prompt "a red circle" --masks - -o out.mp4 --stats s.ndjson); status=$?
    sanitizer_judgement "$sweep" "closed stdout" "$status" 0 out.mp4 "" s.ndjson

    # The fake camera (LD_PRELOAD; ASan's check that its runtime comes first is turned off for it).
    rm -rf "$dir"; mkdir -p "$dir"
    sanitizer_run "$sweep" "fake camera unplugged" 0 cam.mkv m.y4m s.ndjson -- env LD_PRELOAD="$fakecam" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" CLIPSEG_FAKECAM_PATH="$camera_device" \
        CLIPSEG_FAKECAM_SIZES=160x120 CLIPSEG_FAKECAM_DISCONNECT_AFTER=40 CLIPSEG_FAKECAM_DROP_PERCENT=10 \
        "${base[@]}" "$camera_device" --prompt "a red circle" --camera-size 160x120 -o cam.mkv --masks m.y4m --stats s.ndjson
}

# One table row: builds the binary unless given, then runs the trials with OPTIONS-VARIABLE (ASAN_OPTIONS,
# TSAN_OPTIONS) set to DEFAULT-OPTIONS when the environment does not set it.
sanitizer_sweep() { # ROW KIND SCRATCH BINARY OPTIONS-VARIABLE DEFAULT-OPTIONS
    local row=$1 kind=$2 scratch=$3 san=$4 variable=$5
    tally_init "$row"
    [ -n "$san" ] || san=$(sanitizer_build "$kind" "$scratch") || san=""
    if [ -z "$san" ] || [ ! -x "$san" ]; then judge "$row" 0 "no binary (the $kind build failed)" build; return; fi
    export "$variable=${!variable:-$6}"
    sanitizer_trials "$row" "$san"
    note "$row" "$san ($variable=${!variable}${LSAN_OPTIONS:+, LSAN_OPTIONS=suppressions=lsan-suppressions.txt})"
}

sweep_sanitizers() {
    [ -n "${fakecam:-}" ] || build_fake_camera || return
    # LeakSanitizer false positive on a Swift enum's tagged pointer: see lsan-suppressions.txt.
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/Tools/reliability/lsan-suppressions.txt:print_suppressions=0}
    sanitizer_sweep AddressSanitizer address "$root/.build-asan" "$asan_binary" ASAN_OPTIONS detect_leaks=1
    local lsan=$LSAN_OPTIONS
    unset LSAN_OPTIONS
    sanitizer_sweep ThreadSanitizer thread "$root/.build-tsan" "$tsan_binary" TSAN_OPTIONS halt_on_error=0
    export LSAN_OPTIONS=$lsan
}
