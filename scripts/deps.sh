#!/bin/bash
# scripts/deps.sh - build railup's static (musl) dependencies into .deps/
#
# Usage (from the repository root, as root on Debian 12; the Makefile runs it):
#   scripts/deps.sh                  install packages, fetch sources, build libs
#   scripts/deps.sh --packages-only  only install the Debian packages
#   scripts/deps.sh --help
#
# Environment:
#   DEPS_EXTRA_PACKAGES  extra Debian packages to install (space separated),
#                        e.g. DEPS_EXTRA_PACKAGES="qemu-system-x86 busybox-static"
#   DEPS_JOBS            parallel compile jobs (default: nproc)
#   MUSL_CC              musl compiler driver (default: musl-gcc)
#
# Idempotent: every stage leaves a stamp in .deps/stamps/ holding a key made
# of this script's checksum, the compiler and the flags; a stage runs again
# only when its key changes.  A warm run only checks packages and stamps.
#
# Interface (all paths absolute, everything below is .gitignored):
#   .deps/musl/flags.mk   Makefile fragment defining
#       DEPS_CC      = musl-gcc
#       DEPS_KINC    = <root>/.deps/kinc            (linux, asm, asm-generic, rdma
#                                                    symlinks into /usr/include)
#       DEPS_PREFIX  = <root>/.deps/musl
#       DEPS_CFLAGS  = -isystem <root>/.deps/kinc -I<root>/.deps/musl/include
#       DEPS_LIBS    = <prefix>/lib/libkmod.a <prefix>/lib/liblzma.a
#                      <prefix>/lib/libzstd.a <prefix>/lib/libz.a   (link order)
#       DEPS_LIB_CFLAGS = the flags the archives were built with
#   .deps/musl/include/   libkmod.h, lzma.h + lzma/, zstd.h, zstd_errors.h,
#                         zlib.h, zconf.h
#   .deps/musl/lib/       libkmod.a liblzma.a libzstd.a libz.a
#
# Link the program with: $(DEPS_CC) -static -Wl,--gc-sections ... $(DEPS_LIBS)
# The archives are built -Os -fPIE -ffunction-sections -fdata-sections, so
# they suit -static as well as -static-pie, and --gc-sections drops unused
# code. All three compression libraries are built for decompression only.
#
# Sources are Debian's source packages (kmod, xz-utils, libzstd, zlib) as
# served by the archives this machine already uses: a private apt
# configuration under .deps/apt/ is derived at run time from
# /etc/apt/sources.list{,.d/} with deb-src enabled; the machine's own apt
# configuration and lists are never touched.  Debian's patches
# (debian/patches/series) are applied with patch(1), so security fixes that
# Debian carries are included.
set -euo pipefail

# Debian packages needed by the build and the tests.  Extend here (or with
# DEPS_EXTRA_PACKAGES) - e.g. qemu-system-x86 busybox-static kmod cpio
# dracut-core clang.
PACKAGES="gcc make musl-tools musl-dev linux-libc-dev check xz-utils zstd
bzip2 patch ca-certificates"

# Debian source packages built into static archives.
SOURCE_PACKAGES="kmod xz-utils libzstd zlib"

# Flags every archive is built with.
LIB_CFLAGS="-Os -fPIE -ffunction-sections -fdata-sections"

die() { echo "deps.sh: error: $*" >&2; exit 1; }
say() { echo "deps.sh: $*"; }
trap 'echo "deps.sh: FAILED (line $LINENO: $BASH_COMMAND)" >&2' ERR

PACKAGES_ONLY=0
for arg in "$@"; do
	case "$arg" in
	--packages-only) PACKAGES_ONLY=1 ;;
	-h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$arg' (try --help)" ;;
	esac
done

ROOT=$(pwd -P)
[ -f "$ROOT/scripts/deps.sh" ] || die "run me from the repository root"
case "$ROOT" in *[[:space:]]*) die "repository path must not contain blanks: $ROOT" ;; esac

# Nothing from a calling make or the user's environment leaks into the builds.
unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CPPFLAGS LDFLAGS LIBS CC CPP
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
JOBS=${DEPS_JOBS:-$(nproc 2>/dev/null || echo 2)}
MUSL_CC=${MUSL_CC:-musl-gcc}

DEPS=$ROOT/.deps
PREFIX=$DEPS/musl
STAMPS=$DEPS/stamps
mkdir -p "$DEPS" "$STAMPS"

# One deps.sh at a time (make -j may start us twice).
exec 9>"$DEPS/.lock"
flock 9

# ---------------------------------------------------------------- packages
apt_lists_present() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

install_packages() {
	local want missing=() p status
	want="$PACKAGES ${DEPS_EXTRA_PACKAGES:-}"
	# One dpkg-query for all; unknown packages print nothing (stderr muted).
	declare -A ok=()
	while read -r p status; do
		[ "$status" = "ii" ] && ok[${p%%:*}]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $want 2>/dev/null || true)
	for p in $want; do
		[ -n "${ok[$p]:-}" ] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run as root or install them"
	say "installing ${missing[*]}"
	local apt=(apt-get -q -y -o Dpkg::Use-Pty=0 install --no-install-recommends)
	local log=$DEPS/apt-install.log
	if ! apt_lists_present; then
		apt-get -q -o Dpkg::Use-Pty=0 update >"$log" 2>&1 ||
			{ cat "$log" >&2; die "apt-get update failed"; }
	fi
	if ! "${apt[@]}" "${missing[@]}" >"$log" 2>&1; then
		say "install failed; running apt-get update and retrying"
		apt-get -q -o Dpkg::Use-Pty=0 update >"$log" 2>&1 ||
			{ cat "$log" >&2; die "apt-get update failed"; }
		"${apt[@]}" "${missing[@]}" >"$log" 2>&1 ||
			{ cat "$log" >&2; die "apt-get install ${missing[*]} failed"; }
	fi
}

install_packages
[ "$PACKAGES_ONLY" = 1 ] && exit 0

command -v "$MUSL_CC" >/dev/null || die "$MUSL_CC not found (musl-tools)"

# ------------------------------------------------------------------ stamps
# Key: this script, compiler version, flags.  Changing any rebuilds.
KEY=$( { cat "$ROOT/scripts/deps.sh"; "$MUSL_CC" -dumpfullversion -dumpversion 2>/dev/null;
	 dpkg-query -W -f='${Version}\n' musl-dev linux-libc-dev 2>/dev/null || true;
	 echo "$LIB_CFLAGS"; } | sha256sum | cut -c1-16)
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$KEY${2:+ $2}" ]; }
stamp_set() { echo "$KEY${2:+ $2}" >"$STAMPS/$1"; }

# --------------------------------------------------------- kernel headers
# musl-gcc uses -nostdinc; expose only the kernel's uapi headers (never the
# glibc ones in /usr/include).
make_kinc() {
	local multiarch kinc=$DEPS/kinc
	multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
	[ -n "$multiarch" ] || die "cannot determine the multiarch triplet"
	[ -d "/usr/include/$multiarch/asm" ] || die "/usr/include/$multiarch/asm missing (linux-libc-dev)"
	rm -rf "$kinc.tmp"
	mkdir -p "$kinc.tmp"
	ln -s /usr/include/linux "$kinc.tmp/linux"
	ln -s /usr/include/asm-generic "$kinc.tmp/asm-generic"
	ln -s "/usr/include/$multiarch/asm" "$kinc.tmp/asm"
	ln -s /usr/include/rdma "$kinc.tmp/rdma"
	rm -rf "$kinc"
	mv "$kinc.tmp" "$kinc"
}
if ! stamp_ok kinc; then
	say "kernel headers -> .deps/kinc"
	make_kinc
	stamp_set kinc
fi

# ----------------------------------------------------------------- sources
# Private apt configuration derived from the machine's sources, deb-src on.
make_apt_sources() {
	local parts=$1 f base
	rm -rf "$parts"
	mkdir -p "$parts"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
		[ -f "$f" ] || continue
		base=${f##*/}
		case "$base" in
		*.sources)
			# deb822: every stanza gets "Types: deb deb-src".
			sed -E 's/^(types:).*/\1 deb deb-src/I' "$f" >"$parts/$base" ;;
		*.list)
			# one-line: drop existing deb-src lines, add one per deb line.
			sed -nE '/^[[:space:]]*deb[[:space:]]/{p;s/^([[:space:]]*)deb([[:space:]])/\1deb-src\2/p}' \
				"$f" >"$parts/$base" ;;
		*) ;; # *.disabled-*, *.save, *.dpkg-old, ...: not apt sources
		esac
	done
	compgen -G "$parts/*" >/dev/null || die "no apt sources found in /etc/apt"
}

fetch_sources() {
	local a=$DEPS/apt out=$DEPS/src
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	make_apt_sources "$a/sources.list.d"
	local apt=(apt-get -q -o Dir::Etc::SourceList=/dev/null
		-o Dir::Etc::SourceParts="$a/sources.list.d"
		-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache"
		-o APT::Sandbox::User=root -o Dpkg::Use-Pty=0)
	# Some third-party source may lack deb-src: a failed update is only
	# fatal if the download below fails too.
	"${apt[@]}" update >"$a/update.log" 2>&1 ||
		say "warning: private apt-get update reported errors (see .deps/apt/update.log)"
	rm -rf "$out.tmp"
	mkdir -p "$out.tmp"
	(cd "$out.tmp" && "${apt[@]}" source --download-only $SOURCE_PACKAGES) >"$a/source.log" 2>&1 ||
		{ cat "$a/update.log" "$a/source.log" >&2; die "apt-get source $SOURCE_PACKAGES failed"; }
	rm -rf "$out"
	mv "$out.tmp" "$out"
	# The private lists (~40 MB) are only needed for this download.
	rm -rf "$a/lists" "$a/cache"
}

# The stamp records the source list, so a new Debian version is fetched only
# when deps.sh changes or .deps/src is removed.
if ! stamp_ok sources "$SOURCE_PACKAGES" || [ ! -d "$DEPS/src" ]; then
	say "downloading source packages: $SOURCE_PACKAGES"
	fetch_sources
	stamp_set sources "$SOURCE_PACKAGES"
fi

# Unpack source package $1 into .deps/build/$1 (orig + Debian patches);
# sets SRC to that directory.
unpack() {
	local pkg=$1 dir=$DEPS/build/$1 orig deb
	orig=$(compgen -G "$DEPS/src/${pkg}_*.orig.tar.*" | grep -v '\.asc$' | head -n1) ||
		die "no orig tarball for $pkg in .deps/src"
	deb=$(compgen -G "$DEPS/src/${pkg}_*.debian.tar.*" | head -n1) || deb=
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xf "$orig" -C "$dir" --strip-components=1 --no-same-owner
	if [ -n "$deb" ]; then
		tar -xf "$deb" -C "$dir" --no-same-owner
		if [ -f "$dir/debian/patches/series" ]; then
			local p rest
			while read -r p rest; do
				case "$p" in ''|\#*) continue ;; esac
				patch -d "$dir" -p1 -s -F0 -N --no-backup-if-mismatch \
					<"$dir/debian/patches/$p" >/dev/null ||
					die "$pkg: Debian patch $p does not apply"
			done <"$dir/debian/patches/series"
		fi
	fi
	SRC=$dir
}

# cc_many OBJDIR FILE... : compile in parallel with $CC_FLAGS, objects in OBJDIR.
cc_many() {
	local objdir=$1
	shift
	mkdir -p "$objdir"
	printf '%s\n' "$@" | MUSL_CC="$MUSL_CC" CC_FLAGS="$CC_FLAGS" OBJDIR="$objdir" \
		xargs -P "$JOBS" -n 1 sh -c \
		'o=$(printf %s "$1" | sed "s|.*/\([^/]*/[^/]*\)\$|\1|; s|/|_|g; s|\.[cS]\$|.o|")
		 exec $MUSL_CC $CC_FLAGS -c "$1" -o "$OBJDIR/$o"' sh ||
		die "compilation failed in $objdir"
}

mkdir -p "$PREFIX/lib" "$PREFIX/include"

# -------------------------------------------------------------------- zlib
build_zlib() {
	local s
	unpack zlib
	s=$SRC
	# libkmod only reads .gz modules: NO_GZCOMPRESS keeps gzclose() from
	# pulling in the whole deflate side.
	(cd "$s" && CC="$MUSL_CC" CFLAGS="$LIB_CFLAGS -DNO_GZCOMPRESS" ./configure --static \
		--prefix="$PREFIX" &&
		make -j"$JOBS" libz.a) >"$DEPS/build/zlib.log" 2>&1 ||
		{ tail -n 30 "$DEPS/build/zlib.log" >&2; die "zlib build failed"; }
	cp "$s/libz.a" "$PREFIX/lib/"
	cp "$s/zlib.h" "$s/zconf.h" "$PREFIX/include/"
}

# --------------------------------------------------------------------- xz
# Without constructors: liblzma would otherwise build its CRC tables in every
# railup start, though only loading an .ko.xz needs them (single-threaded, so
# the lazy initialisation this selects is safe).
build_xz() {
	local s
	unpack xz-utils
	s=$SRC
	(cd "$s" && ./configure CC="$MUSL_CC" CFLAGS="$LIB_CFLAGS" \
		--disable-shared --enable-static --enable-threads=no \
		--disable-encoders --disable-match-finders --enable-small \
		--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links --disable-scripts --disable-doc --disable-nls \
		--disable-rpath --disable-dependency-tracking &&
		sed -i '/HAVE_FUNC_ATTRIBUTE_CONSTRUCTOR/d' config.h &&
		make -C src/liblzma -j"$JOBS" liblzma.la) >"$DEPS/build/xz.log" 2>&1 ||
		{ tail -n 30 "$DEPS/build/xz.log" >&2; die "xz (liblzma) build failed"; }
	cp "$s/src/liblzma/.libs/liblzma.a" "$PREFIX/lib/"
	rm -rf "$PREFIX/include/lzma"
	cp -r "$s/src/liblzma/api/lzma.h" "$s/src/liblzma/api/lzma" "$PREFIX/include/"
}

# ------------------------------------------------------------------- zstd
# Decompression only: common/ + decompress/, with zstd's documented switches
# for a small decoder (one Huffman and one sequence decoder, no inlining, no
# error strings, no assembly): loading a module needs no speed records.
ZSTD_SMALL="-DHUF_FORCE_DECOMPRESS_X1 -DZSTD_FORCE_DECOMPRESS_SEQUENCES_SHORT -DZSTD_NO_INLINE
-DZSTD_STRIP_ERROR_STRINGS -DZSTD_DISABLE_ASM"
build_zstd() {
	local s
	unpack libzstd
	s=$SRC
	CC_FLAGS="$LIB_CFLAGS $(echo $ZSTD_SMALL) -DXXH_NAMESPACE=ZSTD_ -DZSTD_LEGACY_SUPPORT=0 -DZSTD_LIB_DEPRECATED=0 -I$s/lib -I$s/lib/common" \
		cc_many "$s/obj" "$s"/lib/common/*.c "$s"/lib/decompress/*.c
	rm -f "$PREFIX/lib/libzstd.a"
	ar rcs "$PREFIX/lib/libzstd.a" "$s"/obj/*.o
	cp "$s/lib/zstd.h" "$s/lib/zstd_errors.h" "$PREFIX/include/"
}

# ------------------------------------------------------------------- kmod
# kmod's configure refuses --enable-static: compile libkmod/*.c + shared/*.c
# directly with a hand-written config.h (what kmod's configure.ac would find
# on musl).
build_kmod() {
	local s ver
	unpack kmod
	s=$SRC
	ver=$(sed -n '/^AC_INIT/,/)/s/^[[:space:]]*\[\([0-9][0-9.]*\)\],.*/\1/p' "$s/configure.ac" | head -n1)
	[ -n "$ver" ] || die "cannot read kmod's version from configure.ac"
	cat >"$s/config.h" <<-EOF
	/* written by railup's scripts/deps.sh for musl */
	#define _GNU_SOURCE 1
	#define _FILE_OFFSET_BITS 64
	#define PACKAGE "kmod"
	#define VERSION "$ver"
	#define SYSCONFDIR "/etc"
	#define KMOD_FEATURES "-LIBCRYPTO +ZSTD +XZ +ZLIB"
	#define ENABLE_LOGGING 1
	#define ENABLE_XZ 1
	#define ENABLE_ZSTD 1
	#define ENABLE_ZLIB 1
	#define HAVE_SECURE_GETENV 1
	/* musl has no finit_module() wrapper: shared/missing.h uses syscall() */
	#define HAVE_DECL_STRNDUPA 0
	#define HAVE_DECL_BE32TOH 1
	#define HAVE_LINUX_MODULE_H 1
	#define HAVE_STRUCT_STAT_ST_MTIM 1
	#define HAVE_STATIC_ASSERT 1
	#define HAVE_NORETURN 1
	#define HAVE___BUILTIN_CLZ 1
	#define HAVE___BUILTIN_TYPES_COMPATIBLE_P 1
	#define HAVE___BUILTIN_UADDL_OVERFLOW 1
	#define HAVE___BUILTIN_UADDLL_OVERFLOW 1
	EOF
	CC_FLAGS="$LIB_CFLAGS -std=gnu11 -Wall -Wno-unused-parameter -include $s/config.h -I$s -I$PREFIX/include -isystem $DEPS/kinc" \
		cc_many "$s/obj" "$s"/libkmod/*.c "$s"/shared/*.c 2>"$DEPS/build/kmod.log" ||
		{ cat "$DEPS/build/kmod.log" >&2; die "libkmod build failed"; }
	if [ -s "$DEPS/build/kmod.log" ]; then
		say "libkmod: $(grep -c 'warning:' "$DEPS/build/kmod.log" || true) compiler warning(s), see .deps/build/kmod.log"
	fi
	rm -f "$PREFIX/lib/libkmod.a"
	ar rcs "$PREFIX/lib/libkmod.a" "$s"/obj/*.o
	cp "$s/libkmod/libkmod.h" "$PREFIX/include/"
	build_kmod_tools "$s"
}

# kmod's own tools, static, for the VM tests only: Debian's depmod reads no
# .ko.gz (it is built without zlib), and a test image of compressed modules
# needs one that reads all three. Invoked as depmod through a symlink.
build_kmod_tools() {
	local s=$1
	CC_FLAGS="$LIB_CFLAGS -std=gnu11 -Wall -Wno-unused-parameter -include $s/config.h -I$s -I$PREFIX/include -isystem $DEPS/kinc" \
		cc_many "$s/obj-tools" "$s"/tools/*.c 2>>"$DEPS/build/kmod.log" ||
		{ cat "$DEPS/build/kmod.log" >&2; die "kmod tools build failed"; }
	mkdir -p "$PREFIX/bin"
	"$MUSL_CC" -static -Wl,--gc-sections -s -o "$PREFIX/bin/kmod" "$s"/obj-tools/*.o \
		"$PREFIX/lib/libkmod.a" "$PREFIX/lib/liblzma.a" "$PREFIX/lib/libzstd.a" \
		"$PREFIX/lib/libz.a" || die "kmod tools link failed"
	ln -sf kmod "$PREFIX/bin/depmod"
}

build() {
	local name=$1
	if ! stamp_ok "$name" || [ ! -f "$PREFIX/lib/$2" ]; then
		say "building $2"
		"build_$name"
		stamp_set "$name"
	fi
}
build zlib libz.a
build xz liblzma.a
build zstd libzstd.a
# libkmod compiles against the headers above: rebuild it if any was rebuilt.
for lib in zlib xz zstd; do
	if [ "$STAMPS/$lib" -nt "$STAMPS/kmod" ]; then rm -f "$STAMPS/kmod"; fi
done
build kmod libkmod.a

# ---------------------------------------------------------------- flags.mk
FLAGS_MK=$PREFIX/flags.mk
if ! stamp_ok flags || [ ! -f "$FLAGS_MK" ]; then
	cat >"$FLAGS_MK.tmp" <<-EOF
	# generated by scripts/deps.sh - do not edit
	DEPS_CC = $MUSL_CC
	DEPS_KINC = $DEPS/kinc
	DEPS_PREFIX = $PREFIX
	DEPS_CFLAGS = -isystem $DEPS/kinc -I$PREFIX/include
	DEPS_LIBS = $PREFIX/lib/libkmod.a $PREFIX/lib/liblzma.a $PREFIX/lib/libzstd.a $PREFIX/lib/libz.a
	DEPS_LIB_CFLAGS = $LIB_CFLAGS
	EOF
	mv "$FLAGS_MK.tmp" "$FLAGS_MK"
	stamp_set flags
fi
