#!/bin/bash
# Least surprise: railup never executes another program, nor starts a
# process. apply, status, plan, down and boot (rd.rail.verify=0, modules from
# the default list: libkmod is told never to run install commands) run under
# strace -f; the only execve is railup's own start (and, when RAILUP is a
# wrapper such as valgrind's, the wrapper's chain up to railup), and no
# fork, vfork, clone or clone3 is ever made.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

build_four_rails x
carrier "$NODE" ib3 "$SW" down # boot waits for ib3 and gives up at the deadline
LOG=$RU_TMP/exec.strace
SET=execve,execveat,fork,vfork,clone,clone3
set_conf "$MAP_A"
ru_strace "$NODE" "$LOG" "$SET" apply
expect_rc "apply" 0
ru_strace "$NODE" "$LOG" "$SET" status
ru_strace "$NODE" "$LOG" "$SET" plan
ru_strace "$NODE" "$LOG" "$SET" down
expect_rc "down" 0
set_conf "$MAP_A
rd.rail.verify=0 rd.rail.timeout=500ms"
ru_strace "$NODE" "$LOG" "$SET" boot --no-kmsg
expect_rc "boot (ib3 never ready)" 1
ru_strace "$NODE" "$LOG" "$SET" down

runs=6
expect_eq "processes started (fork, vfork, clone, clone3)" "" \
	"$(grep -E '^[0-9]+ +(fork|vfork|clone|clone3)\(' "$LOG" || true)"
bad=$(grep -E '^[0-9]+ +execve(at)?\(' "$LOG" | sed -E 's/^[0-9]+ +execve(at)?\("([^"]*)".*/\2/' |
	while read -r p; do launcher_exec "$p" || echo "$p"; done)
expect_eq "programs executed other than railup (and its launcher)" "" "$bad"
expect_eq "railup's own starts" "$runs" \
	"$(grep -cE "^[0-9]+ +execve\(\"($RAILUP|$RU_REAL)\"" "$LOG")"
pass "apply, status, plan, down and boot executed nothing and started no process"
