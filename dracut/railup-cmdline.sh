#!/bin/sh
# cmdline hook (dracut without systemd): when the map asks for railup, queue
# it to start once udev has settled (interfaces renamed by ifname= and the
# like) and hold the initqueue until it is done. Sourced: return, not exit.
[ -n "$DRACUT_SYSTEMD" ] && return 0
/sbin/railup-dracut wanted || return 0
/sbin/initqueue --settled --onetime --unique --name railup /sbin/railup-dracut start
/sbin/initqueue --finished --unique --name railup /sbin/railup-dracut finished
