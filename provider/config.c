/*
 * config.c - the provider configuration schema and its decoding into an
 * immutable struct provider_config (see config.h).
 *
 * The attribute set follows the AWS provider's names (region, profile,
 * shared_config_files, assume_role, endpoints, default_tags ...) so users
 * recognise them; only what this provider's services need is offered.
 */
#include "provider/config.h"

#include "provider/aws_config.h"

#include <stdlib.h>
#include <string.h>

#include "schema/timeouts.h"

static const struct type list_of_string = TYPE_LIST_OF(&type_string);
static const struct type map_of_string = TYPE_MAP_OF(&type_string);

#define DURATION_DOC "Go duration string such as `\"1h\"` or `\"15m\"`; " \
	"between 15 minutes and 12 hours."

static const struct schema_attr assume_role_attrs[] = {
	{ .name = "role_arn", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "ARN of the IAM role to assume. Unset or empty: no "
	  "role is assumed (handy for a role that only some workspaces "
	  "use)." },
	{ .name = "session_name", .type = &type_string,
	  .flags = ATTR_OPTIONAL,
	  .description = "Session name to use when assuming the role." },
	{ .name = "external_id", .type = &type_string,
	  .flags = ATTR_OPTIONAL,
	  .description = "External identifier to use when assuming the "
	  "role." },
	{ .name = "duration", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "Duration of the assumed role session: a "
	  DURATION_DOC },
};

static const struct schema_block assume_role_schema = {
	.n_attrs = sizeof(assume_role_attrs) / sizeof(assume_role_attrs[0]),
	.attrs = assume_role_attrs,
	.description = "An IAM role to assume (STS AssumeRole) with the "
	"credentials found by the provider.",
};

static const struct schema_attr web_identity_attrs[] = {
	{ .name = "role_arn", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "ARN of the IAM role to assume. Defaults to "
	  "`AWS_ROLE_ARN`; one of the two is required." },
	{ .name = "session_name", .type = &type_string,
	  .flags = ATTR_OPTIONAL,
	  .description = "Session name to use when assuming the role. "
	  "Defaults to `AWS_ROLE_SESSION_NAME`, else a generated name." },
	{ .name = "web_identity_token", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_SENSITIVE,
	  .description = "The OAuth 2.0 access token or OpenID Connect ID "
	  "token. Conflicts with `web_identity_token_file`." },
	{ .name = "web_identity_token_file", .type = &type_string,
	  .flags = ATTR_OPTIONAL,
	  .description = "Path to a file holding the web identity token, "
	  "read again whenever the credentials are renewed. Defaults to "
	  "`AWS_WEB_IDENTITY_TOKEN_FILE` when `web_identity_token` is not "
	  "set; one of the three is required." },
	{ .name = "duration", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "Duration of the assumed role session: a "
	  DURATION_DOC },
};

static const struct schema_block web_identity_schema = {
	.n_attrs = sizeof(web_identity_attrs) / sizeof(web_identity_attrs[0]),
	.attrs = web_identity_attrs,
	.description = "An IAM role to assume with a web identity token "
	"(STS AssumeRoleWithWebIdentity).",
};

#define ENDPOINT(svc, label)                                                 \
	{ .name = svc, .type = &type_string, .flags = ATTR_OPTIONAL,         \
	  .description = "Custom endpoint URL for " label "." }

static const struct schema_attr endpoints_attrs[] = {
	ENDPOINT("ec2", "Amazon EC2"),
	ENDPOINT("elasticache", "Amazon ElastiCache"),
	ENDPOINT("iam", "AWS IAM"),
	ENDPOINT("kms", "AWS KMS"),
	ENDPOINT("logs", "Amazon CloudWatch Logs"),
	ENDPOINT("secretsmanager", "AWS Secrets Manager"),
	ENDPOINT("ssm", "AWS Systems Manager"),
	ENDPOINT("sts", "AWS STS"),
};

static const struct schema_block endpoints_schema = {
	.n_attrs = sizeof(endpoints_attrs) / sizeof(endpoints_attrs[0]),
	.attrs = endpoints_attrs,
	.description = "Custom service endpoint URLs (for example a local "
	"emulator). A service left out uses `AWS_ENDPOINT_URL_<SERVICE>` "
	"(`AWS_ENDPOINT_URL_ELASTICACHE`, ...), then `AWS_ENDPOINT_URL`, then "
	"AWS's endpoint for the region.",
};

static const struct schema_attr default_tags_attrs[] = {
	{ .name = "tags", .type = &map_of_string, .flags = ATTR_OPTIONAL,
	  .description = "Tags applied to every resource that supports "
	  "tags. A resource's own `tags` win on conflicts." },
};

static const struct schema_block default_tags_schema = {
	.n_attrs = 1,
	.attrs = default_tags_attrs,
	.description = "Default tags for all resources.",
};

static const struct schema_attr provider_attrs[] = {
	{ .name = "region", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "AWS region, for example `eu-west-1`. Defaults to "
	  "`AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's region." },
	{ .name = "profile", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "Named profile of the shared configuration and "
	  "credentials files. Defaults to `AWS_PROFILE`." },
	{ .name = "shared_config_files", .type = &list_of_string,
	  .flags = ATTR_OPTIONAL,
	  .description = "Paths of shared configuration files. Defaults to "
	  "`AWS_CONFIG_FILE`, else `~/.aws/config`." },
	{ .name = "shared_credentials_files", .type = &list_of_string,
	  .flags = ATTR_OPTIONAL,
	  .description = "Paths of shared credentials files. Defaults to "
	  "`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`." },
	{ .name = "access_key", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "AWS access key id. Prefer environment variables, "
	  "profiles or roles to static keys." },
	{ .name = "secret_key", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_SENSITIVE,
	  .description = "AWS secret access key." },
	{ .name = "token", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_SENSITIVE,
	  .description = "AWS session token for temporary credentials." },
	{ .name = "max_retries", .type = &type_number, .flags = ATTR_OPTIONAL,
	  .description = "Maximum number of retries of a throttled or failed "
	  "AWS request (0 to 100). Unset: `AWS_MAX_ATTEMPTS` attempts, else "
	  "3 attempts (2 retries), as in the AWS SDKs' standard mode. Raise "
	  "it for accounts that throttle heavily (the Terraform AWS provider "
	  "uses 25)." },
	{ .name = "skip_credentials_validation", .type = &type_bool,
	  .flags = ATTR_OPTIONAL,
	  .description = "Skip the STS GetCallerIdentity check of the "
	  "credentials at configuration time." },
};

static const struct schema_nested_block provider_blocks[] = {
	{ .type_name = "assume_role", .nesting = NEST_SINGLE,
	  .block = &assume_role_schema },
	{ .type_name = "assume_role_with_web_identity",
	  .nesting = NEST_SINGLE, .block = &web_identity_schema },
	{ .type_name = "default_tags", .nesting = NEST_SINGLE,
	  .block = &default_tags_schema },
	{ .type_name = "endpoints", .nesting = NEST_SINGLE,
	  .block = &endpoints_schema },
};

static const struct schema_block provider_block = {
	.n_attrs = sizeof(provider_attrs) / sizeof(provider_attrs[0]),
	.attrs = provider_attrs,
	.n_blocks = sizeof(provider_blocks) / sizeof(provider_blocks[0]),
	.blocks = provider_blocks,
	.description = "The `secure` provider manages hardened Amazon "
	"ElastiCache for Redis deployments: encryption in transit and at rest "
	"with customer-managed KMS keys, AUTH tokens in Secrets Manager, and "
	"private networking.",
};

const struct schema provider_config_schema = {
	.version = 0,
	.block = &provider_block,
};

/* ---- validation ---- */

static const int64_t role_min_ms = 15LL * 60 * 1000;
static const int64_t role_max_ms = 12LL * 3600 * 1000;

static void check_duration(struct ctx *c, const struct value *blk,
			   const char *block_name)
{
	const struct value *v = blk ? value_attr(blk, "duration") : NULL;
	const char *s, *err = NULL;
	int64_t ms;
	struct path p;

	if (!v || !value_get_string(v, &s))
		return;
	p = path_attr(c->arena, path_attr(c->arena, path_root, block_name),
		      "duration");
	if (timeouts_parse_duration(s, &ms, &err) < 0)
		diag_error(&c->diags, &p, "Invalid duration",
			   "%s: \"%s\" is not a Go duration string such as "
			   "\"1h\" or \"15m\"", err, s);
	else if (ms < role_min_ms || ms > role_max_ms)
		diag_error(&c->diags, &p, "Invalid duration",
			   "\"%s\" is outside the range STS accepts "
			   "(15m to 12h)", s);
}

int provider_config_validate(struct ctx *c, const struct value *config)
{
	size_t before = c->diags.errors;
	const struct value *v;
	const struct value *wi;
	const char *s;
	int64_t n;

	if (!value_is_known(config))
		return 0;
	v = value_attr(config, "max_retries");
	if (v && value_is_known(v)) {
		struct path p = path_attr(c->arena, path_root, "max_retries");

		if (!value_get_int(v, &n) || n < 0 || n > 100)
			diag_error(&c->diags, &p, "Invalid max_retries",
				   "max_retries must be a whole number from 0 "
				   "to 100");
	}
	check_duration(c, value_attr(config, "assume_role"), "assume_role");
	wi = value_attr(config, "assume_role_with_web_identity");
	check_duration(c, wi, "assume_role_with_web_identity");
	if (wi && value_is_known(wi)) {
		const struct value *t = value_attr(wi, "web_identity_token");
		const struct value *f =
			value_attr(wi, "web_identity_token_file");

		if (t && f && !value_is_null(t) && !value_is_null(f)) {
			struct path p = path_attr(c->arena, path_attr(
				c->arena, path_root,
				"assume_role_with_web_identity"),
				"web_identity_token_file");

			diag_error(&c->diags, &p, "Conflicting attributes",
				   "set only one of web_identity_token and "
				   "web_identity_token_file");
		}
	}
	v = value_attr(config, "region");
	if (v && value_get_string(v, &s) && s[0] == '\0') {
		struct path p = path_attr(c->arena, path_root, "region");

		diag_error(&c->diags, &p, "Invalid region",
			   "region must not be empty; omit it to use the "
			   "environment or profile");
	}
	return c->diags.errors > before ? -1 : 0;
}

/* ---- decoding ---- */

static const char *get_str(struct provider_config *pc, const struct value *obj,
			   const char *name, bool secret)
{
	const struct value *v = obj ? value_attr(obj, name) : NULL;
	const char *s;
	char *copy;

	if (!v || !value_get_string(v, &s))
		return NULL;
	copy = arena_strndup(pc->arena, s, v->u.str.len);
	if (secret)
		arena_add_secret(pc->arena, copy, v->u.str.len);
	return copy;
}

static struct provider_strings get_strings(struct provider_config *pc,
					   const struct value *obj,
					   const char *name)
{
	const struct value *v = value_attr(obj, name);
	struct provider_strings out = { 0, NULL };
	const char **items;
	size_t i;

	if (!v || !value_is_known(v))
		return out;
	items = arena_calloc(pc->arena, v->u.coll.n + 1, sizeof(*items));
	for (i = 0; i < v->u.coll.n; i++) {
		const char *s = NULL;

		if (value_get_string(v->u.coll.items[i], &s))
			items[out.n++] = arena_strdup(pc->arena, s);
	}
	out.items = items;
	return out;
}

static int64_t get_duration(const struct value *blk)
{
	const struct value *v = value_attr(blk, "duration");
	const char *s, *err;
	int64_t ms;

	if (!v || !value_get_string(v, &s) ||
	    timeouts_parse_duration(s, &ms, &err) < 0)
		return 0;
	return ms;
}

static void decode_roles(struct provider_config *pc, const struct value *cfg)
{
	const struct value *ar = value_attr(cfg, "assume_role");
	const struct value *wi = value_attr(cfg, "assume_role_with_web_identity");

	if (ar && value_is_known(ar)) {
		pc->assume_role.set = true;
		pc->assume_role.role_arn = get_str(pc, ar, "role_arn", false);
		pc->assume_role.session_name =
			get_str(pc, ar, "session_name", false);
		pc->assume_role.external_id =
			get_str(pc, ar, "external_id", false);
		pc->assume_role.duration_ms = get_duration(ar);
	}
	if (wi && value_is_known(wi)) {
		pc->web_identity.set = true;
		pc->web_identity.role_arn = get_str(pc, wi, "role_arn", false);
		pc->web_identity.session_name =
			get_str(pc, wi, "session_name", false);
		pc->web_identity.web_identity_token =
			get_str(pc, wi, "web_identity_token", true);
		pc->web_identity.web_identity_token_file =
			get_str(pc, wi, "web_identity_token_file", false);
		pc->web_identity.duration_ms = get_duration(wi);
	}
}

static void decode_endpoints_tags(struct provider_config *pc,
				  const struct value *cfg)
{
	const struct value *ep = value_attr(cfg, "endpoints");
	const struct value *dt = value_attr(cfg, "default_tags");
	const struct value *tags = dt ? value_attr(dt, "tags") : NULL;
	struct provider_endpoints *e = &pc->endpoints;

	if (ep && value_is_known(ep)) {
		e->elasticache = get_str(pc, ep, "elasticache", false);
		e->ec2 = get_str(pc, ep, "ec2", false);
		e->kms = get_str(pc, ep, "kms", false);
		e->secretsmanager = get_str(pc, ep, "secretsmanager", false);
		e->logs = get_str(pc, ep, "logs", false);
		e->ssm = get_str(pc, ep, "ssm", false);
		e->iam = get_str(pc, ep, "iam", false);
		e->sts = get_str(pc, ep, "sts", false);
	}
	if (tags && value_is_known(tags)) {
		size_t i, n = tags->u.coll.n;
		const char **keys = arena_calloc(pc->arena, n + 1,
						 sizeof(*keys));
		const char **vals = arena_calloc(pc->arena, n + 1,
						 sizeof(*vals));

		for (i = 0; i < n; i++) {
			const char *s = "";

			keys[i] = arena_strdup(pc->arena, tags->u.coll.keys[i]);
			value_get_string(tags->u.coll.items[i], &s);
			vals[i] = arena_strdup(pc->arena, s);
		}
		pc->env.default_tags.n = n;
		pc->env.default_tags.keys = keys;
		pc->env.default_tags.values = vals;
	}
}

struct provider_config *provider_config_new(struct ctx *c,
					    const struct value *config,
					    const char *terraform_version)
{
	struct provider_config *pc;
	const struct value *v;
	bool b;

	if (!value_is_known(config)) {
		diag_error(&c->diags, NULL, "Invalid provider configuration",
			   "the provider configuration is %s",
			   value_is_null(config) ? "null" : "unknown");
		return NULL;
	}
	if (provider_config_validate(c, config) < 0)
		return NULL;
	pc = provider_config_new_deferred(terraform_version);
	pc->env.deferred = false;
	pc->region = get_str(pc, config, "region", false);
	pc->profile = get_str(pc, config, "profile", false);
	pc->shared_config_files = get_strings(pc, config,
					      "shared_config_files");
	pc->shared_credentials_files = get_strings(pc, config,
						   "shared_credentials_files");
	pc->access_key = get_str(pc, config, "access_key", false);
	pc->secret_key = get_str(pc, config, "secret_key", true);
	pc->token = get_str(pc, config, "token", true);
	decode_roles(pc, config);
	decode_endpoints_tags(pc, config);
	v = value_attr(config, "max_retries");
	if (v && value_get_int(v, &pc->max_retries))
		pc->has_max_retries = true;
	v = value_attr(config, "skip_credentials_validation");
	if (v && value_get_bool(v, &b))
		pc->skip_credentials_validation = b;
	return pc;
}

struct provider_config *provider_config_new_deferred(
	const char *terraform_version)
{
	struct provider_config *pc = xcalloc(1, sizeof(*pc));

	pc->arena = arena_new();
	pc->env.deferred = true;
	pc->terraform_version = arena_strdup(pc->arena, terraform_version ?
					     terraform_version : "");
	return pc;
}

void provider_config_free(struct provider_config *pc)
{
	if (!pc)
		return;
	provider_aws_free(pc->aws);
	arena_free(pc->arena);
	free(pc);
}
