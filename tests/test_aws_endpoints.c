/*
 * test_aws_endpoints.c - pure parts of the AWS layer: endpoint resolution
 * (partitions, IAM's global endpoint, the endpoints block, the
 * AWS_ENDPOINT_URL[_<SERVICE>] variables), the shared-file parser, the
 * retry classification and backoff, and XML limits.
 */
#include "tests/check.h"

#include "aws/endpoint.h"
#include "aws/ini.h"
#include "aws/retry.h"
#include "aws/xml.h"
#include "core/arena.h"

#include <string.h>

static const char *env_kv[8][2];

static const char *fake_getenv(const char *k)
{
	size_t i;

	for (i = 0; i < 8 && env_kv[i][0]; i++)
		if (strcmp(env_kv[i][0], k) == 0)
			return env_kv[i][1];
	return NULL;
}

static const char *url(struct arena *a, enum aws_service s, const char *region,
		       const char *override, const char **signing)
{
	struct aws_endpoint ep;
	const char *err;

	if (aws_endpoint_resolve(a, s, region, override, fake_getenv, &ep, &err) != 0)
		return err;
	if (signing)
		*signing = ep.signing_region;
	return ep.url;
}

static void test_partitions_and_global_iam(void)
{
	struct arena *a = arena_new();
	const char *sr;

	memset(env_kv, 0, sizeof(env_kv));
	CHECK_STR(url(a, AWS_ELASTICACHE, "eu-west-1", NULL, &sr),
		  "https://elasticache.eu-west-1.amazonaws.com");
	CHECK_STR(sr, "eu-west-1");
	CHECK_STR(url(a, AWS_KMS, "cn-north-1", NULL, NULL),
		  "https://kms.cn-north-1.amazonaws.com.cn");
	CHECK_STR(url(a, AWS_SSM, "us-gov-west-1", NULL, NULL),
		  "https://ssm.us-gov-west-1.amazonaws.com");
	CHECK_STR(url(a, AWS_IAM, "eu-central-1", NULL, &sr), "https://iam.amazonaws.com");
	CHECK_STR(sr, "us-east-1");
	CHECK_STR(url(a, AWS_IAM, "cn-northwest-1", NULL, &sr),
		  "https://iam.cn-north-1.amazonaws.com.cn");
	CHECK_STR(sr, "cn-north-1");
	CHECK_STR(url(a, AWS_IAM, "us-gov-east-1", NULL, &sr), "https://iam.us-gov.amazonaws.com");
	CHECK_STR(sr, "us-gov-west-1");
	CHECK_STR(aws_partition("ap-southeast-2"), "aws");
	CHECK_INT(aws_service_by_name("secretsmanager"), AWS_SECRETSMANAGER);
	CHECK_INT(aws_service_by_name("s3"), -1);
	arena_free(a);
}

static void test_overrides(void)
{
	struct arena *a = arena_new();
	const char *sr;

	memset(env_kv, 0, sizeof(env_kv));
	env_kv[0][0] = "AWS_ENDPOINT_URL";
	env_kv[0][1] = "http://127.0.0.1:4566/";
	env_kv[1][0] = "AWS_ENDPOINT_URL_SECRETS_MANAGER";
	env_kv[1][1] = "https://sm.example.test";
	/* block beats the service variable beats the global one */
	CHECK_STR(url(a, AWS_SECRETSMANAGER, "eu-west-1", "http://localhost:9999", NULL),
		  "http://localhost:9999");
	CHECK_STR(url(a, AWS_SECRETSMANAGER, "eu-west-1", NULL, NULL), "https://sm.example.test");
	CHECK_STR(url(a, AWS_EC2, "eu-west-1", "", NULL), "http://127.0.0.1:4566");
	/* a custom IAM endpoint is signed for the configured region */
	CHECK_STR(url(a, AWS_IAM, "eu-west-1", NULL, &sr), "http://127.0.0.1:4566");
	CHECK_STR(sr, "eu-west-1");
	CHECK_STR(url(a, AWS_SSM, "eu-west-1", "ftp://x", NULL),
		  "endpoints.ssm must be an http or https URL, got ftp://x");
	env_kv[0][1] = "not a url";
	env_kv[1][0] = NULL;
	CHECK_STR(url(a, AWS_STS, "eu-west-1", NULL, NULL),
		  "AWS_ENDPOINT_URL must be an http or https URL");
	arena_free(a);
}

static void test_ini(void)
{
	struct arena *a = arena_new();
	struct ini_file f;
	const char *text =
		"# comment\n; another\n[default]\nregion = eu-west-1 \r\n"
		"[profile dev]\nrole_arn=arn:aws:iam::1:role/x\nsource_profile = default\n"
		"s3 =\n  max_concurrent_requests = 10\n"
		"orphan line\n[unterminated\nkey = v\n[default]\nregion = us-east-2\n";

	ini_parse(a, "test", text, strlen(text), &f);
	CHECK_STR(ini_get(&f, "default", "region"), "us-east-2");	/* last wins */
	CHECK_STR(ini_get(&f, "profile dev", "source_profile"), "default");
	CHECK_STR(ini_get(&f, "profile dev", "s3.max_concurrent_requests"), "10");
	CHECK(ini_get(&f, "profile dev", "region") == NULL);
	CHECK(ini_has_section(&f, "profile dev"));
	CHECK(!ini_has_section(&f, "profile prod"));
	CHECK(f.problems != NULL);
	CHECK_STR(f.problems, "line 10: expected key = value; "
		  "line 11: section header without ']'; "
		  "line 12: setting outside any section");
	arena_free(a);
}

static void test_retry_policy(void)
{
	CHECK_INT(retry_classify(400, "Throttling", false, false), RETRY_THROTTLE);
	CHECK_INT(retry_classify(503, "RequestLimitExceeded", false, false), RETRY_THROTTLE);
	CHECK_INT(retry_classify(500, "InternalFailure", false, false), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(502, NULL, false, false), RETRY_TRANSIENT);
	CHECK_INT(retry_classify(400, "InvalidParameterValue", false, false), RETRY_NO);
	CHECK_INT(retry_classify(403, "SignatureDoesNotMatch", false, false), RETRY_CLOCK_SKEW);
	CHECK_INT(retry_classify(0, NULL, true, false), RETRY_CONNECT);
	CHECK_INT(retry_classify(0, NULL, false, true), RETRY_TRANSIENT);
	CHECK(retry_should(RETRY_THROTTLE, false, 1, 3));
	CHECK(!retry_should(RETRY_THROTTLE, false, 3, 3));
	CHECK(!retry_should(RETRY_TRANSIENT, false, 1, 3));	/* a create */
	CHECK(retry_should(RETRY_TRANSIENT, true, 1, 3));
	CHECK(retry_should(RETRY_CONNECT, false, 1, 3));
	CHECK_INT(retry_backoff_ms(1, 0.5), 500);
	CHECK_INT(retry_backoff_ms(3, 0.5), 2000);
	CHECK_INT(retry_backoff_ms(10, 0.999999), 19999);	/* capped at 20 s */
	CHECK_INT(retry_backoff_ms(30, 2.0), 19999);
	CHECK_INT(retry_backoff_ms(1, -1.0), 0);
}

static void test_xml_limits(void)
{
	struct arena *a = arena_new();
	const char *err;
	char deep[8192];
	size_t i, n = 0;
	const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">"
			   "<!ENTITY b \"&a;&a;&a;&a;\">]><x>&b;</x>";
	struct xml_node *root;

	for (i = 0; i < XML_MAX_DEPTH + 2; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	CHECK(xml_parse(a, deep, n, &err) == NULL && strstr(err, "deep") != NULL);
	CHECK(xml_parse(a, bomb, strlen(bomb), &err) == NULL && strstr(err, "entity") != NULL);
	CHECK(xml_parse(a, "", 0, &err) == NULL);
	CHECK(xml_parse(a, "<a></a><b/>", 11, &err) == NULL);
	{
		const char *doc = "<ns:R xmlns:ns=\"u\"><L><m>1</m><m>2</m></L>"
				  "<T>x&amp;y</T></ns:R>";

		root = xml_parse(a, doc, strlen(doc), &err);
	}
	CHECK(root != NULL);
	if (root) {
		struct xml_node *m = xml_find(root, "L/m");

		CHECK_STR(root->name, "R");
		CHECK_STR(xml_text(root, "T"), "x&y");
		CHECK(m && xml_next_named(m) && strcmp(xml_next_named(m)->text, "2") == 0);
		CHECK(xml_find(root, "L/missing") == NULL);
	}
	arena_free(a);
}

int main(void)
{
	RUN(test_partitions_and_global_iam);
	RUN(test_overrides);
	RUN(test_ini);
	RUN(test_retry_policy);
	RUN(test_xml_limits);
	return check_summary();
}
