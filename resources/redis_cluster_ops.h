/*
 * redis_cluster_ops.h - the AWS lifecycle of `secure_redis_cluster`
 * (issue 4, part 2): create, read (refresh), update, delete and import.
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
/* Update in place: converges AWS from op->prior to op->planned.  In order:
 * a token secret read found scheduled for deletion is restored (one deleted
 * for good is refused, before any change); tags_all on every sub-resource
 * (add/overwrite, then remove dropped keys; a KMS key the user brought is
 * left alone); rotation of the created key re-enabled; ingress rules made
 * exactly the planned sources (authorize missing, then revoke every other
 * ingress rule: this removes rules added outside Terraform); log groups the
 * state lost re-created (encrypted, retention) and log retention; one
 * ModifyReplicationGroup (description, windows, snapshot retention,
 * node_type and engine / engine_version upgrades with ApplyImmediately =
 * apply_immediately, log delivery re-enabled); resharding within cluster
 * mode (ModifyReplicationGroupShardConfiguration, the last shards removed
 * when shrinking); Increase/DecreaseReplicaCount;
 * RBAC changes (token -> user group: add the group and DELETE the tokens,
 * then delete the secret; group -> group: add one, remove the other; user
 * group -> token: a new token in a new secret, then remove the group and
 * add the token) with a new default version of the application policy;
 * the AUTH token phase the plan asks for (`rotated`: a new token with
 * ROTATE, then published in the secret; `retired`: the secret's token with
 * SET).  Each replication group change is followed by the wait for
 * `available`.  A change this version cannot make (parameters,
 * subnet_ids, an upgrade that needs a new custom parameter
 * group family, a deleted security group, a rotation phase unknown at
 * apply) is refused with an error on the attribute before any AWS call;
 * op->new_state is then the prior state.  On a later failure
 * op->new_state is the prior state plus what the steps that succeeded
 * changed. */
int redis_cluster_update(struct ctx *c, struct resource_op *op);
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
