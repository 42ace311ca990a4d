// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "modules.h"
#include "text.h"

/*
 * A minimal initramfs has no modprobe for the kernel to call, so railup
 * loads what rxe asks the kernel for at run time (its CRC) itself.
 */
static const char rxe_modules[] = "rdma_rxe,crypto-crc32,rdma_ucm";

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args)
{
	char msg[512];

	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	vsnprintf(msg, sizeof(msg), format, args);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("libkmod: %s", msg);
}

enum outcome { LOADED, PRESENT, MISSING, REFUSED };

/* One module of an alias's list. */
static enum outcome insert(struct kmod_module *mod, const char *name)
{
	int err;

	switch (kmod_module_get_initstate(mod)) {
	case KMOD_MODULE_BUILTIN:
	case KMOD_MODULE_LIVE:
	case KMOD_MODULE_COMING:
		return PRESENT;
	default:
		break;
	}
	/* railup runs no programs: an install command (often /bin/false) means "not this one". */
	if (kmod_module_get_install_commands(mod)) {
		log_warn("module %s: modprobe.d gives it an install command; not loaded", name);
		return REFUSED;
	}
	err = kmod_module_probe_insert_module(
		mod, KMOD_PROBE_APPLY_BLACKLIST | KMOD_PROBE_IGNORE_COMMAND, NULL, NULL, NULL,
		NULL);
	if (err == KMOD_PROBE_APPLY_BLACKLIST) {
		log_warn("module %s is blacklisted in modprobe.d; not loaded", name);
		return REFUSED;
	}
	if (err < 0) {
		log_debug("module %s (%s): %s", name, kmod_module_get_name(mod), strerror(-err));
		return MISSING;
	}
	log_debug("module %s loaded", kmod_module_get_name(mod));
	return LOADED;
}

/* A name or an alias: loaded when any module it stands for loads (crc32 has several). */
static enum outcome load_one(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	enum outcome best = MISSING;

	if (kmod_module_new_from_lookup(ctx, name, &list) < 0 || !list)
		return MISSING;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		enum outcome o = insert(mod, name);

		kmod_module_unref(mod);
		if (o == LOADED || o == PRESENT) {
			best = o;
			break;
		}
		if (o == REFUSED)
			best = REFUSED;
	}
	kmod_module_unref_list(list);
	return best;
}

static bool wants_rxe(const struct railmap *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->rail[i].o.rxe)
			return true;
	return false;
}

/* Whether name is one of the comma-separated list's first entries (before stop). */
static bool listed(const char *list, const char *stop, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && p < stop; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0' || p + n == stop))
			return true;
	return false;
}

static int load_list(struct kmod_ctx *ctx, const char *list)
{
	char names[2 * MODULES_MAX], *save = NULL;
	int missing = 0;

	text_copy(names, sizeof(names), list);
	for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		/* strtok_r has cut names at n: the part before holds the names done. */
		if (listed(list, list + (n - names), n))
			continue;
		if (load_one(ctx, n) == MISSING) {
			log_warn("module %s not found: rails that need it will fail", n);
			missing++;
		}
	}
	return missing;
}

int modules_load(const struct railmap *m)
{
	char list[2 * MODULES_MAX];
	struct kmod_ctx *ctx;
	int missing;

	if (access("/proc/modules", F_OK)) {
		log_debug("kernel without module support: nothing to load");
		return 0;
	}
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		log_warn("libkmod: cannot start: modules not loaded");
		return 1;
	}
	kmod_set_log_fn(ctx, kmod_log, NULL);
	kmod_load_resources(ctx);
	snprintf(list, sizeof(list), "%s%s%s", m->modules, *m->modules && wants_rxe(m) ? "," : "",
		 wants_rxe(m) ? rxe_modules : "");
	missing = load_list(ctx, list);
	kmod_unref(ctx);
	return missing;
}
