/*
 * aws_config.c - the AWS side of ConfigureProvider (see aws_config.h).
 *
 * Region: the provider's `region`, else AWS_REGION, else AWS_DEFAULT_REGION,
 * else the profile's `region`.  Retries: max_retries is the number of
 * retries after the first attempt (attempts = max_retries + 1); unset, the
 * client uses AWS_MAX_ATTEMPTS or 3 attempts.
 */
#include "provider/aws_config.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "provider/config.h"

#include <stdlib.h>
#include <string.h>

static const char *const *strings_list(struct arena *a,
				       const struct provider_strings *s)
{
	const char **out;
	size_t i;

	if (!s->n)
		return NULL;
	out = arena_calloc(a, s->n + 1, sizeof(*out));
	for (i = 0; i < s->n; i++)
		out[i] = s->items[i];
	return out;
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The block's settings, completed from the environment the way GitHub
 * Actions and EKS provide them (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_ROLE_SESSION_NAME).  -1 with an error naming the attribute when the
 * role or the token is still missing. */
static int web_identity_options(struct ctx *c, const struct provider_config *pc,
				struct aws_credentials_options *o)
{
	const struct provider_web_identity *wi = &pc->web_identity;
	struct path blk = path_attr(c->arena, path_root,
				    "assume_role_with_web_identity"), p;

	o->web_identity.role_arn = wi->role_arn && *wi->role_arn ?
		wi->role_arn : nonempty_env("AWS_ROLE_ARN");
	o->web_identity.session_name = wi->session_name ? wi->session_name :
		nonempty_env("AWS_ROLE_SESSION_NAME");
	o->web_identity.token = wi->web_identity_token;
	o->web_identity.token_file = wi->web_identity_token_file;
	if (!o->web_identity.token && !o->web_identity.token_file)
		o->web_identity.token_file =
			nonempty_env("AWS_WEB_IDENTITY_TOKEN_FILE");
	o->web_identity.duration_s = wi->duration_ms / 1000;
	if (!o->web_identity.role_arn) {
		p = path_attr(c->arena, blk, "role_arn");
		return diag_error(&c->diags, &p, "No role to assume",
				  "assume_role_with_web_identity needs role_arn, "
				  "or AWS_ROLE_ARN in the environment.");
	}
	if (!o->web_identity.token && !o->web_identity.token_file) {
		p = path_attr(c->arena, blk, "web_identity_token_file");
		return diag_error(&c->diags, &p, "No web identity token",
				  "assume_role_with_web_identity needs "
				  "web_identity_token or web_identity_token_file, "
				  "or AWS_WEB_IDENTITY_TOKEN_FILE in the "
				  "environment.");
	}
	return 0;
}

static int credentials_options(struct ctx *c, const struct provider_config *pc,
			       struct aws_credentials_options *o)
{
	struct arena *a = c->arena;

	memset(o, 0, sizeof(*o));
	o->access_key = pc->access_key;
	o->secret_key = pc->secret_key;
	o->token = pc->token;
	o->profile = pc->profile;
	o->config_files = strings_list(a, &pc->shared_config_files);
	o->credentials_files = strings_list(a, &pc->shared_credentials_files);
	if (pc->assume_role.set) {
		o->assume_role.role_arn = pc->assume_role.role_arn;
		o->assume_role.session_name = pc->assume_role.session_name;
		o->assume_role.external_id = pc->assume_role.external_id;
		o->assume_role.duration_s = pc->assume_role.duration_ms / 1000;
	}
	if (pc->web_identity.set)
		return web_identity_options(c, pc, o);
	return 0;
}

void provider_aws_free(struct aws_session *aws)
{
	if (!aws)
		return;
	aws_client_free(aws->client);
	free(aws->region);
	free(aws->partition);
	free(aws->account_id);
	free(aws->caller_arn);
	free(aws);
}

struct aws_session *provider_aws_connect(struct ctx *c,
					  const struct provider_config *pc)
{
	struct aws_credentials_options co;
	struct aws_client_options o;
	struct aws_session *aws;
	struct sts_identity id;
	const char *region, *err = NULL;
	struct path p;

	if (credentials_options(c, pc, &co))
		return NULL;
	region = pc->region && *pc->region ? pc->region : nonempty_env("AWS_REGION");
	if (!region)
		region = nonempty_env("AWS_DEFAULT_REGION");
	if (!region)
		region = aws_credentials_profile_region(c->arena, &co);
	if (!region) {
		p = path_attr(c->arena, path_root, "region");
		diag_error(&c->diags, &p, "No AWS region",
			   "Set `region` in the provider block, or AWS_REGION / AWS_DEFAULT_REGION, "
			   "or `region` in the shared config profile.");
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.region = region;
	o.endpoints[AWS_ELASTICACHE] = pc->endpoints.elasticache;
	o.endpoints[AWS_EC2] = pc->endpoints.ec2;
	o.endpoints[AWS_KMS] = pc->endpoints.kms;
	o.endpoints[AWS_SECRETSMANAGER] = pc->endpoints.secretsmanager;
	o.endpoints[AWS_LOGS] = pc->endpoints.logs;
	o.endpoints[AWS_SSM] = pc->endpoints.ssm;
	o.endpoints[AWS_IAM] = pc->endpoints.iam;
	o.endpoints[AWS_STS] = pc->endpoints.sts;
	if (pc->has_max_retries)
		o.max_attempts = (int)pc->max_retries + 1;
	o.creds = aws_credentials_chain_new(&co);
	aws = xcalloc(1, sizeof(*aws));
	aws->client = aws_client_new(c->arena, &o, &err);
	if (!aws->client) {
		aws_credentials_provider_free(o.creds);
		free(aws);
		diag_error(&c->diags, NULL, "Invalid AWS configuration", "%s", err);
		return NULL;
	}
	aws->region = xstrdup(region);
	aws->partition = xstrdup(aws_partition(region));
	if (pc->skip_credentials_validation) {
		ctx_log(c, LOG_INFO, "skipping credentials validation (skip_credentials_validation = true)");
		return aws;
	}
	if (sts_get_caller_identity(c, aws->client, &id) != 0) {
		provider_aws_free(aws);
		return NULL;
	}
	aws->account_id = xstrdup(id.account);
	aws->caller_arn = xstrdup(id.arn);
	ctx_log(c, LOG_INFO, "AWS credentials valid: account %s, %s", id.account, id.arn);
	return aws;
}
