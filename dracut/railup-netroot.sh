#!/bin/sh
# netroot hook: the rails are configured before a network root is mounted.
# Sourced by dracut's /sbin/netroot right before it mounts: return, not exit.
/sbin/railup-dracut wanted || return 0
if [ -n "$DRACUT_SYSTEMD" ]; then
	# railup-initrd.service: wait for it (start returns at once if it ran)
	systemctl -q is-failed railup-initrd.service ||
		systemctl start railup-initrd.service
else
	# the settled job may not have run yet: start railup if it has not
	/sbin/railup-dracut start
	/sbin/railup-dracut wait
fi
return 0
