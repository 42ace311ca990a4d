# shellcheck shell=bash
# tests/initramfs/lib-mkinitcpio.sh - a stand-in for mkinitcpio's build-time
# hook API, enough to run an install hook's build() and see what it adds.
# mkinitcpio is not packaged for Debian; this follows its documented API
# (mkinitcpio(8), "ABOUT INSTALL HOOKS"), written for these tests:
#
#   add_module NAME[?]     the module and its dependencies (modinfo against
#                          $_optmoduleroot / $KERNELVERSION), soft
#                          dependencies as optional; a trailing ? makes a
#                          missing module no error; built-in modules count
#                          as present. $HARNESS_MISSING_MODULES lists modules
#                          to treat as absent from the kernel.
#   add_binary SRC [DEST] [MODE]   a file, plus its shared libraries
#   add_file SRC [DEST] [MODE]     a file; an error when SRC is missing
#   add_dir PATH [MODE]            a directory (with parents)
#   add_symlink NAME [TARGET]      a symbolic link (TARGET defaults to what
#                                  NAME points to on the host)
#   add_runscript                  hooks/<caller's name> from $_d_hooks as
#                                  /hooks/<name>, mode 755, registered for
#                                  the run_* functions it defines
#   add_systemd_unit NAME          only once the systemd hook is sourced
#                                  (as in mkinitcpio, where install/systemd
#                                  defines it): the unit from
#                                  /usr/lib/systemd/system or
#                                  /lib/systemd/system, its Exec* binaries
#                                  and Requires= units; it enables nothing
#   map, in_array, msg, msg2, plain, quiet, warning, error
#   BUILDROOT, KERNELVERSION, _hooks (the hook set), _builderrors
#
# harness_build HOOK... runs each install hook's build() in order, as
# mkinitcpio's build step does, sourcing each from $_d_install;
# harness_standins provides base, udev and systemd. A failing add_* call counts in
# _builderrors (mkinitcpio's RETURN trap). Records:
#   _modpaths[path]=1, _addedmodules[name]=1|2 (2: built in), _runhooks[kind]

declare -A _addedmodules=() _modpaths=() _runhooks=()
declare -a _hooks=()
declare -i _builderrors=0
KERNELVERSION=${KERNELVERSION:-}
_optmoduleroot=${_optmoduleroot:-}
_d_hooks=${_d_hooks:-}
_d_install=${_d_install:-}
BUILDROOT=${BUILDROOT:-}

plain() { local m=$1; shift; printf "    $m\n" "$@"; }
quiet() { [[ ${HARNESS_VERBOSE:-0} == 1 ]] && plain "$@"; return 0; }
msg() { local m=$1; shift; printf "==> $m\n" "$@"; }
msg2() { local m=$1; shift; printf "  -> $m\n" "$@"; }
warning() { local m=$1; shift; printf "==> WARNING: $m\n" "$@" >&2; }
error() { local m=$1; shift; printf "==> ERROR: $m\n" "$@" >&2; return 1; }

map() {
	local f=$1 a r=0
	shift
	for a; do "$f" "$a" || r=1; done
	return $r
}

in_array() {
	local n=$1 x
	shift
	for x; do [[ $x == "$n" ]] && return 0; done
	return 1
}

# the layout mkinitcpio gives a fresh build root (usr-merged, sbin in bin)
harness_buildroot() {
	BUILDROOT=$1
	rm -rf "$BUILDROOT"
	install -dm755 "$BUILDROOT"/{proc,sys,dev,run,tmp,var,etc,usr/{local/{bin,sbin,lib},lib,bin}}
	ln -s usr/lib "$BUILDROOT/lib"
	ln -s bin "$BUILDROOT/usr/sbin"
	ln -s usr/bin "$BUILDROOT/bin"
	ln -s usr/bin "$BUILDROOT/sbin"
	ln -s lib "$BUILDROOT/usr/lib64"
	ln -s usr/lib "$BUILDROOT/lib64"
	_addedmodules=() _modpaths=() _runhooks=() _builderrors=0
	if [[ -n $KERNELVERSION ]]; then
		install -dm755 "$BUILDROOT/usr/lib/modules/$KERNELVERSION/kernel"
		# built-in modules are "present"
		local m
		while read -r m; do
			m=${m##*/} m=${m%.ko*}
			_addedmodules[${m//-/_}]=2
		done <"$_optmoduleroot/lib/modules/$KERNELVERSION/modules.builtin"
	fi
}

add_dir() {
	[[ $1 == /?* ]] || return 1
	[[ -d $BUILDROOT$1 ]] && return 0
	quiet "adding dir: %s" "$1"
	install -dm"${2:-755}" "$BUILDROOT$1"
}

add_symlink() {
	local name=$1 target=${2:-$1}
	(($# == 1 || $# == 2)) || return 1
	if [[ $name == "$target" ]]; then
		target=$(readlink "$name") || { error "invalid symlink: '%s'" "$name"; return 1; }
	fi
	[[ -n $target ]] || { error "invalid symlink: '%s'" "$name"; return 1; }
	add_dir "${name%/*}" || return 1
	quiet "adding symlink: %s -> %s" "$name" "$target"
	ln -sfn "$target" "$BUILDROOT$name"
}

add_file() {
	local src=$1 dest=${2:-$1} mode=$3
	[[ -f $src ]] || { error "file not found: '%s'" "$src"; return 1; }
	[[ $dest == */ ]] && dest=$dest${src##*/}
	quiet "adding file: %s" "$dest"
	if [[ -n $mode ]]; then
		install -Dm"$mode" "$src" "$BUILDROOT$dest"
	else
		mkdir -p "$BUILDROOT${dest%/*}" && cp --remove-destination -p "$src" "$BUILDROOT$dest"
	fi
}

add_binary() {
	local bin=$1 dest lib
	if [[ $bin != /* ]]; then
		bin=$(type -P "$bin") || { error "binary not found: '%s'" "$1"; return 1; }
	fi
	dest=${2:-$bin}
	add_file "$bin" "$dest" "$3" || return 1
	# shared libraries, if any (a static binary has none)
	while read -r lib; do
		[[ -f $lib && ! -e $BUILDROOT$lib ]] && add_file "$lib"
	done < <(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' | grep -v '^/.*:$')
	return 0
}

add_module() {
	local name=$1 optional=0 target f v found=0 d
	local -a deps soft
	[[ $KERNELVERSION == none ]] && return 0
	if [[ $name == *\? ]]; then
		optional=1
		name=${name%\?}
	fi
	target=${name%.ko*} target=${target//-/_}
	[[ -n ${_addedmodules[$target]:-} ]] && return 0
	if ! in_array "$target" ${HARNESS_MISSING_MODULES:-}; then
		while IFS= read -r -d '' f; do
			# "filename:   /path", "depends=a,b", "softdep=pre: x"
			f=${f/=/:}
			v=${f#*:} f=${f%%:*}
			v=${v#"${v%%[! ]*}"}
			case $f in
			filename)
				if [[ $v == /* ]]; then
					found=1
					d=${v##*/} d=${d%.ko*}
					_modpaths[$v]=1
					_addedmodules[${d//-/_}]=1
					quiet "adding module: %s" "$d"
				fi
				;;
			depends)
				IFS=, read -ra deps <<<"$v"
				for d in "${deps[@]}"; do [[ -n $d ]] && add_module "$d"; done
				;;
			softdep)
				read -ra soft <<<"$v"
				for d in "${soft[@]}"; do [[ $d == *: ]] || add_module "$d?"; done
				;;
			esac
		done < <(modinfo -b "$_optmoduleroot" -k "$KERNELVERSION" -0 "$target" 2>/dev/null)
	fi
	if ((!found)); then
		((optional)) && return 0
		[[ -n ${_addedmodules[$target]:-} ]] && return 0
		error "module not found: '%s'" "$target"
		return 1
	fi
	return 0
}

add_runscript() {
	local name=${BASH_SOURCE[1]##*/} script fn
	script=$(PATH=$_d_hooks type -P "$name") || {
		error "runtime script for '%s' not found" "$name"
		return 1
	}
	add_file "$script" "/hooks/$name" 755 || return 1
	for fn in $(grep -Eo '^[[:space:]]*run_[[:alnum:]_]+\(\)' "$script" | tr -d ' \t()'); do
		case $fn in
		run_earlyhook) _runhooks[early]+=" $name" ;;
		run_hook) _runhooks[hooks]+=" $name" ;;
		run_latehook) _runhooks[late]+=" $name" ;;
		run_cleanuphook) _runhooks[cleanup]="$name ${_runhooks[cleanup]:-}" ;;
		run_emergencyhook) _runhooks[emergency]="$name ${_runhooks[emergency]:-}" ;;
		esac
	done
}

# harness_standins DIR: stand-ins for the hooks "base", "udev" and "systemd"
# in DIR (add DIR to $_d_install). The systemd one defines add_systemd_unit
# when sourced, as mkinitcpio's install/systemd does for the hooks after it:
# the unit from /usr/lib/systemd/system or /lib/systemd/system, the
# binaries of its Exec* lines and its Requires=/OnFailure= units.
harness_standins() {
	mkdir -p "$1" || return 1
	printf '%s\n' 'build() { add_binary "$(type -P busybox)" /usr/bin/busybox; }' \
		'help() { echo "base stand-in"; }' >"$1/base"
	printf '%s\n' 'build() { :; }' 'help() { echo "udev stand-in"; }' >"$1/udev"
	cat >"$1/systemd" <<'EOF_SYSTEMD'
add_systemd_unit() {
	local unit key value
	local -a values
	unit=$(PATH=/usr/lib/systemd/system:/lib/systemd/system type -P "$1") || return 1
	add_file "$unit" || return 1
	while IFS='=' read -r key value; do
		read -ra values <<<"$value"
		case $key in
		Requires | OnFailure) map add_systemd_unit "${values[@]}" ;;
		Exec*)
			case ${values[0]} in
			-*) ;;
			'!!'*) add_binary "${values[0]#!!}" ;;
			*) add_binary "${values[0]#[@!:+]}" ;;
			esac
			;;
		esac
	done <"$unit"
}
build() { add_binary "$(type -P busybox)" /usr/lib/systemd/systemd; }
help() { echo "systemd stand-in"; }
EOF_SYSTEMD
}

# harness_build HOOK...: the build step, with mkinitcpio's error counting:
# each hook sourced from $_d_install, its build() run.
harness_build() {
	local h script
	_hooks=("$@")
	unset -f add_systemd_unit
	set -o functrace
	trap '(( $? )) && [[ $FUNCNAME == add_* ]] && (( ++_builderrors ))' RETURN
	for h in "$@"; do
		script=$(PATH=$_d_install type -P "$h") || { error "Hook '%s' cannot be found" "$h"; ((++_builderrors)); continue; }
		unset -f build
		# shellcheck disable=SC1090
		. "$script" || { ((++_builderrors)); continue; }
		declare -F build >/dev/null || { error "Hook '%s' has no build function" "$h"; ((++_builderrors)); continue; }
		msg2 "Running build hook: [%s]" "$h"
		build
	done
	trap - RETURN
	set +o functrace
}
