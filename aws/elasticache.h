/*
 * elasticache.h - the ElastiCache (Redis OSS / Valkey) operations the
 * secure_redis_* resources need: replication groups, cache clusters (read
 * only), subnet and parameter groups, RBAC users and user groups, tags.
 *
 * Conventions of every function here (and of the other service headers):
 * - c, cl: the per-RPC context and the provider's client.  p: attribute path
 *   for the diagnostic, may be NULL.
 * - Inputs are borrowed for the call.  Outputs live in c->arena; out may be
 *   NULL where marked "(out optional)".  Optional inputs: NULL strings,
 *   SVC_UNSET booleans and unset svc_int are not sent.
 * - Returns 0 on success; SVC_NOT_FOUND (no diagnostic) where documented;
 *   otherwise adds "ElastiCache <Operation> failed" / "<Code>: <message>
 *   (request id ...)" on p and returns -1.
 * - After an ambiguous failure (no answer) Describe*, Delete*, List*, tag
 *   calls and the subnet/parameter group modifications are retried;
 *   Create* and the calls that move an object into "modifying" are not (a
 *   retry would be refused with Invalid*State and hide the success).
 * - Deleting an object that is already "deleting" is success (0).
 * Thread-safe (the client is; nothing else is shared).
 */
#ifndef AWS_ELASTICACHE_H
#define AWS_ELASTICACHE_H

#include "aws/svc.h"

struct ec_endpoint {
	const char *address;
	int port;
};

/* LogDeliveryConfigurationRequest on input; LogDeliveryConfiguration (and
 * the pending one) on output. */
struct ec_log_delivery {
	const char *log_type;		/* "slow-log" | "engine-log" */
	const char *destination_type;	/* "cloudwatch-logs" | "kinesis-firehose" */
	const char *log_group;		/* cloudwatch-logs destination */
	const char *delivery_stream;	/* kinesis-firehose destination */
	const char *log_format;		/* "text" | "json" */
	enum svc_bool enabled;		/* input: SVC_FALSE disables (Modify) */
	const char *status;		/* output: active|enabling|modifying|disabling|error */
	const char *message;		/* output */
};

struct ec_rg_create {
	const char *id;			/* ReplicationGroupId, required */
	const char *description;	/* required */
	const char *engine, *engine_version, *node_type;
	const char *parameter_group, *subnet_group;
	const char *kms_key_id;
	const char *auth_token;		/* secret: never logged */
	const char *transit_encryption_mode;	/* "preferred" | "required" */
	const char *maintenance_window, *snapshot_window;
	const char *notification_topic_arn;
	const char *network_type, *ip_discovery, *cluster_mode;
	enum svc_bool at_rest_encryption, transit_encryption;
	enum svc_bool automatic_failover, multi_az, auto_minor_version_upgrade;
	enum svc_bool data_tiering;
	struct svc_int num_node_groups, replicas_per_node_group;
	struct svc_int num_cache_clusters, port, snapshot_retention_limit;
	struct svc_strs security_group_ids, user_group_ids;
	struct svc_strs preferred_azs;	/* PreferredCacheClusterAZs */
	const struct ec_log_delivery *log_delivery;
	size_t n_log_delivery;
	const struct svc_tag *tags;
	size_t n_tags;
};

struct ec_rg_modify {
	const char *id;			/* required */
	const char *description;
	const char *engine, *engine_version, *node_type, *parameter_group;
	const char *maintenance_window, *snapshot_window;
	const char *snapshotting_cluster_id, *primary_cluster_id;
	const char *notification_topic_arn;
	const char *auth_token;		/* secret */
	const char *auth_token_update_strategy;	/* "SET" | "ROTATE" | "DELETE" */
	const char *transit_encryption_mode, *cluster_mode, *ip_discovery;
	enum svc_bool apply_immediately, automatic_failover, multi_az;
	enum svc_bool auto_minor_version_upgrade, transit_encryption;
	enum svc_bool remove_user_groups;
	struct svc_int snapshot_retention_limit;
	struct svc_strs security_group_ids;	/* replaces the set when n > 0 */
	struct svc_strs user_group_ids_to_add, user_group_ids_to_remove;
	const struct ec_log_delivery *log_delivery;
	size_t n_log_delivery;
};

struct ec_node_member {
	const char *cluster_id, *node_id, *az;
	const char *role;		/* "primary" | "replica" (cluster mode off) */
	struct ec_endpoint read_endpoint;
};

struct ec_node_group {
	const char *id, *status, *slots;
	struct ec_endpoint primary, reader;	/* cluster mode off */
	struct ec_node_member *members;
	size_t n_members;
};

struct ec_rg_pending {
	bool any;			/* a PendingModifiedValues element had content */
	const char *primary_cluster_id, *automatic_failover, *auth_token_status;
	const char *transit_encryption_mode, *cluster_mode;
	bool transit_encryption, resharding;
	struct svc_strs user_groups_to_add, user_groups_to_remove;
	struct ec_log_delivery *log_delivery;
	size_t n_log_delivery;
};

struct ec_replication_group {
	const char *id, *description, *status, *arn, *engine;
	const char *node_type, *kms_key_id, *transit_encryption_mode;
	const char *cluster_mode, *automatic_failover, *multi_az;
	const char *snapshot_window, *snapshotting_cluster_id;
	const char *data_tiering, *network_type, *ip_discovery;
	const char *create_time, *auth_token_last_modified;
	bool cluster_enabled, auth_token_enabled, transit_encryption;
	bool at_rest_encryption, auto_minor_version_upgrade;
	int snapshot_retention_limit;
	struct ec_endpoint configuration_endpoint;	/* cluster mode on */
	struct svc_strs member_clusters, user_group_ids;
	struct ec_node_group *node_groups;
	size_t n_node_groups;
	struct ec_log_delivery *log_delivery;
	size_t n_log_delivery;
	struct ec_rg_pending pending;
};

/* (out optional) */
int ec_create_replication_group(struct ctx *c, struct aws_client *cl,
				const struct path *p, const struct ec_rg_create *in,
				struct ec_replication_group *out);
/* SVC_NOT_FOUND: ReplicationGroupNotFoundFault. */
int ec_describe_replication_group(struct ctx *c, struct aws_client *cl,
				  const struct path *p, const char *id,
				  struct ec_replication_group *out);
/* SVC_NOT_FOUND as above.  (out optional) */
int ec_modify_replication_group(struct ctx *c, struct aws_client *cl,
				const struct path *p, const struct ec_rg_modify *in,
				struct ec_replication_group *out);
/* New replica count per node group; ApplyImmediately is always true (AWS
 * requires it).  replicas_to_remove: specific cluster ids (Decrease only,
 * instead of new_count when n > 0).  (out optional) */
int ec_increase_replica_count(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *id, int new_count,
			      struct ec_replication_group *out);
int ec_decrease_replica_count(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *id, int new_count,
			      struct svc_strs replicas_to_remove,
			      struct ec_replication_group *out);
/* Changes the shard count (ApplyImmediately=true).  When shrinking, AWS
 * requires the shards to go (to_remove) or to stay (to_retain); pass one,
 * leave the other empty.  (out optional) */
int ec_modify_shard_configuration(struct ctx *c, struct aws_client *cl,
				  const struct path *p, const char *id,
				  int node_group_count, struct svc_strs to_remove,
				  struct svc_strs to_retain,
				  struct ec_replication_group *out);
/* final_snapshot may be NULL.  SVC_NOT_FOUND when already gone. */
int ec_delete_replication_group(struct ctx *c, struct aws_client *cl,
				const struct path *p, const char *id,
				const char *final_snapshot);

struct ec_cache_cluster {
	const char *id, *status, *engine, *engine_version, *node_type;
	const char *az, *maintenance_window, *snapshot_window;
	const char *parameter_group, *parameter_apply_status, *subnet_group;
	const char *replication_group_id, *arn, *transit_encryption_mode;
	const char *network_type, *ip_discovery;
	const char *pending_engine_version, *pending_node_type;
	bool auth_token_enabled, transit_encryption, at_rest_encryption;
	bool auto_minor_version_upgrade;
	int num_cache_nodes, snapshot_retention_limit;
	struct svc_strs security_group_ids;
	struct ec_endpoint node_endpoint;	/* first cache node (ShowCacheNodeInfo) */
};

/* SVC_NOT_FOUND: CacheClusterNotFound. */
int ec_describe_cache_cluster(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *id,
			      struct ec_cache_cluster *out);

/* ---- subnet groups (create: out optional) ---- */
struct ec_subnet_group {
	const char *name, *description, *vpc_id, *arn;
	struct svc_strs subnet_ids, azs;	/* parallel arrays */
};

int ec_create_cache_subnet_group(struct ctx *c, struct aws_client *cl,
				 const struct path *p, const char *name,
				 const char *description, struct svc_strs subnet_ids,
				 const struct svc_tag *tags, size_t n_tags,
				 struct ec_subnet_group *out);
/* SVC_NOT_FOUND: CacheSubnetGroupNotFoundFault. */
int ec_describe_cache_subnet_group(struct ctx *c, struct aws_client *cl,
				   const struct path *p, const char *name,
				   struct ec_subnet_group *out);
/* description may be NULL; subnet_ids.n == 0 keeps them.  (out optional) */
int ec_modify_cache_subnet_group(struct ctx *c, struct aws_client *cl,
				 const struct path *p, const char *name,
				 const char *description, struct svc_strs subnet_ids,
				 struct ec_subnet_group *out);
/* SVC_NOT_FOUND when already gone; CacheSubnetGroupInUse is an error. */
int ec_delete_cache_subnet_group(struct ctx *c, struct aws_client *cl,
				 const struct path *p, const char *name);

/* ---- parameter groups (create: out optional; every other call:
 * SVC_NOT_FOUND for CacheParameterGroupNotFound) ---- */
struct ec_parameter_group {
	const char *name, *family, *description, *arn;
	bool is_global;
};

struct ec_parameter {
	const char *name, *value, *source, *data_type, *allowed_values;
	bool modifiable;
};

int ec_create_cache_parameter_group(struct ctx *c, struct aws_client *cl,
				    const struct path *p, const char *name,
				    const char *family, const char *description,
				    const struct svc_tag *tags, size_t n_tags,
				    struct ec_parameter_group *out);
/* SVC_NOT_FOUND: CacheParameterGroupNotFound. */
int ec_describe_cache_parameter_group(struct ctx *c, struct aws_client *cl,
				      const struct path *p, const char *name,
				      struct ec_parameter_group *out);
/* Sets ParameterName/ParameterValue pairs (value of each element), in
 * requests of at most 20 pairs (AWS's limit per request).  A failure stops
 * at that request: the earlier ones stay applied.  n == 0 sends nothing. */
int ec_modify_cache_parameter_group(struct ctx *c, struct aws_client *cl,
				    const struct path *p, const char *name,
				    const struct ec_parameter *params, size_t n);
/* Resets the named parameters (only .name of each element is read) to the
 * family's defaults, in requests of at most 20 names, stopping at the first
 * failure like the modification.  n == 0 sends nothing. */
int ec_reset_cache_parameter_group(struct ctx *c, struct aws_client *cl,
				   const struct path *p, const char *name,
				   const struct ec_parameter *params, size_t n);
/* source: "user" | "system" | "engine-default" | NULL (all); follows
 * Marker pages.  SVC_NOT_FOUND as above. */
int ec_describe_cache_parameters(struct ctx *c, struct aws_client *cl,
				 const struct path *p, const char *name,
				 const char *source, struct ec_parameter **out,
				 size_t *n);
int ec_delete_cache_parameter_group(struct ctx *c, struct aws_client *cl,
				    const struct path *p, const char *name);

/* ---- RBAC users and user groups ---- */
struct ec_user_input {
	const char *id;			/* UserId, required */
	const char *user_name;		/* Create only, required there */
	const char *engine;		/* "redis" | "valkey" */
	const char *access_string;
	const char *append_access_string;	/* Modify only */
	/* With passwords (secrets, 1 or 2): sent as Passwords (type password).
	 * Without: auth_type "iam" | "no-password-required" is sent as
	 * AuthenticationMode.Type (NULL: authentication unchanged, Modify). */
	const char *auth_type;
	struct svc_strs passwords;
	const struct svc_tag *tags;	/* Create only */
	size_t n_tags;
};

struct ec_user {
	const char *id, *user_name, *status, *engine, *access_string, *arn;
	const char *minimum_engine_version;
	const char *auth_type;		/* password | no-password | iam */
	int password_count;
	struct svc_strs user_group_ids;
};

/* (out optional) */
int ec_create_user(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const struct ec_user_input *in, struct ec_user *out);
/* Modify, describe and delete: SVC_NOT_FOUND for UserNotFound.
 * (out optional) */
int ec_modify_user(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const struct ec_user_input *in, struct ec_user *out);
int ec_describe_user(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *id, struct ec_user *out);
int ec_delete_user(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *id);

struct ec_user_group {
	const char *id, *status, *engine, *arn, *minimum_engine_version;
	struct svc_strs user_ids, replication_groups;
	struct svc_strs pending_add, pending_remove;
};

/* (out optional) */
int ec_create_user_group(struct ctx *c, struct aws_client *cl,
			 const struct path *p, const char *id, const char *engine,
			 struct svc_strs user_ids, const struct svc_tag *tags,
			 size_t n_tags, struct ec_user_group *out);
/* SVC_NOT_FOUND: UserGroupNotFound (all three).  (out optional) */
int ec_modify_user_group(struct ctx *c, struct aws_client *cl,
			 const struct path *p, const char *id,
			 struct svc_strs to_add, struct svc_strs to_remove,
			 struct ec_user_group *out);
int ec_describe_user_group(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *id,
			   struct ec_user_group *out);
int ec_delete_user_group(struct ctx *c, struct aws_client *cl,
			 const struct path *p, const char *id);

/* ---- tags (any ElastiCache ARN) ---- */
int ec_add_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		const char *arn, const struct svc_tag *tags, size_t n);
/* SVC_NOT_FOUND when the resource does not exist. */
int ec_list_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		 const char *arn, struct svc_tags *out);
int ec_remove_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, struct svc_strs keys);

#endif
