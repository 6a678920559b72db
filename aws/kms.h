/*
 * kms.h - the KMS calls of secure_redis_cluster: the customer managed key
 * that encrypts the cache, its logs and secrets (create, rotation, alias,
 * policy, tags, scheduled deletion).
 *
 * Conventions as in elasticache.h: c/cl/p first, outputs in c->arena,
 * 0 / SVC_NOT_FOUND (NotFoundException) where documented / -1 with the
 * standard diagnostic ("KMS <Operation> failed").  key_id is a key id, key
 * ARN, alias name or alias ARN wherever KMS accepts one.  Thread-safe.
 */
#ifndef AWS_KMS_H
#define AWS_KMS_H

#include "aws/svc.h"

struct kms_key {
	const char *id, *arn, *account, *description;
	const char *state;		/* Enabled | Disabled | PendingDeletion | ... */
	const char *key_usage, *key_spec, *key_manager, *origin;
	bool enabled, multi_region;
	double creation_date, deletion_date;	/* epoch seconds; 0 if none */
	int pending_window_days;
};

struct kms_create_key {
	const char *description;
	const char *policy;		/* JSON key policy; NULL = KMS default */
	const char *key_usage;		/* NULL = ENCRYPT_DECRYPT */
	const char *key_spec;		/* NULL = SYMMETRIC_DEFAULT */
	enum svc_bool multi_region, bypass_policy_lockout_safety_check;
	const struct svc_tag *tags;
	size_t n_tags;
};

/* (out optional) */
int kms_create_key(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const struct kms_create_key *in, struct kms_key *out);
/* SVC_NOT_FOUND.  A key pending deletion is found (state PendingDeletion). */
int kms_describe_key(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *key_id, struct kms_key *out);

/* rotation_period_days unset = the KMS default (365). */
int kms_enable_key_rotation(struct ctx *c, struct aws_client *cl,
			    const struct path *p, const char *key_id,
			    struct svc_int rotation_period_days);
int kms_disable_key_rotation(struct ctx *c, struct aws_client *cl,
			     const struct path *p, const char *key_id);
/* SVC_NOT_FOUND.  *period_days may be NULL. */
int kms_get_key_rotation_status(struct ctx *c, struct aws_client *cl,
				const struct path *p, const char *key_id,
				bool *enabled, int *period_days);

/* The "default" policy.  SVC_NOT_FOUND for get. */
int kms_get_key_policy(struct ctx *c, struct aws_client *cl,
		       const struct path *p, const char *key_id,
		       const char **policy);
int kms_put_key_policy(struct ctx *c, struct aws_client *cl,
		       const struct path *p, const char *key_id,
		       const char *policy);

/* alias: "alias/name".  AlreadyExistsException is an error for create;
 * SVC_NOT_FOUND for delete when the alias is gone. */
int kms_create_alias(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *alias, const char *key_id);
int kms_update_alias(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *alias, const char *key_id);
int kms_delete_alias(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *alias);
/* Names of the aliases pointing at key_id (all pages). SVC_NOT_FOUND. */
int kms_list_aliases(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *key_id, struct svc_strs *aliases);

int kms_tag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *key_id, const struct svc_tag *tags, size_t n);
int kms_untag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		       const char *key_id, struct svc_strs keys);
/* All pages.  SVC_NOT_FOUND. */
int kms_list_resource_tags(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *key_id,
			   struct svc_tags *out);

/* pending_window_days: 7..30 (unset = 30).  SVC_NOT_FOUND when the key is
 * gone.  A key already pending deletion is success (KMS answers
 * KMSInvalidStateException; the deletion date is then the existing one).
 * *deletion_date may be NULL. */
int kms_schedule_key_deletion(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *key_id,
			      struct svc_int pending_window_days,
			      double *deletion_date);

#endif
