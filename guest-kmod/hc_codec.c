// SPDX-License-Identifier: GPL-2.0-only
/*
 * The protocol codec, built into the module from its one source in proto/
 * (Kbuild wants a module's objects inside the module's directory).
 */
#include "../proto/hc_codec.c"
