/*
 * endpoint.c - service table and endpoint resolution (see endpoint.h).
 *
 * Follows the AWS SDKs' standard endpoints and the service-specific
 * endpoint environment variables (AWS SDK reference guide, "Service-specific
 * endpoints").  Does not do: FIPS or dual-stack variants, the endpoint rules
 * engine.
 */
#include "endpoint.h"

#include "core/arena.h"

#include <string.h>

static const struct aws_service_info services[AWS_SERVICE_COUNT] = {
	[AWS_STS] = { "sts", "STS", "sts", "sts", "STS", AWS_PROTO_QUERY,
		      "2011-06-15", NULL, 0 },
	[AWS_IAM] = { "iam", "IAM", "iam", "iam", "IAM", AWS_PROTO_QUERY,
		      "2010-05-08", NULL, 1 },
	[AWS_EC2] = { "ec2", "EC2", "ec2", "ec2", "EC2", AWS_PROTO_EC2,
		      "2016-11-15", NULL, 0 },
	[AWS_KMS] = { "kms", "KMS", "kms", "kms", "KMS", AWS_PROTO_JSON,
		      NULL, "TrentService", 0 },
	[AWS_SECRETSMANAGER] = { "secretsmanager", "Secrets Manager",
				 "secretsmanager", "secretsmanager",
				 "SECRETS_MANAGER", AWS_PROTO_JSON, NULL,
				 "secretsmanager", 0 },
	[AWS_LOGS] = { "logs", "CloudWatch Logs", "logs", "logs",
		       "CLOUDWATCH_LOGS", AWS_PROTO_JSON, NULL,
		       "Logs_20140328", 0 },
	[AWS_SSM] = { "ssm", "SSM", "ssm", "ssm", "SSM", AWS_PROTO_JSON, NULL,
		      "AmazonSSM", 0 },
	[AWS_ELASTICACHE] = { "elasticache", "ElastiCache", "elasticache",
			      "elasticache", "ELASTICACHE", AWS_PROTO_QUERY,
			      "2015-02-02", NULL, 0 },
};

const struct aws_service_info *aws_service_info(enum aws_service s)
{
	return (unsigned)s < AWS_SERVICE_COUNT ? &services[s] : NULL;
}

int aws_service_by_name(const char *name)
{
	int i;

	for (i = 0; i < AWS_SERVICE_COUNT; i++)
		if (strcmp(services[i].name, name) == 0)
			return i;
	return -1;
}

const char *aws_partition(const char *region)
{
	if (strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	return "aws";
}

static int valid_url(const char *u)
{
	return (strncmp(u, "https://", 8) == 0 && u[8]) ||
	       (strncmp(u, "http://", 7) == 0 && u[7]);
}

static const char *trim_slash(struct arena *a, const char *u)
{
	size_t n = strlen(u);

	while (n && u[n - 1] == '/')
		n--;
	return arena_strndup(a, u, n);
}

static void default_endpoint(struct arena *a, const struct aws_service_info *si,
			     const char *region, struct aws_endpoint *out)
{
	const char *part = aws_partition(region);
	const char *suffix = strcmp(part, "aws-cn") == 0 ? "amazonaws.com.cn"
							 : "amazonaws.com";

	out->signing_region = region;
	if (si->global) {
		/* IAM: one endpoint per partition, signed for its home region. */
		if (strcmp(part, "aws-cn") == 0) {
			out->url = "https://iam.cn-north-1.amazonaws.com.cn";
			out->signing_region = "cn-north-1";
		} else if (strcmp(part, "aws-us-gov") == 0) {
			out->url = "https://iam.us-gov.amazonaws.com";
			out->signing_region = "us-gov-west-1";
		} else {
			out->url = "https://iam.amazonaws.com";
			out->signing_region = "us-east-1";
		}
	} else {
		out->url = arena_sprintf(a, "https://%s.%s.%s",
					 si->endpoint_prefix, region, suffix);
	}
	out->source = "default";
}

int aws_endpoint_resolve(struct arena *a, enum aws_service s,
			 const char *region, const char *override,
			 aws_getenv_fn *getenv_fn, struct aws_endpoint *out,
			 const char **err)
{
	const struct aws_service_info *si = aws_service_info(s);
	const char *env_var, *v;

	*err = NULL;
	default_endpoint(a, si, region, out);
	if (override && *override) {
		if (!valid_url(override)) {
			*err = arena_sprintf(a, "endpoints.%s must be an http or https URL, got %s",
					     si->name, override);
			return -1;
		}
		out->url = trim_slash(a, override);
		out->source = "endpoints block";
		/* A custom endpoint is signed for the configured region, as
		 * the SDKs do, also for the global IAM. */
		out->signing_region = region;
		return 0;
	}
	if (!getenv_fn)
		return 0;
	env_var = arena_sprintf(a, "AWS_ENDPOINT_URL_%s", si->env_name);
	v = getenv_fn(env_var);
	if (!v || !*v) {
		env_var = "AWS_ENDPOINT_URL";
		v = getenv_fn(env_var);
	}
	if (v && *v) {
		if (!valid_url(v)) {
			*err = arena_sprintf(a, "%s must be an http or https URL",
					     env_var);
			return -1;
		}
		out->url = trim_slash(a, v);
		out->source = env_var;
		out->signing_region = region;
	}
	return 0;
}
