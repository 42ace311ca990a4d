// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <net/if.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <rdma/rdma_user_cm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "rdmacm.h"
#include "sysfs.h"
#include "text.h"

#define CM_DEVICE "/dev/infiniband/rdma_cm"

/* IB CM reject reasons (IBTA 12.6.7.2): not in the uapi headers. */
#define REJ_INVALID_SERVICE_ID 8
#define REJ_STALE_CONN	       10
#define REJ_CONSUMER_DEFINED   28

/* Teardown is bookkeeping, not part of the verdict: it gets its own short deadline. */
#define TEARDOWN_MS 1000
#define NONCE_LEN   16

/* The low bits of an event's uid say which of an attempt's ids it is for. */
enum role { LISTENER = 1, ACTIVE = 2, PASSIVE = 3, ROLE_MASK = 3 };

struct event {
	struct cm_event_info info;
	unsigned char raw[sizeof(struct rdma_ucm_event_resp)] __attribute__((aligned(8)));
};

/* One use of the CM: its ids, its deadline, its proof of identity. */
struct attempt {
	uint64_t uid; /* role bits clear */
	int64_t deadline;
	unsigned timeout_ms;
	uint32_t id[ROLE_MASK + 1];
	bool have[ROLE_MASK + 1];
	uint32_t qpn[2];
	uint8_t nonce[NONCE_LEN];
	struct event ev;
};

/* ---- names and messages ---- */

static const char *const event_names[] = {
	[CM_ADDR_RESOLVED] = "ADDR_RESOLVED",
	[CM_ADDR_ERROR] = "ADDR_ERROR",
	[CM_ROUTE_RESOLVED] = "ROUTE_RESOLVED",
	[CM_ROUTE_ERROR] = "ROUTE_ERROR",
	[CM_CONNECT_REQUEST] = "CONNECT_REQUEST",
	[CM_CONNECT_RESPONSE] = "CONNECT_RESPONSE",
	[CM_CONNECT_ERROR] = "CONNECT_ERROR",
	[CM_UNREACHABLE] = "UNREACHABLE",
	[CM_REJECTED] = "REJECTED",
	[CM_ESTABLISHED] = "ESTABLISHED",
	[CM_DISCONNECTED] = "DISCONNECTED",
	[CM_DEVICE_REMOVAL] = "DEVICE_REMOVAL",
	[CM_MULTICAST_JOIN] = "MULTICAST_JOIN",
	[CM_MULTICAST_ERROR] = "MULTICAST_ERROR",
	[CM_ADDR_CHANGE] = "ADDR_CHANGE",
	[CM_TIMEWAIT_EXIT] = "TIMEWAIT_EXIT",
};

static bool known_event(int event)
{
	return event >= 0 && (size_t)event < sizeof(event_names) / sizeof(event_names[0]);
}

const char *cm_event_name(int event)
{
	return known_event(event) ? event_names[event] : "UNKNOWN";
}

/* The reasons a verifier meets; the number alone is printed for the rest. */
static const char *reject_reason(int reason)
{
	switch (reason) {
	case REJ_INVALID_SERVICE_ID:
		return " (no listener)";
	case REJ_STALE_CONN:
		return " (stale connection)";
	case REJ_CONSUMER_DEFINED:
		return " (refused by the remote rdma_cm)";
	default:
		return "";
	}
}

static int fail_errno(struct cm_error *e, const char *step, int err)
{
	e->step = step;
	e->err = err;
	e->event = -1;
	e->status = 0;
	snprintf(e->msg, sizeof(e->msg), "RDMA CM %s: %s", step, strerror(-err));
	return -1;
}

static int fail_event(struct cm_error *e, const char *step, const struct cm_event_info *ev)
{
	char name[24];

	e->step = step;
	e->err = 0;
	e->event = ev->event;
	e->status = ev->status;
	if (known_event(ev->event))
		text_copy(name, sizeof(name), cm_event_name(ev->event));
	else
		snprintf(name, sizeof(name), "event %d", ev->event);
	/* IB and RoCE report the reject reason; iWARP a -errno. */
	if (ev->event == CM_REJECTED && ev->status >= 0)
		snprintf(e->msg, sizeof(e->msg), "RDMA CM %s: REJECTED, reason %d%s", step,
			 ev->status, reject_reason(ev->status));
	else if (ev->status < 0)
		snprintf(e->msg, sizeof(e->msg), "RDMA CM %s: %s, status %d (%s)", step, name,
			 ev->status, strerror(-ev->status));
	else if (ev->status > 0)
		snprintf(e->msg, sizeof(e->msg), "RDMA CM %s: unexpected %s, status %d", step, name,
			 ev->status);
	else
		snprintf(e->msg, sizeof(e->msg), "RDMA CM %s: unexpected %s", step, name);
	return -1;
}

static int fail_timeout(struct cm_error *e, const char *step, int want, unsigned ms)
{
	fail_errno(e, step, -ETIMEDOUT);
	snprintf(e->msg, sizeof(e->msg), "RDMA CM %s: no %s within %u ms", step,
		 cm_event_name(want), ms);
	return -1;
}

/* ---- time and randomness ---- */

static int64_t now_ms(void)
{
	return (int64_t)clock_ms();
}

/*
 * Uniqueness, not secrecy, is what counts: early in boot the entropy pool may
 * not be ready, and a clock-seeded generator then does.
 */
static void random_bytes(void *buf, size_t n)
{
	static uint64_t state;
	unsigned char *p = buf;

	if (getrandom(buf, n, GRND_NONBLOCK) == (ssize_t)n)
		return;
	state ^= clock_us(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 48);
	for (size_t i = 0; i < n; i++) {
		uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		p[i] = (unsigned char)(z ^ (z >> 31));
	}
}

/*
 * ib_cm rejects as stale (reason 10) a connection whose (remote QPN, CA
 * GUID) a live connection already holds. Both ends of a loopback share one
 * GUID, so their QPNs must differ; random ones also keep clear of whatever
 * an earlier attempt left behind. QPNs 0 and 1 are special.
 */
static void attempt_start(struct attempt *at, unsigned timeout_ms)
{
	uint32_t r[2];

	memset(at, 0, sizeof(*at));
	random_bytes(&at->uid, sizeof(at->uid));
	at->uid &= ~(uint64_t)ROLE_MASK;
	do {
		random_bytes(r, sizeof(r));
		at->qpn[0] = 2 + r[0] % 0xfffffe;
		at->qpn[1] = 2 + r[1] % 0xfffffe;
	} while (at->qpn[0] == at->qpn[1]);
	random_bytes(at->nonce, sizeof(at->nonce));
	at->timeout_ms = timeout_ms;
	at->deadline = now_ms() + timeout_ms;
}

/* ---- commands ---- */

static int cm_write(struct cm *cm, uint32_t cmd, const void *req, size_t in, size_t out)
{
	struct {
		struct rdma_ucm_cmd_hdr hdr;
		unsigned char body[512];
	} __attribute__((aligned(8))) msg;
	ssize_t n;

	msg.hdr.cmd = cmd;
	msg.hdr.in = (uint16_t)in;
	msg.hdr.out = (uint16_t)out;
	memcpy(msg.body, req, in);
	do
		n = write(cm->fd, &msg, sizeof(msg.hdr) + in);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(msg.hdr) + in ? 0 : -EIO;
}

static int open_id(struct cm *cm, struct attempt *at, enum role role, struct cm_error *e)
{
	struct rdma_ucm_create_id_resp resp = { 0 };
	struct rdma_ucm_create_id c = {
		.uid = at->uid | role,
		.response = (uintptr_t)&resp,
		.ps = RDMA_PS_TCP,
	};
	int ret = cm_write(cm, RDMA_USER_CM_CMD_CREATE_ID, &c, sizeof(c), sizeof(resp));

	if (ret)
		return fail_errno(e, "create id", ret);
	at->id[role] = resp.id;
	at->have[role] = true;
	return 0;
}

static void destroy_id(struct cm *cm, uint32_t id)
{
	struct rdma_ucm_destroy_id_resp resp;
	struct rdma_ucm_destroy_id c = { .response = (uintptr_t)&resp, .id = id };

	/* Nothing to do about a failure: the fd's close frees the id anyway. */
	cm_write(cm, RDMA_USER_CM_CMD_DESTROY_ID, &c, sizeof(c), sizeof(resp));
}

static void close_ids(struct cm *cm, struct attempt *at)
{
	for (int role = PASSIVE; role >= LISTENER; role--)
		if (at->have[role])
			destroy_id(cm, at->id[role]);
}

static int bind_addr(struct cm *cm, uint32_t id, const struct ipaddr *a, struct cm_error *e)
{
	struct rdma_ucm_bind c = { .id = id };
	int ret;

	c.addr_size = (uint16_t)addr_sockaddr(a, 0, &c.addr);
	if (!c.addr_size)
		return fail_errno(e, "bind", -EAFNOSUPPORT);
	ret = cm_write(cm, RDMA_USER_CM_CMD_BIND, &c, sizeof(c), 0);
	return ret ? fail_errno(e, "bind", ret) : 0;
}

/* Where the id is bound; *port (when asked) is its own port, in host order. */
static int query_addr(struct cm *cm, uint32_t id, struct cm_where *w, uint16_t *port,
		      struct cm_error *e)
{
	struct rdma_ucm_query_addr_resp resp;
	struct rdma_ucm_query c = {
		.response = (uintptr_t)&resp,
		.id = id,
		.option = RDMA_USER_CM_QUERY_ADDR,
	};
	struct sockaddr_in sin;
	int ret;

	memset(&resp, 0, sizeof(resp));
	/* Kernels before ibdev_index write less and leave this as it is. */
	resp.ibdev_index = UINT32_MAX;
	ret = cm_write(cm, RDMA_USER_CM_CMD_QUERY, &c, sizeof(c), sizeof(resp));
	if (ret)
		return fail_errno(e, "query", ret);
	if (w) {
		w->node_guid = be64toh(resp.node_guid);
		w->port = resp.port_num;
		w->pkey = ntohs(resp.pkey);
		w->ibdev_index = resp.ibdev_index;
	}
	if (port) {
		/* sin_port and sin6_port share their offset. */
		memcpy(&sin, &resp.src_addr, sizeof(sin));
		*port = ntohs(sin.sin_port);
	}
	return 0;
}

/* ---- events ---- */

int cm_decode_event(const void *buf, size_t len, struct cm_event_info *out)
{
	struct rdma_ucm_event_resp r;
	const size_t fixed = offsetof(struct rdma_ucm_event_resp, param);

	memset(out, 0, sizeof(*out));
	if (!buf || len < fixed)
		return -1;
	memcpy(&r, buf, fixed);
	if (r.event > INT_MAX)
		return -1;
	out->event = (int)r.event;
	out->status = (int)r.status;
	out->id = r.id;
	out->uid = r.uid;
	return 0;
}

/* Whether a CONNECT_REQUEST carries our nonce first in its private data. */
static bool carries_nonce(const unsigned char *raw, size_t len, const uint8_t *nonce)
{
	const size_t conn = offsetof(struct rdma_ucm_event_resp, param);
	const size_t data = conn + offsetof(struct rdma_ucm_conn_param, private_data);
	const size_t data_len = conn + offsetof(struct rdma_ucm_conn_param, private_data_len);

	if (len < conn + sizeof(struct rdma_ucm_conn_param))
		return false;
	return raw[data_len] >= NONCE_LEN && !memcmp(raw + data, nonce, NONCE_LEN);
}

/* The next event, or -ETIMEDOUT at the deadline: the kernel's CM timers run to minutes. */
static int next_event(struct cm *cm, int64_t deadline, struct event *ev)
{
	for (;;) {
		struct rdma_ucm_get_event c = { .response = (uintptr_t)ev->raw };
		struct pollfd p = { .fd = cm->fd, .events = POLLIN };
		int64_t left;
		int ret;

		memset(ev->raw, 0, sizeof(ev->raw));
		ret = cm_write(cm, RDMA_USER_CM_CMD_GET_EVENT, &c, sizeof(c), sizeof(ev->raw));
		if (!ret)
			return cm_decode_event(ev->raw, sizeof(ev->raw), &ev->info) ? -EPROTO : 0;
		if (ret != -EAGAIN)
			return ret;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Waits for event want on role's id. Any other event on this attempt's ids
 * fails the step; events of earlier attempts are dropped.
 */
static int expect(struct cm *cm, struct attempt *at, enum role role, int want, const char *step,
		  struct cm_error *e)
{
	for (;;) {
		int ret = next_event(cm, at->deadline, &at->ev);
		const struct cm_event_info *ev = &at->ev.info;

		if (ret == -ETIMEDOUT)
			return fail_timeout(e, step, want, at->timeout_ms);
		if (ret)
			return fail_errno(e, step, ret);
		if ((ev->uid & ~(uint64_t)ROLE_MASK) != at->uid)
			continue;
		if (ev->uid == (at->uid | role) && ev->event == want)
			return 0;
		return fail_event(e, step, ev);
	}
}

/* ---- address and route ---- */

/* The kernel gets most of what is left, so its own verdict comes before our deadline. */
static uint32_t kernel_timeout(const struct attempt *at)
{
	int64_t left = at->deadline - now_ms();

	return left > 4 ? (uint32_t)(left * 3 / 4) : 1;
}

static int resolve(struct cm *cm, struct attempt *at, enum role role, const struct ipaddr *src,
		   const struct ipaddr *dst, uint16_t port, struct cm_error *e)
{
	struct rdma_ucm_resolve_addr ra = { .id = at->id[role] };
	struct rdma_ucm_resolve_route rr = { .id = at->id[role] };
	int ret;

	ra.src_size = (uint16_t)addr_sockaddr(src, 0, &ra.src_addr);
	ra.dst_size = (uint16_t)addr_sockaddr(dst, port, &ra.dst_addr);
	if (!ra.src_size || !ra.dst_size)
		return fail_errno(e, "resolve address", -EAFNOSUPPORT);
	ra.timeout_ms = kernel_timeout(at);
	ret = cm_write(cm, RDMA_USER_CM_CMD_RESOLVE_ADDR, &ra, sizeof(ra), 0);
	if (ret)
		return fail_errno(e, "resolve address", ret);
	if (expect(cm, at, role, CM_ADDR_RESOLVED, "resolve address", e))
		return -1;
	rr.timeout_ms = kernel_timeout(at);
	ret = cm_write(cm, RDMA_USER_CM_CMD_RESOLVE_ROUTE, &rr, sizeof(rr), 0);
	if (ret)
		return fail_errno(e, "resolve route", ret);
	return expect(cm, at, role, CM_ROUTE_RESOLVED, "resolve route", e);
}

/* ---- the device ---- */

static int check_abi(struct cm_error *e)
{
	int v = sysfs_int("misc", "rdma_cm", "abi_version", -1);

	/* Without sysfs there is nothing to check: the commands will tell. */
	if (v < 0 || v == RDMA_USER_CM_ABI_VERSION)
		return 0;
	fail_errno(e, "open", -EPROTONOSUPPORT);
	snprintf(e->msg, sizeof(e->msg), "RDMA CM open: ABI version %d, railup speaks %d", v,
		 RDMA_USER_CM_ABI_VERSION);
	return -1;
}

int cm_open(struct cm *cm, struct cm_error *e)
{
	cm->fd = -1;
	if (check_abi(e))
		return -1;
	cm->fd = open(CM_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (cm->fd < 0)
		return fail_errno(e, "open", -errno);
	return 0;
}

void cm_close(struct cm *cm)
{
	if (cm->fd >= 0)
		close(cm->fd);
	cm->fd = -1;
}

int cm_bind_query(struct cm *cm, const struct ipaddr *a, struct cm_where *w, struct cm_error *e)
{
	struct attempt at;
	int ret;

	attempt_start(&at, 0);
	ret = open_id(cm, &at, ACTIVE, e);
	if (!ret)
		ret = bind_addr(cm, at.id[ACTIVE], a, e);
	if (!ret)
		ret = query_addr(cm, at.id[ACTIVE], w, NULL, e);
	close_ids(cm, &at);
	return ret;
}

int cm_resolve(struct cm *cm, const struct ipaddr *src, const struct ipaddr *dst,
	       unsigned timeout_ms, struct cm_where *w, struct cm_error *e)
{
	struct attempt at;
	int ret;

	attempt_start(&at, timeout_ms);
	ret = open_id(cm, &at, ACTIVE, e);
	if (!ret)
		ret = resolve(cm, &at, ACTIVE, src, dst, 0, e);
	if (!ret)
		ret = query_addr(cm, at.id[ACTIVE], w, NULL, e);
	close_ids(cm, &at);
	return ret;
}

/* ---- loopback ---- */

static void conn_param(struct rdma_ucm_conn_param *p, uint32_t qpn, const uint8_t *nonce)
{
	memset(p, 0, sizeof(*p));
	p->qp_num = qpn;
	if (nonce) {
		memcpy(p->private_data, nonce, NONCE_LEN);
		p->private_data_len = NONCE_LEN;
	}
	p->responder_resources = 1;
	p->initiator_depth = 1;
	p->flow_control = 1;
	p->retry_count = 7;
	p->rnr_retry_count = 7;
	p->valid = 1;
}

static int listen_on(struct cm *cm, struct attempt *at, const struct ipaddr *a, uint16_t *port,
		     struct cm_error *e)
{
	struct rdma_ucm_listen c = { .backlog = 4 };
	int ret;

	if (open_id(cm, at, LISTENER, e) || bind_addr(cm, at->id[LISTENER], a, e))
		return -1;
	c.id = at->id[LISTENER];
	ret = cm_write(cm, RDMA_USER_CM_CMD_LISTEN, &c, sizeof(c), 0);
	if (ret)
		return fail_errno(e, "listen", ret);
	return query_addr(cm, at->id[LISTENER], NULL, port, e);
}

static int connect_to(struct cm *cm, struct attempt *at, const struct ipaddr *a, uint16_t port,
		      struct cm_error *e)
{
	struct rdma_ucm_connect c;
	int ret;

	if (open_id(cm, at, ACTIVE, e) || resolve(cm, at, ACTIVE, a, a, port, e))
		return -1;
	memset(&c, 0, sizeof(c));
	conn_param(&c.conn_param, at->qpn[0], at->nonce);
	c.id = at->id[ACTIVE];
	ret = cm_write(cm, RDMA_USER_CM_CMD_CONNECT, &c, sizeof(c), 0);
	return ret ? fail_errno(e, "connect", ret) : 0;
}

static void reject(struct cm *cm, uint32_t id)
{
	struct rdma_ucm_reject c = { .id = id, .reason = REJ_CONSUMER_DEFINED };

	cm_write(cm, RDMA_USER_CM_CMD_REJECT, &c, sizeof(c), 0);
}

/* The request carrying our nonce becomes the passive id; others are refused. */
static int take_request(struct cm *cm, struct attempt *at, struct cm_error *e)
{
	for (;;) {
		if (expect(cm, at, LISTENER, CM_CONNECT_REQUEST, "connect", e))
			return -1;
		if (carries_nonce(at->ev.raw, sizeof(at->ev.raw), at->nonce)) {
			at->id[PASSIVE] = at->ev.info.id;
			at->have[PASSIVE] = true;
			return 0;
		}
		reject(cm, at->ev.info.id);
		destroy_id(cm, at->ev.info.id);
	}
}

/* valid=1 answers a request with a REP; valid=0 sends the RTU after a REP, as rdma_establish. */
static int accept_id(struct cm *cm, struct attempt *at, enum role role, bool valid,
		     const char *step, struct cm_error *e)
{
	struct rdma_ucm_accept c;
	int ret;

	memset(&c, 0, sizeof(c));
	if (valid) {
		conn_param(&c.conn_param, at->qpn[1], NULL);
		/* Until this uid is set the kernel drops the new id's events. */
		c.uid = at->uid | role;
	}
	c.id = at->id[role];
	ret = cm_write(cm, RDMA_USER_CM_CMD_ACCEPT, &c, sizeof(c), 0);
	return ret ? fail_errno(e, step, ret) : 0;
}

static int handshake(struct cm *cm, struct attempt *at, struct cm_error *e)
{
	if (take_request(cm, at, e) || accept_id(cm, at, PASSIVE, true, "accept", e))
		return -1;
	if (expect(cm, at, ACTIVE, CM_CONNECT_RESPONSE, "connect", e) ||
	    accept_id(cm, at, ACTIVE, false, "establish", e))
		return -1;
	return expect(cm, at, PASSIVE, CM_ESTABLISHED, "establish", e);
}

static void disconnect(struct cm *cm, uint32_t id)
{
	struct rdma_ucm_disconnect c = { .id = id };

	cm_write(cm, RDMA_USER_CM_CMD_DISCONNECT, &c, sizeof(c), 0);
}

/*
 * DREQ from the active side, DREP from the passive side once its
 * DISCONNECTED arrives: both ids leave the connection the way a peer would
 * expect, within a short deadline of their own.
 */
static void hang_up(struct cm *cm, struct attempt *at)
{
	bool passive_done = false, active_done = false;

	at->deadline = now_ms() + TEARDOWN_MS;
	disconnect(cm, at->id[ACTIVE]);
	while (!(passive_done && active_done) && !next_event(cm, at->deadline, &at->ev)) {
		if (at->ev.info.event != CM_DISCONNECTED)
			continue;
		if (at->ev.info.uid == (at->uid | PASSIVE) && !passive_done) {
			passive_done = true;
			disconnect(cm, at->id[PASSIVE]);
		} else if (at->ev.info.uid == (at->uid | ACTIVE)) {
			active_done = true;
		}
	}
}

int cm_loopback(struct cm *cm, const struct ipaddr *a, unsigned timeout_ms, struct cm_error *e)
{
	struct attempt at;
	uint16_t port = 0;
	int ret;

	attempt_start(&at, timeout_ms);
	ret = listen_on(cm, &at, a, &port, e);
	if (!ret)
		ret = connect_to(cm, &at, a, port, e);
	if (!ret)
		ret = handshake(cm, &at, e);
	if (!ret)
		hang_up(cm, &at);
	close_ids(cm, &at);
	return ret;
}
