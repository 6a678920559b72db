# terraform-provider-secure - one Makefile, out-of-tree build/.
#
#   make            debug build: build/terraform-provider-secure (+ -test variant with fixtures)
#   make test       C unit tests, the Python acceptance suite (emulator, driver, scenarios), then release-check
#   make asan       the same suite under AddressSanitizer + UBSan (build/asan/)
#   make fuzz       libFuzzer targets (clang), each run for FUZZ_RUNS iterations
#   make bench      prints benchmark figures (release build)
#   make release    one static executable (no shared libraries), from Debian's static libraries
#   make install    into the user's plugin directory;  make dev-config  writes a dev_overrides CLI config
#   make main       the README's main job: full plan/apply/no-change plan/destroy against the local emulator
#   make docs       regenerate the "## Schema" sections of docs/ from the provider's schema

PYTHON ?= /usr/bin/python3
CC ?= gcc
CLANG ?= clang
VERSION ?= 0.1.0
BUILD ?= build
PROTOC ?= protoc
PROTOC_C ?= protoc-c
FUZZ_RUNS ?= 200000

# msgpack-c 6 (trixie) names its pkg-config module msgpack-c; 4 (bookworm) msgpack.
MSGPACK_PC := $(shell pkg-config --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
PKGS := grpc libprotobuf-c $(MSGPACK_PC) jansson libcurl expat openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
BASE_CFLAGS := -std=gnu11 -g -D_GNU_SOURCE -DPROVIDER_VERSION='"$(VERSION)"' \
	-I. -I$(BUILD)/gen $(PKG_CFLAGS)
OPT ?= -O1
CFLAGS_ALL = $(BASE_CFLAGS) $(OPT) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(EXTRA_LDLIBS)

# Sources: the folder is the layer.  Fixtures live in tests/fixtures and are
# linked only into the -test provider and the unit tests.
PROTOS := $(wildcard proto/*.proto)
# tfplugin6 and grpc_stdio import well-known types (libprotobuf-dev).
WKT_DIR ?= /usr/include
GEN_C := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS)) \
	$(BUILD)/gen/google/protobuf/timestamp.pb-c.c $(BUILD)/gen/google/protobuf/empty.pb-c.c
GEN_H := $(GEN_C:.c=.h)
LIB_SRCS := $(wildcard core/*.c schema/*.c aws/*.c resources/*.c)
PROV_SRCS := $(filter-out provider/main.c,$(wildcard provider/*.c))
FIXTURE_SRCS := $(wildcard tests/fixtures/*.c)
TEST_SRCS := $(wildcard tests/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)

OBJ := $(BUILD)/obj
LIB_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(LIB_SRCS))
PROV_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(PROV_SRCS))
GEN_OBJS := $(patsubst $(BUILD)/gen/%.c,$(OBJ)/gen/%.o,$(GEN_C))
FIXTURE_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(FIXTURE_SRCS))
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
ALL_OBJS := $(LIB_OBJS) $(PROV_OBJS) $(GEN_OBJS)

BIN := $(BUILD)/terraform-provider-secure
TEST_BIN := $(BUILD)/terraform-provider-secure-test

.PHONY: all test unit acceptance asan fuzz bench release release-test release-check install dev-config main clean pystubs
all: $(BIN) $(TEST_BIN) pystubs

# ---- generated protocol code (never committed) ----
# protoc-c 1.4.1 rejects proto3 `optional`: rewrite each to a one-field oneof
# (same wire format, presence kept).
$(BUILD)/gen/proto/%.proto: proto/%.proto
	@mkdir -p $(@D)
	sed -E 's/^([[:space:]]*)optional[[:space:]]+([A-Za-z0-9_.]+)[[:space:]]+([A-Za-z0-9_]+)[[:space:]]*=[[:space:]]*([0-9]+)[[:space:]]*;/\1oneof _\3 { \2 \3 = \4; }/' $< > $@

$(BUILD)/gen/google/protobuf/%.pb-c.c $(BUILD)/gen/google/protobuf/%.pb-c.h: $(WKT_DIR)/google/protobuf/%.proto
	@mkdir -p $(BUILD)/gen
	$(PROTOC_C) -I$(WKT_DIR) --c_out=$(BUILD)/gen google/protobuf/$*.proto

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: $(BUILD)/gen/proto/%.proto
	$(PROTOC_C) -I$(BUILD)/gen/proto -I$(WKT_DIR) --c_out=$(BUILD)/gen $<

$(OBJ)/gen/%.o: $(BUILD)/gen/%.c $(GEN_H)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -g $(OPT) $(EXTRA_CFLAGS) -I$(BUILD)/gen $(PKG_CFLAGS) -c $< -o $@

pystubs: $(BUILD)/py/.stamp
$(BUILD)/py/.stamp: $(PROTOS)
	@mkdir -p $(BUILD)/py
	$(PROTOC) -Iproto --python_out=$(BUILD)/py --grpc_out=$(BUILD)/py \
		--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin $(PROTOS)
	@touch $@

# ---- objects ----
$(OBJ)/%.o: %.c $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(WARN) -MMD -MP -c $< -o $@

# The registry compiled with fixtures, for the -test provider and unit tests.
$(OBJ)/resources/registry.fixtures.o: resources/registry.c $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(WARN) -DPROVIDER_TEST_FIXTURES -MMD -MP -c $< -o $@

LIB_OBJS_NOREG := $(filter-out $(OBJ)/resources/registry.o,$(LIB_OBJS))
TEST_LINK_OBJS := $(LIB_OBJS_NOREG) $(OBJ)/resources/registry.fixtures.o \
	$(PROV_OBJS) $(GEN_OBJS) $(FIXTURE_OBJS)

$(BIN): $(OBJ)/provider/main.o $(ALL_OBJS)
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(TEST_BIN): $(OBJ)/provider/main.o $(TEST_LINK_OBJS)
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/%.c $(TEST_LINK_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(WARN) -MMD -MP -o $@ $< $(TEST_LINK_OBJS) $(LDLIBS_ALL)

# ---- tests ----
test: unit acceptance release-check

unit: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $(VALGRIND) $$t; done

acceptance: $(BIN) $(TEST_BIN) pystubs
	AWS_EC2_METADATA_DISABLED=true PROVIDER_BIN=$(abspath $(BIN)) PROVIDER_TEST_BIN=$(abspath $(TEST_BIN)) \
		$(PYTHON) -m pytest -q -p no:cacheprovider acceptance policies

# The C unit tests and the acceptance suite (not release-check: the release
# binary is static, which AddressSanitizer cannot be).
ASAN_BUILD ?= build/asan
asan:
	$(MAKE) BUILD=$(ASAN_BUILD) OPT=-O1 \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		EXTRA_LDLIBS="-fsanitize=address,undefined" unit acceptance

FUZZ_BUILD ?= build/fuzz-obj
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(CLANG) OPT=-O1 \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
		$(addprefix $(FUZZ_BUILD)/fuzz/,$(FUZZ_NAMES))
	@set -e; for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n; echo "== $$n ($(FUZZ_RUNS) runs)"; \
		if ! $(FUZZ_BUILD)/fuzz/$$n -runs=$(FUZZ_RUNS) -max_len=65536 \
			$(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n > $(FUZZ_BUILD)/$$n.log 2>&1; then \
			tail -40 $(FUZZ_BUILD)/$$n.log; echo "fuzz: $$n FAILED"; exit 1; fi; \
		tail -1 $(FUZZ_BUILD)/$$n.log; \
	done

# Fuzz targets link everything but main (the provider layer included).
$(BUILD)/fuzz/%: tests/fuzz/%.c $(TEST_LINK_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(WARN) -fsanitize=fuzzer,address,undefined -o $@ $< $(TEST_LINK_OBJS) $(LDLIBS_ALL)

# ---- release, bench, install ----
# Release: one static-pie executable, no shared library at all (glibc
# included), so it runs on any linux_amd64 as a Go provider does.  gRPC,
# abseil, re2, upb, c-ares, protobuf-c, msgpack-c, jansson, expat, OpenSSL,
# zlib, libstdc++ and glibc come from Debian's static archives.  libcurl is
# built by scripts/build-static-curl from Debian's curl source package (the
# installed version, Debian's patches applied), because Debian's libcurl.a
# needs GSS-API, LDAP and GnuTLS libraries that ship no static archives.
# glibc's files and dns NSS modules are built into its static archive, so
# name resolution works without any glibc on the target (other NSS modules
# in /etc/nsswitch.conf are skipped).  DT_RELR packs the ~12,700 relative
# relocations of the position-independent image.  See docs/performance.md.
# One folder per Debian version of curl, so that a security update of
# libcurl4-openssl-dev builds the static libcurl again.
CURL_DEB_VERSION := $(shell dpkg-query -W -f='$${source:Version}' libcurl4-openssl-dev 2>/dev/null | tr ':~' '__')
CURL_STATIC_DIR := build/release/curl-$(or $(CURL_DEB_VERSION),unknown)
CURL_STATIC_LIB := $(CURL_STATIC_DIR)/src/lib/.libs/libcurl.a
STATIC_PKGS := grpc libprotobuf-c $(MSGPACK_PC) jansson expat
RELEASE_STATIC_LIBS = $(shell pkg-config --static --libs-only-l $(STATIC_PKGS) 2>/dev/null | tr ' ' '\n' | \
	grep -v -E '^-l(ssl|crypto|z|m|pthread|rt|dl|atomic)$$' | awk '!seen[$$0]++')
RELEASE_OPT = -O2 -DNDEBUG -ffunction-sections -fdata-sections
# lld: the function order below; --pack-dyn-relocs=relr is DT_RELR (lld 14
# does not know -z pack-relative-relocs), which glibc's static-pie start-up
# applies.
RELEASE_LDLIBS = -fuse-ld=lld -static-pie -Wl,--gc-sections -Wl,--pack-dyn-relocs=relr \
	$(abspath $(CURL_STATIC_LIB)) $(RELEASE_STATIC_LIBS) -lstdc++ -lssl -lcrypto -lz -latomic -lpthread -lm
# The functions the main job runs, first (acceptance/symbol_order.py):
# -3 MB of resident code.
SYMBOL_ORDER := build/release/symbol-order.txt
RELEASE_ORDERED_LDLIBS = $(RELEASE_LDLIBS) -Wl,--symbol-ordering-file=$(abspath $(SYMBOL_ORDER)) \
	-Wl,--no-warn-symbol-ordering
RELEASE_BINS = build/release/terraform-provider-secure build/release/terraform-provider-secure-test
RELEASE_MAKE = $(MAKE) BUILD=build/release OPT="$(RELEASE_OPT)" EXTRA_CFLAGS= EXTRA_LDLIBS=

$(CURL_STATIC_LIB): scripts/build-static-curl
	scripts/build-static-curl $(CURL_STATIC_DIR)

# Linked twice: in the archives' order, then, after a profile of the main
# job under callgrind (valgrind, the emulator), with the functions it ran
# first.  Linking takes a second: both links always happen, so a binary
# from an earlier recipe (other flags, another libcurl) never survives.
release: $(CURL_STATIC_LIB) pystubs
	@rm -f $(RELEASE_BINS) $(SYMBOL_ORDER)
	@mkdir -p build/release
	@echo "release: compiling and linking (log: build/release/make.log)"
	@$(RELEASE_MAKE) PKG_LIBS="$(RELEASE_LDLIBS)" build/release/terraform-provider-secure \
		> build/release/make.log 2>&1 || { cat build/release/make.log; exit 1; }
	$(PYTHON) -m acceptance.symbol_order --provider build/release/terraform-provider-secure --out $(SYMBOL_ORDER)
	@rm -f build/release/terraform-provider-secure
	@$(RELEASE_MAKE) PKG_LIBS="$(RELEASE_ORDERED_LDLIBS)" build/release/terraform-provider-secure \
		> build/release/make.log 2>&1 || { cat build/release/make.log; exit 1; }
	@echo "release binary: build/release/terraform-provider-secure"
	@readelf -d build/release/terraform-provider-secure | grep -c NEEDED | xargs echo "shared libraries needed:"

# The release build with the test fixture (the bench and release-check drive it).
release-test: release
	@$(RELEASE_MAKE) PKG_LIBS="$(RELEASE_ORDERED_LDLIBS)" build/release/terraform-provider-secure-test \
		> build/release/make-test.log 2>&1 || { cat build/release/make-test.log; exit 1; }

# The release binary through what a user's machine does with it: the
# handshake negative cases, the fixture lifecycle, the main job (also with
# every shared library of the system hidden), the CA certificate choice.
RELEASE_CHECK_TESTS := acceptance/tests/test_release_binary.py acceptance/driver/tests/test_handshake.py \
	acceptance/tests/test_fixture_lifecycle.py acceptance/tests/test_main_job.py \
	$(wildcard acceptance/tests/test_ca_bundle.py)
release-check: release-test pystubs
	AWS_EC2_METADATA_DISABLED=true PROVIDER_EXPECT_STATIC=1 \
	PROVIDER_BIN=$(abspath build/release/terraform-provider-secure) \
	PROVIDER_TEST_BIN=$(abspath build/release/terraform-provider-secure-test) \
		$(PYTHON) -m pytest -q -p no:cacheprovider $(RELEASE_CHECK_TESTS)

BENCH_SRCS := $(wildcard tests/bench_*.c)
BENCH_BINS := $(patsubst tests/%.c,build/release/tests/%,$(BENCH_SRCS))
bench: release-test pystubs
	@$(RELEASE_MAKE) PKG_LIBS="$(RELEASE_LDLIBS)" $(BENCH_BINS) \
		> build/release/make-bench.log 2>&1 || { cat build/release/make-bench.log; exit 1; }
	@set -e; for b in $(BENCH_BINS); do $$b; done
	PROVIDER_BIN=$(abspath build/release/terraform-provider-secure) \
	PROVIDER_TEST_BIN=$(abspath build/release/terraform-provider-secure-test) \
		$(PYTHON) -m acceptance.bench

PLUGIN_DIR ?= $(HOME)/.terraform.d/plugins/registry.terraform.io/secure-iac/secure/$(VERSION)/linux_amd64
# Installs the release binary (static: it keeps working whatever the system
# libraries become); dev-config points Terraform at the debug build instead.
install: release
	mkdir -p $(PLUGIN_DIR)
	install -m 0755 build/release/terraform-provider-secure $(PLUGIN_DIR)/terraform-provider-secure_v$(VERSION)

DEV_CONFIG ?= $(BUILD)/dev.tfrc
dev-config: $(BIN)
	@printf 'provider_installation {\n  dev_overrides {\n    "registry.terraform.io/secure-iac/secure" = "%s"\n  }\n  direct {}\n}\n' "$(abspath $(BUILD))" > $(DEV_CONFIG)
	@echo "wrote $(DEV_CONFIG); use it with: export TF_CLI_CONFIG_FILE=$(abspath $(DEV_CONFIG))"

main: $(BIN) pystubs
	AWS_EC2_METADATA_DISABLED=true $(PYTHON) -m acceptance.main --provider $(abspath $(BIN))

# docs/: the "## Schema" sections are rendered from the user-facing binary's
# GetProviderSchema (acceptance/docs.py); acceptance/tests/test_docs.py fails
# `make test` when a page is stale.
.PHONY: docs
docs: $(BIN) pystubs
	AWS_EC2_METADATA_DISABLED=true $(PYTHON) -m acceptance.docs --provider $(abspath $(BIN))

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Keep the rewritten .proto files (make would delete them as intermediates).
.SECONDARY:
