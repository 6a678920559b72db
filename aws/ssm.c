/*
 * ssm.c - SSM API 2014-11-06 (JSON 1.1, "AmazonSSM.<Op>"): Parameter Store
 * parameters and their tags.  Member names follow botocore's
 * ssm/2014-11-06/service-2.json.
 *
 * Does not cover parameter policies, labels, history or paths.
 */
#include "ssm.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <string.h>

#define NOT_FOUND "ParameterNotFound"
#define TAGS_NOT_FOUND "InvalidResourceId"

static int call(struct ctx *c, struct aws_client *cl, const struct path *p,
		const char *op, bool idempotent, json_t *req, const char *not_found,
		json_t **resp)
{
	return svc_json(c, cl, AWS_SSM, op, idempotent, req, not_found, p, resp);
}

int ssm_put_parameter(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const struct ssm_put *in, int *version)
{
	json_t *req = json_object(), *resp;
	int rc;

	svc_json_str(req, "Name", in->name);
	svc_json_str(req, "Value", in->value);
	svc_json_str(req, "Type", in->type);
	svc_json_str(req, "KeyId", in->key_id);
	svc_json_str(req, "Description", in->description);
	svc_json_str(req, "Tier", in->tier);
	svc_json_str(req, "AllowedPattern", in->allowed_pattern);
	svc_json_str(req, "DataType", in->data_type);
	if (in->overwrite)
		json_object_set_new(req, "Overwrite", json_true());
	if (in->n_tags)
		json_object_set_new(req, "Tags", svc_json_tags(in->tags, in->n_tags, "Key", "Value"));
	/* An overwrite is idempotent; a create retried after a lost answer
	 * would report ParameterAlreadyExists for its own parameter. */
	rc = call(c, cl, p, "PutParameter", in->overwrite, req, NULL, &resp);
	if (version)
		*version = rc == 0 ? (int)json_integer_value(json_object_get(resp, "Version")) : 0;
	return rc;
}

#define PA(m, path, k) SVC_FIELD(struct ssm_parameter, m, path, k)
static const struct svc_field param_fields[] = {
	PA(name, "Name", SVC_STR),
	PA(type, "Type", SVC_STR),
	PA(arn, "ARN", SVC_STR),
	PA(data_type, "DataType", SVC_STR),
	PA(key_id, "KeyId", SVC_STR),
	PA(description, "Description", SVC_STR),
	PA(tier, "Tier", SVC_STR),
	PA(version, "Version", SVC_INT),
	PA(last_modified_date, "LastModifiedDate", SVC_NUM),
};

int ssm_get_parameter(struct ctx *c, struct aws_client *cl, const struct path *p,
		      const char *name, bool with_decryption,
		      struct ssm_parameter *out)
{
	json_t *resp, *prm;
	const char *v;
	int rc = call(c, cl, p, "GetParameter", true,
		      json_pack("{s:s, s:b}", "Name", name, "WithDecryption", with_decryption),
		      NOT_FOUND, &resp);

	if (rc != 0)
		return rc;
	prm = json_object_get(resp, "Parameter");
	memset(out, 0, sizeof(*out));
	svc_json_fields(c->arena, prm, param_fields, SVC_NFIELDS(param_fields), out);
	v = json_string_value(json_object_get(prm, "Value"));
	if (v) {
		char *copy = arena_strdup(c->arena, v);

		arena_add_secret(c->arena, copy, strlen(copy));
		out->value = copy;
	}
	return 0;
}

int ssm_describe_parameter(struct ctx *c, struct aws_client *cl,
			   const struct path *p, const char *name,
			   struct ssm_parameter *out)
{
	json_t *resp, *prm;
	int rc;

	if (svc_require(c, p, AWS_SSM, "DescribeParameters",
			"Name", name) != 0)
		return -1;
	rc = call(c, cl, p, "DescribeParameters", true,
		  json_pack("{s:[{s:s, s:s, s:[s]}]}", "ParameterFilters", "Key", "Name",
			    "Option", "Equals", "Values", name),
		  NULL, &resp);
	if (rc != 0)
		return rc;
	prm = json_array_get(json_object_get(resp, "Parameters"), 0);
	if (!prm)
		return SVC_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	svc_json_fields(c->arena, prm, param_fields, SVC_NFIELDS(param_fields), out);
	return 0;
}

int ssm_delete_parameter(struct ctx *c, struct aws_client *cl,
			 const struct path *p, const char *name)
{
	return call(c, cl, p, "DeleteParameter", true,
		    json_pack("{s:s}", "Name", name), NOT_FOUND, NULL);
}

/* {"ResourceType": "Parameter", "ResourceId": name, ...extra}. */
static int tag_call(struct ctx *c, struct aws_client *cl, const struct path *p,
		    const char *op, const char *name, json_t *extra, json_t **resp)
{
	json_t *req = extra ? extra : json_object();

	json_object_set_new(req, "ResourceType", json_string("Parameter"));
	json_object_set_new(req, "ResourceId", json_string(name));
	return call(c, cl, p, op, true, req, TAGS_NOT_FOUND, resp);
}

int ssm_add_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		 const char *name, const struct svc_tag *tags, size_t n)
{
	return tag_call(c, cl, p, "AddTagsToResource", name,
			json_pack("{s:o}", "Tags", svc_json_tags(tags, n, "Key", "Value")),
			NULL);
}

int ssm_remove_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		    const char *name, struct svc_strs keys)
{
	return tag_call(c, cl, p, "RemoveTagsFromResource", name,
			json_pack("{s:o}", "TagKeys", svc_json_strs(keys)), NULL);
}

int ssm_list_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		  const char *name, struct svc_tags *out)
{
	static const struct svc_field f[] = { { "TagList", SVC_TAGS, 0 } };
	json_t *resp;
	int rc = tag_call(c, cl, p, "ListTagsForResource", name, NULL, &resp);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		svc_json_fields(c->arena, resp, f, 1, out);
	return rc;
}
