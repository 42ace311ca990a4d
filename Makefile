# railup: see README.md.
#
#   make            early/railup, static (musl), stripped
#   make check      every test: unit, namespaces, bad-input corpus, VMs
#   make demo       railup on four veth rails in a throwaway namespace
#   make install    PREFIX, DESTDIR, the usual

VERSION := 0.1
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man

# scripts/deps.sh installs packages and builds the static libraries.
-include .deps/musl/flags.mk

HOST_CC ?= gcc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	-Wno-missing-field-initializers -Werror
COMMON := -std=gnu11 -D_GNU_SOURCE -DRAILUP_VERSION='"$(VERSION)"' $(WARN)
MUSL_CFLAGS := $(COMMON) -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	$(DEPS_CFLAGS)
MUSL_LDFLAGS := -static -Wl,--gc-sections -s
HOST_CFLAGS := $(COMMON) -O1 -g

SRCS := $(wildcard early/*.c)
HDRS := $(wildcard early/*.h)
MUSL_OBJS := $(patsubst early/%.c,build/musl/%.o,$(SRCS))
# The stages the unit tests exercise: no main, no libkmod.
UNIT_SRCS := $(filter-out early/main.c early/commands.c early/modules.c,$(SRCS))
UNIT_OBJS := $(patsubst early/%.c,build/host/%.o,$(UNIT_SRCS))
TEST_SRCS := $(wildcard tests/unit/*.c)

# Quiet unless V=1.
Q := $(if $(V),,@)
show = $(if $(V),,@echo "  $(1)	$(2)";)

all: early/railup

.deps/musl/flags.mk: scripts/deps.sh
	scripts/deps.sh

build/musl/%.o: early/%.c $(HDRS) .deps/musl/flags.mk
	@mkdir -p $(@D)
	$(call show,CC,$@)$(DEPS_CC) $(MUSL_CFLAGS) -c -o $@ $<

early/railup: $(MUSL_OBJS)
	$(call show,LD,$@)$(DEPS_CC) $(MUSL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

build/host/%.o: early/%.c $(HDRS)
	@mkdir -p $(@D)
	$(call show,CC,$@)$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

build/unit-tests: $(TEST_SRCS) tests/unit/unit.h $(UNIT_OBJS)
	$(call show,LD,$@)$(HOST_CC) $(HOST_CFLAGS) -Iearly -o $@ $(TEST_SRCS) $(UNIT_OBJS) -lcheck -lsubunit -lm -lrt -pthread

unit: build/unit-tests
	build/unit-tests

# Packages the tests need beyond the build's (scripts/deps.sh installs those).
TEST_PACKAGES := iproute2 procps jq qemu-system-x86 busybox-static kmod cpio

test-deps:
	DEPS_EXTRA_PACKAGES="$(TEST_PACKAGES)" scripts/deps.sh --packages-only

check: all test-deps unit
	tests/run.sh

demo: all
	tests/demo.sh

format:
	clang-format -i early/*.c early/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build early/railup

.PHONY: all unit test-deps check demo format clean
