// SPDX-License-Identifier: GPL-2.0-only
/*
 * test.c - the guest's /root/test.c, which the acceptance prints with
 * `dosh -c 'a2ps -o - test.c | !lpr -P testq'`; the host side looks for
 * the marker below in the job that reaches CUPS.
 */
#include <stdio.h>

int hostcall_vm_marker_4711 = 4711;

int main(void)
{
	printf("%d\n", hostcall_vm_marker_4711);
	return 0;
}
