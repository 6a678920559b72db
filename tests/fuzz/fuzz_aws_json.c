/*
 * fuzz_aws_json.c - libFuzzer target: arbitrary bytes as a JSON 1.1
 * response body (success and error statuses).
 */
#include "aws/client.h"
#include "core/arena.h"
#include "core/ctx.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 500 };
	struct ctx c;
	size_t j;

	ctx_init(&c, "fuzz", NULL);
	for (j = 0; j < 3; j++) {
		struct http_response r;
		struct aws_call call;

		memset(&r, 0, sizeof(r));
		r.status = statuses[j];
		r.body = arena_memdup(c.arena, data, size);
		r.body_len = size;
		memset(&call, 0, sizeof(call));
		call.service = AWS_SECRETSMANAGER;
		call.operation = "GetSecretValue";
		(void)aws_parse_response(&c, &call, &r);
	}
	ctx_release(&c);
	return 0;
}
