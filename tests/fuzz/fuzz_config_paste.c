// SPDX-License-Identifier: GPL-2.0
/*
 * "A line can be pasted between them": the input, when it is one line of
 * railup's own tokens (every token rd.rail..., no comment, no NUL), must
 * read the same as the kernel command line and as the conf file: the same
 * verdict and, when good, the same rails with the same settings.
 */
#include <ctype.h>

#include "fuzz.h"

/* Whether every white-space separated word is rd.rail, rd.rail=... or rd.rail.... */
static bool only_ours(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		if (s[i] == '"')
			i++;
		if (n - i < 7 || memcmp(s + i, "rd.rail", 7) ||
		    (n - i > 7 && !isspace((unsigned char)s[i + 7]) && s[i + 7] != '=' &&
		     s[i + 7] != '.'))
			return false;
		while (i < n && !isspace((unsigned char)s[i]))
			i++;
	}
	return true;
}

static enum config_result parse(struct railmap *m, const char *s, size_t n, bool conf)
{
	railmap_init(m);
	fz_quiet();
	return conf ? config_from_text(m, "", 0, s, n) : config_from_text(m, s, n, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct railmap a, b;
	enum config_result ra, rb;

	if (size > CONFIG_LINE_MAX || memchr(s, '\n', size) || memchr(s, '\0', size) ||
	    memchr(s, '#', size) || memchr(s, '"', size) || !only_ours(s, size))
		return 0;
	ra = parse(&a, s, size, false);
	rb = parse(&b, s, size, true);
	fz_assert(ra == rb);
	if (ra == CONFIG_OK) {
		fz_assert(a.n == b.n);
		fz_assert(a.timeout_ms == b.timeout_ms && a.profile == b.profile &&
			  a.policy == b.policy && !strcmp(a.modules, b.modules));
		for (unsigned i = 0; i < a.n; i++) {
			const struct rail *x = &a.rail[i], *y = &b.rail[i];

			fz_assert(!strcmp(x->name, y->name) && !strcmp(x->token, y->token));
			fz_assert(addr_eq(&x->addr, &y->addr) && x->tmpl == y->tmpl);
			fz_assert(x->gw.family == y->gw.family);
			fz_assert(x->o.table == y->o.table && x->o.priority == y->o.priority);
			fz_assert(!memcmp(x->o.sysctl, y->o.sysctl, sizeof(x->o.sysctl)));
			fz_assert(!memcmp(&x->match, &y->match, sizeof(x->match)));
		}
	}
	railmap_free(&a);
	railmap_free(&b);
	return 0;
}
