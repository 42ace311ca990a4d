#!/bin/sh
# /sbin/railup-dracut: railup in a dracut initramfs without systemd.
#
#   railup-dracut wanted    exit 0 when the map asks for railup: rd.rail on
#                           the kernel command line (not rd.rail=0), or
#                           /etc/railup.conf in the image
#   railup-dracut start     start `railup boot` in the background, once
#   railup-dracut finished  exit 0 once railup is done, or its deadline passed
#   railup-dracut wait      wait until finished
#
# railup runs in the background so that the initqueue goes on (udev, the
# management NIC's DHCP) while it waits for the rails; an initqueue
# "finished" hook (railup-dracut finished) holds the main loop until it is
# done. Its deadline: rd.rail.timeout (railup's wait, default 60 s) plus 60 s
# for verification; a railup still running then is killed and counts as
# failed. Keep rd.retry (default 180 s) above that deadline.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh

dir=/run/railup-dracut

uptime_s() {
	read -r _up _ </proc/uptime
	echo "${_up%%.*}"
}

# railup's wait in whole seconds: rd.rail.timeout=N or Nms, from the
# command line, else the conf file, else 60.
rail_timeout() {
	_t=$(getarg rd.rail.timeout=)
	if [ -z "$_t" ] && [ -r /etc/railup.conf ]; then
		_t=$(sed 's/#.*//' /etc/railup.conf | tr -s ' \t' '\n\n' |
			sed -n 's/^rd\.rail\.timeout=//p' | tail -n 1)
	fi
	case $_t in
	*ms) _t=${_t%ms} _t=$(((${_t:-0} + 999) / 1000)) ;;
	esac
	case $_t in
	'' | *[!0-9]*) _t=60 ;;
	esac
	echo "$_t"
}

wanted() {
	if _v=$(getarg rd.rail); then
		[ "$_v" != 0 ]
		return
	fi
	[ -e /etc/railup.conf ]
}

start() {
	mkdir -p /run 2>/dev/null
	mkdir "$dir" 2>/dev/null || return 0 # started already
	echo $(($(uptime_s) + $(rail_timeout) + 60)) >"$dir/deadline"
	info "railup: configuring and verifying the rails"
	(
		/usr/sbin/railup boot </dev/null &
		echo $! >"$dir/pid"
		wait $!
		echo $? >"$dir/rc.tmp"
		mv "$dir/rc.tmp" "$dir/rc"
	) &
	return 0
}

finished() {
	[ -e "$dir/rc" ] && return 0
	[ -e "$dir/deadline" ] || return 1 # not started yet
	read -r _d <"$dir/deadline"
	[ "$(uptime_s)" -gt "$_d" ] || return 1
	read -r _p <"$dir/pid" 2>/dev/null
	warn "railup: no result by its deadline: stopped; its rails count as failed"
	[ -n "$_p" ] && kill -9 "$_p" 2>/dev/null
	echo 124 >"$dir/rc"
	return 0
}

case $1 in
wanted) wanted ;;
start) start ;;
finished) finished ;;
wait)
	while ! finished; do
		sleep 0.5
	done
	;;
*)
	echo "usage: railup-dracut wanted|start|finished|wait" >&2
	exit 2
	;;
esac
