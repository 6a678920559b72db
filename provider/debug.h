/*
 * debug.h - debug mode (`terraform-provider-secure -debug`), as
 * terraform-plugin-go's tf6server.WithManagedDebug prints it: the provider
 * runs on its own, without the magic cookie and without TLS, and tells the
 * user how to point Terraform at it with TF_REATTACH_PROVIDERS.
 */
#ifndef PROVIDER_DEBUG_H
#define PROVIDER_DEBUG_H

#include <stdio.h>
#include <sys/types.h>

#define DEBUG_PROVIDER_ADDRESS "registry.terraform.io/secure-iac/secure"

/* The reattach JSON for one provider, exactly as Go's json.Marshal writes
 * ReattachConfig: {"<addr>":{"Protocol":"grpc","ProtocolVersion":6,
 * "Pid":<pid>,"Test":true,"Addr":{"Network":..,"String":..}}}.
 * Returns a new string (caller frees) or NULL on OOM. */
char *debug_reattach_json(const char *provider_addr, int protocol_version,
			  pid_t pid, const char *network, const char *address);

/* Writes the instructions and the TF_REATTACH_PROVIDERS line to out
 * (stdout in debug mode) and flushes.  Returns 0 or -1 on a write error. */
int debug_print_instructions(FILE *out, const char *reattach_json);

#endif
