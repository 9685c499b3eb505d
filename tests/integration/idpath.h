/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tree the identity drivers (idcompare.c, idusers.c) work in: dir, set
 * from the command line, and at(), which names a file below it. The last
 * two results of at() stay valid, for calls with two paths.
 */
#ifndef HC_TESTS_IDPATH_H
#define HC_TESTS_IDPATH_H

#include <stdio.h>

static char dir[4096];

static const char *at(const char *rel)
{
	static char buf[2][8192];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, rel);
	return buf[k];
}

#endif
