/*
 * config.h - the provider's configuration: its schema (the `provider
 * "secure"` block) and the decoded, immutable struct provider_config that
 * ConfigureProvider publishes into provider_state->config.
 *
 * Ownership: a provider_config owns one private arena holding every string;
 * secrets (secret_key, token, web_identity_token) are registered as arena
 * secrets, so provider_config_free() wipes them.  After publication the
 * struct is never written again: concurrent RPCs read it without locks.
 * The AWS wiring (credentials chain, clients) is a later layer that reads
 * these fields; nothing here does I/O.
 */
#ifndef PROVIDER_CONFIG_H
#define PROVIDER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "resources/resource.h"
#include "schema/schema.h"

struct aws_session;

/* The provider block schema (GetProviderSchema.provider). */
extern const struct schema provider_config_schema;

struct provider_strings {
	size_t n;
	const char *const *items;
};

struct provider_assume_role {
	bool set;			/* the block is present */
	const char *role_arn;
	const char *session_name;	/* NULL = default */
	const char *external_id;
	int64_t duration_ms;		/* 0 = AWS default */
};

struct provider_web_identity {
	bool set;
	const char *role_arn;
	const char *session_name;
	const char *web_identity_token;		/* secret */
	const char *web_identity_token_file;
	int64_t duration_ms;
};

/* Custom endpoint URLs; NULL = the service's default. */
struct provider_endpoints {
	const char *elasticache, *ec2, *kms, *secretsmanager, *logs, *ssm,
		*iam, *sts;
};

struct provider_config {
	struct arena *arena;		/* owns everything below */
	const char *terraform_version;	/* from the request, may be "" */

	const char *region;
	const char *profile;
	struct provider_strings shared_config_files;
	struct provider_strings shared_credentials_files;
	const char *access_key;
	const char *secret_key;		/* secret */
	const char *token;		/* secret */
	struct provider_assume_role assume_role;
	struct provider_web_identity web_identity;
	struct provider_endpoints endpoints;
	bool has_max_retries;
	int64_t max_retries;
	bool skip_credentials_validation;

	/* The AWS session (client, region, account), set by
	 * ConfigureProvider before publication; NULL when deferred.  Owned:
	 * freed by provider_config_free(). */
	struct aws_session *aws;

	/* What resource operations see (ctx->env): deferred, the session,
	 * default_tags.  env.deferred: configured with unknown values and
	 * the client allows deferral; resource RPCs answer "deferred
	 * (provider config unknown)" and nothing else here is meaningful. */
	struct resource_env env;
};

/* Checks what the schema cannot: durations, max_retries range, empty
 * strings where a value is needed.  Unknown values pass.  Collects every
 * error with its path; returns 0 when none was added. */
int provider_config_validate(struct ctx *c, const struct value *config);

/* Builds a heap provider_config from a wholly known, validated config
 * object.  Returns NULL with an error diagnostic on a bad value.  The
 * result is freed with provider_config_free(). */
struct provider_config *provider_config_new(struct ctx *c,
					    const struct value *config,
					    const char *terraform_version);

/* A config that only says "deferred". */
struct provider_config *provider_config_new_deferred(
	const char *terraform_version);

/* Wipes secrets and frees.  Accepts NULL. */
void provider_config_free(struct provider_config *pc);

#endif
