#!/bin/sh
# pre-mount hook (dracut without systemd): before the root is mounted, say
# how railup did and apply rd.rail.policy. continue: the boot goes on with a
# loud warning; halt: die, which drops to the emergency shell (or halts, as
# rd.shell and rd.emergency say). Sourced: return, not exit.
[ -n "$DRACUT_SYSTEMD" ] && return 0
/sbin/railup-dracut wanted || return 0
/sbin/railup-dracut wait
RAILUP_RESULT=
[ -r /run/railup/state ] && . /run/railup/state
case $RAILUP_RESULT in
ok | disabled) ;;
degraded) warn "railup: rails degraded (an optional rail failed): see above" ;;
*)
	if /usr/lib/railup/railup-policy should-halt; then
		die "railup: rails ${RAILUP_RESULT:-without a result} and rd.rail.policy=halt"
	fi
	warn "railup: rails ${RAILUP_RESULT:-without a result}: the boot goes on (rd.rail.policy=continue)"
	;;
esac
return 0
