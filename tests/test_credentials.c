/*
 * test_credentials.c - the credentials chain with temporary files and a
 * fake environment: provider block, environment, shared files and
 * profiles, source_profile role chains and web identity (through the local
 * emulator's STS), credential_process, broken files, the "looked in"
 * message, caching.  Instance metadata is disabled in every test: tests
 * never send traffic off this machine.
 */
#include "tests/check.h"
#include "tests/emulator.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/arena.h"
#include "core/ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fake_env[32][2];

static void env_set(const char *k, const char *v)
{
	size_t i;

	for (i = 0; i < 31 && fake_env[i][0]; i++)
		if (strcmp(fake_env[i][0], k) == 0)
			break;
	fake_env[i][0] = k;
	fake_env[i][1] = v;
}

static void env_reset(void)
{
	memset(fake_env, 0, sizeof(fake_env));
	env_set("AWS_EC2_METADATA_DISABLED", "true");
	env_set("HOME", "/nonexistent-home");
}

static const char *fake_getenv(const char *k)
{
	size_t i;

	for (i = 0; i < 32 && fake_env[i][0]; i++)
		if (strcmp(fake_env[i][0], k) == 0)
			return fake_env[i][1];
	return NULL;
}

static char tmpdir[64];

static const char *write_file(const char *name, const char *text, int mode)
{
	static char paths[8][128];
	static int next;
	char *p = paths[next++ % 8];
	FILE *fp;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	chmod(p, (mode_t)mode);
	return p;
}

static struct emulator emu;
static int emu_ok;

static int get(struct aws_credentials_options *o, struct ctx *c,
	       struct aws_credentials *out, struct aws_client **clp)
{
	struct aws_client_options co;
	const char *err;
	int i, rc;

	o->getenv_fn = fake_getenv;
	memset(&co, 0, sizeof(co));
	co.region = "us-east-1";
	co.getenv_fn = fake_getenv;
	if (emu_ok)
		for (i = 0; i < AWS_SERVICE_COUNT; i++)
			co.endpoints[i] = emu.endpoint;
	co.creds = aws_credentials_chain_new(o);
	*clp = aws_client_new(c->arena, &co, &err);
	rc = aws_credentials_get(co.creds, c, *clp, out);
	return rc;
}

static void test_provider_block_first(void)
{
	struct aws_credentials_options o;
	struct aws_credentials cr;
	struct aws_client *cl;
	struct ctx c;

	env_reset();
	env_set("AWS_ACCESS_KEY_ID", "AKIDENV");
	env_set("AWS_SECRET_ACCESS_KEY", "env-secret");
	memset(&o, 0, sizeof(o));
	o.access_key = "AKIDBLOCK";
	o.secret_key = "block-secret";
	ctx_init(&c, "test", NULL);
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDBLOCK");
	CHECK_STR(cr.source, "provider block");
	aws_client_free(cl);

	memset(&o, 0, sizeof(o));
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDENV");
	CHECK_STR(cr.secret_access_key, "env-secret");
	CHECK(cr.session_token == NULL);
	CHECK_STR(cr.source, "environment");
	aws_client_free(cl);

	env_reset();
	env_set("AWS_ACCESS_KEY_ID", "AKIDENV");
	CHECK_INT(get(&o, &c, &cr, &cl), -1);
	CHECK(strstr(c.diags.items[c.diags.len - 1].detail, "only one of AWS_ACCESS_KEY_ID") != NULL);
	aws_client_free(cl);
	ctx_release(&c);
}

static void test_shared_files_and_profiles(void)
{
	struct aws_credentials_options o;
	struct aws_credentials cr;
	struct aws_client *cl;
	struct ctx c;
	const char *creds = write_file("credentials",
		"# comment\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = def-secret\n"
		"\n[dev]\naws_access_key_id=AKIDDEV\n aws_secret_access_key = dev-secret \n"
		"aws_session_token = dev-token\nthis line is broken\n[broken\n", 0600);
	const char *config = write_file("config",
		"[default]\nregion = eu-west-1\n[profile other]\nregion = ap-south-1\n"
		"s3 =\n  max_concurrent_requests = 10\n", 0600);

	env_reset();
	env_set("AWS_SHARED_CREDENTIALS_FILE", creds);
	env_set("AWS_CONFIG_FILE", config);
	memset(&o, 0, sizeof(o));
	ctx_init(&c, "test", NULL);
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDDEFAULT");
	CHECK(strstr(cr.source, "profile default") != NULL);
	aws_client_free(cl);

	env_set("AWS_PROFILE", "dev");
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDDEV");
	CHECK_STR(cr.secret_access_key, "dev-secret");
	CHECK_STR(cr.session_token, "dev-token");
	aws_client_free(cl);

	/* the provider's profile argument beats AWS_PROFILE */
	o.profile = "missing";
	CHECK_INT(get(&o, &c, &cr, &cl), -1);
	CHECK(strstr(c.diags.items[c.diags.len - 1].detail, "profile missing was asked for") != NULL);
	aws_client_free(cl);

	/* region from the profile */
	o.profile = "other";
	o.getenv_fn = fake_getenv;
	CHECK_STR(aws_credentials_profile_region(c.arena, &o), "ap-south-1");
	o.profile = NULL;
	env_set("AWS_PROFILE", NULL);
	CHECK_STR(aws_credentials_profile_region(c.arena, &o), "eu-west-1");
	ctx_release(&c);
}

static void test_nothing_found_lists_places(void)
{
	struct aws_credentials_options o;
	struct aws_credentials cr;
	struct aws_client *cl;
	struct ctx c;
	const char *d;

	env_reset();
	memset(&o, 0, sizeof(o));
	ctx_init(&c, "test", NULL);
	CHECK_INT(get(&o, &c, &cr, &cl), -1);
	CHECK_INT(c.diags.len, 1);
	CHECK_STR(c.diags.items[0].summary, "No valid AWS credentials found");
	d = c.diags.items[0].detail;
	CHECK(strstr(d, "provider block") != NULL);
	CHECK(strstr(d, "environment") != NULL);
	CHECK(strstr(d, "shared config and credentials files") != NULL);
	CHECK(strstr(d, "web identity") != NULL);
	CHECK(strstr(d, "ECS container credentials") != NULL);
	CHECK(strstr(d, "EC2 instance metadata") != NULL);
	aws_client_free(cl);
	ctx_release(&c);
}

static void test_credential_process(void)
{
	struct aws_credentials_options o;
	struct aws_credentials cr;
	struct aws_client *cl;
	struct ctx c;
	char cfg[512];
	const char *script = write_file("proc.sh",
		"#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
		"\"SecretAccessKey\": \"proc-secret\", \"SessionToken\": \"proc-token\", "
		"\"Expiration\": \"2099-01-01T00:00:00Z\"}'\n", 0700);
	const char *bad = write_file("bad.sh", "#!/bin/sh\necho not json\n", 0700);

	snprintf(cfg, sizeof(cfg), "[profile p]\ncredential_process = %s\n[profile q]\ncredential_process = %s\n",
		 script, bad);
	env_reset();
	env_set("AWS_CONFIG_FILE", write_file("config2", cfg, 0600));
	memset(&o, 0, sizeof(o));
	o.profile = "p";
	ctx_init(&c, "test", NULL);
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDPROC");
	CHECK_STR(cr.session_token, "proc-token");
	CHECK_INT(cr.expires_at, 4070908800LL);
	aws_client_free(cl);
	o.profile = "q";
	CHECK_INT(get(&o, &c, &cr, &cl), -1);
	CHECK(strstr(c.diags.items[c.diags.len - 1].detail, "not a Version 1 JSON document") != NULL);
	aws_client_free(cl);
	ctx_release(&c);
}

static void test_role_chain_and_web_identity_via_sts(void)
{
	struct aws_credentials_options o;
	struct aws_credentials cr;
	struct aws_client *cl;
	struct ctx c;
	char cfg[1024];

	if (!emu_ok)
		SKIP(emu.why);
	snprintf(cfg, sizeof(cfg),
		 "[profile base]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
		 "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n"
		 "role_session_name = ci\n"
		 "[profile loop1]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = loop2\n"
		 "[profile loop2]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = loop1\n",
		 EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY);
	env_reset();
	env_set("AWS_CONFIG_FILE", write_file("config3", cfg, 0600));
	memset(&o, 0, sizeof(o));
	o.profile = "deploy";
	ctx_init(&c, "test", NULL);
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK(cr.session_token != NULL);
	CHECK(cr.expires_at > 0);
	CHECK(strstr(cr.source, "assume role arn:aws:iam::123456789012:role/deploy") != NULL);
	{
		/* the assumed credentials are accepted by the emulator */
		struct sts_identity id;

		CHECK_INT(sts_get_caller_identity(&c, cl, &id), 0);
		CHECK(id.arn && strstr(id.arn, "assumed-role/deploy") != NULL);
	}
	aws_client_free(cl);

	o.profile = "loop1";
	CHECK_INT(get(&o, &c, &cr, &cl), -1);
	CHECK(strstr(c.diags.items[c.diags.len - 1].detail, "loop") != NULL);
	aws_client_free(cl);

	/* GitHub Actions OIDC: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE */
	env_reset();
	env_set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/gha");
	env_set("AWS_WEB_IDENTITY_TOKEN_FILE",
		write_file("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2ln\n", 0600));
	memset(&o, 0, sizeof(o));
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK(cr.session_token != NULL);
	CHECK(strstr(cr.source, "web identity") != NULL);
	aws_client_free(cl);

	/* provider assume_role on top of environment credentials */
	env_reset();
	env_set("AWS_ACCESS_KEY_ID", EMULATOR_ACCESS_KEY);
	env_set("AWS_SECRET_ACCESS_KEY", EMULATOR_SECRET_KEY);
	memset(&o, 0, sizeof(o));
	o.assume_role.role_arn = "arn:aws:iam::123456789012:role/admin";
	o.assume_role.session_name = "tf";
	o.assume_role.duration_s = 900;
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK(strstr(cr.source, "assume_role arn:aws:iam::123456789012:role/admin (from environment)") != NULL);
	aws_client_free(cl);
	ctx_release(&c);
}

static void test_cached_until_near_expiry(void)
{
	struct aws_credentials_options o;
	struct aws_client_options co;
	struct aws_credentials cr1, cr2;
	struct aws_client *cl;
	struct ctx c;
	const char *err;
	char out[65536];
	int i;

	if (!emu_ok)
		SKIP(emu.why);
	env_reset();
	env_set("AWS_ACCESS_KEY_ID", EMULATOR_ACCESS_KEY);
	env_set("AWS_SECRET_ACCESS_KEY", EMULATOR_SECRET_KEY);
	memset(&o, 0, sizeof(o));
	o.getenv_fn = fake_getenv;
	o.assume_role.role_arn = "arn:aws:iam::123456789012:role/cached";
	memset(&co, 0, sizeof(co));
	co.region = "us-east-1";
	co.getenv_fn = fake_getenv;
	for (i = 0; i < AWS_SERVICE_COUNT; i++)
		co.endpoints[i] = emu.endpoint;
	co.creds = aws_credentials_chain_new(&o);
	ctx_init(&c, "test", NULL);
	cl = aws_client_new(c.arena, &co, &err);
	emulator_control(&emu, "POST", "reset", "{}", out);
	CHECK_INT(aws_credentials_get(co.creds, &c, cl, &cr1), 0);
	CHECK_INT(aws_credentials_get(co.creds, &c, cl, &cr2), 0);
	CHECK_STR(cr1.access_key_id, cr2.access_key_id);
	emulator_control(&emu, "GET", "counts", NULL, out);
	CHECK(strstr(out, "\"sts:AssumeRole\": 1") != NULL || strstr(out, "\"sts:AssumeRole\":1") != NULL);
	aws_client_free(cl);
	ctx_release(&c);
}

static void test_ecs_and_instance_metadata(void)
{
	struct emulator md;
	struct aws_credentials_options o;
	struct aws_credentials cr;
	struct aws_client *cl;
	struct ctx c;
	char *argv[] = { (char *)"/usr/bin/python3", (char *)"tests/fake_metadata.py", NULL };
	char rel[] = "/creds/task-1";

	if (test_server_start(&md, argv, "FAKE_METADATA_ENDPOINT") != 0)
		SKIP(md.why);
	ctx_init(&c, "test", NULL);

	/* ECS: relative URI against the (test) base URL, with the token */
	env_reset();
	env_set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", rel);
	env_set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer-token-for-tests");
	memset(&o, 0, sizeof(o));
	o.ecs_base_url = md.endpoint;
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDECS");
	CHECK_STR(cr.session_token, "ecs-session-token");
	CHECK_INT(cr.expires_at, 4070908800LL);
	CHECK_STR(cr.source, "ECS container credentials");
	aws_client_free(cl);

	/* a wrong token is a hard, explained failure */
	env_set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
	CHECK_INT(get(&o, &c, &cr, &cl), -1);
	CHECK(strstr(c.diags.items[c.diags.len - 1].detail, "ECS container credentials") != NULL);
	CHECK(strstr(c.diags.items[c.diags.len - 1].detail, "wrong") == NULL);
	aws_client_free(cl);

	/* IMDSv2: token, role name, credentials */
	env_reset();
	env_set("AWS_EC2_METADATA_DISABLED", NULL);
	env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", md.endpoint);
	memset(&o, 0, sizeof(o));
	CHECK_INT(get(&o, &c, &cr, &cl), 0);
	CHECK_STR(cr.access_key_id, "AKIDIMDS");
	CHECK_STR(cr.secret_access_key, "imds-secret");
	CHECK_STR(cr.source, "EC2 instance metadata");
	aws_client_free(cl);
	ctx_release(&c);
	emulator_stop(&md);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_credentials_XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	RUN(test_provider_block_first);
	RUN(test_shared_files_and_profiles);
	RUN(test_nothing_found_lists_places);
	RUN(test_credential_process);
	RUN(test_ecs_and_instance_metadata);
	emu_ok = emulator_start(&emu) == 0;
	RUN(test_role_chain_and_web_identity_via_sts);
	RUN(test_cached_until_near_expiry);
	emulator_stop(&emu);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_summary();
}
