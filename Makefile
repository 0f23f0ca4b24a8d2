# stockcast top-level targets. Each target installs missing system packages first.
BUILD_DIR   ?= build
TEST_DIR    ?= build-asan
BENCH_DIR   ?= build
GENERATOR   := -G Ninja
JOBS        ?= $(shell nproc)

.PHONY: deps configure build demo test bench clean

# web-deps: the dashboard's npm packages (ECharts is embedded at configure time).
deps:
	@./scripts/install-deps.sh && ./scripts/web-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo needs only the binary, not the test and benchmark executables.
demo: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target stockcast_cli
	@./scripts/demo.sh $(BUILD_DIR)/stockcast out

# Unit and end-to-end tests run under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps
	@cmake -S . -B $(TEST_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSTOCKCAST_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)
	@cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@./bench/run_all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR) out
