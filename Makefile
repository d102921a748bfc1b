# clipseg-swift — two commands do all set-up on a fresh Debian 12 machine (root, Swift 6 toolchain):
#   make demo   installs missing system packages, builds release, segments the sample video
#   make test   installs missing system packages, builds the test helpers, runs `swift test`
SHELL := /bin/bash

# Debian packages the build and the tests need (libcurl4: FoundationNetworking's URLSession, for clipseg download).
DEB_PACKAGES := libv4l-dev libavcodec-dev libavformat-dev libavdevice-dev libswscale-dev libavutil-dev \
                libopenblas-dev libdnnl-dev pkg-config ffmpeg libcurl4
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

FAKECAM_SRC := $(wildcard Tests/FakeCamera/*.c)
FAKECAM_LIB := .build/fakecam/libclipseg-fakecam.so

.PHONY: all deps build release test test-cluster demo fakecam fuzz clean

all: build

## deps: install the Debian packages that are missing (apt-get update only when something is missing)
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build

release: deps
	swift build -c release

## fakecam: the LD_PRELOAD fake V4L2 camera the camera tests drive (test code, not shipped)
fakecam: $(FAKECAM_LIB)

$(FAKECAM_LIB): $(wildcard Tests/FakeCamera/*.c Tests/FakeCamera/*.h)
	@mkdir -p $(dir $@)
	@if [ -n "$(FAKECAM_SRC)" ]; then cc -O2 -Wall -shared -fPIC -o $@ $(FAKECAM_SRC) -ldl -lpthread; fi

test: deps fakecam
	swift test

## test-cluster: the Ray driver on a local two-node cluster (127.0.0.1), one node killed mid-run
## (Distributed/test_cluster.py); Ray is installed into a virtual environment outside the repository
RAY_VENV ?= $(HOME)/.cache/clipseg/ray-venv
test-cluster:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(DEB_PACKAGES) python3-venv"
	swift build
	@[ -x "$(RAY_VENV)/bin/ray" ] || { python3 -m venv "$(RAY_VENV)" && "$(RAY_VENV)/bin/pip" install -q -r Distributed/requirements.txt; }
	"$(RAY_VENV)/bin/python" Distributed/test_cluster.py --clipseg .build/debug/clipseg

## fuzz: build the libFuzzer targets (Tests/Fuzz, with ASan) and run each for FUZZ_SECONDS; see Tests/Fuzz/README.md
FUZZ_TARGET ?= all
FUZZ_SECONDS ?= 60
fuzz: deps
	Tests/Fuzz/run.sh $(FUZZ_TARGET) $(FUZZ_SECONDS)

DEMO_INPUT ?= Samples/videos/shapes.mp4
DEMO_MODEL ?= Samples/models/shapes
DEMO_PROMPT ?= red circle

demo: release
	@mkdir -p out
	.build/release/clipseg segment "$(DEMO_INPUT)" --model "$(DEMO_MODEL)" --prompt "$(DEMO_PROMPT)" -o out/demo.mp4 -y
	@echo "Wrote out/demo.mp4"

clean:
	rm -rf .build out
