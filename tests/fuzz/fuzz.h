/* SPDX-License-Identifier: GPL-2.0-only */
/* What the libFuzzer harnesses share: the entry point and a failing check. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash for libFuzzer: it saves the input. */
#define FZ_CHECK(cond, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,	\
			__LINE__, #cond);					\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		abort();							\
	}									\
} while (0)

/* A little-endian reader over the fuzz input: past the end it reads 0. */
struct fz_in {
	const uint8_t *p;
	size_t len, pos;
};

static inline uint32_t fz_u(struct fz_in *in, int bytes)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		if (in->pos < in->len)
			v |= (uint32_t)in->p[in->pos++] << (8 * i);
	return v;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t lo = fz_u(in, 4);

	return lo | (uint64_t)fz_u(in, 4) << 32;
}

#endif /* FUZZ_H */
