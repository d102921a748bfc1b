# Shared pieces of Tools/reliability.sh (sourced, not run): output checks, tallies, the table.
# Expects: $work (work folder), $binary, $model; sets nothing else at load time.

# A random number in 0..<$1 (30 bits from bash's seeded generator).
random_below() { echo $(( ((RANDOM << 15) | RANDOM) % $1 )); }

# Seconds as "1.234" for sleep, from milliseconds.
ms_to_seconds() { echo "$(( $1 / 1000 )).$(printf '%03d' $(( $1 % 1000 )))"; }

# Waits up to $2 seconds for process $1 to end; 0 when it did.
wait_exit() { local i; for (( i = 0; i < $2 * 10; i++ )); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
# Sends SIGNAL to the process `timeout` runs under PID (or to PID when it has no child): signalling timeout
# itself would deliver the signal twice (it passes it on to the child and to its whole process group).
signal_child() { # PID SIGNAL
    local child; child=$(pgrep -P "$1" | head -n 1)
    kill "-$2" "${child:-$1}" 2>/dev/null
}
# Sleeps until FILE has at least N lines or the process ends.
wait_lines() { # FILE N PID
    while kill -0 "$3" 2>/dev/null; do
        [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
}

# --- checks ------------------------------------------------------------------------------------------------
# Frames ffprobe counts in a file's first video stream (0 for a file with no video stream or none decoded);
# empty when the file does not probe.
probe_frames() {
    local frames
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1" \
        2>/dev/null) || return 0
    frames=$(head -n 1 <<< "$frames" | tr -d '[:space:],')
    [[ "$frames" =~ ^[0-9]+$ ]] && echo "$frames" || echo 0
}
# Figures of the summary's counts line in a standard error file; empty when there is no counts line.
written_count() { sed -n 's/^frames: read [0-9]*, processed [0-9]*, dropped [0-9]*, written \([0-9]*\);.*/\1/p' "$1" | tail -n 1; }
dropped_count() { sed -n 's/^frames: read [0-9]*, processed [0-9]*, dropped \([0-9]*\),.*/\1/p' "$1" | tail -n 1; }
read_count() { sed -n 's/^frames: read \([0-9]*\),.*/\1/p' "$1" | tail -n 1; }
processed_count() { sed -n 's/^frames: read [0-9]*, processed \([0-9]*\),.*/\1/p' "$1" | tail -n 1; }
# "p50 X ms p99 Y ms" from the counts line (p99 absent on binaries older than it).
latency_text() { sed -n 's/^frames: read .*latency p50 \([0-9-]*\) ms p95 [0-9-]* ms\( p99 \([0-9-]*\) ms\)\{0,1\}$/p50 \1 ms p99 \3 ms/p' "$1" | tail -n 1; }
last_line() { tr '\r' '\n' < "$1" | sed '/^[[:space:]]*$/d' | tail -n 1; }
# Text a crash, a sanitizer or Swift's runtime leaves on stderr (the first such line, cut), or nothing.
trap_text() {
    grep -m1 -E 'Fatal error|Current stack trace|Sanitizer|Segmentation fault|Illegal instruction|runtime error:|Swift runtime failure|💣' "$1" \
        | cut -c1-120
}

# Lines of standard error that are not one of clipseg's one-line messages (progress lines split at \r).
stray_stderr() {
    tr '\r' '\n' < "$1" | sed '/^[[:space:]]*$/d' \
        | grep -v -E '^(warning: |Error: |clipseg: |done: |interrupted: |frames: read |live: |progress: )' | head -n 1 | cut -c1-100
}

# Checks the outputs of a finished run against its summary; prints a reason when something is wrong.
# outputs_problem STDERR VIDEO MASKS STATS (an empty path: not asked for)
outputs_problem() {
    local err=$1 video=$2 masks=$3 stats=$4 written frames lines
    written=$(written_count "$err")
    if [ -z "$written" ]; then # No summary: the run failed before the pipeline; nothing may have been started.
        for file in "$video" "$masks"; do
            if [ -n "$file" ] && [ -s "$file" ] && [ -z "$(probe_frames "$file")" ]; then echo "$(basename "$file") left unplayable"; return; fi
        done
        return
    fi
    for file in "$video" "$masks"; do
        [ -n "$file" ] || continue
        frames=$(probe_frames "$file")
        if [ "$written" = 0 ] && [ ! -s "$file" ]; then :
        elif [ -z "$frames" ]; then echo "$(basename "$file") does not probe (summary: written $written)"; return
        elif [ "$frames" != "$written" ]; then echo "$(basename "$file") has $frames frames, summary written $written"; return; fi
    done
    if [ -n "$stats" ]; then
        lines=$( [ -f "$stats" ] && wc -l < "$stats" | tr -d ' ' || echo 0)
        [ "$lines" = "$written" ] || { echo "stats has $lines lines, summary written $written"; return; }
    fi
}

# Checks the end of standard error: a one-line error on failure, the counts line on success.
stderr_problem() { # STATUS STDERR
    local status=$1 err=$2 last trapped
    last=$(last_line "$err")
    trapped=$(trap_text "$err")
    if [ -n "$trapped" ]; then
        echo "trap text on stderr: $trapped"
    elif [ "$status" = 0 ] || [ "$status" = 130 ] || [ "$status" = 143 ]; then # finished or interrupted
        [[ "$last" == "frames: read "* || "$last" == *"was closed by its reader; stopped early" ]] \
            || echo "exit $status but stderr ends: ${last:0:120}"
    elif [[ "$last" != "Error: "* ]]; then
        echo "exit $status but stderr ends: ${last:0:120}"
    fi
}

# --- tallies -----------------------------------------------------------------------------------------------
declare -A count crashes hangs invalid warned failed notes problems drift
sweeps=()
tally_init() { sweeps+=("$1"); count[$1]=0; crashes[$1]=0; hangs[$1]=0; invalid[$1]=0; warned[$1]=0; failed[$1]=0; notes[$1]=""; }
note() { # SWEEP TEXT: an observation; the first two distinct ones are kept (three with a third argument)
    local existing=${notes[$1]} most=${3:-2}
    [[ "$existing" == *"$2"* ]] && return
    [ "$(grep -o ' | ' <<< "$existing" | wc -l)" -ge $(( most - 1 )) ] && [ -n "$existing" ] && return
    notes[$1]="${existing:+$existing | }$2"
}
problem() { # SWEEP TEXT: a failure; the first three distinct ones are kept, listed before observations
    local existing=${problems[$1]:-}
    [[ "$existing" == *"$2"* ]] && return
    [ "$(grep -o ' | ' <<< "$existing" | wc -l)" -ge 2 ] && return
    problems[$1]="${existing:+$existing | }$2"
}
keep_reproducer() { # SWEEP INPUT STDERR REASON
    local dest; dest=$work/failures/$1-$(basename "$2")
    cp "$2" "$dest" 2>/dev/null; cp "$3" "$dest.stderr" 2>/dev/null; echo "$4" > "$dest.reason"
}
keep_stderr() { # SWEEP LABEL STDERR REASON: a failed trial's stderr, for runs without an input file worth keeping
    local dest; dest=$work/failures/$(tr -c 'A-Za-z0-9._-' '_' <<< "$1-$2")
    cp "$3" "$dest.stderr" 2>/dev/null; echo "$4" > "$dest.reason"
}

# Counts one finished trial of SWEEP: a hang (timeout's 124/137) or a crash (killed by a signal other than
# the one expected) are counted as such; otherwise REASON (empty when the trial passed) counts as invalid.
judge() { # SWEEP STATUS REASON LABEL [ERR]
    local sweep=$1 status=$2 reason=$3 label=$4 err=${5:-}
    count[$sweep]=$(( count[$sweep] + 1 ))
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        hangs[$sweep]=$(( hangs[$sweep] + 1 )); problem "$sweep" "hang: $label"
    elif [ "$status" -gt 128 ] && [ "$status" != 130 ] && [ "$status" != 143 ]; then
        crashes[$sweep]=$(( crashes[$sweep] + 1 )); problem "$sweep" "crash: signal $(( status - 128 )) in $label"
    elif [ -n "$reason" ]; then
        invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$label: $reason"
    else
        return 0
    fi
    [ -n "$err" ] && keep_stderr "$sweep" "$label" "$err" "${reason:-status $status}"
    return 1
}

# --- table -------------------------------------------------------------------------------------------------
# Prints the table of every sweep run, then a line about the run; returns 1 when anything failed.
print_table() { # TRAILER-LINE...
    local sweep extra text part total_bad=0
    printf '%-28s %7s %8s %6s %8s %7s  %s\n' sweep trials crashes hangs invalid drift notes
    for sweep in "${sweeps[@]}"; do
        extra=""
        case "$sweep" in damaged|truncated) extra="exit 1: ${failed[$sweep]}, with warning: ${warned[$sweep]}" ;; esac
        text=${problems[$sweep]:-}
        for part in "$extra" "${notes[$sweep]}"; do [ -n "$part" ] && text="${text:+$text | }$part"; done
        printf '%-28s %7d %8d %6d %8d %7s  %s\n' "$sweep" "${count[$sweep]}" "${crashes[$sweep]}" "${hangs[$sweep]}" \
            "${invalid[$sweep]}" "${drift[$sweep]:--}" "${text:--}"
        total_bad=$(( total_bad + crashes[$sweep] + hangs[$sweep] + invalid[$sweep] ))
    done
    for part in "$@"; do echo "$part"; done
    [ "$total_bad" = 0 ]
}
