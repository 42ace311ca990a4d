// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"
#include "text.h"

const char *sysfs_root = "/sys";

/* A name that is one directory entry, not a path. */
static bool name_ok(const char *s)
{
	return s && s[0] && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

bool sysfs_parent(const char *class, const char *name, char out[PATH_MAX])
{
	char path[PATH_MAX];

	if (!name_ok(name))
		return false;
	snprintf(path, sizeof(path), "%s/class/%s/%s/device", sysfs_root, class, name);
	/*
	 * Virtual devices have no such link: one readlink() says so, where
	 * musl's realpath() reads every component of the path first.
	 */
	if (readlink(path, out, PATH_MAX) < 0)
		return false;
	return realpath(path, out) != NULL;
}

static bool is_pci_name(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !strchr("0123456789abcdef", s[i]) : s[i] != shape[i])
			return false;
	return true;
}

/* Virtio and other buses put a device below its PCI function: walk up to it. */
bool sysfs_pci(const char *class, const char *name, char pci[16])
{
	char path[PATH_MAX], *slash;

	if (!sysfs_parent(class, name, path))
		return false;
	while ((slash = strrchr(path, '/'))) {
		if (is_pci_name(slash + 1)) {
			memcpy(pci, slash + 1, 13);
			return true;
		}
		*slash = '\0';
	}
	return false;
}

int sysfs_int(const char *class, const char *name, const char *attr, int dflt)
{
	char path[PATH_MAX], buf[32];
	long long v;
	ssize_t len;
	int fd;

	if (!name_ok(name))
		return dflt;
	snprintf(path, sizeof(path), "%s/class/%s/%s/%s", sysfs_root, class, name, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dflt;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return dflt;
	buf[len] = '\0';
	return text_int(buf, INT_MIN, INT_MAX, &v) ? (int)v : dflt;
}
