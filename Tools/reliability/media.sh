# Damaged and truncated media through `clipseg segment` (sourced by Tools/reliability.sh).
#   damaged    $trials copies of each short clip with random byte overwrites at random offsets (seeded)
#   truncated  each short clip cut at $truncations points spread over its length

# Runs `clipseg segment` on INPUT with a timeout and checks it; used by the damaged and truncated sweeps.
media_trial() { # SWEEP INPUT
    local sweep=$1 input=$2 dir=$work/run status problem limit=$(( seconds * 10 > 20 ? seconds * 10 : 20 ))
    rm -rf "$dir"; mkdir -p "$dir"
    timeout -k 5 "$limit" "$binary" segment "$input" --model "$model" --prompt "a red circle" --threads 1 \
        -o "$dir/out.mp4" --masks "$dir/masks.y4m" --stats "$dir/stats.ndjson" </dev/null >/dev/null 2>"$dir/err"
    status=$?
    count[$sweep]=$(( count[$sweep] + 1 ))
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        hangs[$sweep]=$(( hangs[$sweep] + 1 )); problem "$sweep" "hang"; keep_reproducer "$sweep" "$input" "$dir/err" hang; return
    fi
    if [ "$status" -gt 128 ]; then
        crashes[$sweep]=$(( crashes[$sweep] + 1 )); problem "$sweep" "crash: signal $(( status - 128 ))"
        keep_reproducer "$sweep" "$input" "$dir/err" "status $status"; return
    fi
    [ "$status" = 0 ] || failed[$sweep]=$(( failed[$sweep] + 1 ))
    if [ "$(written_count "$dir/err")" = 0 ] && [ -s "$dir/out.mp4" ]; then
        note "$sweep" "0 frames written leaves a $(stat -c %s "$dir/out.mp4")-byte MP4 with $(ffprobe -v error \
            -show_entries format=nb_streams -of csv=p=0 "$dir/out.mp4" 2>/dev/null || echo '?') streams"
    fi
    grep -q '^warning: ' "$dir/err" && warned[$sweep]=$(( warned[$sweep] + 1 ))
    problem=$(stderr_problem "$status" "$dir/err")
    [ -z "$problem" ] && [ "$status" != 0 ] && [ "$status" != 1 ] && problem="unexpected exit status $status"
    [ -z "$problem" ] && problem=$(outputs_problem "$dir/err" "$dir/out.mp4" "$dir/masks.y4m" "$dir/stats.ndjson")
    if [ -n "$problem" ]; then
        invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$problem"
        keep_reproducer "$sweep" "$input" "$dir/err" "$problem"
    fi
}

# Overwrites 1-16 runs of 1-8 random bytes at random offsets of a copy of a clip (bash's seeded RANDOM).
damage() { # SOURCE DEST
    local size offset length bytes i j
    cp "$1" "$2"; size=$(stat -c %s "$2")
    for (( i = 0; i < 1 + RANDOM % 16; i++ )); do
        offset=$(random_below "$size"); length=$(( 1 + RANDOM % 8 )); bytes=""
        for (( j = 0; j < length; j++ )); do bytes+=$(printf '\\x%02x' $(( RANDOM % 256 ))); done
        printf "$bytes" | dd of="$2" bs=1 seek="$offset" conv=notrunc status=none
    done
}

sweep_media() {
    local clip t damaged_copy cut_copy size
    tally_init damaged
    tally_init truncated
    for clip in "${clips[@]}"; do
        for (( t = 0; t < trials; t++ )); do
            damaged_copy=$work/clips/damaged-$t-$clip
            damage "$work/clips/$clip" "$damaged_copy"
            media_trial damaged "$damaged_copy"
            rm -f "$damaged_copy"
        done
        size=$(stat -c %s "$work/clips/$clip")
        for (( t = 1; t <= truncations; t++ )); do
            cut_copy=$work/clips/cut-$t-$clip
            head -c $(( size * t / (truncations + 1) + RANDOM % 97 )) "$work/clips/$clip" > "$cut_copy"
            media_trial truncated "$cut_copy"
            rm -f "$cut_copy"
        done
    done
}
