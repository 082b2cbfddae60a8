# vejled — build, run and test.  See README.md.
#
#   make run      install dependencies, build, create var/vejled.db with the demo, serve :8080
#   make run-pg   the same on PostgreSQL (a cluster of its own in var/pg)
#   make test     install dependencies, build (normal + ASan/UBSan), run every test
#   make asan     the unit and HTTP tests against an AddressSanitizer/UBSan build
#   make test-http-pg  the HTTP tests against PostgreSQL (a throw-away cluster)
#   make tsan     a representative part of the HTTP tests against a ThreadSanitizer build
#   make lint     cppcheck over server/; the layers (scripts/check-layers.sh); no references
#                 outside the repository
#   make fuzz     every libFuzzer target for FUZZ_SECONDS (default 60) each
#   make bench    the performance ratios (scripts/bench/), PostgreSQL against SQLite too
#   make bench-pg only PostgreSQL against SQLite (scripts/bench/pg.sh)
#   make soak     the crash-safety and power-loss tests with many rounds (SOAK_ROUNDS),
#                 every letter once across servers with TWOSERVERS_JOBS letters at a sink
#                 delay of TWOSERVERS_SMTP_DELAY seconds
#   make fresh-check  make test + make run in a new minimal Debian 12 chroot (root; slow)
#   make shots    screenshots of every page into build/shots/ (index.html)

.DEFAULT_GOAL := all
.SUFFIXES:

BUILD   ?= build
SAN     ?=
PKGS    := libmicrohttpd sqlite3 jansson libsodium uuid libcurl pangocairo libpq
CC      ?= cc

# Recursive (=) so that pkg-config runs after scripts/deps.sh has installed the -dev packages.
CFLAGS  = -std=c11 -D_GNU_SOURCE -g -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Wpointer-arith -fno-common -MMD -MP \
          $(addprefix -I,$(SRC_DIRS)) $(shell pkg-config --cflags $(PKGS))
# pangocairo, libcurl and libpq are not linked: render/pdf_cairo.c opens the first with
# dlopen() when a PDF is drawn (in a short-lived `vejled pdf-render` child), delivery/channel.c
# the second when a letter first goes out by SMTP or webhook, store/pg/db_pg.c the third
# when a PostgreSQL database is opened; an idle server on an SQLite file maps none of them.
LDLIBS  = $(shell pkg-config --libs $(filter-out pangocairo libcurl libpq,$(PKGS))) -ldl -lpthread -lm
LDFLAGS =
# The sanitizer build is also the test build: VEJLED_TESTING compiles in the fault points
# (fault.h) and the slow-sync / power-cut SQLite VFS (store_testvfs.h); build/vejled has neither.
ifeq ($(SAN),1)
  CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
             -DVEJLED_TESTING
  LDFLAGS += -fsanitize=address,undefined
endif
# ThreadSanitizer build (make tsan): the test build with -fsanitize=thread.
ifeq ($(SAN),thread)
  CFLAGS  += -O1 -fsanitize=thread -fno-omit-frame-pointer -DVEJLED_TESTING
  LDFLAGS += -fsanitize=thread
endif
# Benchmark test build (make bench): the test build's slow-sync VFS and synchronous
# override (-DVEJLED_TESTING), optimised like the production build, no sanitizer.
ifeq ($(SAN),testing)
  CFLAGS  += -DVEJLED_TESTING
endif
# libFuzzer build (clang): every module instrumented, each target links -fsanitize=fuzzer.
ifeq ($(SAN),fuzz)
  CFLAGS  += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all -Wno-format-nonliteral
  LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

# The layers (server/README.md): every folder under server/ holds one, and its headers are
# included by their plain names.
SRC_DIRS := $(patsubst %/,%,$(sort $(dir $(wildcard server/*.c server/*/*.[ch] server/*/*/*.[ch]))))
SRC      := $(wildcard $(addsuffix /*.c,$(SRC_DIRS)))
LIB_OBJ  := $(patsubst server/%.c,$(BUILD)/obj/%.o,$(filter-out server/main.c,$(SRC)))
MAIN_OBJ := $(BUILD)/obj/main.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BIN      := $(BUILD)/vejled
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzzers/%,$(FUZZ_SRC))
# One target per unit test binary and per fuzzer run, so that make -j runs them side by side
UNIT_RUN   := $(addsuffix .run,$(UNIT_BIN))
FUZZ_SMOKE := $(patsubst tests/fuzz/fuzz_%.c,fuzz-smoke-%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
SOAK_ROUNDS  ?= 40
TWOSERVERS_JOBS ?= 5000
TWOSERVERS_SMTP_DELAY ?= 0.03
# Test files run at once: every file starts its own servers on free ports with databases of
# their own, every browser file its own Chromium.  HTTP_JOBS for the HTTP suites (their
# servers wait on disk and sockets as much as they compute: three at a time keep two cores
# busy), TEST_JOBS for the browser suite; 1 runs the files one after another.
TEST_JOBS ?= 2
HTTP_JOBS ?= 3
NPROC := $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build static run run-pg test test-unit test-http test-http-pg test-browser asan tsan lint clean \
        fuzz fuzz-bins fuzz-smoke fuzz-smoke-run $(UNIT_RUN) $(FUZZ_SMOKE) bench bench-pg bench-stats soak fresh-check shots

all: build

# Plain `make` installs nothing: when the -dev packages are missing, say what to run rather
# than let every compile fail on pkg-config.
ifneq ($(filter all build,$(or $(MAKECMDGOALS),all)),)
  ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),ok)
    $(error the libraries vejled builds with are missing; run `make deps` (as root or with sudo), or `make run` or `make test`, which install them first)
  endif
endif

deps:
	@scripts/deps.sh

build: $(BIN) $(UNIT_BIN) static

$(BUILD)/obj/%.o: server/%.c
	@echo "  CC      $<"
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests $(BUILD)/fuzzers:
	@mkdir -p $@

$(BIN): $(LIB_OBJ) $(MAIN_OBJ)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB_OBJ) | $(BUILD)/tests
	@echo "  CC      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS) -lcmocka

$(BUILD)/fuzzers/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJ) | $(BUILD)/fuzzers
	@echo "  FUZZ    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# Static files: ours from static/, the Danish design system (dkfds) from node_modules.
static:
	@mkdir -p build/static
	@cp -R static/. build/static/
	@if [ -d node_modules/dkfds/dist ]; then mkdir -p build/static/dkfds && \
	  cp -R node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/fonts \
	        node_modules/dkfds/dist/img build/static/dkfds/ 2>/dev/null || true; fi

run: deps
	@$(MAKE) --no-print-directory build
	@scripts/demo-media.sh var/media
	@$(BIN) demo --db var/vejled.db
	@$(BIN) serve --db var/vejled.db --listen 127.0.0.1:8080

# The same on PostgreSQL: a cluster of its own in var/pg, stopped with the server.
run-pg: deps
	@$(MAKE) --no-print-directory build
	@scripts/demo-media.sh var/media
	@scripts/run-pg.sh $(BIN)

# Every binary runs (make -k) even when one fails; with -j -O they run side by side and
# each one's output comes out whole.
test-unit: $(UNIT_RUN)

$(UNIT_RUN): %.run: %
	@$<

test-http: $(BIN)
	@VEJLED_BIN=$(abspath $(BIN)) node --test --test-concurrency=$(HTTP_JOBS) tests/http/

# The same HTTP suite against PostgreSQL: a throw-away cluster (scripts/with-pg.sh), a
# database of its own for every server the tests start.
test-http-pg: $(BIN)
	@scripts/with-pg.sh env VEJLED_BIN=$(abspath $(BIN)) node --test --test-concurrency=$(HTTP_JOBS) tests/http/

test-browser: $(BIN) static
	@VEJLED_BIN=$(abspath $(BIN)) node --test --test-concurrency=$(TEST_JOBS) tests/browser/

# The full suite: sanitizer build for unit + HTTP tests, normal build for the browser.
# The three builds first, each on every core; then the unit tests and the fuzzers' smoke
# runs side by side on every core; then the HTTP and browser suites one after another,
# HTTP_JOBS and TEST_JOBS files at a time.
test: deps
	@scripts/check-node.sh
	@$(MAKE) --no-print-directory -j$(NPROC) build
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory -j$(NPROC) BUILD=build/asan SAN=1 build
	@$(MAKE) --no-print-directory -j$(NPROC) CC=clang SAN=fuzz BUILD=build/fuzz fuzz-bins
	@$(MAKE) --no-print-directory -j$(NPROC) -O -k BUILD=build/asan SAN=1 test-unit fuzz-smoke-run
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 test-http test-http-pg
	@$(MAKE) --no-print-directory test-browser

# Screenshots of every page (citizen in every language, caseworker, admin) at 360 and
# 1280 px, JavaScript on and off: build/shots/index.html.  Starts and stops its own server.
shots: deps
	@$(MAKE) --no-print-directory $(BIN) static
	@VEJLED_BIN=$(abspath $(BIN)) node scripts/shots.mjs

asan: deps
	@scripts/check-node.sh
	@$(MAKE) --no-print-directory $(BIN)
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 test-unit test-http

# The server's threads under ThreadSanitizer: the HTTP tests that run requests, the
# writer, the scheduler and the shutdown concurrently (any report fails the test).
TSAN_TESTS ?= tests/http/groupcommit.test.mjs tests/http/citizen.test.mjs \
              tests/http/staff.test.mjs tests/http/api.test.mjs tests/http/shutdown.test.mjs \
              tests/http/delivery.test.mjs tests/http/hardening.test.mjs
tsan: deps
	@$(MAKE) --no-print-directory BUILD=build/tsan SAN=thread build/tsan/vejled
	@TSAN_OPTIONS="second_deadlock_stack=1 suppressions=$(abspath tests/tsan.supp)" \
	  VEJLED_BIN=$(abspath build/tsan/vejled) \
	  node --test --test-concurrency=1 $(TSAN_TESTS)

# Fuzzing (tests/fuzz/): clang + libFuzzer; seeds in tests/fuzz/corpus/<name>, what the
# fuzzer finds goes to build/fuzz/corpus/<name>, crashes to build/fuzz/crash-<name>-*.
fuzz-bins: $(FUZZ_BIN)

fuzz:
	@$(MAKE) --no-print-directory CC=clang SAN=fuzz BUILD=build/fuzz fuzz-bins
	@tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

# Every fuzzer for 5 s, on every core.
fuzz-smoke:
	@$(MAKE) --no-print-directory -j$(NPROC) CC=clang SAN=fuzz BUILD=build/fuzz fuzz-bins
	@$(MAKE) --no-print-directory -j$(NPROC) -O -k fuzz-smoke-run

fuzz-smoke-run: $(FUZZ_SMOKE)

$(FUZZ_SMOKE): fuzz-smoke-%:
	@tests/fuzz/run.sh build/fuzz 5 $*

# make bench: the production build, a no-sanitizer test build (build/bench) for the
# durability rows, and the national-scale database (STATS_DB, made once, bounded by
# STATS_GEN_SECONDS) for the big-database row.
bench: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory BUILD=build/bench SAN=testing build/bench/vejled
	@mkdir -p $(dir $(STATS_DB))
	@[ -f $(STATS_DB) ] || VEJLED_BIN=$(abspath $(BIN)) scripts/bench/stats-gen $(STATS_DB) \
	  $(STATS_ENROLMENTS) $(STATS_ANSWERS)
	@STATS_DB=$(abspath $(STATS_DB)) scripts/bench/run.sh $(abspath $(BIN)) $(abspath build/bench/vejled)
	@scripts/bench/pg.sh $(abspath $(BIN))

# PostgreSQL against SQLite: submissions/s and citizen page req/s, one and two servers.
bench-pg: deps
	@$(MAKE) --no-print-directory build
	@scripts/bench/pg.sh $(abspath $(BIN))

soak: deps
	@$(MAKE) --no-print-directory build
	@SOAK_ROUNDS=$(SOAK_ROUNDS) VEJLED_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 \
	  tests/http/crash.test.mjs
	@TWOSERVERS_JOBS=$(TWOSERVERS_JOBS) TWOSERVERS_SMTP_DELAY=$(TWOSERVERS_SMTP_DELAY) VEJLED_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 \
	  tests/http/twoservers.test.mjs
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 build/asan/vejled
	@POWERLOSS_ROUNDS=$(SOAK_ROUNDS) VEJLED_BIN=$(abspath build/asan/vejled) \
	  VEJLED_PROD_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 tests/http/powerloss.test.mjs
# The statistics at national scale: fills STATS_DB once (1,000,000 enrolments, 10,000,000
# answers over 8 quarters and 9 groups; a few minutes and about 2 GB), then times the
# dashboard in process and over HTTP.  Delete the file to make it again.
STATS_DB         ?= var/bench/stats.db
STATS_ENROLMENTS ?= 1000000
STATS_ANSWERS    ?= 10000000
bench-stats: deps
	@$(MAKE) --no-print-directory $(BIN) static
	@mkdir -p $(dir $(STATS_DB))
	@[ -f $(STATS_DB) ] || VEJLED_BIN=$(abspath $(BIN)) scripts/bench/stats-gen $(STATS_DB) \
	  $(STATS_ENROLMENTS) $(STATS_ANSWERS)
	@VEJLED_BIN=$(abspath $(BIN)) scripts/bench/stats.sh $(STATS_DB)

# The repository stands alone: no reference to a folder outside it or to a tracker number
# (the patterns are spelt so that this file does not match itself).
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	  --suppress=missingIncludeSystem $(addprefix -I,$(SRC_DIRS)) server/
	@scripts/check-layers.sh
	@if grep -rnI --exclude-dir=node_modules --exclude-dir=build --exclude-dir=.git \
	    --exclude-dir=var -e 'share[d]/' -e 'issue [0-9]' .; then \
	  echo "lint: the lines above refer to something outside the repository" >&2; exit 1; fi

# The committed HEAD on a bare Debian 12 (debootstrap): `make test`, then `make run` answers
# /healthz.  Root; many minutes.  FRESH_KEEP=1 keeps the chroot for debugging.
fresh-check:
	@scripts/fresh-check.sh $(if $(FRESH_KEEP),--keep)

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d $(BUILD)/tests/*.d \
                   $(BUILD)/fuzzers/*.d)
