/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unix-socket framing for the hostcall protocol (user space only): one
 * message per SOCK_SEQPACKET record, with up to HC_SOCK_FDS_MAX fds attached
 * by SCM_RIGHTS. Used by hostcalld and by libhostcall alike.
 */
#ifndef HC_SOCK_H
#define HC_SOCK_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "hostcall_proto.h"

/*
 * The fds one record may carry: HC_FDS_MAX, the protocol's limit for a
 * message, and one more, which hostcalld's spawner puts before the fds it
 * returns to its shadow (the new program's pidfd). A receiver checks the
 * protocol's limit itself (the header's fd count).
 */
#define HC_SOCK_FDS_MAX	(HC_FDS_MAX + 1)

/**
 * hc_sock_send() - send one message with @nfds fds attached.
 *
 * Retries on EINTR; never raises SIGPIPE.
 * Returns: 0, or -errno (-EPIPE when the peer is gone).
 */
int hc_sock_send(int sock, const void *buf, size_t len, const int *fds, int nfds);

/**
 * hc_sock_recv() - receive one message and the fds attached to it.
 * @fds: room for HC_SOCK_FDS_MAX fds; received fds are close-on-exec
 * @nfds: set to the number of fds received
 *
 * Retries on EINTR. A message larger than @cap, or with more fds than fit,
 * is discarded with its fds closed and gives -EBADMSG.
 * Returns: the message length, 0 when the peer has closed, or -errno.
 */
ssize_t hc_sock_recv(int sock, void *buf, size_t cap, int *fds, int *nfds);

/**
 * hc_sock_default_path() - the socket path both sides use by default:
 * $HOSTCALL_SOCKET, else $XDG_RUNTIME_DIR/hostcall.sock, else
 * /run/hostcall.sock.
 * Returns: 0, or -ENAMETOOLONG if it does not fit in @cap.
 */
int hc_sock_default_path(char *buf, size_t cap);

/**
 * hc_vlog() - write one line to stderr with a single write(2), so that the
 * lines of many processes (hostcalld's relay and shadows, a program's
 * threads) never interleave. The newline is added; a line longer than
 * about 1 KiB is cut.
 */
void hc_vlog(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif /* HC_SOCK_H */
