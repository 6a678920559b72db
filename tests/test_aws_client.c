/*
 * test_aws_client.c - the AWS call path: serialisation, error parsing of the
 * three protocols, retries (throttling, 5xx, non-idempotent creates, clock
 * skew), cancellation, redaction; then the same client against the local
 * emulator (signed GetCallerIdentity, wrong secret, injected throttling,
 * connection reuse).
 */
#include "tests/check.h"
#include "tests/emulator.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "core/log.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a scripted transport ---- */

struct canned {
	enum http_error error;
	long status;
	const char *body;
	const char *date;	/* Date header, optional */
};

struct fake {
	struct http_transport base;
	const struct canned *script;
	size_t n, next;
	int calls;
	char last_amz_date[32];
	char last_body[4096];
	char last_target[128];
};

static int fake_send(struct http_transport *t, struct arena *a,
		     const struct http_request *req, struct http_response *resp,
		     const atomic_int *cancel)
{
	struct fake *f = (struct fake *)t;
	const struct canned *c;
	size_t i;

	(void)cancel;
	memset(resp, 0, sizeof(*resp));
	f->calls++;
	for (i = 0; i < req->n_headers; i++) {
		if (strcasecmp(req->headers[i].name, "X-Amz-Date") == 0)
			snprintf(f->last_amz_date, sizeof(f->last_amz_date), "%s", req->headers[i].value);
		if (strcasecmp(req->headers[i].name, "X-Amz-Target") == 0)
			snprintf(f->last_target, sizeof(f->last_target), "%s", req->headers[i].value);
	}
	snprintf(f->last_body, sizeof(f->last_body), "%.*s", (int)req->body_len,
		 (const char *)req->body);
	if (f->next >= f->n) {
		resp->error = HTTP_ERR_OTHER;
		resp->error_message = "script exhausted";
		return -1;
	}
	c = &f->script[f->next++];
	if (c->error) {
		resp->error = c->error;
		resp->error_message = "scripted transport error";
		return -1;
	}
	resp->status = c->status;
	resp->body = arena_strdup(a, c->body);
	resp->body_len = strlen(c->body);
	resp->headers = arena_calloc(a, 1, sizeof(*resp->headers));
	if (c->date) {
		resp->headers[0].name = "date";
		resp->headers[0].value = c->date;
		resp->n_headers = 1;
	}
	return 0;
}

static void fake_free(struct http_transport *t)
{
	(void)t;
}

static int sleeps;
static int64_t slept_ms;

static void fake_sleep(const struct ctx *c, int64_t ms)
{
	(void)c;
	sleeps++;
	slept_ms += ms;
}

static int64_t fixed_clock(void)
{
	return 1700000000;	/* 2023-11-14T22:13:20Z */
}

static double half(void)
{
	return 0.5;
}

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static struct aws_client *fake_client(struct fake *f, const struct canned *script,
				      size_t n, struct arena *a)
{
	struct aws_credentials_options co;
	struct aws_client_options o;
	const char *err;

	memset(f, 0, sizeof(*f));
	f->base.send = fake_send;
	f->base.free = fake_free;
	f->script = script;
	f->n = n;
	memset(&co, 0, sizeof(co));
	co.access_key = "AKIDEXAMPLE";
	co.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	co.getenv_fn = no_env;
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.getenv_fn = no_env;
	o.http = &f->base;
	o.creds = aws_credentials_chain_new(&co);
	o.wall_clock_s = fixed_clock;
	o.random01 = half;
	o.sleep_ms = fake_sleep;
	return aws_client_new(a, &o, &err);
}

#define GCI_OK "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">" \
	"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x</Arn>" \
	"<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>" \
	"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
#define THROTTLED "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>" \
	"<Message>Rate exceeded</Message></Error><RequestId>r-t</RequestId></ErrorResponse>"

static void test_query_success_and_body(void)
{
	static const struct canned script[] = { { 0, 200, GCI_OK, NULL } };
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl = fake_client(&f, script, 1, a);
	struct aws_params p;
	struct aws_call call;
	struct ctx c;

	ctx_init(&c, "test", NULL);
	aws_params_init(&p, c.arena);
	aws_params_add(&p, "Tags.member.1.Key", "a b&c=d/é");
	memset(&call, 0, sizeof(call));
	call.service = AWS_STS;
	call.operation = "GetCallerIdentity";
	call.params = &p;
	CHECK_INT(aws_call(&c, cl, &call), 0);
	CHECK_STR(xml_text(call.result, "Account"), "123456789012");
	CHECK_STR(call.request_id, "r-1");
	CHECK_STR(f.last_body, "Action=GetCallerIdentity&Version=2011-06-15&"
		  "Tags.member.1.Key=a%20b%26c%3Dd%2F%C3%A9");
	CHECK_STR(f.last_amz_date, "20231114T221320Z");
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

static void test_throttling_retried_with_backoff(void)
{
	static const struct canned script[] = {
		{ 0, 400, THROTTLED, NULL }, { 0, 400, THROTTLED, NULL },
		{ 0, 200, GCI_OK, NULL },
	};
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl = fake_client(&f, script, 3, a);
	struct sts_identity id;
	struct ctx c;

	sleeps = 0;
	slept_ms = 0;
	ctx_init(&c, "test", NULL);
	CHECK_INT(sts_get_caller_identity(&c, cl, &id), 0);
	CHECK_INT(f.calls, 3);
	CHECK_INT(sleeps, 2);
	/* full jitter at r = 0.5: 0.5 * 1 s, then 0.5 * 2 s */
	CHECK_INT(slept_ms, 500 + 1000);
	CHECK_STR(id.account, "123456789012");
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

static void test_attempts_exhausted(void)
{
	static const struct canned script[] = {
		{ 0, 400, THROTTLED, NULL }, { 0, 400, THROTTLED, NULL },
		{ 0, 400, THROTTLED, NULL }, { 0, 200, GCI_OK, NULL },
	};
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl = fake_client(&f, script, 4, a);
	struct aws_call call;
	struct ctx c;

	ctx_init(&c, "test", NULL);
	memset(&call, 0, sizeof(call));
	call.service = AWS_ELASTICACHE;
	call.operation = "DescribeReplicationGroups";
	call.idempotent = true;
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(f.calls, 3);
	CHECK_INT(call.err.attempts, 3);
	CHECK_STR(call.err.code, "Throttling");
	CHECK_INT(aws_error_diag(&c, NULL, &call), -1);
	CHECK_STR(c.diags.items[0].summary, "ElastiCache DescribeReplicationGroups failed");
	CHECK_STR(c.diags.items[0].detail, "Throttling: Rate exceeded (request id r-t)");
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

static void test_no_blind_retry_of_create(void)
{
	static const struct canned script[] = {
		{ HTTP_ERR_SEND, 0, "", NULL }, { 0, 200, GCI_OK, NULL },
	};
	static const struct canned script500[] = {
		{ 0, 500, "<ErrorResponse><Error><Code>InternalFailure</Code><Message>x</Message></Error></ErrorResponse>", NULL },
		{ 0, 200, GCI_OK, NULL },
	};
	static const struct canned connect[] = {
		{ HTTP_ERR_CONNECT, 0, "", NULL }, { 0, 200, GCI_OK, NULL },
	};
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl;
	struct aws_call call;
	struct ctx c;

	ctx_init(&c, "test", NULL);
	memset(&call, 0, sizeof(call));
	call.service = AWS_STS;
	call.operation = "GetCallerIdentity";
	call.idempotent = false;

	cl = fake_client(&f, script, 2, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(f.calls, 1);
	CHECK_INT(call.err.kind, AWS_ERR_TRANSPORT);
	aws_client_free(cl);

	cl = fake_client(&f, script500, 2, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(f.calls, 1);
	aws_client_free(cl);

	/* never connected: nothing was sent, so even a create is retried */
	cl = fake_client(&f, connect, 2, a);
	CHECK_INT(aws_call(&c, cl, &call), 0);
	CHECK_INT(f.calls, 2);
	aws_client_free(cl);

	/* the same ambiguous failure is retried for an idempotent call */
	call.idempotent = true;
	cl = fake_client(&f, script, 2, a);
	CHECK_INT(aws_call(&c, cl, &call), 0);
	CHECK_INT(f.calls, 2);
	aws_client_free(cl);
	ctx_release(&c);
	arena_free(a);
}

static void test_error_formats(void)
{
	static const struct canned ec2[] = { { 0, 400,
		"<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group 'sg-1' does not exist</Message></Error></Errors><RequestID>e-1</RequestID></Response>",
		NULL } };
	static const struct canned json[] = { { 0, 400,
		"{\"__type\":\"com.amazonaws.kms#NotFoundException\",\"message\":\"Key 'x' does not exist\"}",
		NULL } };
	static const struct canned garbage[] = { { 0, 502, "<html>bad gateway", NULL },
		{ 0, 502, "<html>bad gateway", NULL }, { 0, 502, "\x01\x02", NULL } };
	static const struct canned bad_ok[] = { { 0, 200, "<GetCallerIdentityResponse><unclosed>", NULL } };
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl;
	struct aws_call call;
	struct ctx c;

	ctx_init(&c, "test", NULL);
	memset(&call, 0, sizeof(call));
	call.service = AWS_EC2;
	call.operation = "DescribeSecurityGroups";
	call.idempotent = true;
	cl = fake_client(&f, ec2, 1, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_STR(call.err.code, "InvalidGroup.NotFound");
	CHECK_STR(call.err.request_id, "e-1");
	CHECK(aws_error_is(&call, "InvalidGroup.NotFound"));
	aws_client_free(cl);

	call.service = AWS_KMS;
	call.operation = "DescribeKey";
	cl = fake_client(&f, json, 1, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_STR(call.err.code, "NotFoundException");
	CHECK_STR(call.err.message, "Key 'x' does not exist");
	CHECK_STR(f.last_target, "TrentService.DescribeKey");
	CHECK_STR(f.last_body, "{}");
	aws_client_free(cl);

	call.service = AWS_ELASTICACHE;
	call.operation = "DescribeUsers";
	cl = fake_client(&f, garbage, 3, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(f.calls, 3);
	CHECK_STR(call.err.code, "HTTP502");
	aws_client_free(cl);

	call.service = AWS_STS;
	call.operation = "GetCallerIdentity";
	cl = fake_client(&f, bad_ok, 1, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(call.err.kind, AWS_ERR_RESPONSE);
	aws_client_free(cl);
	ctx_release(&c);
	arena_free(a);
}

static void test_clock_skew_corrected(void)
{
	static const struct canned script[] = {
		{ 0, 403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>",
		  "Wed, 15 Nov 2023 00:13:20 GMT" },
		{ 0, 200, GCI_OK, NULL },
	};
	static const struct canned mismatch[] = {
		{ 0, 403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error></ErrorResponse>",
		  "Tue, 14 Nov 2023 22:13:25 GMT" },
		{ 0, 200, GCI_OK, NULL },
	};
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl = fake_client(&f, script, 2, a);
	struct aws_call call;
	struct ctx c;

	ctx_init(&c, "test", NULL);
	memset(&call, 0, sizeof(call));
	call.service = AWS_STS;
	call.operation = "GetCallerIdentity";
	call.idempotent = true;
	CHECK_INT(aws_call(&c, cl, &call), 0);
	CHECK_INT(f.calls, 2);
	/* the second attempt is signed with the server's clock, 2 h ahead */
	CHECK_STR(f.last_amz_date, "20231115T001320Z");
	aws_client_free(cl);

	/* a real mismatch (clocks agree) is final */
	cl = fake_client(&f, mismatch, 2, a);
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(f.calls, 1);
	aws_client_free(cl);
	ctx_release(&c);
	arena_free(a);
}

static void test_cancelled_before_sending(void)
{
	static const struct canned script[] = { { 0, 200, GCI_OK, NULL } };
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl = fake_client(&f, script, 1, a);
	atomic_int stop = 1;
	struct aws_call call;
	struct ctx c;

	ctx_init(&c, "test", &stop);
	memset(&call, 0, sizeof(call));
	call.service = AWS_STS;
	call.operation = "GetCallerIdentity";
	CHECK_INT(aws_call(&c, cl, &call), -1);
	CHECK_INT(call.err.kind, AWS_ERR_CANCELLED);
	CHECK_INT(f.calls, 0);
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

static void test_secrets_redacted_in_trace_logs(void)
{
	static const struct canned script[] = { { 0, 200,
		"{\"SecretString\":\"s3cr3t-from-aws\",\"Name\":\"n\"}", NULL },
		{ 0, 200, "{\"Parameter\":{\"Name\":\"/x/port\",\"Type\":\"SecureString\","
		  "\"Value\":\"securestring-value-789\"}}", NULL } };
	struct arena *a = arena_new();
	struct fake f;
	struct aws_client *cl = fake_client(&f, script, 2, a);
	char path[] = "/tmp/test_aws_log_XXXXXX";
	int fd = mkstemp(path);
	struct aws_params p;
	struct aws_call call;
	struct ctx c;
	char buf[16384];
	ssize_t n;
	json_t *req = json_pack("{s:s,s:s}", "SecretId", "x", "SecretString", "p4ssw0rd-in-request");

	log_configure(LOG_TRACE, fd);
	ctx_init(&c, "test", NULL);
	memset(&call, 0, sizeof(call));
	call.service = AWS_SECRETSMANAGER;
	call.operation = "PutSecretValue";
	call.json = req;
	CHECK_INT(aws_call(&c, cl, &call), 0);
	CHECK_STR(json_string_value(json_object_get(call.response, "SecretString")), "s3cr3t-from-aws");
	json_decref(req);

	/* SSM SecureString values travel as "Value" */
	req = json_pack("{s:s,s:s,s:b}", "Name", "/x/port", "Value", "put-secure-value-321",
			"Overwrite", 1);
	memset(&call, 0, sizeof(call));
	call.service = AWS_SSM;
	call.operation = "PutParameter";
	call.json = req;
	CHECK_INT(aws_call(&c, cl, &call), 0);

	aws_params_init(&p, c.arena);
	aws_params_add(&p, "AuthToken", "auth-token-value-123");
	aws_params_add(&p, "Passwords.member.1", "user-password-456");
	aws_params_add(&p, "AuthenticationMode.Passwords.member.1", "nested-password-654");
	memset(&call, 0, sizeof(call));
	call.service = AWS_ELASTICACHE;
	call.operation = "ModifyReplicationGroup";
	call.params = &p;
	CHECK_INT(aws_call(&c, cl, &call), -1);	/* script exhausted */
	log_configure(LOG_OFF, 2);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strstr(buf, "REDACTED") != NULL);
	CHECK(strstr(buf, "s3cr3t-from-aws") == NULL);
	CHECK(strstr(buf, "p4ssw0rd-in-request") == NULL);
	CHECK(strstr(buf, "auth-token-value-123") == NULL);
	CHECK(strstr(buf, "user-password-456") == NULL);
	CHECK(strstr(buf, "nested-password-654") == NULL);
	CHECK(strstr(buf, "put-secure-value-321") == NULL);
	CHECK(strstr(buf, "securestring-value-789") == NULL);
	CHECK(strstr(buf, "/x/port") != NULL);	/* non-secrets still logged */
	CHECK(strstr(buf, "wJalrXUtnFEMI") == NULL);
	close(fd);
	unlink(path);
	json_decref(req);
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

/* ---- against the local emulator ---- */

static struct emulator emu;
static int emu_ok;

static struct aws_client *emu_client(struct arena *a, const char *secret,
				     struct http_transport *http)
{
	struct aws_credentials_options co;
	struct aws_client_options o;
	const char *err;
	int i;

	memset(&co, 0, sizeof(co));
	co.access_key = EMULATOR_ACCESS_KEY;
	co.secret_key = secret;
	co.getenv_fn = no_env;
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.getenv_fn = no_env;
	o.http = http;
	for (i = 0; i < AWS_SERVICE_COUNT; i++)
		o.endpoints[i] = emu.endpoint;
	o.creds = aws_credentials_chain_new(&co);
	return aws_client_new(a, &o, &err);
}

static void test_emulator_get_caller_identity(void)
{
	struct arena *a = arena_new();
	struct aws_client *cl;
	struct sts_identity id;
	struct ctx c;
	int i;

	if (!emu_ok)
		SKIP(emu.why);
	cl = emu_client(a, EMULATOR_SECRET_KEY, NULL);
	CHECK(cl != NULL);
	ctx_init(&c, "test", NULL);
	for (i = 0; i < 20; i++)
		CHECK_INT(sts_get_caller_identity(&c, cl, &id), 0);
	CHECK_STR(id.account, "123456789012");
	CHECK(id.arn && strstr(id.arn, "arn:aws:") == id.arn);
	/* 20 calls, one connection */
	CHECK_INT(aws_client_http(cl)->connections(aws_client_http(cl)), 1);
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

static void test_emulator_wrong_secret(void)
{
	struct arena *a = arena_new();
	struct aws_client *cl;
	struct sts_identity id;
	struct ctx c;

	if (!emu_ok)
		SKIP(emu.why);
	cl = emu_client(a, "not-the-secret", NULL);
	ctx_init(&c, "test", NULL);
	CHECK_INT(sts_get_caller_identity(&c, cl, &id), -1);
	CHECK_INT(c.diags.len, 1);
	CHECK_STR(c.diags.items[0].summary, "Invalid AWS credentials");
	CHECK(strstr(c.diags.items[0].detail, "SignatureDoesNotMatch") != NULL);
	CHECK(strstr(c.diags.items[0].detail, "not-the-secret") == NULL);
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

static void test_emulator_throttle_retried(void)
{
	struct arena *a = arena_new();
	struct aws_client *cl;
	struct sts_identity id;
	struct ctx c;
	char out[65536];

	if (!emu_ok)
		SKIP(emu.why);
	CHECK_INT(emulator_control(&emu, "POST", "reset", "{}", out), 200);
	CHECK_INT(emulator_control(&emu, "POST", "faults",
		"{\"service\":\"sts\",\"operation\":\"GetCallerIdentity\",\"action\":\"throttle\",\"nth\":1}",
		out), 200);
	cl = emu_client(a, EMULATOR_SECRET_KEY, NULL);
	ctx_init(&c, "test", NULL);
	CHECK_INT(sts_get_caller_identity(&c, cl, &id), 0);
	CHECK_INT(emulator_control(&emu, "GET", "counts", NULL, out), 200);
	CHECK(strstr(out, "\"sts:GetCallerIdentity\": 2") != NULL ||
	      strstr(out, "\"sts:GetCallerIdentity\":2") != NULL);
	emulator_control(&emu, "DELETE", "faults", NULL, out);
	ctx_release(&c);
	aws_client_free(cl);
	arena_free(a);
}

int main(void)
{
	RUN(test_query_success_and_body);
	RUN(test_throttling_retried_with_backoff);
	RUN(test_attempts_exhausted);
	RUN(test_no_blind_retry_of_create);
	RUN(test_error_formats);
	RUN(test_clock_skew_corrected);
	RUN(test_cancelled_before_sending);
	RUN(test_secrets_redacted_in_trace_logs);
	emu_ok = emulator_start(&emu) == 0;
	RUN(test_emulator_get_caller_identity);
	RUN(test_emulator_wrong_secret);
	RUN(test_emulator_throttle_retried);
	emulator_stop(&emu);
	return check_summary();
}
