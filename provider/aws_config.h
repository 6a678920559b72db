/*
 * aws_config.h - from the decoded provider block to a working AWS client:
 * region resolution, the credentials chain, endpoint overrides, retries,
 * and credentials validation with STS GetCallerIdentity.
 */
#ifndef PROVIDER_AWS_CONFIG_H
#define PROVIDER_AWS_CONFIG_H

#include "aws/session.h"

struct ctx;
struct provider_config;

/* Builds pc's AWS session (client, region, partition) and, unless
 * skip_credentials_validation, calls GetCallerIdentity for the account.
 * Returns a heap session (free with provider_aws_free), or NULL after
 * adding one error diagnostic. */
struct aws_session *provider_aws_connect(struct ctx *c,
					 const struct provider_config *pc);

void provider_aws_free(struct aws_session *aws);

#endif
