# Basalt: `make run` starts it, `make test` runs every test. Both install what they
# need on a fresh Debian machine when run as root, or say exactly what to install.

SWIFT ?= swift
CRASH_ROUNDS ?= 50

.PHONY: all deps build test run torture fuzz bench clean

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

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	BASALT_CRASH_ROUNDS=$(CRASH_ROUNDS) $(SWIFT) test

run: deps
	$(SWIFT) run -c release basalt-demo

torture: deps
	$(SWIFT) build --build-tests
	BASALT_CRASH_ROUNDS=1000 $(SWIFT) test --filter CrashTests

fuzz: deps
	$(MAKE) -C Fuzz run

bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

clean:
	rm -rf .build
