// SPDX-License-Identifier: GPL-2.0-only
/* error.c - dosh's buffered builtin output, and error messages worded and numbered as dash's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dosh.h"

struct dosh_jmp *dosh_handler;
const char *dosh_cmdname;

static char outbuf[8192];
static size_t outlen;
static int outerr;

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int dosh_outflush(void)
{
	int err = outerr;

	if (outlen && !err)
		err = write_all(1, outbuf, outlen);
	outlen = 0;
	outerr = 0;
	return err;
}

void dosh_outdiscard(void)
{
	outlen = 0;
	outerr = 0;
}

void dosh_out(const char *s, size_t n)
{
	if (outerr)
		return;
	if (outlen + n > sizeof(outbuf)) {
		int err = write_all(1, outbuf, outlen);

		outlen = 0;
		if (!err && n > sizeof(outbuf))
			err = write_all(1, s, n);
		if (err) {
			outerr = err;
			return;
		}
		if (n > sizeof(outbuf))
			return;
	}
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

void dosh_outs(const char *s)
{
	dosh_out(s, strlen(s));
}

void dosh_outf(const char *fmt, ...)
{
	char buf[512], *p = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		p = dosh_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	dosh_out(p, (size_t)n);
	if (p != buf)
		free(p);
}

void dosh_outquoted(const char *s)
{
	dosh_out("'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			dosh_outs("'\"'\"'");
		else
			dosh_out(s, 1);
	}
	dosh_out("'", 1);
}

const char *dosh_errmsg(int err, int action)
{
	if (err != ENOENT && err != ENOTDIR)
		return strerror(err);
	if (action & E_OPEN)
		return "No such file";
	if (action & E_CREAT)
		return "Directory nonexistent";
	return "not found";
}

void dosh_vwarn(const char *fmt, va_list ap)
{
	char buf[2048];
	int n;

	dosh_outflush();
	n = snprintf(buf, sizeof(buf), "%s: %d: ", dosh_name, dosh_lineno);
	if (n < 0)
		return;
	if (dosh_cmdname && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s: ", dosh_cmdname);
	if ((size_t)n < sizeof(buf))
		n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if ((size_t)n >= sizeof(buf) - 1)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	write_all(2, buf, (size_t)n);
}

void dosh_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dosh_vwarn(fmt, ap);
	va_end(ap);
}

void dosh_raise(void)
{
	if (dosh_handler)
		longjmp(dosh_handler->jb, 1);
	dosh_exitshell(2);
}

void dosh_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dosh_vwarn(fmt, ap);
	va_end(ap);
	dosh_exitstatus = 2;
	dosh_raise();
}

void dosh_synerror(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dosh_error("Syntax error: %s", buf);
}
