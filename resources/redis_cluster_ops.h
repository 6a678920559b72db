/*
 * redis_cluster_ops.h - the AWS lifecycle of `secure_redis_cluster`
 * (issue 4, part 2): create, read (refresh), delete and import.  Update in
 * place is not here (a later part).
 *
 * Same contract as resource.h: 0 or -1 with an error diagnostic; on a
 * failed create op->new_state holds exactly the sub-resources that exist
 * (Terraform taints it, and delete removes them from any subset of ids).
 * Every wait honours ctx_cancelled() (StopProvider, the timeouts block).
 *
 * Names of what create makes, from the lowercase id (redis_cluster.h has
 * the planned ones):
 *   KMS alias        alias/secure-redis/<id>     (only when it makes the key)
 *   security group   secure-redis-<id>
 *   parameter group  <id>-params                 (only with `parameters`;
 *                                                 recorded in private state)
 *   secret           secure-redis/<id>/auth-token (the AUTH token alone)
 *   SSM parameters   /secure-redis/<id>/endpoint, /secure-redis/<id>/port
 *   IAM policy       secure-redis-<id>-app, path /secure-redis/
 * Each carries the tag secure:redis-cluster = <id>; import and delete check
 * it before adopting or deleting something found by name.
 *
 * The AUTH token exists only in memory during create (wiped with
 * OPENSSL_cleanse) and in the secret; never in state, logs or diagnostics.
 *
 * Thread-safe: no shared mutable state.
 */
#ifndef RESOURCES_REDIS_CLUSTER_OPS_H
#define RESOURCES_REDIS_CLUSTER_OPS_H

#include <stddef.h>

#include "core/ctx.h"
#include "resources/resource.h"

int redis_cluster_create(struct ctx *c, struct resource_op *op);
int redis_cluster_read(struct ctx *c, struct resource_op *op);
int redis_cluster_delete(struct ctx *c, struct resource_op *op);
int redis_cluster_import(struct ctx *c, struct resource_op *op);

/* Length of a generated AUTH token and its alphabet (ElastiCache's rule:
 * printable ASCII letters, digits and !&#$^<>-). */
#define REDIS_CLUSTER_TOKEN_LEN 64
#define REDIS_CLUSTER_TOKEN_ALPHABET                                         \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"     \
	"!&#$^<>-"

/* Fills out[0..len-1] with characters drawn uniformly from the alphabet
 * using OpenSSL's CSPRNG (rejection sampling: no modulo bias) and writes
 * out[len] = '\0'.  Returns 0, or -1 when the CSPRNG fails (out is then
 * wiped).  The caller wipes out with OPENSSL_cleanse. */
int redis_cluster_gen_token(char *out, size_t len);

#endif
