// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcall.ko: hostcalls from a cooperative guest to its host. Module entry:
 * parameters and the drivers it registers.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "hostcall.h"

unsigned int hostcall_timeout_ms = 30000;
module_param_named(timeout_ms, hostcall_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "How long a hostcall waits while the host shows no sign of life (no heartbeat), in ms (0: forever; default 30000)");

static int __init hostcall_init(void)
{
	int err;

	err = hostcall_req_init();
	if (err)
		return err;
	err = hcfs_fs_init();
	if (err)
		goto err_req;
	err = hostcall_ivshmem_init();
	if (err)
		goto err_fs;
	return 0;

err_fs:
	hcfs_fs_exit();
err_req:
	hostcall_req_exit();
	return err;
}

static void __exit hostcall_exit(void)
{
	hostcall_ivshmem_exit();
	hcfs_fs_exit();
	hostcall_req_exit();
}

module_init(hostcall_init);
module_exit(hostcall_exit);

MODULE_DESCRIPTION("hostcall: host resources for a cooperative guest (ivshmem transport, /dev/hostcall, hostfs)");
MODULE_LICENSE("GPL");
