#!/usr/bin/env bash
# Broker benchmark: the same librdkafka load against basalt-broker, librdkafka's mock
# cluster (client-side ceiling), NATS JetStream file storage and Redis streams with AOF,
# all in one run on this machine, loopback only. Prints a markdown table.
#
#   Benchmarks/broker/run.sh            (RECORDS=200000 by default; QUICK=1 for a smoke run)
#
# With RESULTS=FILE it also writes each figure as `load<TAB>system<TAB>MB/s` lines, which
# Benchmarks/broker/chart.py draws as the PNG chart in docs/.
#
# Needs: apt-get install -y librdkafka-dev libnats-dev nats-server redis-server
# and a release build: swift build -c release --product basalt-broker
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${RECORDS:-200000}
[ "${QUICK:-0}" = 1 ] && RECORDS=20000
BROKER=${BASALT_BROKER:-$(swift build -c release --show-bin-path 2>/dev/null)/basalt-broker}
[ -x "$BROKER" ] || { echo "build basalt-broker in release first: swift build -c release --product basalt-broker"; exit 1; }
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

gcc -O2 -o "$WORK/kafka_bench" Benchmarks/broker/kafka_bench.c -lrdkafka
HAVE_NATS=0; HAVE_REDIS=0
if command -v nats-server >/dev/null && [ -f /usr/include/nats/nats.h ]; then
  gcc -O2 -o "$WORK/nats_bench" Benchmarks/broker/nats_bench.c -lnats && HAVE_NATS=1
fi
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && HAVE_REDIS=1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

PORT=$(free_port)
"$BROKER" --data-dir "$WORK/basalt" --listen 127.0.0.1:"$PORT" --log-level warning &
BROKER_PID=$!; PIDS+=("$BROKER_PID"); wait_port "$PORT"
K="$WORK/kafka_bench"

RESULTS=${RESULTS:-/dev/null}
: > "$RESULTS"
record() { [ -n "$3" ] && [ "$3" != n/a ] && printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS" || true; }
mbs() { sed -n 's/.*, \([0-9.]*\) MB\/s/\1/p' <<< "$1"; }

rss() { awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/"$BROKER_PID"/status; }

echo "| load | basalt-broker | mock cluster | NATS JetStream (file) | Redis stream (AOF everysec) |"
echo "|---|---|---|---|---|"
row() {  # size acks codec
  local size=$1 acks=$2 codec=$3 topic="p-$1-$2-$3"
  local basalt mock nats="n/a" redis="n/a"
  basalt=$("$K" produce 127.0.0.1:"$PORT" "$topic" "$RECORDS" "$size" "$acks" "$codec" | awk '{printf "%s rec/s, %s MB/s", $2, $3}')
  mock=$("$K" produce mock "$topic" "$RECORDS" "$size" "$acks" "$codec" 2>/dev/null | awk '{printf "%s rec/s, %s MB/s", $2, $3}')
  if [ "$codec" = none ] && [ "$acks" = 1 ] && [ "$HAVE_NATS" = 1 ]; then
    local np; np=$(free_port); rm -rf "$WORK/nats"
    nats-server -js -sd "$WORK/nats" -a 127.0.0.1 -p "$np" >/dev/null 2>&1 & local npid=$!; wait_port "$np"
    nats=$("$WORK/nats_bench" nats://127.0.0.1:"$np" "$RECORDS" "$size" | awk '{printf "%s rec/s, %s MB/s", $2, $3}')
    kill "$npid"; wait "$npid" 2>/dev/null || true
  fi
  if [ "$codec" = none ] && [ "$acks" = 1 ] && [ "$HAVE_REDIS" = 1 ]; then
    local rp; rp=$(free_port); mkdir -p "$WORK/redis-$size"
    redis-server --port "$rp" --bind 127.0.0.1 --dir "$WORK/redis-$size" --appendonly yes --appendfsync everysec --save "" >/dev/null 2>&1 & local rpid=$!; wait_port "$rp"
    local value; value=$(head -c "$size" /dev/zero | tr '\0' x)
    # --csv: the last line is "<command>","<rps>",...; the command text holds the value.
    redis=$(redis-benchmark -p "$rp" --csv -P 64 -c 4 -n "$RECORDS" XADD bench '*' v "$value" 2>/dev/null | tail -1 \
      | awk -F'","' -v s="$size" '{printf "%.0f rec/s, %.1f MB/s", $2, $2*s/1e6}' || true)
    kill "$rpid"; wait "$rpid" 2>/dev/null || true
  fi
  echo "| produce ${size} B acks=${acks} ${codec} | $basalt | $mock | $nats | $redis |"
  local load="produce ${size} B acks=${acks} ${codec}"
  record "$load" basalt-broker "$(mbs "$basalt")"; record "$load" "mock cluster" "$(mbs "$mock")"
  record "$load" "NATS JetStream" "$(mbs "$nats")"; record "$load" "Redis stream" "$(mbs "$redis")"
}
for size in 100 1024; do for acks in 1 all; do for codec in none lz4; do row "$size" "$acks" "$codec"; done; done; done
echo
echo "broker RSS after produce: $(rss)"
# Fetch from a partition of about 1 GiB (FETCH_RECORDS of 1 KiB), so the figure is the
# steady stream and not the first request; the ceiling sends the same segment files over
# loopback with sendfile and no broker, in the same run.
FETCH_RECORDS=${FETCH_RECORDS:-1000000}
[ "${QUICK:-0}" = 1 ] && FETCH_RECORDS=50000
"$K" produce 127.0.0.1:"$PORT" fetch-1k "$FETCH_RECORDS" 1024 1 none >/dev/null
gcc -O2 -o "$WORK/sendfile_ceiling" Benchmarks/broker/sendfile_ceiling.c -lpthread
END=$(( FETCH_RECORDS + 1 ))
CEILING=$("$WORK/sendfile_ceiling" "$WORK"/basalt/fetch-1k-0/*.log | awk '{print $2}')
RAW=$("$K" rawfetch "$PORT" fetch-1k "$END" | awk '{print $2}')
FETCH=$("$K" fetch 127.0.0.1:"$PORT" fetch-1k "$FETCH_RECORDS" | awk '{print $3}')
echo "fetch of $FETCH_RECORDS 1 KiB records: loopback sendfile ceiling $CEILING MB/s;" \
  "raw Fetch v4 client $RAW MB/s ($(awk -v a="$RAW" -v b="$CEILING" 'BEGIN {printf "%.2f", a/b}')x ceiling);" \
  "librdkafka consumer $FETCH MB/s ($(awk -v a="$FETCH" -v b="$CEILING" 'BEGIN {printf "%.2f", a/b}')x ceiling)"
record "fetch 1 KiB" "loopback ceiling" "$CEILING"
record "fetch 1 KiB" "basalt-broker (raw Fetch)" "$RAW"
record "fetch 1 KiB" "basalt-broker (librdkafka)" "$FETCH"
LAT=$("$K" latency 127.0.0.1:"$PORT" latency 5000 1024 1000)
echo "acks=all latency at 1000 msg/s, 1 KiB: $LAT"
echo "broker RSS at the end: $(rss)"
