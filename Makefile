# Basalt: `make run` starts it, `make test` runs every test. Both install what they
# need on a fresh Debian machine when run as root, or say exactly what to install.

SWIFT ?= swift
CRASH_ROUNDS ?= 50
# Mutants `make fuzz-live` sends to a running broker, and their seed (Tests/interop/live_fuzz.py).
LIVE_FUZZ_MUTANTS ?= 50000
LIVE_FUZZ_SEED ?= 20240611

.PHONY: demo all deps test-deps interop-deps build test interop security-test run torture fuzz fuzz-live bench bench-broker bench-memory bench-cluster clean cluster cluster-test torture-cluster bench-compaction

# kafka-python needs lz4, python-snappy (which pulls in cramjam) and zstandard for those codecs.
PIP_PACKAGES = confluent-kafka==2.16.1 kafka-python==3.0.12 lz4==4.4.5 python-snappy==0.7.3 cramjam==2.14.0 zstandard==0.25.0 pytest
# A client pinned to old API versions (Tests/interop/test_old_clients.py): kafka-python 2.0.2,
# whose schemas still hold Produce v0–2 and Fetch v0–3, in its own directory so it does not
# replace 3.0.12; xxhash is what its magic 0 LZ4 framing needs.
OLD_KAFKA_PYTHON_DIR = .build/kafka-python-2.0.2
OLD_PIP_PACKAGES = kafka-python==2.0.2 xxhash==4.1.0

# The compression libraries Basalt links (Package.swift's system-library targets), as
# Debian packages and the header that shows each is installed.
CODEC_PACKAGES = liblz4-dev zlib1g-dev libzstd-dev libsnappy-dev
CODEC_HEADERS = /usr/include/lz4frame.h /usr/include/zlib.h /usr/include/zstd.h /usr/include/snappy-c.h

all: build

deps:
	@missing=""; for header in $(CODEC_HEADERS); do [ -f $$header ] || missing="$$missing $$header"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing $(CODEC_PACKAGES) (missing:$$missing)"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(CODEC_PACKAGES); \
		else \
			echo "compression library headers are missing ($$missing): install them with 'sudo apt-get install -y $(CODEC_PACKAGES)' (Debian/Ubuntu) or 'brew install lz4 zstd snappy' (macOS)"; \
			exit 1; \
		fi; \
	fi

# GNU time: the memory test reads a child's own peak RSS from it (`/usr/bin/time -f %M`).
# etcd: the BasaltEtcd tests start a real etcd server (Debian's etcd-server, 3.4).
test-deps:
	@if [ ! -x /usr/bin/time ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing time"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; \
		else \
			echo "GNU time is missing: install it with 'sudo apt-get install -y time' (Debian/Ubuntu)"; exit 1; \
		fi; \
	fi
	@if ! command -v etcd >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing etcd-server"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server; \
		else \
			echo "etcd is missing: install it with 'sudo apt-get install -y etcd-server' (Debian/Ubuntu)"; exit 1; \
		fi; \
	fi

# Real Kafka clients for the interop tests: kcat and librdkafka from Debian, the Python
# clients from PyPI.
interop-deps:
	@if ! command -v kcat >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q kcat librdkafka-dev; \
		else \
			echo "kcat is missing: install it with 'sudo apt-get install -y kcat librdkafka-dev'"; exit 1; \
		fi; \
	fi
	@python3 -c "import confluent_kafka, kafka, lz4, snappy, zstandard, pytest" 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)
	@[ -f $(OLD_KAFKA_PYTHON_DIR)/kafka/version.py ] && [ -d $(OLD_KAFKA_PYTHON_DIR)/xxhash ] || \
		python3 -m pip install -q --no-deps --target $(OLD_KAFKA_PYTHON_DIR) $(OLD_PIP_PACKAGES)
	@# openssl makes the test CA and certificates of the security tests (Tests/security).
	@if ! command -v openssl >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssl; \
		else \
			echo "openssl is missing: install it with 'sudo apt-get install -y openssl'"; exit 1; \
		fi; \
	fi

build: deps
	$(SWIFT) build

test: deps test-deps interop-deps
	$(SWIFT) build --build-tests
	@# The in-process broker tests answer over real sockets within a 10 s receive timeout;
	@# they run on their own, because the storage, crash and etcd tests keep both cores of a
	@# 2-core machine busy with blocking work for tens of seconds at a time.
	BASALT_CRASH_ROUNDS=$(CRASH_ROUNDS) $(SWIFT) test --skip-build --skip BasaltBrokerTests
	$(SWIFT) test --skip-build --filter BasaltBrokerTests
	$(MAKE) interop
	$(MAKE) security-test
	$(MAKE) cluster-test

interop: interop-deps
	$(SWIFT) build --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build --show-bin-path)/basalt-broker python3 -m pytest -q Tests/interop

# TLS, SASL and listeners with real clients and test certificates (Tests/security).
security-test: interop-deps
	$(SWIFT) build --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build --show-bin-path)/basalt-broker python3 -m pytest -q Tests/security

run: deps
	$(SWIFT) run -c release basalt-broker --data-dir ./data --listen 127.0.0.1:9092 --metrics 127.0.0.1:9100

demo: deps
	$(SWIFT) run -c release basalt-demo ./data-demo

torture: deps
	$(SWIFT) build --build-tests
	BASALT_CRASH_ROUNDS=1000 $(SWIFT) test --filter CrashTests

fuzz: deps
	$(MAKE) -C Fuzz run
	$(MAKE) fuzz-live

# A real broker against mutants of real clients' request frames; findings are appended to
# live-fuzz-findings.jsonl with the command that replays each.
fuzz-live: deps interop-deps
	$(SWIFT) build --product basalt-broker
	python3 Tests/interop/live_fuzz.py --mutants $(LIVE_FUZZ_MUTANTS) --seed $(LIVE_FUZZ_SEED) \
		--broker $$($(SWIFT) build --show-bin-path)/basalt-broker --findings live-fuzz-findings.jsonl

bench: deps
	cd Benchmarks && ./run.sh

bench-broker: deps
	@if [ "$$(id -u)" = 0 ]; then apt-get install -y -q librdkafka-dev libnats-dev nats-server redis-server; fi
	$(SWIFT) build -c release --product basalt-broker
	@python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install -q matplotlib
	BASALT_BROKER=$$($(SWIFT) build -c release --show-bin-path)/basalt-broker RESULTS=docs/broker-benchmark.tsv Benchmarks/broker/run.sh
	python3 Benchmarks/broker/chart.py docs/broker-benchmark.tsv docs/broker-benchmark.png

# Broker RSS after 100 MiB and after 10 GiB produced (needs 10 GiB free under DATA_ROOT or /tmp).
bench-memory: deps
	@if [ "$$(id -u)" = 0 ]; then apt-get install -y -q librdkafka-dev; fi
	$(SWIFT) build -c release --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build -c release --show-bin-path)/basalt-broker Benchmarks/broker/memory.sh

# Cluster benchmark (issue 9): RF=3 acks=all against RF=1 acks=1 throughput with CPU per GB,
# failover after SIGKILL and SIGTERM of the leader (30 rounds each), replica catch-up against
# the loopback sendfile ceiling; one run, about 6 minutes (`QUICK=1 make bench-cluster`: 1 minute).
# test-deps brings etcd, interop-deps confluent-kafka. Prints a markdown report.
bench-cluster: deps test-deps interop-deps
	@if [ "$$(id -u)" = 0 ]; then apt-get install -y -q librdkafka-dev; fi
	$(SWIFT) build -c release --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build -c release --show-bin-path)/basalt-broker python3 Benchmarks/broker/cluster_bench.py

# Replication (issue 9): a local three-broker cluster, and the Jepsen-style tests of
# Tests/cluster (real etcd, real brokers, SIGKILL/SIGSTOP/network partitions; see
# Tests/cluster/README.md). Not part of `make test` yet.
CLUSTER_ROUNDS ?= 3
TORTURE_CLUSTER_ROUNDS ?= 200
TORTURE_PAUSE_ROUNDS ?= 20

cluster: deps
	$(SWIFT) build -c release --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build -c release --show-bin-path)/basalt-broker python3 Tests/cluster/run_local_cluster.py --data ./data-cluster

cluster-test: deps test-deps interop-deps
	$(SWIFT) build --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build --show-bin-path)/basalt-broker BASALT_CLUSTER_ROUNDS=$(CLUSTER_ROUNDS) python3 -m pytest -q Tests/cluster

torture-cluster: deps test-deps interop-deps
	$(SWIFT) build --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build --show-bin-path)/basalt-broker BASALT_CLUSTER_ROUNDS=$(TORTURE_CLUSTER_ROUNDS) python3 -m pytest -q Tests/cluster/test_leader_sigkill.py
	BASALT_BROKER=$$($(SWIFT) build --show-bin-path)/basalt-broker BASALT_PAUSE_ROUNDS=$(TORTURE_PAUSE_ROUNDS) python3 -m pytest -q Tests/cluster/test_leader_pause.py

clean:
	rm -rf .build

# Log cleaner throughput against the raw read+write limit of the same disk (docs/benchmarks.md, Compaction).
bench-compaction: deps
	$(SWIFT) build -c release --product CompactionBench
	rm -rf /tmp/basalt-compaction-bench && mkdir -p /tmp/basalt-compaction-bench
	$$($(SWIFT) build -c release --show-bin-path)/CompactionBench /tmp/basalt-compaction-bench 256 10000
	rm -rf /tmp/basalt-compaction-bench && mkdir -p /tmp/basalt-compaction-bench
	$$($(SWIFT) build -c release --show-bin-path)/CompactionBench /tmp/basalt-compaction-bench 256 200000
	rm -rf /tmp/basalt-compaction-bench && mkdir -p /tmp/basalt-compaction-bench
	$$($(SWIFT) build -c release --show-bin-path)/CompactionBench /tmp/basalt-compaction-bench 256 10000 100
	rm -rf /tmp/basalt-compaction-bench
