/*
 * fuzz_aws_xml.c - libFuzzer target: arbitrary bytes as an AWS query/EC2
 * response body, both as a success document and as an error, for a 200 and
 * a 400 status.  Must never crash, leak or read out of bounds.
 */
#include "aws/client.h"
#include "aws/xml.h"
#include "core/arena.h"
#include "core/ctx.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum aws_service svcs[] = { AWS_ELASTICACHE, AWS_EC2 };
	static const long statuses[] = { 200, 400, 503 };
	struct ctx c;
	size_t i, j;

	ctx_init(&c, "fuzz", NULL);
	{
		const char *err;
		struct xml_node *root = xml_parse(c.arena, (const char *)data, size, &err);

		if (root)
			(void)xml_text(root, "Error/Code");
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 3; j++) {
			struct http_response r;
			struct aws_call call;

			memset(&r, 0, sizeof(r));
			r.status = statuses[j];
			r.body = arena_memdup(c.arena, data, size);
			r.body_len = size;
			memset(&call, 0, sizeof(call));
			call.service = svcs[i];
			call.operation = "DescribeReplicationGroups";
			(void)aws_parse_response(&c, &call, &r);
		}
	}
	ctx_release(&c);
	return 0;
}
