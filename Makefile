# SPDX-License-Identifier: GPL-2.0-only
# hostcall: build, install dependencies, test.  Outputs go to build/.

CC	?= cc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Iproto -Iguest-ldpreload
ifdef CI
CFLAGS	+= -Werror
endif
B	:= build

# Debian packages the build and the tests need; `make deps` installs the
# missing ones (apt-get, as root).
DEB_PKGS := gcc make pkg-config libcriterion-dev coreutils findutils tar \
	    util-linux attr acl passwd procps psmisc dash tmux \
	    libedit-dev a2ps cups cups-bsd cups-client ghostscript less \
	    libseccomp-dev python3 libcap2-bin

PROTO_SRC := proto/hc_codec.c proto/hc_sock.c
HOST_SRC  := $(wildcard host/*.c)
# libhostcall: the interposers (shim_*.c) and everything under them; the
# API alone (API_SRC, the musl build below) is the same without shim_*.c.
SHIM_SRC  := $(wildcard guest-ldpreload/*.c)
DOSH_SRC  := $(wildcard dosh/*.c)

HOST_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(PROTO_SRC) $(HOST_SRC))
SHIM_OBJ  := $(patsubst %.c,$(B)/pic/%.o,$(PROTO_SRC) $(SHIM_SRC))
DOSH_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(DOSH_SRC))

TARGETS := $(B)/hostcalld $(B)/libhostcall.so
ifneq ($(DOSH_SRC),)
TARGETS += $(B)/dosh
endif

.PHONY: all deps check unit integration demo clean
all: $(TARGETS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(B)/hostcalld: $(HOST_OBJ)
	$(CC) $(CFLAGS) -pthread -o $@ $^ -lseccomp

$(B)/libhostcall.so: $(SHIM_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libhostcall.so -o $@ $^ -ldl -lpthread

$(B)/dosh: $(DOSH_OBJ) $(B)/libhostcall.so
	$(CC) $(CFLAGS) -o $@ $(DOSH_OBJ) -L$(B) -lhostcall -Wl,-rpath,'$$ORIGIN' -ledit

# ---- tests ----

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

$(B)/tests/%: tests/unit/%.c $(PROTO_SRC) $(wildcard proto/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(PROTO_SRC) -lcriterion

# Test helpers: the drivers the suites run, built with the project's flags
# and always -Werror (make test-helpers builds them all). The escape driver
# and the guest programs are static: the escape suite's chroot and the
# initramfs hold nothing else.
TEST_CFLAGS = $(CFLAGS) -Werror
TB	:= $(B)/tests
PROTO_HDR := $(wildcard proto/*.h)
# the compatibility clients: one for each frozen op list tests/compat/hc_ops-V.h
COMPAT_BIN := $(patsubst tests/compat/hc_ops-%.h,$(TB)/compat-%,$(wildcard tests/compat/hc_ops-*.h))
IT_HELPERS := $(TB)/hostd_proto $(TB)/hcraw $(TB)/faults $(TB)/probe \
	      $(TB)/export $(TB)/inflight $(TB)/sandbox_probe $(TB)/idcompare $(TB)/idusers \
	      $(COMPAT_BIN)
SEC_HELPERS := $(TB)/escape $(TB)/canary
VM_GUEST_BIN := $(patsubst tests/vm/guest/%.c,$(B)/vm/guest/%,$(wildcard tests/vm/guest/*.c))
VM_HELPERS := $(B)/vm/hc_ivclient $(B)/vm/hc_testpeer $(VM_GUEST_BIN)

.PHONY: test-helpers
test-helpers: $(IT_HELPERS) $(SEC_HELPERS) $(VM_HELPERS)

$(TB)/hostd_proto $(TB)/hcraw $(TB)/faults: $(TB)/%: tests/integration/%.c $(PROTO_SRC) $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(PROTO_SRC)

# An older release's client (tests/compat/client.c): the tree's codec and
# header, but release V's op list, tests/compat/hc_ops-V.h, forced in first
# with -include; it shares proto/hc_ops.h's include guard, so the header's
# own #include "hc_ops.h" then adds nothing. tests/integration/hostd.sh runs
# it against build/hostcalld.
$(COMPAT_BIN): $(TB)/compat-%: tests/compat/client.c tests/compat/hc_ops-%.h $(PROTO_SRC) \
	       $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -include tests/compat/hc_ops-$*.h -DHC_COMPAT_VERSION='"$*"' \
		-o $@ $< $(PROTO_SRC)

$(TB)/probe $(TB)/idcompare $(TB)/idusers: $(TB)/%: tests/integration/%.c \
					     tests/integration/idpath.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

# linked against the libhostcall.so beside it (LD_LIBRARY_PATH overrides)
$(TB)/export: tests/integration/export.c $(B)/libhostcall.so $(wildcard guest-ldpreload/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< -L$(B) -lhostcall -Wl,-rpath,'$$ORIGIN/..'

$(TB)/inflight: tests/integration/inflight.c $(B)/libhostcall.so $(wildcard guest-ldpreload/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -pthread -o $@ $< -L$(B) -lhostcall -Wl,-rpath,'$$ORIGIN/..'

$(TB)/sandbox_probe: tests/integration/sandbox_probe.c host/sandbox.c $(PROTO_SRC) \
		     $(PROTO_HDR) $(wildcard host/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -Ihost -o $@ $(filter %.c,$^) -lseccomp

$(TB)/escape: tests/security/escape.c $(PROTO_SRC) $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -static -o $@ $< $(PROTO_SRC)

$(TB)/canary: tests/security/canary.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -static -o $@ $<

$(B)/vm/hc_ivclient $(B)/vm/hc_testpeer: $(B)/vm/%: tests/vm/%.c proto/hc_codec.c $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< proto/hc_codec.c

$(VM_GUEST_BIN): $(B)/vm/guest/%: tests/vm/guest/%.c proto/hc_codec.c $(PROTO_HDR) \
		 $(wildcard tests/vm/guest/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -static -pthread -o $@ $< proto/hc_codec.c

# tests/fuzz/sanitize.sh runs tests/integration/hostd.sh
sanitize-check: $(TB)/hostd_proto $(COMPAT_BIN)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: all $(IT_HELPERS)
	tests/integration/hostd.sh
	tests/integration/export.sh
	tests/integration/inflight.sh
	tests/integration/run.sh
	tests/integration/lifetime.sh
	tests/integration/limits.sh
	tests/integration/sandbox.sh
	tests/integration/identity.sh

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) security-check
	$(MAKE) fuzz-check
	$(MAKE) sanitize-check
	$(MAKE) dosh-check
	$(MAKE) vm-check-all

# dosh: golden transcripts vs dash, mixed pipelines, CUPS example, tmux cases.
.PHONY: dosh-check
dosh-check: all
	tests/dosh/run.sh

# The escape suite (tests/security/run.sh; as root, else it says so and
# passes): an unprivileged client in a chroot holding only the socket
# attacks hostcalld --root on an ext4 loop image. It builds the hostcalld of
# the last commit before the escape fixes into build/old/ (from git; skipped
# with the reason when there is no history) and requires escapes there, and
# none in build/hostcalld. About 7 s, a few more the first time (build/old).
.PHONY: security-check
security-check: all $(SEC_HELPERS)
	tests/security/run.sh

# The main job: build, start hostcalld, read /host/etc/printcap, stop.
demo: deps
	$(MAKE) all
	scripts/demo.sh

# ---- guest kernel module and VM tests ----
# KVER= picks the guest kernel for kmod, vm-check and run alike
# (tests/vm/kver.sh): by default the newest 6.1 kernel with both image and
# headers installed (Debian 12's own), else the newest with both.
# make vm-deps installs the 6.1 kernel (linux-image-amd64) and the newest
# 6.12 one apt offers, each with its headers; vm-check-all tests every
# installed kernel.
VM_PKGS := qemu-system-x86 linux-image-amd64 linux-headers-amd64 dwarves \
	   busybox-static cpio file a2ps cups cups-bsd cups-client tmux \
	   musl-tools linux-source-6.1 xz-utils
# (evaluated once, when first needed: after vm-deps has installed kernels)
ifeq ($(KVER),)
override KVER = $(eval override KVER := $(shell tests/vm/kver.sh))$(KVER)
endif
KDIR ?= /usr/src/linux-headers-$(KVER)
# build/kmod/KVER/hostcall.ko for each kernel; build/hostcall.ko is a copy of
# the default kernel's (or of KVER's when no kernel is a default)
KVER_DEFAULT = $(shell KVER= tests/vm/kver.sh 2>/dev/null)
KB = $(B)/kmod/$(KVER)

.PHONY: vm-deps kmod kmod-check vm-check vm-check-all run
vm-deps:
	@$(MAKE) --no-print-directory deps \
		DEB_PKGS="$(VM_PKGS) $$(tests/vm/kver.sh pkgs)"

# Kbuild writes next to the sources: build a copy under $(KB).
kmod: vm-deps
	@[ -n "$(KVER)" ] && [ -f $(KDIR)/Makefile ] || \
		{ echo "kmod: no $(KDIR) (KVER=$(KVER)): install linux-headers-$(KVER)" >&2; exit 1; }
	@mkdir -p $(KB)/guest-kmod $(KB)/proto
	@cp -p guest-kmod/Kbuild guest-kmod/*.[ch] $(KB)/guest-kmod/
	@cp -p proto/*.h proto/hc_codec.c $(KB)/proto/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(KB)/guest-kmod modules
	cp $(KB)/guest-kmod/hostcall.ko $(KB)/hostcall.ko
	@case "$(KVER_DEFAULT)" in ""|$(KVER)) \
		echo "cp $(KB)/hostcall.ko $(B)/hostcall.ko"; \
		cp $(KB)/hostcall.ko $(B)/hostcall.ko ;; esac

# Static checks of hostcall.ko on every installed kernel (about 30 s,
# tests/vm/kmod-check.sh): W=1 builds without a warning, no symbol shared with
# fs/hfs, checkpatch.pl (linux-source-6.1's) clean on guest-kmod/ and the
# proto/ files it compiles. vm-check-all runs it first.
kmod-check: vm-deps
	tests/vm/kmod-check.sh

# ---- musl builds, for guests that are not Debian (issue 4) ----
# $(MB)/libhostcall.so preloads into musl-linked programs; $(MB)/dosh is
# static, without libedit (DOSH_NO_LIBEDIT) and with the API alone linked in
# ($(MB)/libhostcall.a: the interposers find libc's functions with
# dlsym(RTLD_NEXT), which a static program has not got); $(MB)/hc-cat is a
# tiny musl-linked cat(1) for the VM tests. musl-gcc's include path has no
# kernel headers: $(MB)/include links the kernel's uapi directories only,
# never glibc's headers.
MUSL_CC	?= musl-gcc
MB	:= $(B)/musl
MUSL_INC := $(MB)/include
MUSL_CFLAGS = $(CFLAGS) -isystem $(MUSL_INC)
API_SRC  := $(filter-out guest-ldpreload/shim_%.c,$(wildcard guest-ldpreload/*.c))
MUSL_SHIM_OBJ := $(patsubst %.c,$(MB)/pic/%.o,$(PROTO_SRC) $(SHIM_SRC))
MUSL_API_OBJ  := $(patsubst %.c,$(MB)/obj/%.o,$(PROTO_SRC) $(API_SRC))
MUSL_DOSH_OBJ := $(patsubst %.c,$(MB)/obj/%.o,$(DOSH_SRC))

.PHONY: musl
musl: $(MB)/libhostcall.so $(MB)/dosh $(MB)/hc-cat

$(MUSL_INC)/.stamp:
	@mkdir -p $(MUSL_INC)
	ln -sfn /usr/include/linux $(MUSL_INC)/linux
	ln -sfn /usr/include/asm-generic $(MUSL_INC)/asm-generic
	ln -sfn /usr/include/$$($(CC) -dumpmachine)/asm $(MUSL_INC)/asm
	@touch $@

$(MB)/pic/%.o: %.c | $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(MB)/obj/dosh/%.o: dosh/%.c | $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -DDOSH_NO_LIBEDIT -MMD -MP -c $< -o $@

$(MB)/obj/%.o: %.c | $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

$(MB)/libhostcall.so: $(MUSL_SHIM_OBJ)
	$(MUSL_CC) $(MUSL_CFLAGS) -shared -Wl,-soname,libhostcall.so -Wl,-z,defs -o $@ $^

$(MB)/libhostcall.a: $(MUSL_API_OBJ)
	rm -f $@
	ar rcs $@ $^

$(MB)/dosh: $(MUSL_DOSH_OBJ) $(MB)/libhostcall.a
	$(MUSL_CC) $(MUSL_CFLAGS) -static -o $@ $(MUSL_DOSH_OBJ) $(MB)/libhostcall.a

$(MB)/hc-cat: tests/vm/hc-cat.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -o $@ $<

# ivshmem-host.sh: hostcalld --ivshmem without a VM (a fake QEMU and guest);
# then the guest with no device, with the test peer, with hostcalld, and the
# acceptance commands against the whole host with a private cupsd.
vm-check: all kmod musl $(VM_HELPERS) $(TB)/idcompare
	tests/vm/ivshmem-host.sh
	KVER=$(KVER) tests/vm/run.sh --mode none
	KVER=$(KVER) tests/vm/run.sh --mode testpeer --no-build
	KVER=$(KVER) tests/vm/run.sh --mode hostcalld --no-build
	KVER=$(KVER) tests/vm/run.sh --mode accept --no-build
	KVER=$(KVER) tests/vm/run.sh --mode users --no-build
	KVER=$(KVER) tests/vm/run.sh --mode passthrough --no-build
	KVER=$(KVER) tests/vm/boot-tty.sh

# kmod-check, then vm-check on every kernel with image and headers installed
# (6.1 and 6.12 after make vm-deps), one after the other.
vm-check-all: vm-deps kmod-check
	@set -e; for k in $$(KVER= tests/vm/kver.sh all); do \
		echo "== vm-check KVER=$$k"; \
		$(MAKE) --no-print-directory vm-check KVER=$$k; done

# The guest on this terminal with dosh as its shell and the host's tree on
# /host (tests/vm/boot.sh); RUN_USER= the host user it acts as (hostcalld
# --user; default nobody when root). Exiting dosh powers it off.
run: all kmod musl $(VM_GUEST_BIN)
	KVER=$(KVER) RUN_USER="$(RUN_USER)" tests/vm/boot.sh

# ---- fuzzing and sanitizer builds (issue 7) ----
# $(FB)/: libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) of
# every decoder of proto/, of the encoder, of the socket framing and of the
# ivshmem ring as the host reads it, the seed generator and the live driver
# (tests/fuzz/). $(AB)/: ASan+UBSan builds of hostcalld, libhostcall.so and
# the unit tests. make fuzz runs each harness (FUZZ_RUNS= executions, or
# FUZZ_TIME= seconds each; by default the codec harness 10 million times),
# make fuzz-check a short run of each, make sanitize-check the unit tests
# and tests/integration/hostd.sh against the sanitizer builds; any crash or
# sanitizer report fails them (tests/fuzz/run.sh, tests/fuzz/sanitize.sh).
DEB_PKGS += clang libclang-rt-14-dev
SAN_CC	?= clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
# The gcc build is the warning gate: clang's own warnings in the sanitizer
# builds of hostcalld, libhostcall and the unit tests are shown, not fatal.
SAN_CFLAGS = $(filter-out -Werror,$(CFLAGS)) -O1 $(SAN_FLAGS)
FUZZ_TOOL_CFLAGS = $(CFLAGS) -O1 $(SAN_FLAGS)
FUZZ_CFLAGS = $(CFLAGS) -O1 -Ihost -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=all -fno-omit-frame-pointer
# hostcalld's libraries, as its own link line has them
SAN_HOST_LIBS := -lseccomp -pthread
AB	:= $(B)/asan
FB	:= $(B)/fuzz
FUZZ_RUNS ?=
FUZZ_TIME ?=

FUZZ_HDR  := $(PROTO_HDR) tests/fuzz/fuzz.h
FUZZ_BINS := $(FB)/codec $(FB)/encode $(FB)/sock $(FB)/ring
ASAN_HOST_OBJ := $(patsubst %.c,$(AB)/obj/%.o,$(PROTO_SRC) $(HOST_SRC))
ASAN_SHIM_OBJ := $(patsubst %.c,$(AB)/pic/%.o,$(PROTO_SRC) $(SHIM_SRC))
ASAN_UNIT_BIN := $(patsubst tests/unit/%.c,$(AB)/tests/%,$(UNIT_SRC))

.PHONY: fuzz-build asan fuzz fuzz-check sanitize-check
fuzz-build: $(FUZZ_BINS) $(FB)/seeds $(AB)/fuzz-live $(AB)/hostcalld
asan: $(AB)/hostcalld $(AB)/libhostcall.so $(ASAN_UNIT_BIN)

$(AB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(AB)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(AB)/hostcalld: $(ASAN_HOST_OBJ)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $^ $(SAN_HOST_LIBS)

# needs the ASan runtime loaded first: see tests/fuzz/sanitize.sh
$(AB)/libhostcall.so: $(ASAN_SHIM_OBJ)
	$(SAN_CC) $(SAN_CFLAGS) -shared -Wl,-soname,libhostcall.so -o $@ $^ -ldl -lpthread

$(AB)/tests/%: tests/unit/%.c $(PROTO_SRC) $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $< $(PROTO_SRC) -lcriterion

$(FB)/codec: tests/fuzz/fuzz_codec.c proto/hc_codec.c $(FUZZ_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

$(FB)/encode: tests/fuzz/fuzz_encode.c proto/hc_codec.c $(FUZZ_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

$(FB)/sock: tests/fuzz/fuzz_sock.c proto/hc_sock.c proto/hc_sock.h $(FUZZ_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

$(FB)/ring: tests/fuzz/fuzz_ring.c host/ivring.c tests/fuzz/msgs.c proto/hc_codec.c \
	    host/ivring.h proto/hc_ring.h tests/fuzz/msgs.h $(FUZZ_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) -lpthread

$(FB)/seeds: tests/fuzz/seeds.c tests/fuzz/msgs.c proto/hc_codec.c tests/fuzz/msgs.h \
	     $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(FUZZ_TOOL_CFLAGS) -o $@ $(filter %.c,$^)

$(AB)/fuzz-live: tests/fuzz/live.c tests/fuzz/msgs.c $(PROTO_SRC) tests/fuzz/msgs.h \
		 $(PROTO_HDR)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(FUZZ_TOOL_CFLAGS) -o $@ $(filter %.c,$^)

fuzz: fuzz-build
	B=$(B) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh

fuzz-check: fuzz-build
	B=$(B) tests/fuzz/run.sh --check

sanitize-check: asan
	B=$(B) SAN_CC="$(SAN_CC)" tests/fuzz/sanitize.sh

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
