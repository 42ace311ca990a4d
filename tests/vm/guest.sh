# shellcheck shell=sh
# /vm/guest.sh - helpers for VM test bodies (busybox sh), sourced by
# /init before /vm/test.sh. Output lines start with a tag the host side
# reads with vm_log_lines LOG TAG:
#   VM-CHECK ok: DESC | VM-CHECK FAIL: DESC     (vm_check / vm_fail / vm_pass)
#   VM-NOTE text                               (vm_note)
# Every failure is also appended to /run/vm-failures, so /init reports
# rc=1 even if the body itself exits 0.

vm_pass() { echo "VM-CHECK ok: $*"; }
vm_fail() {
	echo "VM-CHECK FAIL: $*"
	echo "$*" >>/run/vm-failures
}
vm_note() { echo "VM-NOTE $*"; }

# vm_check DESC CMD [ARG...]: run CMD (output kept on the console, indented),
# pass if it exits 0. CMD runs in a command substitution (a subshell), so
# shell variables it sets are lost; kernel state (modules, links) is not.
vm_check() {
	_vm_desc=$1
	shift
	if _vm_out=$("$@" 2>&1); then
		vm_pass "$_vm_desc"
		_vm_rc=0
	else
		_vm_rc=$?
		vm_fail "$_vm_desc (rc=$_vm_rc: $*)"
	fi
	[ -n "$_vm_out" ] && printf '%s\n' "$_vm_out" | sed 's/^/    /'
	return $_vm_rc
}

# vm_check_fails DESC CMD [ARG...]: pass if CMD exits non-zero.
vm_check_fails() {
	_vm_desc=$1
	shift
	if _vm_out=$("$@" 2>&1); then
		vm_fail "$_vm_desc (unexpectedly succeeded: $*)"
		_vm_rc=1
	else
		vm_pass "$_vm_desc"
		_vm_rc=0
	fi
	[ -n "$_vm_out" ] && printf '%s\n' "$_vm_out" | sed 's/^/    /'
	return $_vm_rc
}

# vm_check_eq DESC EXPECTED ACTUAL
vm_check_eq() {
	if [ "$2" = "$3" ]; then
		vm_pass "$1"
	else
		vm_fail "$1 (expected '$2', got '$3')"
		return 1
	fi
}

# vm_wait SECONDS CMD [ARG...]: poll CMD every 0.1 s until it succeeds;
# fails after SECONDS.
vm_wait() {
	_vm_n=$(($1 * 10))
	shift
	while [ "$_vm_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_vm_n=$((_vm_n - 1))
	done
	"$@" >/dev/null 2>&1
}

# vm_nics: the names of the virtio NICs (eth*), one per line, sorted.
vm_nics() {
	for _vm_n in /sys/class/net/*; do
		[ -e "$_vm_n/device" ] && echo "${_vm_n##*/}"
	done | sort
}
