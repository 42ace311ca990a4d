# Fuzzing railup's parsers with libFuzzer; included by the top-level Makefile.
#
#   make fuzz            build every target, fuzz each for FUZZ_SECONDS (20) from
#                        its seed corpus, then replay the regressions; fails on any
#                        crash or sanitizer report (make -j2 fuzz runs two at once)
#   make fuzz-build      only build build/fuzz/fuzz_<target>
#   make fuzz-regress    only replay tests/fuzz/regress/ and tests/fuzz/corpus/
#   make fuzz-run-NAME   fuzz one target (FUZZ_SECONDS, FUZZ_ARGS for libFuzzer)
#
# A target is tests/fuzz/fuzz_NAME.c, its seeds tests/fuzz/corpus/NAME/, its
# crashes found so far (kept as regression tests) tests/fuzz/regress/NAME/,
# and its dictionary, if any, tests/fuzz/NAME.dict or, by the part of NAME
# before its first '_', tests/fuzz/config.dict for config_*. The early/*.c
# sources are compiled with clang and the sanitizers into build/fuzz/obj/,
# apart from the musl build; new inputs and crashes go to build/fuzz/.

FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 20
FUZZ_ARGS ?=
FUZZ_PACKAGES := clang-14 libclang-rt-14-dev
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# clang warns inside the uapi headers' macros where gcc does not: no -Werror here.
# Uninitialized locals get a pattern (0xAA...), so that one used as a length
# or an index shows reliably as an out-of-bounds access.
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -DRAILUP_VERSION='"fuzz"' -O1 -g \
	-fno-omit-frame-pointer -ftrivial-auto-var-init=pattern -Wall -Wextra -Wno-sign-compare -Wno-missing-field-initializers
# What the parsers under test need, and no more: the other stages stay out.
FUZZ_EARLY := $(addprefix early/,addr.c config.c ledger.c log.c netlink.c rail.c rdmacm.c \
	plan.c pmtu.c rdmanl.c report.c rtnl.c sysctl.c sysfs.c text.c tokens.c udev.c)
FUZZ_OBJS := $(patsubst early/%.c,build/fuzz/obj/%.o,$(FUZZ_EARLY))
FUZZ_LIB := build/fuzz/libearly.a
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
fuzz_dict = $(firstword $(wildcard tests/fuzz/$(1).dict tests/fuzz/$(firstword $(subst _, ,$(1))).dict))

fuzz-deps:
	$(Q)DEPS_EXTRA_PACKAGES="$(FUZZ_PACKAGES)" scripts/deps.sh --packages-only

build/fuzz/obj/%.o: early/%.c $(wildcard early/*.h) | fuzz-deps
	@mkdir -p $(@D)
	$(call show,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
		-c -o $@ $<

# An archive: each target links only the objects it needs.
$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call show,AR,$@)rm -f $@ && ar rcs $@ $(FUZZ_OBJS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB) | fuzz-deps
	$(call show,FUZZLD,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iearly -fsanitize=fuzzer $(FUZZ_SAN) \
		-o $@ $< $(FUZZ_LIB)

fuzz-build: $(FUZZ_BINS)

# The seed writer of tests/fuzz/mkcorpus.sh (not part of make fuzz).
build/fuzz/mkcorpus: tests/fuzz/mkcorpus.c $(FUZZ_LIB) | fuzz-deps
	$(call show,FUZZLD,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iearly $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB)

# One target's run; its verdict goes to build/fuzz/NAME.verdict for make fuzz.
fuzz-run-%: build/fuzz/fuzz_%
	@mkdir -p build/fuzz/work/$* build/fuzz/crashes
	@echo "  FUZZ	$* ($(FUZZ_SECONDS)s)"
	@if ASAN_OPTIONS=detect_leaks=1 $< -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/crashes/$*- \
		$(if $(call fuzz_dict,$*),-dict=$(call fuzz_dict,$*)) $(FUZZ_ARGS) \
		build/fuzz/work/$* tests/fuzz/corpus/$* >build/fuzz/$*.log 2>&1; then \
		echo "ok $$(grep -o 'stat::number_of_executed_units: *[0-9]*' build/fuzz/$*.log | \
			grep -o '[0-9]*$$') runs" >build/fuzz/$*.verdict; \
	else \
		echo "CRASH (build/fuzz/$*.log)" >build/fuzz/$*.verdict; \
		grep -E -m 12 'ERROR|SUMMARY|assertion|runtime error|Test unit written' \
			build/fuzz/$*.log | sed 's/^/    /'; \
	fi

fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)
	@for t in $(FUZZ_TARGETS); do printf '  %-16s %s\n' "$$t" "$$(cat build/fuzz/$$t.verdict)"; done
	$(Q)tests/corpus/fuzz-regress.sh
	@! grep -l CRASH $(FUZZ_TARGETS:%=build/fuzz/%.verdict) >/dev/null || \
		{ echo "make fuzz: crashes found; inputs in build/fuzz/crashes/"; exit 1; }

fuzz-regress: fuzz-build
	$(Q)tests/corpus/fuzz-regress.sh

.PHONY: fuzz fuzz-deps fuzz-build fuzz-regress
