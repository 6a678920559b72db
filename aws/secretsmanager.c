/*
 * secretsmanager.c - Secrets Manager API 2017-10-17 (JSON 1.1,
 * "secretsmanager.<Op>"): secrets, values, deletion and restore, tags.
 * Member names follow botocore's secretsmanager/2017-10-17/service-2.json.
 *
 * Does not cover binary secrets, rotation, replication or resource
 * policies.
 */
#include "secretsmanager.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <string.h>

#define NOT_FOUND "ResourceNotFoundException"

/* Calls op with {"SecretId": id, ...extra} (extra stolen or NULL). */
static int secret_call(struct ctx *c, struct aws_client *cl, const struct path *p,
		       const char *op, const char *secret_id, json_t *extra,
		       json_t **resp)
{
	json_t *req = extra ? extra : json_object();

	json_object_set_new(req, "SecretId", json_string(secret_id));
	return svc_json(c, cl, AWS_SECRETSMANAGER, op, true, req, NOT_FOUND, p, resp);
}

static const char *str(struct arena *a, json_t *resp, const char *key)
{
	return arena_strdup(a, json_string_value(json_object_get(resp, key)));
}

/* Copies a secret value into the arena, wiped when the arena is freed. */
static const char *secret_copy(struct arena *a, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	copy = arena_strdup(a, s);
	arena_add_secret(a, copy, strlen(copy));
	return copy;
}

int sm_create_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *name, const char *description,
		     const char *kms_key_id, const char *secret_string,
		     const struct svc_tag *tags, size_t n_tags,
		     const char **arn, const char **version_id)
{
	json_t *req = json_pack("{s:s, s:s}", "Name", name,
				"ClientRequestToken", ctx_uuid(c->arena));
	json_t *resp;
	int rc;

	svc_json_str(req, "Description", description);
	svc_json_str(req, "KmsKeyId", kms_key_id);
	svc_json_str(req, "SecretString", secret_string);
	if (n_tags)
		json_object_set_new(req, "Tags", svc_json_tags(tags, n_tags, "Key", "Value"));
	/* The token makes a retry of a create that did happen succeed. */
	rc = svc_json(c, cl, AWS_SECRETSMANAGER, "CreateSecret", true, req, NULL, p, &resp);
	if (arn)
		*arn = rc == 0 ? str(c->arena, resp, "ARN") : NULL;
	if (version_id)
		*version_id = rc == 0 ? str(c->arena, resp, "VersionId") : NULL;
	return rc;
}

#define SE(m, path, k) SVC_FIELD(struct sm_secret, m, path, k)
static const struct svc_field secret_fields[] = {
	SE(arn, "ARN", SVC_STR),
	SE(name, "Name", SVC_STR),
	SE(description, "Description", SVC_STR),
	SE(kms_key_id, "KmsKeyId", SVC_STR),
	SE(rotation_enabled, "RotationEnabled", SVC_BOOL),
	SE(created_date, "CreatedDate", SVC_NUM),
	SE(last_changed_date, "LastChangedDate", SVC_NUM),
	SE(deleted_date, "DeletedDate", SVC_NUM),
	SE(tags, "Tags", SVC_TAGS),
};

int sm_describe_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		       const char *secret_id, struct sm_secret *out)
{
	json_t *resp;
	int rc = secret_call(c, cl, p, "DescribeSecret", secret_id, NULL, &resp);

	if (rc == 0) {
		memset(out, 0, sizeof(*out));
		svc_json_fields(c->arena, resp, secret_fields, SVC_NFIELDS(secret_fields), out);
	}
	return rc;
}

int sm_get_secret_value(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *secret_id,
			const char **secret_string, const char **version_id)
{
	json_t *resp;
	int rc = secret_call(c, cl, p, "GetSecretValue", secret_id, NULL, &resp);

	*secret_string = rc == 0 ? secret_copy(c->arena, json_string_value(
					json_object_get(resp, "SecretString"))) : NULL;
	if (version_id)
		*version_id = rc == 0 ? str(c->arena, resp, "VersionId") : NULL;
	return rc;
}

int sm_put_secret_value(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *secret_id,
			const char *secret_string, const char **version_id)
{
	json_t *resp;
	int rc = secret_call(c, cl, p, "PutSecretValue", secret_id,
			     json_pack("{s:s, s:s}", "SecretString", secret_string,
				       "ClientRequestToken", ctx_uuid(c->arena)),
			     &resp);

	if (version_id)
		*version_id = rc == 0 ? str(c->arena, resp, "VersionId") : NULL;
	return rc;
}

int sm_update_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *secret_id, const char *description,
		     const char *kms_key_id)
{
	json_t *req = json_object();

	svc_json_str(req, "Description", description);
	svc_json_str(req, "KmsKeyId", kms_key_id);
	return secret_call(c, cl, p, "UpdateSecret", secret_id, req, NULL);
}

int sm_delete_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *secret_id, struct svc_int recovery_window_days,
		     enum svc_bool force, double *deletion_date)
{
	json_t *req = json_object(), *resp;
	int rc;

	svc_json_int(req, "RecoveryWindowInDays", recovery_window_days);
	svc_json_bool(req, "ForceDeleteWithoutRecovery", force);
	rc = secret_call(c, cl, p, "DeleteSecret", secret_id, req, &resp);
	if (deletion_date)
		*deletion_date = rc == 0 ? json_number_value(json_object_get(resp, "DeletionDate")) : 0;
	return rc;
}

int sm_restore_secret(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *secret_id)
{
	return secret_call(c, cl, p, "RestoreSecret", secret_id, NULL, NULL);
}

int sm_tag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		    const char *secret_id, const struct svc_tag *tags, size_t n)
{
	return secret_call(c, cl, p, "TagResource", secret_id,
			   json_pack("{s:o}", "Tags", svc_json_tags(tags, n, "Key", "Value")),
			   NULL);
}

int sm_untag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *secret_id, struct svc_strs keys)
{
	return secret_call(c, cl, p, "UntagResource", secret_id,
			   json_pack("{s:o}", "TagKeys", svc_json_strs(keys)), NULL);
}
