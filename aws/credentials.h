/*
 * credentials.h - AWS credentials and the chain that finds them.
 *
 * Order, as the AWS SDKs use it: the provider block's access_key/secret_key/
 * token -> the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN) -> the shared config and credentials files (AWS_PROFILE
 * or `profile`, AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or the
 * provider's file lists; static keys, role_arn + source_profile,
 * credential_process, web_identity_token_file) -> web identity
 * (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE -> STS
 * AssumeRoleWithWebIdentity, as GitHub Actions OIDC works) -> ECS container
 * credentials -> EC2 IMDSv2.  The provider block's assume_role is applied on
 * top of whatever the chain found.
 *
 * Credentials are cached with their expiry and refreshed five minutes
 * before it; aws_credentials_get is thread-safe (one refresh at a time).
 * Secrets are wiped when released and never logged or put in errors.
 */
#ifndef AWS_CREDENTIALS_H
#define AWS_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"

struct arena;
struct ctx;
struct aws_client;

struct aws_credentials {
	const char *access_key_id;
	const char *secret_access_key;	/* secret */
	const char *session_token;	/* secret; NULL if none */
	int64_t expires_at;		/* unix seconds; 0 = does not expire */
	const char *source;		/* "environment", "shared credentials file ~/.aws/credentials (profile dev)", ... */
};

struct aws_assume_role {
	const char *role_arn;		/* NULL = no assume_role */
	const char *session_name;
	const char *external_id;
	int64_t duration_s;		/* 0 = the STS default (1 h) */
};

struct aws_web_identity {
	const char *role_arn;		/* NULL = not configured */
	const char *session_name;
	const char *token;		/* secret; or token_file */
	const char *token_file;
	int64_t duration_s;
};

struct aws_credentials_options {
	const char *access_key, *secret_key, *token;	/* provider block */
	const char *profile;
	const char *const *config_files;	/* NULL-terminated or NULL */
	const char *const *credentials_files;
	struct aws_assume_role assume_role;
	struct aws_web_identity web_identity;
	aws_getenv_fn *getenv_fn;		/* NULL = getenv */
	/* Test hooks: base URLs of the ECS and IMDS endpoints. */
	const char *ecs_base_url;		/* NULL = 169.254.170.2 */
	const char *imds_base_url;		/* NULL = AWS_EC2_METADATA_SERVICE_ENDPOINT or 169.254.169.254 */
};

struct aws_credentials_provider;

/* Copies everything it needs from opts.  Never fails except on OOM. */
struct aws_credentials_provider *
aws_credentials_chain_new(const struct aws_credentials_options *opts);
void aws_credentials_provider_free(struct aws_credentials_provider *p);

/* Returns current credentials, copied into c->arena (wiped when the arena
 * is freed).  On failure adds one error diagnostic listing where it looked
 * and returns -1.  cl is used for STS/ECS/IMDS calls. */
int aws_credentials_get(struct aws_credentials_provider *p, struct ctx *c,
			struct aws_client *cl, struct aws_credentials *out);

/* Region from the shared config's profile (the `region` key), or NULL. */
const char *aws_credentials_profile_region(struct arena *a,
					   const struct aws_credentials_options *opts);

#endif
