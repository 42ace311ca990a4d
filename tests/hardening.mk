# Hardening checks; included by the top-level Makefile.
#
#   make check-sanitize   railup and the unit tests built for the host (gcc,
#                         glibc: musl static cannot have ASan) with
#                         -fsanitize=address,undefined; the unit tests and the
#                         namespace suites run against them (RAILUP=...); any
#                         sanitizer report fails the target
#   make check-valgrind   the same under valgrind memcheck (--leak-check=full),
#                         RAILUP being a wrapper script; any error fails it
#   make lint             cppcheck and clang-tidy over early/, configured by
#                         .clang-tidy and tests/cppcheck.supp
#   make check-hardening  all three
#
# HARDEN_SUITES picks the suites (default: netns); TESTS=pattern as for
# tests/run.sh. Reports go to build/sanitize/logs/ and build/valgrind/logs/.
# The namespace tests that trace railup with strace run it without leak
# detection (LeakSanitizer cannot work under ptrace); every other run checks
# for leaks.

HARDEN_PACKAGES := strace valgrind cppcheck clang-tidy clang-format libkmod-dev util-linux \
	libcap2-bin perl check pkg-config
HARDEN_SUITES ?= netns
HARDEN_CC ?= gcc
# UBSan reports and goes on (halt_on_error=0), so that one report does not
# hide the rest of a run; tests/hardening-verdict.sh fails the target on any.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
SAN_CFLAGS := $(COMMON) -O1 -g $(SAN_FLAGS)
SAN_OBJS := $(patsubst early/%.c,build/sanitize/obj/%.o,$(SRCS))
SAN_UNIT_OBJS := $(patsubst early/%.c,build/sanitize/obj/%.o,$(UNIT_SRCS))
VG_CFLAGS := $(COMMON) -O1 -g
VG_OBJS := $(patsubst early/%.c,build/valgrind/obj/%.o,$(SRCS))
UNIT_LIBS := -lcheck -lsubunit -lm -lrt -pthread

SAN_LOGS := $(CURDIR)/build/sanitize/logs
# exitcode: a report also fails the run it happens in; log_path: every
# report is kept, whoever ran railup (a test that expects a failure too).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:exitcode=86:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0:log_path=$(SAN_LOGS)/ubsan \
	RU_TOOL_LOGS=$(SAN_LOGS)
VG_LOGS := $(CURDIR)/build/valgrind/logs
VG_OPTS := --quiet --error-exitcode=86 --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes --vgdb=no \
	--suppressions=$(CURDIR)/tests/valgrind.supp

check-hardening-deps:
	$(Q)DEPS_EXTRA_PACKAGES="$(HARDEN_PACKAGES)" scripts/deps.sh --packages-only

# ---- ASan + UBSan ----

build/sanitize/obj/%.o: early/%.c $(HDRS) | check-hardening-deps
	@mkdir -p $(@D)
	$(call show,SANCC,$@)$(HARDEN_CC) $(SAN_CFLAGS) -c -o $@ $<

build/sanitize/railup: $(SAN_OBJS)
	$(call show,SANLD,$@)$(HARDEN_CC) $(SAN_FLAGS) -o $@ $^ -lkmod

build/sanitize/unit-tests: $(TEST_SRCS) tests/unit/unit.h $(SAN_UNIT_OBJS)
	$(call show,SANLD,$@)$(HARDEN_CC) $(SAN_CFLAGS) -Iearly -o $@ $(TEST_SRCS) $(SAN_UNIT_OBJS) \
		$(UNIT_LIBS)

check-sanitize: build/sanitize/railup build/sanitize/unit-tests test-deps
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS) && touch $(SAN_LOGS)/.stamp
	$(SAN_ENV) build/sanitize/unit-tests >$(SAN_LOGS)/unit.out 2>&1; rc=$$?; \
	tail -n 3 $(SAN_LOGS)/unit.out; \
	$(SAN_ENV) RAILUP=$(CURDIR)/build/sanitize/railup tests/run.sh $(HARDEN_SUITES) || rc=1; \
	tests/hardening-verdict.sh sanitize $(SAN_LOGS) || rc=1; \
	exit $$rc

# ---- valgrind ----

build/valgrind/obj/%.o: early/%.c $(HDRS) | check-hardening-deps
	@mkdir -p $(@D)
	$(call show,CC,$@)$(HARDEN_CC) $(VG_CFLAGS) -c -o $@ $<

build/valgrind/railup.bin: $(VG_OBJS)
	$(call show,LD,$@)$(HARDEN_CC) -o $@ $^ -lkmod

# The wrapper tests/netns/lib.sh runs as railup: one log file per process.
build/valgrind/railup: build/valgrind/railup.bin tests/hardening.mk
	@printf '%s\n' '#!/bin/sh' \
		'# railup under valgrind memcheck (make check-valgrind)' \
		'exec /usr/bin/valgrind $(VG_OPTS) --log-file=$(VG_LOGS)/vg.%p.log $(CURDIR)/$< "$$@"' >$@
	@chmod +x $@

build/unit-tests-vg: $(TEST_SRCS) tests/unit/unit.h $(patsubst early/%.c,build/valgrind/obj/%.o,$(UNIT_SRCS))
	$(call show,LD,$@)$(HARDEN_CC) $(VG_CFLAGS) -Iearly -o $@ $(TEST_SRCS) \
		$(patsubst early/%.c,build/valgrind/obj/%.o,$(UNIT_SRCS)) $(UNIT_LIBS)

check-valgrind: build/valgrind/railup build/unit-tests-vg test-deps
	@rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS) && touch $(VG_LOGS)/.stamp
	CK_FORK=no /usr/bin/valgrind $(VG_OPTS) --log-file=$(VG_LOGS)/vg-unit.%p.log \
		build/unit-tests-vg >$(VG_LOGS)/unit.out 2>&1; rc=$$?; \
	tail -n 3 $(VG_LOGS)/unit.out; \
	RU_TOOL_LOGS=$(VG_LOGS):$${TMPDIR:-/tmp}/valgrind_ RAILUP=$(CURDIR)/build/valgrind/railup tests/run.sh $(HARDEN_SUITES) || rc=1; \
	tests/hardening-verdict.sh valgrind $(VG_LOGS) || rc=1; \
	exit $$rc

# ---- static analysis ----

LINT_DEFS := -std=gnu11 -D_GNU_SOURCE -DRAILUP_VERSION='"lint"'

# All run, whatever the first finds; any one's findings fail the target.
lint: check-hardening-deps
	@mkdir -p build/lint
	@echo "  CLANG-FORMAT	early/ tests/ (.clang-format)"
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRCS); rc=$$?; \
	echo "  CPPCHECK	early/ (tests/cppcheck.supp)"; \
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 --platform=unix64 --library=posix -D_GNU_SOURCE -D__linux__ -Iearly \
		--suppressions-list=tests/cppcheck.supp --inline-suppr --template=gcc early/*.c || rc=1; \
	echo "  CLANG-TIDY	early/ (.clang-tidy)"; \
	clang-tidy --quiet $(SRCS) -- $(LINT_DEFS) -Iearly >build/lint/clang-tidy.log 2>&1 || rc=1; \
	grep -v 'warnings\{0,1\} generated\.$$' build/lint/clang-tidy.log; \
	[ $$rc -eq 0 ] && echo "  lint: clean" || echo "  lint: findings above"; \
	exit $$rc

check-hardening: lint check-sanitize check-valgrind

.PHONY: check-hardening-deps check-sanitize check-valgrind lint check-hardening
