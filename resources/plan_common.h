/*
 * plan_common.h - planning steps that secure_redis_cluster and
 * secure_redis_rbac_users (redis_cluster.c, redis_rbac_users.c) compute
 * the same way.  Values and diagnostics live in the RPC's arena; no
 * static state, safe from concurrent RPCs.
 */
#ifndef RESOURCES_PLAN_COMMON_H
#define RESOURCES_PLAN_COMMON_H

#include "core/ctx.h"
#include "schema/value.h"

/* tags_all: the provider's default_tags (none while the provider
 * configuration is deferred), overridden by tags (a known or null map of
 * strings; the caller handles an unknown one), plus {tag_key: id}.
 * Returns the new map (arena), or NULL after an error "Too many tags" on
 * attribute tags when that adds up to more keys than AWS allows. */
const struct value *plan_common_tags_all(struct ctx *c,
					 const struct value *tags,
					 const char *tag_key,
					 const struct value *id);

#endif
