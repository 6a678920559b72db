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

static void credentials_options(struct arena *a, const struct provider_config *pc,
				struct aws_credentials_options *o)
{
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
	if (pc->web_identity.set) {
		o->web_identity.role_arn = pc->web_identity.role_arn;
		o->web_identity.session_name = pc->web_identity.session_name;
		o->web_identity.token = pc->web_identity.web_identity_token;
		o->web_identity.token_file = pc->web_identity.web_identity_token_file;
		o->web_identity.duration_s = pc->web_identity.duration_ms / 1000;
	}
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

	credentials_options(c->arena, pc, &co);
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
