/*
 * secretsmanager.h - the Secrets Manager calls of the secure_redis_*
 * resources: the secret holding a cluster's AUTH token or a user's
 * passwords (create, read, rotate the value, delete with a recovery
 * window, restore, tags).
 *
 * Conventions as in elasticache.h: c/cl/p first, outputs in c->arena,
 * 0 / SVC_NOT_FOUND (ResourceNotFoundException) where documented / -1 with
 * the standard diagnostic ("Secrets Manager <Operation> failed").
 * secret_id is a name or ARN.  Secret values are never logged (aws_call
 * redacts SecretString) and are wiped from the arena when it is freed.
 * Creates and value writes carry a fresh ClientRequestToken, so they are
 * safely retried.  Thread-safe.
 */
#ifndef AWS_SECRETSMANAGER_H
#define AWS_SECRETSMANAGER_H

#include "aws/svc.h"

struct sm_secret {
	const char *arn, *name, *description, *kms_key_id;
	bool rotation_enabled;
	double created_date, last_changed_date;
	double deleted_date;		/* epoch seconds; nonzero = scheduled for deletion */
	struct svc_tags tags;
};

/* kms_key_id and description may be NULL.  *arn, *version_id may be NULL.
 * ResourceExistsException (also for a secret scheduled for deletion) is
 * an error. */
int sm_create_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *name, const char *description,
		     const char *kms_key_id, const char *secret_string,
		     const struct svc_tag *tags, size_t n_tags,
		     const char **arn, const char **version_id);
/* SVC_NOT_FOUND.  A secret scheduled for deletion is found (deleted_date). */
int sm_describe_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		       const char *secret_id, struct sm_secret *out);
/* AWSCURRENT value.  SVC_NOT_FOUND; a secret scheduled for deletion is
 * InvalidRequestException (an error).  *version_id may be NULL. */
int sm_get_secret_value(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *secret_id,
			const char **secret_string, const char **version_id);
/* New AWSCURRENT version.  SVC_NOT_FOUND.  *version_id may be NULL. */
int sm_put_secret_value(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *secret_id,
			const char *secret_string, const char **version_id);
/* Description and/or KMS key (NULL = unchanged).  SVC_NOT_FOUND. */
int sm_update_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *secret_id, const char *description,
		     const char *kms_key_id);
/* recovery_window_days 7..30, or unset with force = SVC_TRUE for an
 * immediate deletion.  SVC_NOT_FOUND when already gone.
 * *deletion_date may be NULL. */
int sm_delete_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *secret_id, struct svc_int recovery_window_days,
		     enum svc_bool force, double *deletion_date);
/* Cancels a scheduled deletion.  SVC_NOT_FOUND. */
int sm_restore_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *secret_id);
int sm_tag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		    const char *secret_id, const struct svc_tag *tags, size_t n);
int sm_untag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *secret_id, struct svc_strs keys);

#endif
