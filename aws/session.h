/*
 * session.h - one configured AWS account and region: the client that signs
 * and sends requests, and what ConfigureProvider learned about the caller.
 * Built once by the provider layer (provider/aws_config.c), immutable
 * afterwards, shared read-only by concurrent operations.
 */
#ifndef AWS_SESSION_H
#define AWS_SESSION_H

struct aws_client;

struct aws_session {
	struct aws_client *client;
	char *region;
	char *partition;	/* "aws", "aws-cn", "aws-us-gov" */
	char *account_id;	/* NULL when validation was skipped */
	char *caller_arn;
};

#endif
