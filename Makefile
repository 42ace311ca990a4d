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
MUSL_CFLAGS := $(COMMON) -DRAILUP_OWN_MALLOC -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	$(DEPS_CFLAGS)
MUSL_LDFLAGS := -static -Wl,--gc-sections -s
HOST_CFLAGS := $(COMMON) -O1 -g

SRCS := $(wildcard early/*.c)
HDRS := $(wildcard early/*.h)
MUSL_OBJS := $(patsubst early/%.c,build/musl/%.o,$(SRCS))
# The stages the unit tests exercise: no main, no libkmod.
UNIT_SRCS := $(filter-out early/main.c early/commands.c early/modules.c early/watch.c,$(SRCS))
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

# Packages the tests need beyond the build's (scripts/deps.sh installs those);
# strace and util-linux (taskset, setpriv) for the netns fault tests.
TEST_PACKAGES := iproute2 procps systemd jq qemu-system-x86 busybox-static kmod cpio strace util-linux

test-deps:
	DEPS_EXTRA_PACKAGES="$(TEST_PACKAGES)" scripts/deps.sh --packages-only

check: all test-deps unit
	tests/run.sh

demo: all
	tests/demo.sh

# Every C file of the tree, as .clang-format says; make lint checks it.
FORMAT_SRCS = $(wildcard early/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/netns/*.c tests/bench/*.c)

format:
	clang-format -i $(FORMAT_SRCS)

clean:
	rm -rf build early/railup

.PHONY: all unit test-deps check demo format clean

# make install: PREFIX (/usr), DESTDIR, SBINDIR, MANDIR, and these. /etc
# files go to $(DESTDIR)/etc whatever PREFIX says. The initramfs pieces of
# mkinitcpio/ and initramfs-tools/ are installed as far as they exist.
SYSCONFDIR ?= /etc
LIBDIR ?= $(PREFIX)/lib
DOCDIR ?= $(PREFIX)/share/doc/railup
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
NETWORKDCONFDIR ?= $(LIBDIR)/systemd/networkd.conf.d
DRACUTMODDIR ?= $(LIBDIR)/dracut/modules.d/90railup
INITCPIODIR ?= $(LIBDIR)/initcpio
INITRAMFSTOOLSDIR ?= $(PREFIX)/share/initramfs-tools
UNITS := $(wildcard conf/systemd/*.service)
INSTALL ?= install

install: early/railup
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(LIBDIR)/railup \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(NETWORKDCONFDIR) $(DESTDIR)$(DRACUTMODDIR) \
		$(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0755 early/railup $(DESTDIR)$(SBINDIR)/railup
	$(INSTALL) -m 0644 early/railup.8 $(DESTDIR)$(MANDIR)/man8/railup.8
	$(INSTALL) -m 0755 libexec/railup-policy $(DESTDIR)$(LIBDIR)/railup/railup-policy
	@# the units name /usr/sbin/railup and /usr/lib/railup: follow SBINDIR and LIBDIR
	for u in $(UNITS); do \
		sed -e 's|/usr/sbin/railup|$(SBINDIR)/railup|g' -e 's|/usr/lib/railup/|$(LIBDIR)/railup/|g' \
			$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; \
	done
	$(INSTALL) -m 0644 conf/networkd/railup.conf $(DESTDIR)$(NETWORKDCONFDIR)/railup.conf
	$(INSTALL) -m 0644 conf/rt_protos.d/railup.conf $(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d/railup.conf
	$(INSTALL) -m 0644 conf/railup.conf.example conf/boot-integration.md conf/systemd/boot-complete-railup.conf \
		$(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 conf/NetworkManager/railup.conf $(DESTDIR)$(DOCDIR)/NetworkManager-railup.conf
	@# dracut: the module and, beside it, what it puts into images (paths in the image are fixed)
	$(INSTALL) -m 0755 dracut/*.sh libexec/railup-policy $(DESTDIR)$(DRACUTMODDIR)/
	$(INSTALL) -m 0644 conf/systemd/railup-initrd.service conf/systemd/railup-halt.service \
		$(DESTDIR)$(DRACUTMODDIR)/
	$(INSTALL) -m 0644 conf/networkd/railup.conf $(DESTDIR)$(DRACUTMODDIR)/networkd.conf
	@# mkinitcpio and initramfs-tools, whatever of them exists
	for f in $(wildcard mkinitcpio/install/railup mkinitcpio/hooks/railup); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(INITCPIODIR)/$${f#mkinitcpio/} || exit 1; \
	done
	for f in $(wildcard initramfs-tools/hooks/railup initramfs-tools/scripts/*/railup); do \
		$(INSTALL) -D -m 0755 $$f $(DESTDIR)$(INITRAMFSTOOLSDIR)/$${f#initramfs-tools/} || exit 1; \
	done

# The boot integration's tests: make install, units, real dracut boots in VMs.
check-boot: all test-deps
	tests/run.sh boot

.PHONY: install check-boot
include tests/fuzz/fuzz.mk
include tests/hardening.mk
