/*
 * logs.c - CloudWatch Logs API 2014-03-28 (JSON 1.1, "Logs_20140328.<Op>"):
 * log groups, retention, KMS association, tags.  Member names follow
 * botocore's logs/2014-03-28/service-2.json (camelCase; tags are a map).
 *
 * Does not cover log streams, events, subscriptions or data protection.
 */
#include "logs.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <string.h>

#define NOT_FOUND "ResourceNotFoundException"

static int call(struct ctx *c, struct aws_client *cl, const struct path *p,
		const char *op, bool idempotent, json_t *req, json_t **resp)
{
	return svc_json(c, cl, AWS_LOGS, op, idempotent, req, NOT_FOUND, p, resp);
}

static json_t *tag_map(const struct svc_tag *tags, size_t n)
{
	json_t *m = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(m, tags[i].key, json_string(tags[i].value ? tags[i].value : ""));
	return m;
}

int logs_create_log_group(struct ctx *c, struct aws_client *cl,
			  const struct path *p, const char *name,
			  const char *kms_key_id, const struct svc_tag *tags,
			  size_t n_tags)
{
	json_t *req = json_pack("{s:s}", "logGroupName", name);

	svc_json_str(req, "kmsKeyId", kms_key_id);
	if (n_tags)
		json_object_set_new(req, "tags", tag_map(tags, n_tags));
	return call(c, cl, p, "CreateLogGroup", false, req, NULL);
}

#define LG(m, path, k) SVC_FIELD(struct logs_group, m, path, k)
static const struct svc_field group_fields[] = {
	LG(name, "logGroupName", SVC_STR),
	LG(arn, "logGroupArn", SVC_STR),
	LG(kms_key_id, "kmsKeyId", SVC_STR),
	LG(log_group_class, "logGroupClass", SVC_STR),
	LG(retention_days, "retentionInDays", SVC_INT),
	LG(creation_time_ms, "creationTime", SVC_NUM),
};

static void parse_group(struct arena *a, json_t *g, struct logs_group *out)
{
	memset(out, 0, sizeof(*out));
	svc_json_fields(a, g, group_fields, SVC_NFIELDS(group_fields), out);
	if (!out->arn) {	/* older answers: "arn" ends in ":*" */
		const char *arn = json_string_value(json_object_get(g, "arn"));
		size_t len = arn ? strlen(arn) : 0;

		if (len > 2 && strcmp(arn + len - 2, ":*") == 0)
			len -= 2;
		out->arn = arn ? arena_strndup(a, arn, len) : NULL;
	}
}

int logs_describe_log_groups(struct ctx *c, struct aws_client *cl,
			     const struct path *p, const char *prefix,
			     struct logs_group **out, size_t *n)
{
	const char *token = NULL;
	size_t cap = 0;
	int pages = 0;

	*out = NULL;
	*n = 0;
	if (svc_require(c, p, AWS_LOGS, "DescribeLogGroups",
			"logGroupNamePrefix", prefix) != 0)
		return -1;
	do {
		json_t *req = json_pack("{s:s}", "logGroupNamePrefix", prefix);
		json_t *resp, *groups, *g;
		size_t i;
		int rc;

		svc_json_str(req, "nextToken", token);
		rc = call(c, cl, p, "DescribeLogGroups", true, req, &resp);
		if (rc != 0)
			return rc;
		groups = json_object_get(resp, "logGroups");
		if (*n + json_array_size(groups) > cap) {
			struct logs_group *more;

			cap = 2 * (*n + json_array_size(groups)) + 4;
			more = arena_calloc(c->arena, cap, sizeof(*more));
			if (*n)
				memcpy(more, *out, *n * sizeof(*more));
			*out = more;
		}
		json_array_foreach(groups, i, g)
			parse_group(c->arena, g, &(*out)[(*n)++]);
		token = json_string_value(json_object_get(resp, "nextToken"));
	} while (token && ++pages < 100);
	return 0;
}

/* The exact name among the groups its own name is a prefix of. */
int logs_describe_log_group(struct ctx *c, struct aws_client *cl,
			    const struct path *p, const char *name,
			    struct logs_group *out)
{
	struct logs_group *all;
	size_t n, i;
	int rc;

	if (svc_require(c, p, AWS_LOGS, "DescribeLogGroups",
			"logGroupName", name) != 0)
		return -1;
	rc = logs_describe_log_groups(c, cl, p, name, &all, &n);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (all[i].name && strcmp(all[i].name, name) == 0) {
			*out = all[i];
			return 0;
		}
	return SVC_NOT_FOUND;
}

/* Calls op with {"logGroupName": name, ...extra} (extra stolen or NULL). */
static int group_call(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *op, const char *name, json_t *extra)
{
	json_t *req = extra ? extra : json_object();

	json_object_set_new(req, "logGroupName", json_string(name));
	return call(c, cl, p, op, true, req, NULL);
}

int logs_delete_log_group(struct ctx *c, struct aws_client *cl,
			  const struct path *p, const char *name)
{
	return group_call(c, cl, p, "DeleteLogGroup", name, NULL);
}

int logs_put_retention_policy(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *name, int days)
{
	return group_call(c, cl, p, "PutRetentionPolicy", name,
			  json_pack("{s:i}", "retentionInDays", days));
}

int logs_delete_retention_policy(struct ctx *c, struct aws_client *cl,
				 const struct path *p, const char *name)
{
	return group_call(c, cl, p, "DeleteRetentionPolicy", name, NULL);
}

int logs_associate_kms_key(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *name,
			   const char *kms_key_arn)
{
	return group_call(c, cl, p, "AssociateKmsKey", name,
			  json_pack("{s:s}", "kmsKeyId", kms_key_arn));
}

int logs_disassociate_kms_key(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *name)
{
	return group_call(c, cl, p, "DisassociateKmsKey", name, NULL);
}

int logs_tag_resource(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *arn, const struct svc_tag *tags, size_t n)
{
	return call(c, cl, p, "TagResource", true,
		    json_pack("{s:s, s:o}", "resourceArn", arn, "tags", tag_map(tags, n)),
		    NULL);
}

int logs_untag_resource(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *arn,
			struct svc_strs keys)
{
	return call(c, cl, p, "UntagResource", true,
		    json_pack("{s:s, s:o}", "resourceArn", arn, "tagKeys", svc_json_strs(keys)),
		    NULL);
}

int logs_list_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, struct svc_tags *out)
{
	static const struct svc_field f[] = { { "tags", SVC_TAGS, 0 } };
	json_t *resp;
	int rc = call(c, cl, p, "ListTagsForResource", true,
		      json_pack("{s:s}", "resourceArn", arn), &resp);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		svc_json_fields(c->arena, resp, f, 1, out);
	return rc;
}
