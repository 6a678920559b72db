/*
 * ssm.h - the SSM Parameter Store calls of secure_redis_cluster: the
 * SecureString parameters that publish the cluster's endpoint and secret
 * references (write with a KMS key, read decrypted, describe, delete, tags).
 *
 * Conventions as in elasticache.h: c/cl/p first, outputs in c->arena,
 * 0 / SVC_NOT_FOUND (ParameterNotFound) where documented / -1 with the
 * standard diagnostic ("SSM <Operation> failed").  Thread-safe.
 *
 * Secrets: a SecureString's value travels as "Value", which aws_call's
 * trace log does NOT redact today (log_is_secret_name lacks it); values
 * read here are wiped from the arena when it is freed.
 */
#ifndef AWS_SSM_H
#define AWS_SSM_H

#include "aws/svc.h"

struct ssm_put {
	const char *name;		/* required */
	const char *value;		/* required */
	const char *type;		/* "SecureString" | "String" | "StringList" */
	const char *key_id;		/* SecureString KMS key; NULL = aws/ssm */
	const char *description, *tier, *allowed_pattern, *data_type;
	bool overwrite;			/* Overwrite=true: update in place (idempotent) */
	const struct svc_tag *tags;	/* only without overwrite (AWS refuses both) */
	size_t n_tags;
};

/* *version may be NULL.  ParameterAlreadyExists (without overwrite) is an
 * error. */
int ssm_put_parameter(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const struct ssm_put *in, int *version);

struct ssm_parameter {
	const char *name, *type, *arn, *data_type;
	const char *value;		/* GetParameter only (decrypted if asked) */
	const char *key_id, *description, *tier;	/* DescribeParameters only */
	int version;
	double last_modified_date;
};

/* SVC_NOT_FOUND. */
int ssm_get_parameter(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *name, bool with_decryption,
		      struct ssm_parameter *out);
/* Metadata (KeyId, Description, Tier), no value.  SVC_NOT_FOUND. */
int ssm_describe_parameter(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *name,
			   struct ssm_parameter *out);
/* SVC_NOT_FOUND when already gone. */
int ssm_delete_parameter(struct ctx *c, struct aws_client *cl,
			 const struct path *p, const char *name);

/* Tags of a parameter (ResourceType "Parameter", id = name).
 * SVC_NOT_FOUND: InvalidResourceId. */
int ssm_add_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		 const char *name, const struct svc_tag *tags, size_t n);
int ssm_remove_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		    const char *name, struct svc_strs keys);
int ssm_list_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		  const char *name, struct svc_tags *out);

#endif
