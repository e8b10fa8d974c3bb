#!/usr/bin/env bash
# Runs Basalt's benchmark suites in release and the raw disk references (dd) in the
# same run, then prints the figures, the same-run ratios and the bars.
#
#   Benchmarks/run.sh                      # everything, ~4 minutes on 2 cores (+4 to build once)
#   Benchmarks/run.sh --filter 'append.*'  # extra arguments go to `swift package benchmark`
#
# Environment:
#   BASALT_BENCH_SCRATCH  directory for benchmark files (default Benchmarks/.scratch,
#                         on the checkout's file system; must not be a tmpfs)
#   BASALT_PACKAGE_PATH   benchmark another Basalt checkout (default: the parent directory),
#                         e.g. `git archive <commit>` unpacked with the hash in a .commit file
#   BASALT_BENCH_OUT      where results go (default Benchmarks/results/<UTC time>)
#   SWIFT                 the swift driver (default swift)
#
# Needs swift, dd and python3. Output: benchmarks.md (package-benchmark's tables),
# dd.tsv, machine.txt and summary.md in the results directory; summary.md is also printed.
set -euo pipefail

bench_args=("$@")
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
SWIFT="${SWIFT:-swift}"
scratch="${BASALT_BENCH_SCRATCH:-$here/.scratch}"
out="${BASALT_BENCH_OUT:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)}"
# Seconds for freed guest memory to be reported back to the host (see
# Sources/BenchSupport/PageCache.swift); must match PageCache.settleSeconds.
settle=6
mkdir -p "$scratch" "$out"
ddfile="$scratch/dd-$$"
trap 'rm -f "$ddfile"' EXIT

echo "== machine" >&2
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    basalt="${BASALT_PACKAGE_PATH:-$here/..}"
    if git -C "$basalt" rev-parse --git-dir > /dev/null 2>&1; then
        echo "basalt: $basalt at $(git -C "$basalt" rev-parse --short HEAD)$(git -C "$basalt" diff --quiet HEAD -- Sources || echo ', Sources modified')"
    elif [ -f "$basalt/.commit" ]; then
        echo "basalt: $basalt, an export of commit $(cat "$basalt/.commit")"
    else
        echo "basalt: $basalt (not a git checkout)"
    fi
    echo "kernel: $(uname -sr)"
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L1d|L2|L3|Hypervisor)' || true
    free -g
    df -h "$scratch"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    for resource in cpu io; do
        [ -r /proc/pressure/$resource ] && echo "pressure $resource before: $(head -1 /proc/pressure/$resource)"
    done
} > "$out/machine.txt"
cat "$out/machine.txt" >&2

# dd: bytes and seconds from its summary line; prints MB/s (10^6).
dd_rate() { # block bytes, count
    LC_ALL=C dd if=/dev/zero of="$ddfile" bs="$1" count="$2" 2>&1 | awk '/bytes/ { printf "%.0f\n", $1 / $(NF-3) / 1e6 }'
    rm -f "$ddfile"
}

# Two block sizes: 1 MiB (the reference named in the bars) and 1,041,997 B, the size
# of the Append suite's 1,000 × 1 KiB batches, since on this VM write size and
# alignment change buffered-write bandwidth several times over (PageCache.swift).
# Each run waits first, as the Append suite's 1 GiB benchmark does.
: > "$out/dd.tsv"
for spec in "1M 1048576 1024" "batch 1041997 1031"; do
    set -- $spec
    echo "== dd, 1 GiB in $2-byte blocks (sleep ${settle}s before each)" >&2
    for round in 1 2 3; do
        sleep "$settle"
        rate="$(dd_rate "$2" "$3")"
        echo "$1	$rate" >> "$out/dd.tsv"
        echo "  #$round: $rate MB/s" >&2
    done
done

echo "== swift package benchmark (release), $(date -u +%H:%M:%S)" >&2
started=$(date +%s)
nice -n 10 "$SWIFT" build -c release >&2
BASALT_BENCH_SCRATCH="$scratch" "$SWIFT" package benchmark --format markdown --no-progress ${bench_args[@]+"${bench_args[@]}"} \
    | tee "$out/benchmarks.md" >&2
{
    echo "benchmarks took $(( $(date +%s) - started )) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    for resource in cpu io; do
        [ -r /proc/pressure/$resource ] && echo "pressure $resource after: $(head -1 /proc/pressure/$resource)"
    done
} | tee -a "$out/machine.txt" >&2

python3 "$here/summarize.py" "$out/benchmarks.md" "$out/dd.tsv" > "$out/summary.md"
cat "$out/summary.md"
echo "results in $out" >&2
