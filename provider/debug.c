/*
 * debug.c - debug-mode output (terraform-plugin-go tf6server, debug serve:
 * "Provider started. To attach Terraform CLI, set the
 * TF_REATTACH_PROVIDERS environment variable with the following:").
 *
 * JSON comes from jansson; single quotes in it are escaped for a POSIX
 * shell the way terraform-plugin-go does on Linux ('"'"').
 */
#include "provider/debug.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

char *debug_reattach_json(const char *provider_addr, int protocol_version,
			  pid_t pid, const char *network, const char *address)
{
	json_t *root;
	char *out;

	root = json_pack("{s:{s:s, s:i, s:I, s:b, s:{s:s, s:s}}}",
			 provider_addr, "Protocol", "grpc", "ProtocolVersion",
			 protocol_version, "Pid", (json_int_t)pid, "Test", 1,
			 "Addr", "Network", network, "String", address);
	if (!root)
		return NULL;
	/* Go's encoding/json escapes <, > and & in strings; paths and
	 * provider addresses do not contain them in practice, and jansson's
	 * escaping of everything else matches. */
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return out;
}

int debug_print_instructions(FILE *out, const char *reattach_json)
{
	const char *p;

	fputs("Provider started. To attach Terraform CLI, set the "
	      "TF_REATTACH_PROVIDERS environment variable with the "
	      "following:\n\n\tTF_REATTACH_PROVIDERS='", out);
	for (p = reattach_json; *p; p++) {
		if (*p == '\'')
			fputs("'\"'\"'", out);
		else
			fputc(*p, out);
	}
	fputs("'\n\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
