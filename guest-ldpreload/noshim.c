// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's side of the client core for a build of the API alone, without
 * the interposers (the static musl dosh): no paths are routed by prefix and
 * there is no host working directory of the process to carry or follow.
 */
#include "shim.h"

void shim_init(void)
{
}

int shim_cwd_for_subject(char *buf, size_t cap)
{
	(void)buf;
	(void)cap;
	return 0;
}

void shim_cwd_restore_failed(const char *path, int err)
{
	(void)path;
	(void)err;
}

void shim_cwd_moved(void)
{
}
