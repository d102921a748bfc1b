# Bad prompts, bad --control input and contradictory options through `clipseg segment` (sourced by
# Tools/reliability.sh). Each trial runs the binary once (timeout 60 s) in a folder of its own and passes when
#   - the exit status is the expected one (64: refused by option validation, 1: refused at setup, 0: ran);
#   - on a refusal, standard error has exactly one "Error: " line and it matches the expected message
#     (ArgumentParser's "Help:"/"Usage:" hint may follow a usage error), standard output is empty, and
#     no output file is left behind;
#   - on a run, the expected line appears exactly as often as expected (e.g. one warning for a prompt over
#     77 tokens), every stderr line is one of clipseg's one-line messages, and the outputs agree with the
#     summary (outputs_problem);
#   - nothing a crash or a sanitizer leaves appears on standard error.

# option_case ROW NAME EXPECTED-STATUS PATTERN MATCHES [clipseg segment arguments...]
# PATTERN: extended regular expression; MATCHES: how many stderr lines must match it. Runs in $work/run with
# $clip as ./in.mp4 and the model as ./model, so arguments can name in.mp4, out.mp4, m.y4m, s.ndjson.
option_case() {
    local row=$1 name=$2 expected=$3 pattern=$4 matches=$5 dir=$work/run status reason="" found errors extra
    shift 5
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$work/clips/h264.mp4" "$dir/in.mp4"; ln -s "$model" "$dir/model"
    (cd "$dir" && timeout -k 5 60 "$binary" segment "$@" </dev/null >"$dir/out" 2>"$dir/err"); status=$?
    option_judgement "$row" "$name" "$status" "$expected" "$pattern" "$matches" "$dir"
}

# Checks a finished option or control trial in DIR (err, out, in.mp4 and the outputs) and counts it.
option_judgement() { # ROW NAME STATUS EXPECTED PATTERN MATCHES DIR
    local row=$1 name=$2 status=$3 expected=$4 pattern=$5 matches=$6 dir=$7 reason="" found errors extra leftover
    found=$(tr '\r' '\n' < "$dir/err" | grep -c -E "$pattern")
    errors=$(grep -c '^Error: ' "$dir/err")
    if [ -n "$(trap_text "$dir/err")" ]; then reason="trap text on stderr: $(trap_text "$dir/err")"
    elif ! [[ "$status" =~ ^($expected)$ ]]; then reason="exit $status, expected $expected ($(grep -m1 -E '^(Error|warning): ' "$dir/err" | cut -c1-90))"
    elif [ "$found" != "$matches" ]; then reason="$found lines match '$pattern', expected $matches ($(head -c 90 "$dir/err" | tr '\n' ' '))"
    elif [ "$status" != 0 ] && [ "$status" != 130 ]; then
        extra=$(grep -v -E "^(Error: |Help: |Usage: |  See 'clipseg)" "$dir/err" | head -n 1 | cut -c1-90)
        leftover=$(cd "$dir" && ls -d out.mp4 m.y4m s.ndjson 2>/dev/null | head -n 1)
        if [ "$errors" != 1 ]; then reason="$errors 'Error: ' lines"
        elif [ -n "$extra" ]; then reason="stray stderr line: $extra"
        elif [ -s "$dir/out" ]; then reason="wrote to standard output"
        elif [ -n "$leftover" ]; then reason="left $leftover behind"
        fi
    else
        extra=$(stray_stderr "$dir/err")
        if [ -n "$extra" ]; then reason="stray stderr line: $extra"
        else reason=$(stderr_problem "$status" "$dir/err"); fi
        [ -z "$reason" ] && reason=$(outputs_problem "$dir/err" "$(ls "$dir"/out.mp4 2>/dev/null)" \
            "$(ls "$dir"/m.y4m 2>/dev/null)" "$(ls "$dir"/s.ndjson 2>/dev/null)")
    fi
    judge "$row" "$status" "$reason" "$name" "$dir/err"
}

# control_case NAME PATTERN LINE: a --realtime run on the 120 s clip reading --control -, fed LINE (printf
# format), then a valid command and `quit`. Passes when PATTERN matches exactly one stderr line, the valid
# command still took effect, the run stopped on `quit` (exit 0, "interrupted") and its outputs are whole.
control_case() {
    local name=$1 pattern=$2 line=$3 dir=$work/run status pid fd
    rm -rf "$dir"; mkdir -p "$dir"
    mkfifo "$dir/control"
    exec {fd}<>"$dir/control"   # read-write: never blocks, and the run sees no end of input before quit
    (cd "$dir" && timeout -k 5 60 "$binary" segment "$work/clips/long.mp4" --model "$model" --prompt "a red circle" \
        --threads 1 --realtime --control "$dir/control" --masks m.y4m --stats s.ndjson </dev/null >"$dir/out" 2>"$dir/err") &
    pid=$!
    wait_lines "$dir/s.ndjson" 3 "$pid"
    printf "$line" >&"$fd"
    printf 'prompt add a dog\n' >&"$fd"
    wait_lines "$dir/s.ndjson" 15 "$pid"
    printf 'quit\n' >&"$fd"
    wait "$pid"; status=$?
    exec {fd}>&-
    if [ "$status" = 0 ] && ! grep -q "^clipseg: control: added 'a dog'$" "$dir/err"; then
        judge "--control input" "$status" "the valid command after it was not applied" "$name" "$dir/err"; return
    fi
    if [ "$status" = 0 ] && ! grep -q '^interrupted: ' "$dir/err"; then
        judge "--control input" "$status" "quit did not stop the run" "$name" "$dir/err"; return
    fi
    option_judgement "--control input" "$name" "$status" 0 "$pattern" 1 "$dir"
}

sweep_options() {
    local long row words
    words=$(for (( i = 0; i < 100; i++ )); do printf 'red circle '; done)
    long="^warning: --prompt 'red circle red circle red circle red cir…' is longer than the model's 77 tokens; the words past them are ignored$"

    row="bad prompts"; tally_init "$row"
    option_case "$row" "empty --prompt" '64' "^Error: --prompt: a prompt cannot be empty$" 1 in.mp4 --model model --prompt "" -o out.mp4
    option_case "$row" "blank --prompt" '64' "^Error: --prompt: a prompt cannot be empty$" 1 in.mp4 --model model --prompt "  " -o out.mp4
    option_case "$row" "empty --negative" '64' "^Error: --negative: a prompt cannot be empty$" 1 in.mp4 --model model --prompt cat --negative "" -o out.mp4
    option_case "$row" "--negative equal to a --prompt" '64' "^Error: --negative 'Cat' is also a --prompt" 1 in.mp4 --model model --prompt cat --negative Cat -o out.mp4
    option_case "$row" "prompt given twice" '1|64' "^Error: --prompt: prompt 'CAT' is given twice$" 1 in.mp4 --model model --prompt cat --prompt CAT -o out.mp4
    option_case "$row" "no prompt" '64' "^Error: give at least one --prompt TEXT or --image-prompt FILE$" 1 in.mp4 --model model -o out.mp4
    option_case "$row" "prompt over 77 tokens" 0 "$long" 1 in.mp4 --model model --prompt "$words" -o out.mp4 --stats s.ndjson
    option_case "$row" "two prompts over 77 tokens" 0 "^warning: --(prompt|negative) '.*' is longer than the model's 77 tokens" 2 \
        in.mp4 --model model --prompt "$words" --negative "blue $words" -o out.mp4
    option_case "$row" "100,000-character prompt" 0 "^warning: --prompt 'aaaa.*…' is longer than the model's 77 tokens" 1 \
        in.mp4 --model model --prompt "$(head -c 100000 /dev/zero | tr '\0' a) $words" --masks m.y4m
    option_case "$row" "75-token prompt (no warning)" 0 "^warning: " 0 in.mp4 --model model --prompt "$(printf 'a %.0s' {1..75})" --masks m.y4m
    option_case "$row" "invalid UTF-8 bytes in --prompt" 0 "^warning: " 0 in.mp4 --model model --prompt $'red \xff\xfe circle' --masks m.y4m
    option_case "$row" "line break in --prompt" 0 "^warning: " 0 in.mp4 --model model --prompt $'red\ncircle' --stats s.ndjson
    option_case "$row" "missing --image-prompt" 1 "^Error: nothere.png: no such file$" 1 in.mp4 --model model --image-prompt nothere.png -o out.mp4
    option_case "$row" "--image-prompt not an image" 1 "^Error: .*model/config.json" 1 in.mp4 --model model --image-prompt model/config.json -o out.mp4

    row="--control input"; tally_init "$row"
    control_case "invalid UTF-8" "^clipseg: control: control line is not valid UTF-8$" 'prompt add \xff\xfe cat\n'
    control_case "invalid UTF-8 (truncated sequence)" "^clipseg: control: control line is not valid UTF-8$" 'prompt add caf\xc3\n'
    control_case "unknown command" "^clipseg: control: unknown control command 'jump' \(expected " 'jump 3\n'
    control_case "unknown prompt verb" "^clipseg: control: unknown prompt command 'swap' " 'prompt swap a;b\n'
    control_case "empty line" "^clipseg: control: empty control line " '\n'
    control_case "threshold out of range" "^clipseg: control: threshold must be a number between 0 and 1, got '2'$" 'threshold 2\n'
    control_case "removing an absent prompt" "^clipseg: control: no prompt 'a cat' to remove" 'prompt remove a cat\n'
    control_case "empty prompt set" "^clipseg: control: prompt set needs at least one prompt" 'prompt set ;;\n'
    control_case "line over 4096 bytes" "^clipseg: control: control line longer than 4096 bytes, ignored$" "$(head -c 5000 /dev/zero | tr '\0' x)\n"
    control_case "NUL bytes" "^clipseg: control: unknown control command" 'x\0y\n'
    control_case "prompt over 77 tokens" "^warning: --control prompt '.*' is longer than the model's 77 tokens" "prompt add $words\n"
    option_case "$row" "--control file missing" 1 "^Error: .*nothere" 1 in.mp4 --model model --prompt cat --control nothere -o out.mp4
    option_case "$row" "--control - with INPUT -" 64 "^Error: --control - and INPUT - cannot both read standard input$" 1 - --model model --prompt cat --control - -o out.mp4

    row="contradictory options"; tally_init "$row"
    local c=(in.mp4 --model model --prompt cat)
    option_case "$row" "--keep-frames --processed-only" 64 "^Error: --keep-frames and --processed-only exclude each other$" 1 "${c[@]}" -o out.mp4 --keep-frames --processed-only
    option_case "$row" "--background without replace" 64 "^Error: --background is used with --mode replace$" 1 "${c[@]}" -o out.mp4 --background green
    option_case "$row" "--mode replace without --background" 64 "^Error: --mode replace needs --background IMAGE\|COLOR" 1 "${c[@]}" -o out.mp4 --mode replace
    option_case "$row" "--mode without -o" 64 "^Error: --mode and --fragmented apply to the video output; add -o FILE$" 1 "${c[@]}" --masks m.y4m --mode blur
    option_case "$row" "--fragmented without -o" 64 "^Error: --mode and --fragmented apply to the video output" 1 "${c[@]}" --masks m.y4m --fragmented
    option_case "$row" "--mask-format without --masks" 64 "^Error: --mask-format and --mask-layout apply to the mask stream; add --masks FILE$" 1 "${c[@]}" -o out.mp4 --mask-format gray
    option_case "$row" "--mask-layout without --masks" 64 "^Error: --mask-format and --mask-layout apply to the mask stream" 1 "${c[@]}" -o out.mp4 --mask-layout stack
    option_case "$row" "png-dir masks to stdout" 64 "^Error: --mask-format png-dir writes a folder, not standard output$" 1 "${c[@]}" --masks - --mask-format png-dir
    option_case "$row" "two outputs to stdout" 64 "^Error: only one of -o, --masks and --stats can write to standard output" 1 "${c[@]}" -o - --stats -
    option_case "$row" "-o is the input" 64 "^Error: -o in.mp4 would overwrite the input$" 1 "${c[@]}" -o in.mp4
    option_case "$row" "--fps on a file" 1 "^Error: --camera-size and --fps apply to cameras" 1 "${c[@]}" -o out.mp4 --fps 15
    option_case "$row" "--camera-size on a file" 1 "^Error: --camera-size and --fps apply to cameras" 1 "${c[@]}" -o out.mp4 --camera-size 320x240
    option_case "$row" "nothing to write" 64 "^Error: nothing to write: " 1 "${c[@]}"
    option_case "$row" "--soft with --threshold (accepted)" 0 "^frames: read 20," 1 "${c[@]}" --masks m.y4m --soft --threshold 0.2 --stats s.ndjson
    option_case "$row" "--soft with labels layout (accepted)" 0 "^frames: read 20," 1 "${c[@]}" --masks m.y4m --soft --mask-layout labels

    row="out-of-range options"; tally_init "$row"
    option_case "$row" "--threshold 1.5" 64 "^Error: --threshold must be between 0 and 1, got 1.5$" 1 "${c[@]}" -o out.mp4 --threshold 1.5
    option_case "$row" "--threshold nan" 64 "^Error: --threshold must be between 0 and 1" 1 "${c[@]}" -o out.mp4 --threshold nan
    option_case "$row" "--smooth 0" 64 "^Error: --smooth must be greater than 0 and at most 1" 1 "${c[@]}" -o out.mp4 --smooth 0
    option_case "$row" "--feather 2000" 64 "^Error: --feather must be between 0 and 1000 pixels, got 2000$" 1 "${c[@]}" -o out.mp4 --feather 2000
    option_case "$row" "--feather=-1" 64 "^Error: --feather must be between 0 and 1000 pixels, got -1$" 1 "${c[@]}" -o out.mp4 --feather=-1
    option_case "$row" "--size 0" 64 "^Error: --size must be between 1 and 4096, got 0$" 1 "${c[@]}" -o out.mp4 --size 0
    option_case "$row" "--size 100 (not a patch multiple)" 1 "^Error: --size must be a positive multiple of the model's patch size 16, got 100$" 1 "${c[@]}" -o out.mp4 --size 100
    option_case "$row" "--threads 0" 64 "^Error: --threads must be between 1 and 256, got 0$" 1 "${c[@]}" -o out.mp4 --threads 0
    option_case "$row" "--fps=0" 64 "^Error: --fps must be a positive number$" 1 "${c[@]}" -o out.mp4 --fps=0
    option_case "$row" "--precision fp8" 64 "^Error: The value 'fp8' is invalid for '--precision" 1 "${c[@]}" -o out.mp4 --precision fp8
    option_case "$row" "--mode sideways" 64 "^Error: The value 'sideways' is invalid for '--mode" 1 "${c[@]}" -o out.mp4 --mode sideways
    option_case "$row" "--camera-size 0x0" 64 "^Error: The value '0x0' is invalid for '--camera-size" 1 "${c[@]}" -o out.mp4 --camera-size 0x0
    option_case "$row" "unknown option" 64 "^Error: Unknown option '--bogus'" 1 "${c[@]}" -o out.mp4 --bogus
    option_case "$row" "unknown output format" 1 "^Error: out.xyz: unknown output format" 1 "${c[@]}" -o out.xyz
    option_case "$row" "output in a missing folder" 1 "^Error: .*nofolder" 1 "${c[@]}" -o nofolder/out.mp4
    option_case "$row" "missing input" 1 "^Error: .*missing.mp4" 1 missing.mp4 --model model --prompt cat -o out.mp4
    option_case "$row" "missing model folder" 1 "^Error: no model folder at " 1 in.mp4 --model nomodel --prompt cat -o out.mp4
}
