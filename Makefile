# otp-advisor — build, test, demo, bench.
#
# `make test` and `make demo` first run scripts/install-deps.sh (idempotent, apt, as root),
# so a fresh Debian 12 machine needs nothing else. ei's paths come from the installed
# Erlang (code:lib_dir(erl_interface)), read once into build/ei.dir.

CC      ?= cc
BUILD   := build
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CSTD    := -std=c11 -D_DEFAULT_SOURCE -D_REENTRANT -pthread
OPT     ?= -O2 -g
EI_DIR   = $(shell cat $(BUILD)/ei.dir 2>/dev/null)
CPPFLAGS = -Iinclude -I$(BUILD) -I$(EI_DIR)/include
LDLIBS   = -L$(EI_DIR)/lib -lei -ledit -ljansson -lssl -lcrypto -lm -pthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer

PROBE_SRC := probes/otp_advisor_probe.erl
SRCS    := $(wildcard src/*.c)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
GEN     := $(BUILD)/probe_blobs.c
OBJS    := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS)) $(BUILD)/obj/probe_blobs.o
LIBOBJS_SAN := $(patsubst src/%.c,$(BUILD)/san/%.o,$(LIBSRCS)) $(BUILD)/san/probe_blobs.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps test unit golden integration integration-nothing demo bench clean format format-check fixtures fuzz install uninstall deb

all: deps
	@$(MAKE) --no-print-directory $(BUILD)/otp-advisor

deps:
	@scripts/install-deps.sh

$(BUILD)/ei.dir:
	@mkdir -p $(BUILD)
	@erl -noshell -eval 'io:format("~s", [code:lib_dir(erl_interface)]), halt().' > $@.tmp && mv $@.tmp $@

# The probe: compiled under a versioned name (a hash of its source, so two builds with
# different probes never share a loaded module), and its body parsed for --no-load.
$(BUILD)/probe.vsn: $(PROBE_SRC)
	@mkdir -p $(BUILD)
	@echo "otp_advisor_probe_$$(md5sum $(PROBE_SRC) | cut -c1-10)" > $@

$(BUILD)/probe.beam: $(PROBE_SRC) $(BUILD)/probe.vsn
	@mkdir -p $(BUILD)/probe
	@m=$$(cat $(BUILD)/probe.vsn); \
	  sed "s/^-module(otp_advisor_probe)\./-module($$m)./" $(PROBE_SRC) > $(BUILD)/probe/$$m.erl && \
	  erlc -Werror -o $(BUILD)/probe $(BUILD)/probe/$$m.erl && cp $(BUILD)/probe/$$m.beam $@

$(BUILD)/probe_body.etf: $(PROBE_SRC) scripts/parse-body.escript
	@mkdir -p $(BUILD)
	@escript scripts/parse-body.escript $(PROBE_SRC) $@

$(GEN): $(BUILD)/probe.beam $(BUILD)/probe_body.etf $(BUILD)/probe.vsn scripts/embed.sh
	@scripts/embed.sh $(BUILD)/probe.vsn $(BUILD)/probe.beam $(BUILD)/probe_body.etf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h include/*.def) | $(BUILD)/ei.dir
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) -c $< -o $@

$(BUILD)/obj/probe_blobs.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) -c $< -o $@

$(BUILD)/san/%.o: src/%.c $(wildcard include/*.h include/*.def) | $(BUILD)/ei.dir
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(CSTD) -O1 -g $(SAN) $(WARN) $(CPPFLAGS) -c $< -o $@

$(BUILD)/san/probe_blobs.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -O1 -g -c $< -o $@

$(BUILD)/otp-advisor: $(OBJS)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(LDLIBS)

$(BUILD)/otp-advisor-san: $(LIBOBJS_SAN) $(BUILD)/san/main.o
	@echo "  LD san  $@"
	@$(CC) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIBOBJS_SAN)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CSTD) -O1 -g $(SAN) $(WARN) $(CPPFLAGS) -Itests/unit -o $@ $< $(LIBOBJS_SAN) $(LDLIBS) -lcmocka

fixtures: deps
	@scripts/build-fixtures.sh

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  CMOCKA_TEST_ABORT=1 $$t || fail=1; done; exit $$fail

golden: $(BUILD)/otp-advisor-san
	@tests/golden/run.sh
	@OA=$(CURDIR)/tests/golden/crash.sh CRASH_CHECK=1 tests/golden/run.sh >$(BUILD)/golden-crash.log 2>&1 || \
	  { tail -20 $(BUILD)/golden-crash.log; echo "golden: a case passed with a crashing binary"; exit 1; }
	@tail -1 $(BUILD)/golden-crash.log
	@tests/rules/run.sh
	@OA=$(CURDIR)/tests/golden/crash.sh CRASH_CHECK=1 tests/rules/run.sh >$(BUILD)/rules-crash.log 2>&1 || \
	  { tail -20 $(BUILD)/rules-crash.log; echo "rules: a case passed with a crashing binary"; exit 1; }
	@tail -1 $(BUILD)/rules-crash.log

# Then the same tests against a program that does nothing (tests/integration/nothing.sh: exit
# 0, no output): every content check must fail, only the honest ones (an exit status, the
# target's health, nothing left behind, the safety harness: tests/integration/lib.sh) may
# pass. Run on the tests where the stand-in is cheap (NOTHING_TESTS, under three minutes on
# a busy machine); `make integration-nothing` runs it on every test (about 15 minutes;
# t_package is not run against it, it says why).
NOTHING_TESTS ?= t_cli t_dot t_mermaid t_files t_forks t_handshake t_diff t_check_erlang t_staged t_supbusy \
  t_errors t_report t_bounded t_shell_pty t_snapshot_erlang t_snapshot_elixir t_iex_mix t_watch t_busynames t_realshapes \
  t_mcp
integration: $(BUILD)/otp-advisor $(BUILD)/otp-advisor-san
	@scripts/build-fixtures.sh
	@tests/integration/run.sh
	@NOTHING_CHECK=1 tests/integration/run.sh $(NOTHING_TESTS) >$(BUILD)/integration-nothing.log 2>&1 || \
	  { grep -E '^== |PASSED-WITH-NOTHING|^t_[a-z_0-9]+: [0-9]+ passed|^integration' $(BUILD)/integration-nothing.log | tail -40; \
	    echo "integration: a content check passed with a program that does nothing"; exit 1; }
	@tail -1 $(BUILD)/integration-nothing.log

integration-nothing: $(BUILD)/otp-advisor $(BUILD)/otp-advisor-san
	@scripts/build-fixtures.sh
	@NOTHING_CHECK=1 tests/integration/run.sh

# The one test command (README, .ci/run): deps, build, unit tests, then real nodes.
# A crashing node writes its dump to a temporary folder, never into the checkout; and the
# run must leave the checkout as it found it (git status before and after).
export ERL_CRASH_DUMP ?= $(or $(TMPDIR),/tmp)/otp-advisor-erl_crash.dump

test: deps
	@scripts/install-deps.sh test
	@scripts/install-test-npm.sh
	@mkdir -p $(BUILD); git status --porcelain 2>/dev/null > $(BUILD)/status.before || true
	@$(MAKE) --no-print-directory format-check unit golden integration
	@git status --porcelain 2>/dev/null > $(BUILD)/status.after || true
	@if ! cmp -s $(BUILD)/status.before $(BUILD)/status.after; then \
	  echo "test: the run changed the checkout (git status before / after):"; \
	  diff $(BUILD)/status.before $(BUILD)/status.after; exit 1; fi; echo "test: the checkout is as it was"

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/otp-advisor
	@scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/otp-advisor
	@scripts/bench.sh

# libFuzzer (clang) over the snapshot loader and everything that reads a snapshot; seeded
# with the golden snapshots and hand-written text ones (tests/fuzz/seeds/*.snap). Not part
# of `make test`: FUZZ_SECONDS=60 make fuzz.
FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory $(BUILD)/ei.dir $(GEN)
	@mkdir -p $(BUILD)/fuzz/corpus && cp tests/golden/*.etf tests/fuzz/seeds/*.etf tests/fuzz/seeds/*.snap $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -o $(BUILD)/fuzz/fuzz_snapshot \
	  tests/fuzz/fuzz_snapshot.c $(LIBSRCS) $(GEN) $(LDLIBS)
	$(BUILD)/fuzz/fuzz_snapshot -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=4096 \
	  -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus

# Installing where it is needed: the binary (ei linked in statically; libedit is the one
# shared library it needs), its man page and bash completion. PREFIX and DESTDIR as usual.
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man/man1
COMPDIR  = $(PREFIX)/share/bash-completion/completions

install: $(BUILD)/otp-advisor
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(BUILD)/otp-advisor $(DESTDIR)$(BINDIR)/otp-advisor
	install -m 644 man/otp-advisor.1 $(DESTDIR)$(MANDIR)/otp-advisor.1
	install -m 644 completion/otp-advisor.bash $(DESTDIR)$(COMPDIR)/otp-advisor

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/otp-advisor $(DESTDIR)$(MANDIR)/otp-advisor.1 $(DESTDIR)$(COMPDIR)/otp-advisor

# a Debian package for hosts without a compiler (scripts/make-deb.sh): Depends from
# dpkg-shlibdeps, checked with lintian
deb: $(BUILD)/otp-advisor
	@scripts/install-deps.sh deb
	@scripts/make-deb.sh

FMT_SRCS := src/*.c include/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c

format:
	clang-format -i $(FMT_SRCS)

# the tree is formatted (make format); a change that is not fails here, with the diff
format-check:
	@clang-format --dry-run -Werror $(FMT_SRCS) 2>&1 | head -20; \
	  clang-format --dry-run -Werror $(FMT_SRCS) >/dev/null 2>&1 && echo "format: the tree is formatted"

clean:
	rm -rf $(BUILD)
