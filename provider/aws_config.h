/*
 * aws_config.h - from the decoded provider block to a working AWS client:
 * region resolution, the credentials chain, endpoint overrides, retries,
 * and credentials validation with STS GetCallerIdentity.
 */
#ifndef PROVIDER_AWS_CONFIG_H
#define PROVIDER_AWS_CONFIG_H

struct ctx;
struct provider_config;
struct aws_client;

/* What ConfigureProvider learned about the AWS side.  Heap memory owned by
 * the provider_config; immutable after ConfigureProvider. */
struct provider_aws {
	struct aws_client *client;
	char *region;
	char *partition;
	char *account_id;	/* NULL when validation was skipped */
	char *caller_arn;
};

/* Builds pc's AWS client and, unless skip_credentials_validation, calls
 * GetCallerIdentity.  Returns a heap struct (free with provider_aws_free),
 * or NULL after adding one error diagnostic. */
struct provider_aws *provider_aws_connect(struct ctx *c,
					  const struct provider_config *pc);

void provider_aws_free(struct provider_aws *aws);

#endif
