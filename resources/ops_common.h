/*
 * ops_common.h - what the operations of secure_redis_cluster and
 * secure_redis_rbac_users (redis_cluster_ops.c, redis_rbac_users_ops.c)
 * share: one operation's working set (the state being built, the AWS
 * client, tags_all with the identity tag) and small helpers around it.
 *
 * Everything lives in the RPC's arena (c->arena); nothing here keeps
 * static state, so it is safe from concurrent RPCs.  Functions that can
 * fail return -1 after adding one error diagnostic to c->diags.
 */
#ifndef RESOURCES_OPS_COMMON_H
#define RESOURCES_OPS_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/session.h"
#include "aws/svc.h"
#include "core/ctx.h"
#include "resources/resource.h"

/* One operation's working set; each resource embeds it first in its own
 * (struct rc, struct ru).  All pointers are borrowed or arena memory. */
struct ops {
	struct ctx *c;
	struct resource_op *op;
	struct aws_client *cl;
	const struct aws_session *aws;
	const struct value *st;		/* the state being built */
	const char *id;			/* lowercase group id */
	const char *tag_key;		/* identity tag: {tag_key: id} */
	struct svc_tag *tags;		/* tags_all, with the identity tag */
	size_t n_tags;
};

/* Fills o for one operation on state st: the configured AWS session from
 * c->env, the id (st's id, else its name) in lowercase, and tags_all as
 * svc_tags with {tag_key: id} added when missing.  type names the resource
 * and id_summary the diagnostic for a state without id ("Missing ... id").
 * Returns 0, or -1 with a diagnostic (provider not configured, no id). */
int ops_init(struct ops *o, struct ctx *c, struct resource_op *op,
	     const struct value *st, const char *type, const char *id_summary,
	     const char *tag_key);

/* The path of top-level attribute `name`. */
struct path ops_path(const struct ops *o, const char *name);

/* Attribute `name` of obj (borrowed; NULL when obj is NULL, not a known
 * object or has no such attribute), as a string (NULL unless a known
 * string) or as an int (dflt unless a known number). */
const struct value *ops_get(const struct value *obj, const char *name);
const char *ops_get_str(const struct value *obj, const char *name);
int ops_get_int(const struct value *obj, const char *name, int dflt);

/* o->st with attribute `name` set: to v, to a string (NULL s: a null
 * string), to an int, to a bool, or to null of its type (nothing when st
 * has no such attribute). */
void ops_put(struct ops *o, const char *name, const struct value *v);
void ops_put_str(struct ops *o, const char *name, const char *s);
void ops_put_int(struct ops *o, const char *name, int n);
void ops_put_bool(struct ops *o, const char *name, bool b);
void ops_put_null(struct ops *o, const char *name);

/* Keys of prior_tags_all (a map of strings; NULL, null or unknown: none)
 * that o->tags no longer has: what a tags change removes.  Arena memory. */
struct svc_strs ops_tags_dropped(const struct ops *o,
				 const struct value *prior_tags_all);

/* Makes the resource's own KMS key (description, JSON key policy, tags_all
 * on it), records it as kms_key_arn in o->st and in *arn, then turns
 * rotation on.  The alias is the caller's.  Returns 0, or -1 with a
 * diagnostic (*arn is set as soon as the key exists). */
int ops_kms_make_key(struct ops *o, const struct path *p,
		     const char *description, const char *policy,
		     const char **arn);

/* Deletes KMS key arn only when this resource made it (it carries the
 * identity tag): alias first, then deletion after window_days.  NULL arn,
 * a key that is gone or someone else's: nothing to do.  Returns 0, or -1
 * with a diagnostic. */
int ops_kms_delete_own(struct ops *o, const char *arn, const char *alias,
		       int window_days);

/* The state import starts from: every attribute of resource res null but
 * id and name, which are `id`. */
const struct value *ops_empty_state(struct arena *a,
				    const struct resource *res,
				    const char *id);

/* Import: tags_all from the tags of ElastiCache resource arn (NULL:
 * nothing), and tags = those the provider's default_tags and the identity
 * tag do not explain (left as they are when there are none).  A failed
 * ListTagsForResource leaves both and its diagnostic. */
void ops_adopt_tags(struct ops *o, const char *arn);

/* The next poll delay: delay_ms * 1.5, at most max_ms. */
int64_t ops_backoff_ms(int64_t delay_ms, int64_t max_ms);

/* doc as compact JSON in arena memory.  Steals doc (NULL is allowed and,
 * like any jansson failure, which only happens without memory, aborts). */
char *ops_dumps(struct arena *a, json_t *doc);

#endif
