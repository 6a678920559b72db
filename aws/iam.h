/*
 * iam.h - the IAM calls of secure_redis_cluster: customer managed policies
 * that grant access to the cluster, its secret and its key (create, read
 * the default version's document, new versions, delete, tags).
 *
 * Conventions as in elasticache.h: c/cl/p first, outputs in c->arena,
 * 0 / SVC_NOT_FOUND (NoSuchEntity) where documented / -1 with the standard
 * diagnostic ("IAM <Operation> failed").  Thread-safe.
 */
#ifndef AWS_IAM_H
#define AWS_IAM_H

#include "aws/svc.h"

struct iam_policy {
	const char *name, *id, *arn, *path, *description;
	const char *default_version_id;
	const char *create_date, *update_date;	/* ISO 8601 as AWS sent it */
	int attachment_count;
	bool attachable;
	struct svc_tags tags;
};

struct iam_policy_version {
	const char *version_id;
	const char *document;		/* URL-decoded JSON (GetPolicyVersion only) */
	bool is_default;
	const char *create_date;
};

/* path and description may be NULL.  EntityAlreadyExists,
 * MalformedPolicyDocument are errors.  (out optional) */
int iam_create_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *name, const char *policy_path,
		      const char *document, const char *description,
		      const struct svc_tag *tags, size_t n_tags,
		      struct iam_policy *out);
/* SVC_NOT_FOUND. */
int iam_get_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, struct iam_policy *out);
/* SVC_NOT_FOUND (policy or version). */
int iam_get_policy_version(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *arn,
			   const char *version_id, struct iam_policy_version *out);
/* LimitExceeded (5 versions) is an error: delete an old one first.
 * (out optional) */
int iam_create_policy_version(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *arn,
			      const char *document, bool set_as_default,
			      struct iam_policy_version *out);
/* All pages; documents are not returned.  SVC_NOT_FOUND. */
int iam_list_policy_versions(struct ctx *c, struct aws_client *cl,
			     const struct path *p, const char *arn,
			     struct iam_policy_version **out, size_t *n);
/* SVC_NOT_FOUND when gone; deleting the default version is DeleteConflict. */
int iam_delete_policy_version(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *arn,
			      const char *version_id);
/* SVC_NOT_FOUND when gone; non-default versions or attachments left are
 * DeleteConflict. */
int iam_delete_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *arn);

int iam_tag_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, const struct svc_tag *tags, size_t n);
int iam_untag_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *arn, struct svc_strs keys);

#endif
