/*
 * sts.h - the STS calls the provider makes itself (credentials validation).
 * AssumeRole and AssumeRoleWithWebIdentity live in credentials.c.
 */
#ifndef AWS_STS_H
#define AWS_STS_H

struct ctx;
struct aws_client;

struct sts_identity {
	const char *account;
	const char *arn;
	const char *user_id;
};

/* GetCallerIdentity.  On failure adds a diagnostic that tells the usual
 * causes apart (no credentials, invalid key id, signature mismatch, expired
 * token) and returns -1. */
int sts_get_caller_identity(struct ctx *c, struct aws_client *cl,
			    struct sts_identity *out);

#endif
