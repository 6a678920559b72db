/*
 * timeouts.h - the `timeouts` nested block convention and Go duration
 * strings.
 *
 * A resource that supports timeouts lists TIMEOUTS_NESTED_BLOCK among its
 * nested blocks: a single block with optional string attributes create, read,
 * update and delete holding Go duration strings ("60m", "1h30m", "90s"),
 * as terraform-plugin-framework-timeouts does.  The provider layer validates
 * them (ValidateResourceConfig) and turns the one matching the operation
 * into ctx->deadline_ms before calling the resource.
 *
 * Stateless and thread-safe.
 */
#ifndef SCHEMA_TIMEOUTS_H
#define SCHEMA_TIMEOUTS_H

#include <stdint.h>

#include "core/ctx.h"
#include "schema/schema.h"

extern const struct schema_block timeouts_schema;
extern const struct schema_nested_block timeouts_block;

/* For static schema tables, which cannot copy timeouts_block:
 *   static const struct schema_nested_block blocks[] = {
 *           ..., TIMEOUTS_NESTED_BLOCK }; */
#define TIMEOUTS_NESTED_BLOCK                                                \
	{ .type_name = "timeouts", .nesting = NEST_SINGLE,                   \
	  .block = &timeouts_schema }

enum timeouts_op {
	TIMEOUTS_CREATE,
	TIMEOUTS_READ,
	TIMEOUTS_UPDATE,
	TIMEOUTS_DELETE,
};

/* Parses a Go duration string (time.ParseDuration syntax: one or more
 * decimal numbers, each with an optional fraction and a unit ns, us, µs, ms,
 * s, m, h; an optional leading '+').  Negative durations are rejected, as is
 * anything longer than about 292 years.  Result rounded down to ms.
 * Returns 0, or -1 with *err set to a static message. */
int timeouts_parse_duration(const char *s, int64_t *out_ms, const char **err);

/* Validates every duration in obj.timeouts (obj is a resource config
 * object; unknown and null values are fine).  Adds one error per bad value
 * with the path timeouts.<op>.  Returns 0 when none was added. */
int timeouts_validate(struct ctx *c, const struct value *obj);

/* The timeout in ms for op from obj.timeouts, else default_ms (which may be
 * 0 = none).  Bad or unknown strings give default_ms (validation already
 * reported them). */
int64_t timeouts_get(const struct value *obj, enum timeouts_op op,
		     int64_t default_ms);

#endif
