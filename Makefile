# Basalt: `make run` starts it, `make test` runs every test. Both install what they
# need on a fresh Debian machine when run as root, or say exactly what to install.

SWIFT ?= swift
CRASH_ROUNDS ?= 50

.PHONY: demo all deps test-deps interop-deps build test interop run torture fuzz bench bench-broker clean

PIP_PACKAGES = confluent-kafka==2.16.1 kafka-python==3.0.12 lz4==4.4.5 pytest

all: build

deps:
	@if [ ! -f /usr/include/lz4frame.h ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing liblz4-dev"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q liblz4-dev; \
		else \
			echo "liblz4 headers are missing: install them with 'sudo apt-get install -y liblz4-dev' (Debian/Ubuntu) or 'brew install lz4' (macOS)"; \
			exit 1; \
		fi; \
	fi

# GNU time: the memory test reads a child's own peak RSS from it (`/usr/bin/time -f %M`).
test-deps:
	@if [ ! -x /usr/bin/time ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing time"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; \
		else \
			echo "GNU time is missing: install it with 'sudo apt-get install -y time' (Debian/Ubuntu)"; exit 1; \
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
	@python3 -c "import confluent_kafka, kafka, lz4, pytest" 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)

build: deps
	$(SWIFT) build

test: deps test-deps interop-deps
	$(SWIFT) build --build-tests
	BASALT_CRASH_ROUNDS=$(CRASH_ROUNDS) $(SWIFT) test
	$(MAKE) interop

interop: interop-deps
	$(SWIFT) build --product basalt-broker
	BASALT_BROKER=$$($(SWIFT) build --show-bin-path)/basalt-broker python3 -m pytest -q Tests/interop

run: deps
	$(SWIFT) run -c release basalt-broker --data-dir ./data --listen 127.0.0.1:9092 --metrics 127.0.0.1:9100

demo: deps
	$(SWIFT) run -c release basalt-demo ./data-demo

torture: deps
	$(SWIFT) build --build-tests
	BASALT_CRASH_ROUNDS=1000 $(SWIFT) test --filter CrashTests

fuzz: deps
	$(MAKE) -C Fuzz run

bench: deps
	cd Benchmarks && ./run.sh

bench-broker: deps
	@if [ "$$(id -u)" = 0 ]; then apt-get install -y -q librdkafka-dev libnats-dev nats-server redis-server; fi
	$(SWIFT) build -c release --product basalt-broker
	@python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install -q matplotlib
	BASALT_BROKER=$$($(SWIFT) build -c release --show-bin-path)/basalt-broker RESULTS=docs/broker-benchmark.tsv Benchmarks/broker/run.sh
	python3 Benchmarks/broker/chart.py docs/broker-benchmark.tsv docs/broker-benchmark.png

clean:
	rm -rf .build
