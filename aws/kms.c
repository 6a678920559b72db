/*
 * kms.c - KMS API 2014-11-01 (JSON 1.1, "TrentService.<Op>"): keys,
 * rotation, aliases, key policies, tags, scheduled deletion.  Member names
 * follow botocore's kms/2014-11-01/service-2.json (tags are
 * [{"TagKey", "TagValue"}]).
 *
 * Does not cover encryption operations, imported key material, custom key
 * stores or grants.
 */
#include "kms.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <string.h>

#define NOT_FOUND "NotFoundException"

/* Calls op with {"KeyId": key_id, ...extra} (extra stolen, may be NULL). */
static int key_call(struct ctx *c, struct aws_client *cl, const struct path *p,
		    const char *op, bool idempotent, const char *key_id,
		    json_t *extra, json_t **resp)
{
	json_t *req = extra ? extra : json_object();

	svc_json_str(req, "KeyId", key_id);
	return svc_json(c, cl, AWS_KMS, op, idempotent, req, NOT_FOUND, p, resp);
}

#define KM(m, path, k) SVC_FIELD(struct kms_key, m, path, k)
static const struct svc_field key_fields[] = {
	KM(id, "KeyId", SVC_STR),
	KM(arn, "Arn", SVC_STR),
	KM(account, "AWSAccountId", SVC_STR),
	KM(description, "Description", SVC_STR),
	KM(state, "KeyState", SVC_STR),
	KM(key_usage, "KeyUsage", SVC_STR),
	KM(key_spec, "KeySpec", SVC_STR),
	KM(key_manager, "KeyManager", SVC_STR),
	KM(origin, "Origin", SVC_STR),
	KM(enabled, "Enabled", SVC_BOOL),
	KM(multi_region, "MultiRegion", SVC_BOOL),
	KM(creation_date, "CreationDate", SVC_NUM),
	KM(deletion_date, "DeletionDate", SVC_NUM),
	KM(pending_window_days, "PendingDeletionWindowInDays", SVC_INT),
};

static void parse_key(struct arena *a, json_t *resp, struct kms_key *out)
{
	memset(out, 0, sizeof(*out));
	svc_json_fields(a, json_object_get(resp, "KeyMetadata"), key_fields,
			SVC_NFIELDS(key_fields), out);
}

int kms_create_key(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const struct kms_create_key *in, struct kms_key *out)
{
	json_t *req = json_object(), *resp;
	int rc;

	svc_json_str(req, "Description", in->description);
	svc_json_str(req, "Policy", in->policy);
	svc_json_str(req, "KeyUsage", in->key_usage);
	svc_json_str(req, "KeySpec", in->key_spec);
	svc_json_bool(req, "MultiRegion", in->multi_region);
	svc_json_bool(req, "BypassPolicyLockoutSafetyCheck",
		      in->bypass_policy_lockout_safety_check);
	if (in->n_tags)
		json_object_set_new(req, "Tags", svc_json_tags(in->tags, in->n_tags,
							       "TagKey", "TagValue"));
	rc = svc_json(c, cl, AWS_KMS, "CreateKey", false, req, NULL, p, &resp);
	if (rc == 0 && out)
		parse_key(c->arena, resp, out);
	return rc;
}

int kms_describe_key(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *key_id, struct kms_key *out)
{
	json_t *resp;
	int rc = key_call(c, cl, p, "DescribeKey", true, key_id, NULL, &resp);

	if (rc == 0)
		parse_key(c->arena, resp, out);
	return rc;
}

int kms_enable_key_rotation(struct ctx *c, struct aws_client *cl,
			    const struct path *p, const char *key_id,
			    struct svc_int rotation_period_days)
{
	json_t *req = json_object();

	svc_json_int(req, "RotationPeriodInDays", rotation_period_days);
	return key_call(c, cl, p, "EnableKeyRotation", true, key_id, req, NULL);
}

int kms_disable_key_rotation(struct ctx *c, struct aws_client *cl,
			     const struct path *p, const char *key_id)
{
	return key_call(c, cl, p, "DisableKeyRotation", true, key_id, NULL, NULL);
}

int kms_get_key_rotation_status(struct ctx *c, struct aws_client *cl,
				const struct path *p, const char *key_id,
				bool *enabled, int *period_days)
{
	json_t *resp;
	int rc = key_call(c, cl, p, "GetKeyRotationStatus", true, key_id, NULL, &resp);

	*enabled = rc == 0 && json_is_true(json_object_get(resp, "KeyRotationEnabled"));
	if (period_days)
		*period_days = rc == 0 ? (int)json_integer_value(
			json_object_get(resp, "RotationPeriodInDays")) : 0;
	return rc;
}

int kms_get_key_policy(struct ctx *c, struct aws_client *cl,
		       const struct path *p, const char *key_id,
		       const char **policy)
{
	json_t *resp;
	int rc = key_call(c, cl, p, "GetKeyPolicy", true, key_id,
			  json_pack("{s:s}", "PolicyName", "default"), &resp);

	*policy = rc == 0 ? arena_strdup(c->arena, json_string_value(
					 json_object_get(resp, "Policy"))) : NULL;
	return rc;
}

int kms_put_key_policy(struct ctx *c, struct aws_client *cl,
		       const struct path *p, const char *key_id,
		       const char *policy)
{
	return key_call(c, cl, p, "PutKeyPolicy", true, key_id,
			json_pack("{s:s, s:s}", "PolicyName", "default",
				  "Policy", policy), NULL);
}

static int alias_call(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *op, bool idempotent, const char *alias,
		      const char *key_id)
{
	json_t *req = json_pack("{s:s}", "AliasName", alias);

	svc_json_str(req, "TargetKeyId", key_id);
	return svc_json(c, cl, AWS_KMS, op, idempotent, req, NOT_FOUND, p, NULL);
}

int kms_create_alias(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *alias, const char *key_id)
{
	return alias_call(c, cl, p, "CreateAlias", false, alias, key_id);
}

int kms_update_alias(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *alias, const char *key_id)
{
	return alias_call(c, cl, p, "UpdateAlias", true, alias, key_id);
}

int kms_delete_alias(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *alias)
{
	return alias_call(c, cl, p, "DeleteAlias", true, alias, NULL);
}

/* Follows NextMarker pages of a key-scoped list call; for each page,
 * appends json_array elements of member to *acc (a JSON array). */
static int key_pages(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *op, const char *key_id, const char *member,
		     json_t *acc)
{
	const char *marker = NULL;
	int pages = 0;

	do {
		json_t *req = json_object(), *resp;
		int rc;

		svc_json_str(req, "Marker", marker);
		rc = key_call(c, cl, p, op, true, key_id, req, &resp);
		if (rc != 0)
			return rc;
		json_array_extend(acc, json_object_get(resp, member));
		marker = json_is_true(json_object_get(resp, "Truncated"))
			? json_string_value(json_object_get(resp, "NextMarker")) : NULL;
	} while (marker && ++pages < 100);
	return 0;
}

int kms_list_aliases(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *key_id, struct svc_strs *aliases)
{
	json_t *acc = json_array(), *v;
	size_t i;
	int rc = key_pages(c, cl, p, "ListAliases", key_id, "Aliases", acc);

	memset(aliases, 0, sizeof(*aliases));
	if (rc == 0 && json_array_size(acc)) {
		aliases->v = arena_calloc(c->arena, json_array_size(acc), sizeof(char *));
		json_array_foreach(acc, i, v)
			aliases->v[aliases->n++] = arena_strdup(c->arena,
				json_string_value(json_object_get(v, "AliasName")));
	}
	json_decref(acc);
	return rc;
}

int kms_tag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *key_id, const struct svc_tag *tags, size_t n)
{
	return key_call(c, cl, p, "TagResource", true, key_id,
			json_pack("{s:o}", "Tags", svc_json_tags(tags, n, "TagKey", "TagValue")),
			NULL);
}

int kms_untag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		       const char *key_id, struct svc_strs keys)
{
	return key_call(c, cl, p, "UntagResource", true, key_id,
			json_pack("{s:o}", "TagKeys", svc_json_strs(keys)), NULL);
}

int kms_list_resource_tags(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *key_id,
			   struct svc_tags *out)
{
	static const struct svc_field f[] = { { "Tags", SVC_TAGS, 0 } };
	json_t *acc = json_array();
	json_t *wrap;
	int rc = key_pages(c, cl, p, "ListResourceTags", key_id, "Tags", acc);

	memset(out, 0, sizeof(*out));
	wrap = json_pack("{s:o}", "Tags", acc);
	if (rc == 0)
		svc_json_fields(c->arena, wrap, f, 1, out);
	json_decref(wrap);
	return rc;
}

int kms_schedule_key_deletion(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *key_id,
			      struct svc_int pending_window_days,
			      double *deletion_date)
{
	struct aws_call call;
	struct kms_key key;
	int rc;

	if (deletion_date)
		*deletion_date = 0;
	memset(&call, 0, sizeof(call));
	call.service = AWS_KMS;
	call.operation = "ScheduleKeyDeletion";
	call.idempotent = true;
	call.json = json_pack("{s:s}", "KeyId", key_id ? key_id : "");
	svc_json_int(call.json, "PendingWindowInDays", pending_window_days);
	rc = aws_call(c, cl, &call);
	json_decref(call.json);
	if (rc == 0) {
		if (deletion_date)
			*deletion_date = json_number_value(json_object_get(call.response, "DeletionDate"));
		return 0;
	}
	if (aws_error_is(&call, NOT_FOUND))
		return SVC_NOT_FOUND;
	/* A second request (or a retry of one that landed) finds the key
	 * PendingDeletion and is refused: the deletion is under way. */
	if (aws_error_is(&call, "KMSInvalidStateException")) {
		rc = kms_describe_key(c, cl, p, key_id, &key);
		if (rc != 0)
			return rc;
		if (key.state && strcmp(key.state, "PendingDeletion") == 0) {
			if (deletion_date)
				*deletion_date = key.deletion_date;
			return 0;
		}
	}
	return svc_error(c, p, &call);
}
