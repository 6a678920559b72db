/*
 * logs.h - the CloudWatch Logs calls of secure_redis_cluster: the log
 * groups that receive the slow and engine logs (KMS-encrypted, with a
 * retention), and their tags.
 *
 * Conventions as in elasticache.h: c/cl/p first, outputs in c->arena,
 * 0 / SVC_NOT_FOUND (ResourceNotFoundException) where documented / -1 with
 * the standard diagnostic ("CloudWatch Logs <Operation> failed").
 * Thread-safe.
 */
#ifndef AWS_LOGS_H
#define AWS_LOGS_H

#include "aws/svc.h"

struct logs_group {
	const char *name;
	const char *arn;		/* logGroupArn: no ":*" (for tag calls) */
	const char *kms_key_id;		/* key ARN, NULL when not encrypted */
	const char *log_group_class;
	int retention_days;		/* 0 = never expire */
	double creation_time_ms;
};

/* kms_key_id (key ARN) may be NULL.  ResourceAlreadyExistsException is an
 * error. */
int logs_create_log_group(struct ctx *c, struct aws_client *cl,
			  const struct path *p, const char *name,
			  const char *kms_key_id, const struct svc_tag *tags,
			  size_t n_tags);
/* Exact name match (DescribeLogGroups by prefix, all pages).
 * SVC_NOT_FOUND when there is none. */
int logs_describe_log_group(struct ctx *c, struct aws_client *cl,
			    const struct path *p, const char *name,
			    struct logs_group *out);
/* Every group whose name starts with prefix (all pages; *n may be 0).
 * The array is arena memory. */
int logs_describe_log_groups(struct ctx *c, struct aws_client *cl,
			     const struct path *p, const char *prefix,
			     struct logs_group **out, size_t *n);
/* SVC_NOT_FOUND when already gone. */
int logs_delete_log_group(struct ctx *c, struct aws_client *cl,
			  const struct path *p, const char *name);

/* days: one of the values CloudWatch Logs allows (1, 3, 5, 7, 14, 30 ...). */
int logs_put_retention_policy(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *name, int days);
int logs_delete_retention_policy(struct ctx *c, struct aws_client *cl,
				 const struct path *p, const char *name);

int logs_associate_kms_key(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *name,
			   const char *kms_key_arn);
int logs_disassociate_kms_key(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *name);

/* arn: logs_group.arn (without ":*"). */
int logs_tag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *arn, const struct svc_tag *tags, size_t n);
int logs_untag_resource(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *arn,
			struct svc_strs keys);
/* SVC_NOT_FOUND. */
int logs_list_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, struct svc_tags *out);

#endif
