#!/usr/bin/env bash
# Broker memory as data grows: does RSS stay flat from 100 MiB to 10 GiB on disk?
#
#   Benchmarks/broker/memory.sh          (make bench-memory)
#
# Starts the release broker on a temporary data directory, produces 1 KiB values with
# librdkafka (acks=1, keyed, spread over TOPICS topics of PARTITIONS partitions each,
# batch.size BATCH_BYTES), samples /proc/PID/status after SMALL_MIB and after LARGE_MIB
# are on disk, again after a consumer and a raw client read old data back, and prints
# RSS(large) / RSS(small). The data directory is deleted at the end.
#
# Knobs (environment): SMALL_MIB=100 LARGE_MIB=10240 TOPICS=4 PARTITIONS=2
# BATCH_BYTES=16384 (the Java client's default batch.size) SEGMENT_BYTES (the broker's
# default 1 GiB when unset) DATA_ROOT (where the temporary directory goes; needs
# LARGE_MIB of free space) SMAPS=1 (print the ten largest mappings at each sample).
#
# Needs: apt-get install -y librdkafka-dev, and a release build:
# swift build -c release --product basalt-broker
set -euo pipefail
cd "$(dirname "$0")/../.."
SMALL_MIB=${SMALL_MIB:-100}
LARGE_MIB=${LARGE_MIB:-10240}
TOPICS=${TOPICS:-4}
PARTITIONS=${PARTITIONS:-2}
BATCH_BYTES=${BATCH_BYTES:-16384}
VALUE_BYTES=1024
BROKER=${BASALT_BROKER:-$(swift build -c release --show-bin-path 2>/dev/null)/basalt-broker}
[ -x "$BROKER" ] || { echo "build basalt-broker in release first: swift build -c release --product basalt-broker"; exit 1; }
WORK=$(mktemp -d "${DATA_ROOT:-${TMPDIR:-/tmp}}/basalt-memory.XXXXXX")
BROKER_PID=
cleanup() {
  if [ -n "$BROKER_PID" ]; then kill -TERM "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

gcc -O2 -o "$WORK/kafka_bench" Benchmarks/broker/kafka_bench.c -lrdkafka
K="$WORK/kafka_bench"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
{
  echo "num.partitions=$PARTITIONS"
  [ -n "${SEGMENT_BYTES:-}" ] && echo "log.segment.bytes=$SEGMENT_BYTES"
} > "$WORK/broker.properties"
"$BROKER" --config "$WORK/broker.properties" --data-dir "$WORK/data" --listen 127.0.0.1:"$PORT" --log-level warning &
BROKER_PID=$!
for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.05; done

kib() { awk -v k="$1" '$1 == k ":" {print $2}' /proc/"$BROKER_PID"/status; }
# Bytes of segment data: du would also count the preallocated indexes of active segments.
disk_mib() { find "$WORK/data" -name '*.log' -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / 1048576 }'; }
# Resident KiB of the broker's mapped index files, and how many are mapped.
index_maps() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 } /^Rss:/ && name ~ /\.(time)?index$/ { kb += $2; n++ }
       END { printf "%d maps, %.1f MiB", n, kb / 1024 }' /proc/"$BROKER_PID"/smaps
}
sample() {  # label; sets RSS_KIB
  sleep 2  # let the interval flush and in-flight requests finish
  RSS_KIB=$(kib VmRSS)
  printf '%-34s disk %6s MiB  VmRSS %6.1f MiB  RssAnon %6.1f  RssFile %6.1f  VmHWM %6.1f  index %s  fds %s\n' \
    "$1" "$(disk_mib)" "$(echo "$RSS_KIB/1024" | bc -l)" "$(echo "$(kib RssAnon)/1024" | bc -l)" \
    "$(echo "$(kib RssFile)/1024" | bc -l)" "$(echo "$(kib VmHWM)/1024" | bc -l)" "$(index_maps)" \
    "$(find /proc/"$BROKER_PID"/fd -mindepth 1 | wc -l)"
  if [ "${SMAPS:-0}" = 1 ]; then
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 == "" ? "[anon]" : $6 } /^Rss:/ && $2 > 0 { print $2, name }' \
      /proc/"$BROKER_PID"/smaps | sort -rn | awk 'NR <= 10 { print "    " $0 }'
  fi
}
fill() {  # MiB of values
  "$K" fill 127.0.0.1:"$PORT" mem "$TOPICS" "$(( $1 * 1048576 ))" "$VALUE_BYTES" 1 "$BATCH_BYTES" \
    | awk '{printf "  produced %s records, %s MB/s\n", substr($4, 9), $3}'
}

echo "basalt-broker memory: 1 KiB values, acks=1, $TOPICS topics x $PARTITIONS partitions, batch.size $BATCH_BYTES, segments ${SEGMENT_BYTES:-1073741824} B"
fill "$SMALL_MIB"
sample "after ${SMALL_MIB} MiB"
SMALL_KIB=$RSS_KIB
fill $(( LARGE_MIB - SMALL_MIB ))
sample "after ${LARGE_MIB} MiB"
LARGE_KIB=$RSS_KIB
# Old data: the first half of partition 0 of the first topic, which rolled long ago.
HALF=$(( LARGE_MIB * 1024 / TOPICS / PARTITIONS / 2 ))
"$K" fetch 127.0.0.1:"$PORT" mem-0 "$HALF" | awk '{printf "  consumer fetch: %s MB/s\n", $3}'
"$K" rawfetch "$PORT" mem-0 "$HALF" | awk '{printf "  raw fetch: %s MB/s\n", $2}'
sample "after fetching old data"
FETCH_KIB=$RSS_KIB
awk -v s="$SMALL_KIB" -v l="$LARGE_KIB" -v f="$FETCH_KIB" -v sm="$SMALL_MIB" -v lm="$LARGE_MIB" 'BEGIN {
  printf "RSS %d MiB / %d MiB on disk: %.2f (after the fetch: %.2f); bar <= 1.20: %s\n",
         lm, sm, l / s, f / s, (l / s <= 1.2 && f / s <= 1.2) ? "met" : "not met" }'
