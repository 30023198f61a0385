# Entry points a newcomer needs; CMake does the real work.
#   make run    build (release) and run the embedded default scenario
#   make test   build with ASan+UBSan and run every test through CTest, then `make fuzz`
#   make fuzz   build the libFuzzer harnesses with clang and fuzz each for
#               FUZZ_SECONDS (default 20; fuzz/README.md)
#   make bench  build and run the benchmarks (bench/README.md)
#   make install PREFIX=P   build (release) and install under P (default
#               /usr/local): bin/tcesim, libtcesim, headers, pkg-config and
#               CMake files, presets (docs/embedding.md)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 20
PREFIX ?= /usr/local

.PHONY: all setup build run test fuzz bench install clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/tcesim run

$(BUILD_ASAN)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DTCESIM_SANITIZE=ON

test: setup $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) fuzz

# Configured every time so that FUZZ_SECONDS reaches the tests; CC/CXX only
# matter to the first configure of $(BUILD_FUZZ).
fuzz: setup
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DTCESIM_FUZZ=ON \
		-DTCESIM_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	cd $(BUILD_FUZZ) && ctest --output-on-failure -j $(JOBS) -R '^fuzz_'

bench: build
	./$(BUILD)/bench/tcesim_bench
	bash bench/macro.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix "$(PREFIX)"

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
