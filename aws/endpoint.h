/*
 * endpoint.h - the AWS services this provider calls, and where they live.
 *
 * Resolution order for a service's URL: the provider's `endpoints` block,
 * then AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_SECRETS_MANAGER),
 * then AWS_ENDPOINT_URL, then the standard endpoint of the region's
 * partition (aws, aws-cn, aws-us-gov; IAM's global endpoint per partition).
 * Pure functions; the environment is passed in as a getenv-like callback.
 */
#ifndef AWS_ENDPOINT_H
#define AWS_ENDPOINT_H

struct arena;

enum aws_service {
	AWS_STS,
	AWS_IAM,
	AWS_EC2,
	AWS_KMS,
	AWS_SECRETSMANAGER,
	AWS_LOGS,
	AWS_SSM,
	AWS_ELASTICACHE,
	AWS_SERVICE_COUNT,
};

enum aws_protocol {
	AWS_PROTO_QUERY,
	AWS_PROTO_EC2,
	AWS_PROTO_JSON,
};

struct aws_service_info {
	const char *name;		/* provider `endpoints` key: "secretsmanager" */
	const char *display;		/* for diagnostics: "Secrets Manager" */
	const char *signing_name;	/* SigV4 service */
	const char *endpoint_prefix;	/* DNS label */
	const char *env_name;		/* AWS_ENDPOINT_URL_<env_name> */
	enum aws_protocol protocol;
	const char *api_version;	/* query/ec2 Version parameter */
	const char *target_prefix;	/* JSON: X-Amz-Target prefix */
	int global;			/* one endpoint per partition (IAM) */
};

const struct aws_service_info *aws_service_info(enum aws_service s);

/* Looks a service up by its `endpoints` key; -1 if unknown. */
int aws_service_by_name(const char *name);

typedef const char *aws_getenv_fn(const char *name);

struct aws_endpoint {
	const char *url;		/* scheme://host[:port][/path], no trailing / */
	const char *signing_region;
	const char *source;		/* "endpoints block", "AWS_ENDPOINT_URL_SSM", "default" */
};

/* Partition of a region: "aws", "aws-cn" or "aws-us-gov". */
const char *aws_partition(const char *region);

/* Resolves the endpoint.  override may be NULL or "".  Returns 0, or -1 with
 * *err set when an override is not an http(s) URL. */
int aws_endpoint_resolve(struct arena *a, enum aws_service s,
			 const char *region, const char *override,
			 aws_getenv_fn *getenv_fn, struct aws_endpoint *out,
			 const char **err);

#endif
