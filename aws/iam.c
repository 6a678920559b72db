/*
 * iam.c - IAM API 2010-05-08 (query protocol): managed policies, their
 * versions and tags.  Names follow botocore's iam/2010-05-08/service-2.json
 * ("Tags.member.N.Key", "TagKeys.member.N"; results under <OpResult>).
 * Policy documents come back URL-encoded (RFC 3986) and are decoded here.
 *
 * Does not cover users, roles, groups or attachments.
 */
#include "iam.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <curl/curl.h>
#include <string.h>

#define NOT_FOUND "NoSuchEntity"

static int call(struct ctx *c, struct aws_client *cl, const struct path *p,
		const char *op, bool idempotent, const struct aws_params *ps,
		struct xml_node **res)
{
	return svc_query(c, cl, AWS_IAM, op, idempotent, ps, NOT_FOUND, p, res);
}

#define PO(m, path, k) SVC_FIELD(struct iam_policy, m, path, k)
static const struct svc_field policy_fields[] = {
	PO(name, "PolicyName", SVC_STR),
	PO(id, "PolicyId", SVC_STR),
	PO(arn, "Arn", SVC_STR),
	PO(path, "Path", SVC_STR),
	PO(description, "Description", SVC_STR),
	PO(default_version_id, "DefaultVersionId", SVC_STR),
	PO(create_date, "CreateDate", SVC_STR),
	PO(update_date, "UpdateDate", SVC_STR),
	PO(attachment_count, "AttachmentCount", SVC_INT),
	PO(attachable, "IsAttachable", SVC_BOOL),
	PO(tags, "Tags", SVC_TAGS),
};

#define PV(m, path, k) SVC_FIELD(struct iam_policy_version, m, path, k)
static const struct svc_field version_fields[] = {
	PV(version_id, "VersionId", SVC_STR),
	PV(document, "Document", SVC_STR),
	PV(is_default, "IsDefaultVersion", SVC_BOOL),
	PV(create_date, "CreateDate", SVC_STR),
};

/* Parses <PolicyVersion>, URL-decoding the document. */
static void parse_version(struct arena *a, const struct xml_node *n,
			  struct iam_policy_version *out)
{
	memset(out, 0, sizeof(*out));
	svc_xml_fields(a, n, version_fields, SVC_NFIELDS(version_fields), out);
	if (out->document) {
		int len = 0;
		char *d = curl_easy_unescape(NULL, out->document, 0, &len);

		if (d) {
			out->document = arena_strndup(a, d, (size_t)len);
			curl_free(d);
		}
	}
}

static int policy_call(struct ctx *c, struct aws_client *cl, const struct path *p,
		       const char *op, bool idempotent, const struct aws_params *ps,
		       struct iam_policy *out)
{
	struct xml_node *res;
	int rc = call(c, cl, p, op, idempotent, ps, &res);

	if (rc == 0 && out) {
		memset(out, 0, sizeof(*out));
		svc_xml_fields(c->arena, xml_child(res, "Policy"), policy_fields,
			       SVC_NFIELDS(policy_fields), out);
	}
	return rc;
}

int iam_create_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *name, const char *policy_path,
		      const char *document, const char *description,
		      const struct svc_tag *tags, size_t n_tags,
		      struct iam_policy *out)
{
	struct aws_params ps;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "PolicyName", name);
	svc_add_str(&ps, "Path", policy_path);
	svc_add_str(&ps, "PolicyDocument", document);
	svc_add_str(&ps, "Description", description);
	svc_add_tags(&ps, "Tags.member", tags, n_tags);
	return policy_call(c, cl, p, "CreatePolicy", false, &ps, out);
}

int iam_get_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, struct iam_policy *out)
{
	struct aws_params ps;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "PolicyArn", arn);
	return policy_call(c, cl, p, "GetPolicy", true, &ps, out);
}

/* Starts ps with PolicyArn (and VersionId unless NULL). */
static void arn_params(struct ctx *c, struct aws_params *ps, const char *arn,
		       const char *version_id)
{
	aws_params_init(ps, c->arena);
	svc_add_str(ps, "PolicyArn", arn);
	svc_add_str(ps, "VersionId", version_id);
}

int iam_get_policy_version(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *arn,
			   const char *version_id, struct iam_policy_version *out)
{
	struct aws_params ps;
	struct xml_node *res;
	int rc;

	arn_params(c, &ps, arn, version_id);
	rc = call(c, cl, p, "GetPolicyVersion", true, &ps, &res);
	if (rc == 0)
		parse_version(c->arena, xml_child(res, "PolicyVersion"), out);
	return rc;
}

int iam_create_policy_version(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *arn,
			      const char *document, bool set_as_default,
			      struct iam_policy_version *out)
{
	struct aws_params ps;
	struct xml_node *res;
	int rc;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "PolicyArn", arn);
	svc_add_str(&ps, "PolicyDocument", document);
	svc_add_str(&ps, "SetAsDefault", set_as_default ? "true" : "false");
	rc = call(c, cl, p, "CreatePolicyVersion", false, &ps, &res);
	if (rc == 0 && out)
		parse_version(c->arena, xml_child(res, "PolicyVersion"), out);
	return rc;
}

int iam_list_policy_versions(struct ctx *c, struct aws_client *cl,
			     const struct path *p, const char *arn,
			     struct iam_policy_version **out, size_t *n)
{
	const char *marker = NULL;
	int pages = 0;

	*out = NULL;
	*n = 0;
	do {
		struct aws_params ps;
		struct xml_node *res;
		struct iam_policy_version *page, *all;
		size_t k;
		int rc;

		aws_params_init(&ps, c->arena);
		svc_add_str(&ps, "PolicyArn", arn);
		svc_add_str(&ps, "Marker", marker);
		rc = call(c, cl, p, "ListPolicyVersions", true, &ps, &res);
		if (rc != 0)
			return rc;
		page = svc_xml_list(c->arena, xml_child(res, "Versions"), sizeof(*page),
				    version_fields, SVC_NFIELDS(version_fields), &k);
		if (k) {
			all = arena_calloc(c->arena, *n + k, sizeof(*all));
			if (*n)
				memcpy(all, *out, *n * sizeof(*all));
			memcpy(all + *n, page, k * sizeof(*all));
			*out = all;
			*n += k;
		}
		marker = strcmp(xml_text(res, "IsTruncated") ? xml_text(res, "IsTruncated") : "", "true") == 0
			? xml_text(res, "Marker") : NULL;
	} while (marker && ++pages < 100);
	return 0;
}

int iam_delete_policy_version(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *arn,
			      const char *version_id)
{
	struct aws_params ps;

	arn_params(c, &ps, arn, version_id);
	return call(c, cl, p, "DeletePolicyVersion", true, &ps, NULL);
}

int iam_delete_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *arn)
{
	struct aws_params ps;

	arn_params(c, &ps, arn, NULL);
	return call(c, cl, p, "DeletePolicy", true, &ps, NULL);
}

int iam_tag_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *arn, const struct svc_tag *tags, size_t n)
{
	struct aws_params ps;

	arn_params(c, &ps, arn, NULL);
	svc_add_tags(&ps, "Tags.member", tags, n);
	return call(c, cl, p, "TagPolicy", true, &ps, NULL);
}

int iam_untag_policy(struct ctx *c, struct aws_client *cl, const struct path *p,
		     const char *arn, struct svc_strs keys)
{
	struct aws_params ps;

	arn_params(c, &ps, arn, NULL);
	svc_add_strs(&ps, "TagKeys.member", keys.v, keys.n);
	return call(c, cl, p, "UntagPolicy", true, &ps, NULL);
}
