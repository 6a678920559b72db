/*
 * test_aws_services.c - the per-service clients (aws/elasticache, ec2, kms,
 * secretsmanager, logs, ssm, iam) against the local emulator: every
 * operation with the real parameter encodings (the emulator rejects what
 * botocore's models do not allow), the parsed result fields, and the error
 * paths (not found, already exists, invalid state) with their diagnostics.
 * Skips when the emulator cannot start.
 */
#include "tests/check.h"
#include "tests/emulator.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/ec2.h"
#include "aws/elasticache.h"
#include "aws/iam.h"
#include "aws/kms.h"
#include "aws/logs.h"
#include "aws/secretsmanager.h"
#include "aws/ssm.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "core/log.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct emulator emu;
static int emu_ok;

/* ---- fixture: a fresh emulator state, a client and a context ---- */

struct fx {
	struct arena *a;
	struct aws_client *cl;
	struct ctx c;
	struct path path;	/* "attr" for diagnostics */
};

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void fx_begin(struct fx *f)
{
	struct aws_credentials_options co;
	struct aws_client_options o;
	const char *err;
	char out[65536];
	int i;

	emulator_control(&emu, "POST", "reset", "{}", out);
	memset(f, 0, sizeof(*f));
	f->a = arena_new();
	memset(&co, 0, sizeof(co));
	co.access_key = EMULATOR_ACCESS_KEY;
	co.secret_key = EMULATOR_SECRET_KEY;
	co.getenv_fn = no_env;
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.getenv_fn = no_env;
	for (i = 0; i < AWS_SERVICE_COUNT; i++)
		o.endpoints[i] = emu.endpoint;
	o.creds = aws_credentials_chain_new(&co);
	f->cl = aws_client_new(f->a, &o, &err);
	ctx_init(&f->c, "test", NULL);
	f->path = path_attr(f->c.arena, path_root, "attr");
}

static void fx_end(struct fx *f)
{
	ctx_release(&f->c);
	aws_client_free(f->cl);
	arena_free(f->a);
}

#define BEGIN(f)                        \
	do {                            \
		if (!emu_ok)            \
			SKIP(emu.why);  \
		fx_begin(f);            \
	} while (0)

/* True if the only diagnostic is an error with this summary whose detail
 * names code, on path "attr"; then clears the list. */
static int diag_is(struct fx *f, const char *summary, const char *code)
{
	int ok = f->c.diags.len == 1 &&
		 strcmp(f->c.diags.items[0].summary, summary) == 0 &&
		 strncmp(f->c.diags.items[0].detail, code, strlen(code)) == 0 &&
		 strstr(f->c.diags.items[0].detail, "(request id ") != NULL &&
		 f->c.diags.items[0].has_path &&
		 path_equal(f->c.diags.items[0].path, f->path);

	if (!ok)
		for (size_t i = 0; i < f->c.diags.len; i++)
			fprintf(stderr, "  diag: %s | %s\n", f->c.diags.items[i].summary,
				f->c.diags.items[i].detail);
	diags_init(&f->c.diags, f->c.arena);
	return ok;
}

static int no_diags(struct fx *f)
{
	for (size_t i = 0; i < f->c.diags.len; i++)
		fprintf(stderr, "  diag: %s | %s\n", f->c.diags.items[i].summary,
			f->c.diags.items[i].detail);
	return f->c.diags.len == 0;
}

static const char *tag_value(const struct svc_tags *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].key, key) == 0)
			return t->v[i].value;
	return NULL;
}

static bool strs_has(struct svc_strs s, const char *v)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i] && strcmp(s.v[i], v) == 0)
			return true;
	return false;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static const struct svc_tag tags2[] = {
	{ "env", "test" },
	{ "owner", "team-a" },
};

/* ======================================================================
 * EC2
 * ====================================================================== */

/* The default VPC's subnets (the emulator has one per AZ). */
static size_t default_subnets(struct fx *f, struct ec2_subnet **s)
{
	struct svc_strs all = { NULL, 0 };
	size_t n = 0;

	CHECK_INT(ec2_describe_subnets(&f->c, f->cl, NULL, all, s, &n), 0);
	return n;
}

static void test_ec2_subnets(void)
{
	struct fx f;
	struct ec2_subnet *s, *one;
	size_t n, k;
	const char *ids[2];
	const char *bad[] = { "subnet-0123456789abcdef0" };

	BEGIN(&f);
	n = default_subnets(&f, &s);
	CHECK(n >= 2);
	if (n >= 2) {
		CHECK(strncmp(s[0].id, "subnet-", 7) == 0);
		CHECK(strncmp(s[0].vpc_id, "vpc-", 4) == 0);
		CHECK(s[0].az && strncmp(s[0].az, "us-east-1", 9) == 0);
		CHECK(s[0].cidr && strstr(s[0].cidr, "/") != NULL);
		CHECK(s[0].az_id != NULL);
		ids[0] = s[0].id;
		ids[1] = s[1].id;
		CHECK_INT(ec2_describe_subnets(&f.c, f.cl, &f.path,
					       (struct svc_strs){ ids, 2 }, &one, &k), 0);
		CHECK_INT(k, 2);
		CHECK_STR(one[0].vpc_id, s[0].vpc_id);
	}
	CHECK_INT(ec2_describe_subnets(&f.c, f.cl, &f.path,
				       (struct svc_strs){ bad, 1 }, &one, &k), -1);
	CHECK(diag_is(&f, "EC2 DescribeSubnets failed", "InvalidSubnetID.NotFound"));
	fx_end(&f);
}

static void test_ec2_security_groups(void)
{
	struct fx f;
	struct ec2_subnet *s;
	struct ec2_security_group g;
	struct ec2_rule in[2], *got, *rules;
	const char *id, *id2, *dup;
	size_t n, k, i;
	int ingress = 0, egress = 0;
	const char *egress_id = NULL;

	BEGIN(&f);
	CHECK(default_subnets(&f, &s) > 0);
	CHECK_INT(ec2_create_security_group(&f.c, f.cl, &f.path, "redis-sg", "Redis access",
					    s[0].vpc_id, tags2, 2, &id), 0);
	CHECK(id && strncmp(id, "sg-", 3) == 0);
	CHECK_INT(ec2_create_security_group(&f.c, f.cl, &f.path, "client-sg", "Clients",
					    s[0].vpc_id, NULL, 0, &id2), 0);
	CHECK_INT(ec2_create_security_group(&f.c, f.cl, &f.path, "redis-sg", "again",
					    s[0].vpc_id, NULL, 0, &dup), -1);
	CHECK(diag_is(&f, "EC2 CreateSecurityGroup failed", "InvalidGroup.Duplicate"));

	CHECK_INT(ec2_describe_security_group(&f.c, f.cl, &f.path, id, &g), 0);
	CHECK_STR(g.id, id);
	CHECK_STR(g.name, "redis-sg");
	CHECK_STR(g.description, "Redis access");
	CHECK_STR(g.vpc_id, s[0].vpc_id);
	CHECK_STR(g.owner_id, "123456789012");
	CHECK_STR(tag_value(&g.tags, "owner"), "team-a");

	/* ingress from a security group and a CIDR, with descriptions */
	memset(in, 0, sizeof(in));
	in[0].protocol = "tcp";
	in[0].from_port = in[0].to_port = 6379;
	in[0].referenced_group_id = id2;
	in[0].description = "from clients";
	in[1].protocol = "tcp";
	in[1].from_port = in[1].to_port = 6379;
	in[1].cidr_ipv4 = "10.0.0.0/16";
	in[1].description = "from the office";
	CHECK_INT(ec2_authorize_rules(&f.c, f.cl, &f.path, id, false, in, 2, &got, &k), 0);
	CHECK_INT(k, 2);
	if (k == 2) {
		CHECK(strncmp(got[0].id, "sgr-", 4) == 0);
		CHECK_STR(got[0].group_id, id);
		CHECK(!got[0].is_egress);
		CHECK_INT(got[0].from_port, 6379);
	}
	CHECK_INT(ec2_authorize_rules(&f.c, f.cl, &f.path, id, false, &in[1], 1, NULL, NULL), -1);
	CHECK(diag_is(&f, "EC2 AuthorizeSecurityGroupIngress failed", "InvalidPermission.Duplicate"));

	CHECK_INT(ec2_describe_security_group_rules(&f.c, f.cl, &f.path, id, &rules, &n), 0);
	CHECK_INT(n, 3);	/* two ingress + AWS's default egress */
	for (i = 0; i < n; i++) {
		if (rules[i].is_egress) {
			egress++;
			egress_id = rules[i].id;
			CHECK_STR(rules[i].protocol, "-1");
			CHECK_STR(rules[i].cidr_ipv4, "0.0.0.0/0");
		} else {
			ingress++;
			if (rules[i].referenced_group_id) {
				CHECK_STR(rules[i].referenced_group_id, id2);
				CHECK_STR(rules[i].description, "from clients");
			} else {
				CHECK_STR(rules[i].cidr_ipv4, "10.0.0.0/16");
				CHECK_STR(rules[i].description, "from the office");
			}
			CHECK_STR(rules[i].protocol, "tcp");
			CHECK_INT(rules[i].to_port, 6379);
		}
	}
	CHECK_INT(ingress, 2);
	CHECK_INT(egress, 1);

	/* revoke the default egress rule and one ingress rule */
	if (egress_id && k == 2) {
		CHECK_INT(ec2_revoke_rules(&f.c, f.cl, &f.path, id, true,
					   (struct svc_strs){ &egress_id, 1 }), 0);
		CHECK_INT(ec2_revoke_rules(&f.c, f.cl, &f.path, id, false,
					   (struct svc_strs){ &got[1].id, 1 }), 0);
		CHECK_INT(ec2_revoke_rules(&f.c, f.cl, &f.path, id, false,
					   (struct svc_strs){ &got[1].id, 1 }), SVC_NOT_FOUND);
		CHECK(no_diags(&f));
		CHECK_INT(ec2_describe_security_group_rules(&f.c, f.cl, &f.path, id, &rules, &n), 0);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_STR(rules[0].id, got[0].id);
	}

	/* tags */
	{
		const struct svc_tag t[] = { { "owner", "team-b" }, { "Name", "redis" } };
		const char *keys[] = { "env" };

		CHECK_INT(ec2_create_tags(&f.c, f.cl, &f.path, (struct svc_strs){ &id, 1 }, t, 2), 0);
		CHECK_INT(ec2_delete_tags(&f.c, f.cl, &f.path, (struct svc_strs){ &id, 1 },
					  (struct svc_strs){ keys, 1 }), 0);
		CHECK_INT(ec2_describe_security_group(&f.c, f.cl, &f.path, id, &g), 0);
		CHECK_STR(tag_value(&g.tags, "owner"), "team-b");
		CHECK_STR(tag_value(&g.tags, "Name"), "redis");
		CHECK(tag_value(&g.tags, "env") == NULL);
	}

	/* a group referenced by another's rule cannot go */
	CHECK_INT(ec2_delete_security_group(&f.c, f.cl, &f.path, id2), -1);
	CHECK(diag_is(&f, "EC2 DeleteSecurityGroup failed", "DependencyViolation"));
	CHECK_INT(ec2_delete_security_group(&f.c, f.cl, &f.path, id), 0);
	CHECK_INT(ec2_delete_security_group(&f.c, f.cl, &f.path, id), SVC_NOT_FOUND);
	CHECK_INT(ec2_describe_security_group(&f.c, f.cl, &f.path, id, &g), SVC_NOT_FOUND);
	if (k == 2)
		CHECK_INT(ec2_revoke_rules(&f.c, f.cl, &f.path, id, false,
					   (struct svc_strs){ &got[0].id, 1 }), SVC_NOT_FOUND);
	CHECK_INT(ec2_delete_security_group(&f.c, f.cl, &f.path, id2), 0);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* ======================================================================
 * KMS
 * ====================================================================== */

#define POLICY_A "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"root\",\"Effect\":\"Allow\"," \
	"\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}," \
	"{\"Sid\":\"logs\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logs.us-east-1.amazonaws.com\"}," \
	"\"Action\":[\"kms:Encrypt*\",\"kms:Decrypt*\",\"kms:GenerateDataKey*\",\"kms:Describe*\"],\"Resource\":\"*\"}]}"
#define POLICY_B "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"root\",\"Effect\":\"Allow\"," \
	"\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"

static const char *make_key(struct fx *f, struct kms_key *k)
{
	struct kms_create_key in;

	memset(&in, 0, sizeof(in));
	in.description = "redis key";
	in.policy = POLICY_A;
	in.tags = tags2;
	in.n_tags = 2;
	CHECK_INT(kms_create_key(&f->c, f->cl, &f->path, &in, k), 0);
	return k->arn;
}

static void test_kms_key_lifecycle(void)
{
	struct fx f;
	struct kms_key k, d;
	struct svc_tags t;
	struct svc_strs aliases;
	const char *policy, *untag[] = { "env" };
	const struct svc_tag more[] = { { "cost", "42" } };
	bool on;
	int period;
	double when = 0;

	BEGIN(&f);
	make_key(&f, &k);
	CHECK(k.id && strlen(k.id) == 36);
	CHECK(k.arn && strstr(k.arn, ":key/") != NULL);
	CHECK_STR(k.state, "Enabled");
	CHECK(k.enabled);
	CHECK_STR(k.description, "redis key");
	CHECK_STR(k.key_manager, "CUSTOMER");
	CHECK_STR(k.key_spec, "SYMMETRIC_DEFAULT");
	CHECK_STR(k.key_usage, "ENCRYPT_DECRYPT");
	CHECK_STR(k.account, "123456789012");
	CHECK(k.creation_date > 1e9);

	CHECK_INT(kms_describe_key(&f.c, f.cl, &f.path, k.arn, &d), 0);
	CHECK_STR(d.id, k.id);

	CHECK_INT(kms_get_key_rotation_status(&f.c, f.cl, &f.path, k.id, &on, &period), 0);
	CHECK(!on);
	CHECK_INT(kms_enable_key_rotation(&f.c, f.cl, &f.path, k.id, SVC_INT(180)), 0);
	CHECK_INT(kms_get_key_rotation_status(&f.c, f.cl, &f.path, k.id, &on, &period), 0);
	CHECK(on);
	CHECK_INT(period, 180);
	CHECK_INT(kms_enable_key_rotation(&f.c, f.cl, &f.path, k.id, SVC_INT(5)), -1);
	CHECK(diag_is(&f, "KMS EnableKeyRotation failed", "ValidationException"));
	CHECK_INT(kms_disable_key_rotation(&f.c, f.cl, &f.path, k.id), 0);
	CHECK_INT(kms_get_key_rotation_status(&f.c, f.cl, &f.path, k.id, &on, NULL), 0);
	CHECK(!on);

	CHECK_INT(kms_get_key_policy(&f.c, f.cl, &f.path, k.id, &policy), 0);
	CHECK(policy && strstr(policy, "logs.us-east-1.amazonaws.com") != NULL);
	CHECK_INT(kms_put_key_policy(&f.c, f.cl, &f.path, k.id, POLICY_B), 0);
	CHECK_INT(kms_get_key_policy(&f.c, f.cl, &f.path, k.id, &policy), 0);
	CHECK(policy && strstr(policy, "logs.us-east-1") == NULL);
	CHECK_INT(kms_put_key_policy(&f.c, f.cl, &f.path, k.id, "not json"), -1);
	CHECK(diag_is(&f, "KMS PutKeyPolicy failed", "MalformedPolicyDocumentException"));

	CHECK_INT(kms_create_alias(&f.c, f.cl, &f.path, "alias/redis-test", k.id), 0);
	CHECK_INT(kms_create_alias(&f.c, f.cl, &f.path, "alias/redis-test", k.id), -1);
	CHECK(diag_is(&f, "KMS CreateAlias failed", "AlreadyExistsException"));
	CHECK_INT(kms_list_aliases(&f.c, f.cl, &f.path, k.id, &aliases), 0);
	CHECK_INT(aliases.n, 1);
	CHECK(strs_has(aliases, "alias/redis-test"));
	CHECK_INT(kms_describe_key(&f.c, f.cl, &f.path, "alias/redis-test", &d), 0);
	CHECK_STR(d.id, k.id);

	CHECK_INT(kms_tag_resource(&f.c, f.cl, &f.path, k.id, more, 1), 0);
	CHECK_INT(kms_untag_resource(&f.c, f.cl, &f.path, k.id, (struct svc_strs){ untag, 1 }), 0);
	CHECK_INT(kms_list_resource_tags(&f.c, f.cl, &f.path, k.id, &t), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(tag_value(&t, "owner"), "team-a");
	CHECK_STR(tag_value(&t, "cost"), "42");

	CHECK_INT(kms_delete_alias(&f.c, f.cl, &f.path, "alias/redis-test"), 0);
	CHECK_INT(kms_delete_alias(&f.c, f.cl, &f.path, "alias/redis-test"), SVC_NOT_FOUND);

	CHECK_INT(kms_schedule_key_deletion(&f.c, f.cl, &f.path, k.id, SVC_INT(3), &when), -1);
	CHECK(diag_is(&f, "KMS ScheduleKeyDeletion failed", "ValidationException"));
	CHECK_INT(kms_schedule_key_deletion(&f.c, f.cl, &f.path, k.id, SVC_INT(7), &when), 0);
	CHECK(when > k.creation_date + 6 * 86400);
	CHECK_INT(kms_describe_key(&f.c, f.cl, &f.path, k.id, &d), 0);
	CHECK_STR(d.state, "PendingDeletion");
	CHECK(d.deletion_date > 0);
	/* again: already under way, same date */
	CHECK_INT(kms_schedule_key_deletion(&f.c, f.cl, &f.path, k.id, SVC_INT(7), &when), 0);
	CHECK(when == d.deletion_date);
	CHECK(no_diags(&f));
	fx_end(&f);
}

static void test_kms_not_found(void)
{
	struct fx f;
	struct kms_key d;
	const char *missing = "11111111-2222-3333-4444-555555555555";
	const char *policy;
	bool on;

	BEGIN(&f);
	CHECK_INT(kms_describe_key(&f.c, f.cl, &f.path, missing, &d), SVC_NOT_FOUND);
	CHECK_INT(kms_get_key_policy(&f.c, f.cl, &f.path, missing, &policy), SVC_NOT_FOUND);
	CHECK_INT(kms_get_key_rotation_status(&f.c, f.cl, &f.path, missing, &on, NULL), SVC_NOT_FOUND);
	CHECK_INT(kms_schedule_key_deletion(&f.c, f.cl, &f.path, missing, SVC_INT(7), NULL),
		  SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	CHECK_INT(kms_create_alias(&f.c, f.cl, &f.path, "alias/x", missing), SVC_NOT_FOUND);
	CHECK_INT(kms_create_alias(&f.c, f.cl, &f.path, "bad-alias", missing), -1);
	CHECK(diag_is(&f, "KMS CreateAlias failed", "ValidationException"));
	fx_end(&f);
}

/* ======================================================================
 * CloudWatch Logs
 * ====================================================================== */

static void test_logs_groups(void)
{
	struct fx f;
	struct kms_key k;
	struct logs_group g;
	struct svc_tags t;
	const struct svc_tag more[] = { { "cost", "1" } };
	const char *keys[] = { "env" };

	BEGIN(&f);
	make_key(&f, &k);
	CHECK_INT(logs_create_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow",
					k.arn, tags2, 2), 0);
	CHECK_INT(logs_create_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow",
					NULL, NULL, 0), -1);
	CHECK(diag_is(&f, "CloudWatch Logs CreateLogGroup failed", "ResourceAlreadyExistsException"));
	/* a longer name sharing the prefix must not match */
	CHECK_INT(logs_create_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow-2",
					NULL, NULL, 0), 0);

	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow", &g), 0);
	CHECK_STR(g.name, "/elasticache/redis/slow");
	CHECK_STR(g.kms_key_id, k.arn);
	CHECK_INT(g.retention_days, 0);
	CHECK(g.arn && strstr(g.arn, ":log-group:/elasticache/redis/slow") != NULL);
	CHECK(g.arn && g.arn[strlen(g.arn) - 1] != '*');
	CHECK(g.creation_time_ms > 1e12);
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/elasticache/redis", &g),
		  SVC_NOT_FOUND);
	/* every group under a prefix in one call */
	{
		struct logs_group *all = NULL;
		size_t n = 9;

		CHECK_INT(logs_describe_log_groups(&f.c, f.cl, &f.path,
						   "/elasticache/redis/", &all,
						   &n), 0);
		CHECK_INT(n, 2);
		CHECK(n == 2 && all[0].name && all[1].name &&
		      strcmp(all[0].name, all[1].name) != 0);
		CHECK_INT(logs_describe_log_groups(&f.c, f.cl, &f.path,
						   "/nothing/here/", &all, &n),
			  0);
		CHECK_INT(n, 0);
	}

	CHECK_INT(logs_put_retention_policy(&f.c, f.cl, &f.path, "/elasticache/redis/slow", 30), 0);
	CHECK_INT(logs_put_retention_policy(&f.c, f.cl, &f.path, "/elasticache/redis/slow", 2), -1);
	CHECK(diag_is(&f, "CloudWatch Logs PutRetentionPolicy failed", "InvalidParameterException"));
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow", &g), 0);
	CHECK_INT(g.retention_days, 30);
	CHECK_INT(logs_delete_retention_policy(&f.c, f.cl, &f.path, "/elasticache/redis/slow"), 0);

	CHECK_INT(logs_disassociate_kms_key(&f.c, f.cl, &f.path, "/elasticache/redis/slow"), 0);
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow", &g), 0);
	CHECK(g.kms_key_id == NULL);
	CHECK_INT(g.retention_days, 0);
	CHECK_INT(logs_associate_kms_key(&f.c, f.cl, &f.path, "/elasticache/redis/slow", k.arn), 0);
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow", &g), 0);
	CHECK_STR(g.kms_key_id, k.arn);

	CHECK_INT(logs_tag_resource(&f.c, f.cl, &f.path, g.arn, more, 1), 0);
	CHECK_INT(logs_untag_resource(&f.c, f.cl, &f.path, g.arn, (struct svc_strs){ keys, 1 }), 0);
	CHECK_INT(logs_list_tags(&f.c, f.cl, &f.path, g.arn, &t), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(tag_value(&t, "owner"), "team-a");
	CHECK_STR(tag_value(&t, "cost"), "1");

	CHECK_INT(logs_delete_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow"), 0);
	CHECK_INT(logs_delete_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow"), SVC_NOT_FOUND);
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/elasticache/redis/slow", &g),
		  SVC_NOT_FOUND);
	CHECK_INT(logs_put_retention_policy(&f.c, f.cl, &f.path, "/elasticache/redis/slow", 30),
		  SVC_NOT_FOUND);
	CHECK_INT(logs_list_tags(&f.c, f.cl, &f.path, g.arn, &t), SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* ======================================================================
 * Secrets Manager
 * ====================================================================== */

#define TOKEN_A "AuthToken-0123456789-abcdef"
#define TOKEN_B "AuthToken-9876543210-fedcba"

static void test_sm_secret_lifecycle(void)
{
	struct fx f;
	struct kms_key k;
	struct sm_secret s;
	const char *arn, *v1, *v2, *value, *vid, *dup;
	const char *keys[] = { "env" };
	const struct svc_tag more[] = { { "cost", "7" } };
	double when = 0;

	BEGIN(&f);
	make_key(&f, &k);
	CHECK_INT(sm_create_secret(&f.c, f.cl, &f.path, "redis/auth", "AUTH token", k.arn,
				   TOKEN_A, tags2, 2, &arn, &v1), 0);
	CHECK(arn && strstr(arn, ":secret:redis/auth-") != NULL);
	CHECK(v1 && strlen(v1) == 36);
	CHECK_INT(sm_create_secret(&f.c, f.cl, &f.path, "redis/auth", NULL, NULL, TOKEN_A,
				   NULL, 0, &dup, NULL), -1);
	CHECK(diag_is(&f, "Secrets Manager CreateSecret failed", "ResourceExistsException"));

	CHECK_INT(sm_get_secret_value(&f.c, f.cl, &f.path, "redis/auth", &value, &vid), 0);
	CHECK_STR(value, TOKEN_A);
	CHECK_STR(vid, v1);
	CHECK_INT(sm_put_secret_value(&f.c, f.cl, &f.path, arn, TOKEN_B, &v2), 0);
	CHECK(v2 && strcmp(v2, v1) != 0);
	CHECK_INT(sm_get_secret_value(&f.c, f.cl, &f.path, arn, &value, &vid), 0);
	CHECK_STR(value, TOKEN_B);
	CHECK_STR(vid, v2);

	CHECK_INT(sm_update_secret(&f.c, f.cl, &f.path, arn, "rotated", NULL), 0);
	CHECK_INT(sm_tag_resource(&f.c, f.cl, &f.path, arn, more, 1), 0);
	CHECK_INT(sm_untag_resource(&f.c, f.cl, &f.path, arn, (struct svc_strs){ keys, 1 }), 0);
	CHECK_INT(sm_describe_secret(&f.c, f.cl, &f.path, arn, &s), 0);
	CHECK_STR(s.arn, arn);
	CHECK_STR(s.name, "redis/auth");
	CHECK_STR(s.description, "rotated");
	CHECK_STR(s.kms_key_id, k.arn);
	CHECK(s.deleted_date == 0);
	CHECK(s.created_date > 1e9);
	CHECK_INT(s.tags.n, 2);
	CHECK_STR(tag_value(&s.tags, "cost"), "7");
	CHECK(tag_value(&s.tags, "env") == NULL);

	/* scheduled deletion, then restore */
	CHECK_INT(sm_delete_secret(&f.c, f.cl, &f.path, arn, SVC_INT(3), SVC_UNSET, NULL), -1);
	CHECK(diag_is(&f, "Secrets Manager DeleteSecret failed", "InvalidParameterException"));
	CHECK_INT(sm_delete_secret(&f.c, f.cl, &f.path, arn, SVC_INT(7), SVC_UNSET, &when), 0);
	CHECK(when > s.created_date + 6 * 86400);
	CHECK_INT(sm_describe_secret(&f.c, f.cl, &f.path, arn, &s), 0);
	CHECK(s.deleted_date > 0);
	CHECK_INT(sm_get_secret_value(&f.c, f.cl, &f.path, arn, &value, NULL), -1);
	CHECK(diag_is(&f, "Secrets Manager GetSecretValue failed", "InvalidRequestException"));
	CHECK(value == NULL);
	CHECK_INT(sm_create_secret(&f.c, f.cl, &f.path, "redis/auth", NULL, NULL, TOKEN_A,
				   NULL, 0, NULL, NULL), -1);
	CHECK(diag_is(&f, "Secrets Manager CreateSecret failed", "InvalidRequestException"));
	CHECK_INT(sm_restore_secret(&f.c, f.cl, &f.path, arn), 0);
	CHECK_INT(sm_get_secret_value(&f.c, f.cl, &f.path, arn, &value, NULL), 0);
	CHECK_STR(value, TOKEN_B);

	/* immediate deletion, then everything is not found */
	CHECK_INT(sm_delete_secret(&f.c, f.cl, &f.path, arn, (struct svc_int){ 0 }, SVC_TRUE, NULL), 0);
	CHECK_INT(sm_describe_secret(&f.c, f.cl, &f.path, arn, &s), SVC_NOT_FOUND);
	CHECK_INT(sm_get_secret_value(&f.c, f.cl, &f.path, arn, &value, NULL), SVC_NOT_FOUND);
	CHECK_INT(sm_put_secret_value(&f.c, f.cl, &f.path, arn, TOKEN_A, NULL), SVC_NOT_FOUND);
	CHECK_INT(sm_restore_secret(&f.c, f.cl, &f.path, arn), SVC_NOT_FOUND);
	CHECK_INT(sm_delete_secret(&f.c, f.cl, &f.path, arn, SVC_INT(7), SVC_UNSET, NULL),
		  SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* ======================================================================
 * SSM
 * ====================================================================== */

static void test_ssm_parameters(void)
{
	struct fx f;
	struct kms_key k;
	struct ssm_put in;
	struct ssm_parameter prm;
	struct svc_tags t;
	const char *keys[] = { "env" };
	const struct svc_tag more[] = { { "cost", "3" } };
	int version = 0;

	BEGIN(&f);
	make_key(&f, &k);
	memset(&in, 0, sizeof(in));
	in.name = "/redis/prod/endpoint";
	in.value = "master.redis.example:6379";
	in.type = "SecureString";
	in.key_id = k.arn;
	in.description = "primary endpoint";
	in.tags = tags2;
	in.n_tags = 2;
	CHECK_INT(ssm_put_parameter(&f.c, f.cl, &f.path, &in, &version), 0);
	CHECK_INT(version, 1);
	CHECK_INT(ssm_put_parameter(&f.c, f.cl, &f.path, &in, &version), -1);
	CHECK(diag_is(&f, "SSM PutParameter failed", "ParameterAlreadyExists"));
	in.overwrite = true;
	in.tags = NULL;
	in.n_tags = 0;
	in.value = "master.redis.example:6380";
	CHECK_INT(ssm_put_parameter(&f.c, f.cl, &f.path, &in, &version), 0);
	CHECK_INT(version, 2);

	CHECK_INT(ssm_get_parameter(&f.c, f.cl, &f.path, in.name, true, &prm), 0);
	CHECK_STR(prm.name, in.name);
	CHECK_STR(prm.type, "SecureString");
	CHECK_STR(prm.value, "master.redis.example:6380");
	CHECK_INT(prm.version, 2);
	CHECK(prm.arn && strstr(prm.arn, ":parameter/redis/prod/endpoint") != NULL);
	CHECK_INT(ssm_get_parameter(&f.c, f.cl, &f.path, in.name, false, &prm), 0);
	CHECK(prm.value && strcmp(prm.value, "master.redis.example:6380") != 0);

	CHECK_INT(ssm_describe_parameter(&f.c, f.cl, &f.path, in.name, &prm), 0);
	CHECK_STR(prm.key_id, k.arn);
	CHECK_STR(prm.description, "primary endpoint");
	CHECK_STR(prm.tier, "Standard");
	CHECK(prm.value == NULL);

	CHECK_INT(ssm_add_tags(&f.c, f.cl, &f.path, in.name, more, 1), 0);
	CHECK_INT(ssm_remove_tags(&f.c, f.cl, &f.path, in.name, (struct svc_strs){ keys, 1 }), 0);
	CHECK_INT(ssm_list_tags(&f.c, f.cl, &f.path, in.name, &t), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(tag_value(&t, "owner"), "team-a");
	CHECK_STR(tag_value(&t, "cost"), "3");

	in.type = "NoSuchType";
	CHECK_INT(ssm_put_parameter(&f.c, f.cl, &f.path, &in, NULL), -1);
	CHECK(diag_is(&f, "SSM PutParameter failed", "ValidationException"));

	CHECK_INT(ssm_delete_parameter(&f.c, f.cl, &f.path, in.name), 0);
	CHECK_INT(ssm_delete_parameter(&f.c, f.cl, &f.path, in.name), SVC_NOT_FOUND);
	CHECK_INT(ssm_get_parameter(&f.c, f.cl, &f.path, in.name, true, &prm), SVC_NOT_FOUND);
	CHECK_INT(ssm_describe_parameter(&f.c, f.cl, &f.path, in.name, &prm), SVC_NOT_FOUND);
	CHECK_INT(ssm_list_tags(&f.c, f.cl, &f.path, in.name, &t), SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* ======================================================================
 * IAM
 * ====================================================================== */

#define DOC_1 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:redis/auth-*\"}]}"
#define DOC_2 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Action\":[\"elasticache:Connect\"],\"Resource\":\"*\"}]}"

static void test_iam_policies(void)
{
	struct fx f;
	struct iam_policy pol, got;
	struct iam_policy_version v, *vs;
	const char *keys[] = { "env" };
	const struct svc_tag more[] = { { "cost", "9" } };
	size_t n, i;
	int defaults = 0;

	BEGIN(&f);
	CHECK_INT(iam_create_policy(&f.c, f.cl, &f.path, "redis-read", "/redis/", DOC_1,
				    "read the AUTH token", tags2, 2, &pol), 0);
	CHECK(pol.arn && strcmp(pol.arn, "arn:aws:iam::123456789012:policy/redis/redis-read") == 0);
	CHECK_STR(pol.default_version_id, "v1");
	CHECK_STR(pol.path, "/redis/");
	CHECK(pol.id && *pol.id);
	CHECK_INT(iam_create_policy(&f.c, f.cl, &f.path, "redis-read", "/redis/", DOC_1,
				    NULL, NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "IAM CreatePolicy failed", "EntityAlreadyExists"));
	CHECK_INT(iam_create_policy(&f.c, f.cl, &f.path, "bad", NULL, "{\"Statement\":[]}",
				    NULL, NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "IAM CreatePolicy failed", "MalformedPolicyDocument"));

	CHECK_INT(iam_get_policy(&f.c, f.cl, &f.path, pol.arn, &got), 0);
	CHECK_STR(got.name, "redis-read");
	CHECK_STR(got.description, "read the AUTH token");
	CHECK_INT(got.attachment_count, 0);
	CHECK(got.attachable);
	CHECK_STR(tag_value(&got.tags, "owner"), "team-a");
	CHECK(got.create_date && strncmp(got.create_date, "20", 2) == 0);

	CHECK_INT(iam_get_policy_version(&f.c, f.cl, &f.path, pol.arn, "v1", &v), 0);
	CHECK_STR(v.document, DOC_1);	/* URL-decoded */
	CHECK(v.is_default);
	CHECK_INT(iam_create_policy_version(&f.c, f.cl, &f.path, pol.arn, DOC_2, true, &v), 0);
	CHECK_STR(v.version_id, "v2");
	CHECK(v.is_default);
	CHECK_INT(iam_list_policy_versions(&f.c, f.cl, &f.path, pol.arn, &vs, &n), 0);
	CHECK_INT(n, 2);
	for (i = 0; i < n; i++)
		defaults += vs[i].is_default && strcmp(vs[i].version_id, "v2") == 0;
	CHECK_INT(defaults, 1);
	CHECK_INT(iam_delete_policy_version(&f.c, f.cl, &f.path, pol.arn, "v2"), -1);
	CHECK(diag_is(&f, "IAM DeletePolicyVersion failed", "DeleteConflict"));
	CHECK_INT(iam_delete_policy(&f.c, f.cl, &f.path, pol.arn), -1);
	CHECK(diag_is(&f, "IAM DeletePolicy failed", "DeleteConflict"));
	CHECK_INT(iam_delete_policy_version(&f.c, f.cl, &f.path, pol.arn, "v1"), 0);
	CHECK_INT(iam_delete_policy_version(&f.c, f.cl, &f.path, pol.arn, "v1"), SVC_NOT_FOUND);
	CHECK_INT(iam_get_policy_version(&f.c, f.cl, &f.path, pol.arn, "v1", &v), SVC_NOT_FOUND);

	CHECK_INT(iam_tag_policy(&f.c, f.cl, &f.path, pol.arn, more, 1), 0);
	CHECK_INT(iam_untag_policy(&f.c, f.cl, &f.path, pol.arn, (struct svc_strs){ keys, 1 }), 0);
	CHECK_INT(iam_get_policy(&f.c, f.cl, &f.path, pol.arn, &got), 0);
	CHECK_STR(tag_value(&got.tags, "cost"), "9");
	CHECK(tag_value(&got.tags, "env") == NULL);
	CHECK_STR(got.default_version_id, "v2");

	CHECK_INT(iam_delete_policy(&f.c, f.cl, &f.path, pol.arn), 0);
	CHECK_INT(iam_delete_policy(&f.c, f.cl, &f.path, pol.arn), SVC_NOT_FOUND);
	CHECK_INT(iam_get_policy(&f.c, f.cl, &f.path, pol.arn, &got), SVC_NOT_FOUND);
	CHECK_INT(iam_list_policy_versions(&f.c, f.cl, &f.path, pol.arn, &vs, &n), SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* ======================================================================
 * ElastiCache
 * ====================================================================== */

static const char *make_subnet_group(struct fx *f, const char *name, const char **vpc)
{
	struct ec2_subnet *s;
	struct ec_subnet_group g;
	const char *ids[2];
	size_t n = default_subnets(f, &s);

	if (n < 2)
		return NULL;
	ids[0] = s[0].id;
	ids[1] = s[1].id;
	*vpc = s[0].vpc_id;
	CHECK_INT(ec_create_cache_subnet_group(&f->c, f->cl, &f->path, name, "redis subnets",
					       (struct svc_strs){ ids, 2 }, tags2, 2, &g), 0);
	return name;
}

static void test_ec_subnet_groups(void)
{
	struct fx f;
	struct ec2_subnet *s;
	struct ec_subnet_group g;
	const char *ids[3], *bad[] = { "subnet-00000000000000000" };
	size_t n;

	BEGIN(&f);
	n = default_subnets(&f, &s);
	CHECK(n >= 3);
	if (n < 3) {
		fx_end(&f);
		return;
	}
	ids[0] = s[0].id;
	ids[1] = s[1].id;
	ids[2] = s[2].id;
	CHECK_INT(ec_create_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", "two AZs",
					       (struct svc_strs){ ids, 2 }, tags2, 2, &g), 0);
	CHECK_STR(g.name, "redis-subnets");
	CHECK_STR(g.description, "two AZs");
	CHECK_STR(g.vpc_id, s[0].vpc_id);
	CHECK_INT(g.subnet_ids.n, 2);
	CHECK(strs_has(g.subnet_ids, s[1].id));
	CHECK(strs_has(g.azs, s[0].az));
	CHECK(g.arn && strstr(g.arn, ":subnetgroup:redis-subnets") != NULL);
	CHECK_INT(ec_create_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", "again",
					       (struct svc_strs){ ids, 2 }, NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateCacheSubnetGroup failed", "CacheSubnetGroupAlreadyExists"));
	CHECK_INT(ec_create_cache_subnet_group(&f.c, f.cl, &f.path, "other", "bad",
					       (struct svc_strs){ bad, 1 }, NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateCacheSubnetGroup failed", "InvalidSubnet"));

	CHECK_INT(ec_modify_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", "three AZs",
					       (struct svc_strs){ ids, 3 }, &g), 0);
	CHECK_STR(g.description, "three AZs");
	CHECK_INT(g.subnet_ids.n, 3);
	CHECK_INT(ec_describe_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", &g), 0);
	CHECK_INT(g.subnet_ids.n, 3);
	CHECK(strs_has(g.subnet_ids, s[2].id));

	CHECK_INT(ec_delete_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets"), 0);
	CHECK_INT(ec_delete_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets"), SVC_NOT_FOUND);
	CHECK_INT(ec_describe_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", &g),
		  SVC_NOT_FOUND);
	CHECK_INT(ec_modify_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", "x",
					       (struct svc_strs){ ids, 1 }, NULL), SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

static void test_ec_parameter_groups(void)
{
	struct fx f;
	struct ec_parameter_group g;
	struct ec_parameter set[2], *all;
	size_t n, i;
	int seen = 0;

	BEGIN(&f);
	CHECK_INT(ec_create_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", "redis7",
						  "hardened", tags2, 2, &g), 0);
	CHECK_STR(g.name, "redis-params");
	CHECK_STR(g.family, "redis7");
	CHECK(g.arn && strstr(g.arn, ":parametergroup:redis-params") != NULL);
	CHECK_INT(ec_create_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", "redis7",
						  "again", NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateCacheParameterGroup failed",
		      "CacheParameterGroupAlreadyExists"));

	CHECK_INT(ec_describe_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", &g), 0);
	CHECK_STR(g.description, "hardened");
	CHECK(!g.is_global);

	memset(set, 0, sizeof(set));
	set[0].name = "maxmemory-policy";
	set[0].value = "allkeys-lru";
	set[1].name = "timeout";
	set[1].value = "300";
	CHECK_INT(ec_modify_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set, 2), 0);
	CHECK_INT(ec_describe_cache_parameters(&f.c, f.cl, &f.path, "redis-params", "user", &all, &n), 0);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].name, "maxmemory-policy") == 0) {
			CHECK_STR(all[i].value, "allkeys-lru");
			CHECK(all[i].modifiable);
			seen++;
		}
		if (strcmp(all[i].name, "timeout") == 0) {
			CHECK_STR(all[i].value, "300");
			seen++;
		}
	}
	CHECK_INT(seen, 2);
	CHECK_INT(ec_describe_cache_parameters(&f.c, f.cl, &f.path, "redis-params", NULL, &all, &n), 0);
	CHECK(n > 10);	/* every parameter of the family, across Marker pages */
	set[0].value = "not-a-policy";
	CHECK_INT(ec_modify_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set, 1), -1);
	CHECK(diag_is(&f, "ElastiCache ModifyCacheParameterGroup failed", "InvalidParameterValue"));

	/* Reset by name: timeout goes back to the default, the policy stays. */
	CHECK_INT(ec_reset_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set + 1, 1), 0);
	CHECK_INT(ec_describe_cache_parameters(&f.c, f.cl, &f.path, "redis-params", "user", &all, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(all[0].name, "maxmemory-policy");
		CHECK_STR(all[0].value, "allkeys-lru");
	}
	CHECK_INT(ec_reset_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set, 0), 0);
	set[0].name = "no-such-parameter";
	CHECK_INT(ec_reset_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set, 1), -1);
	CHECK(diag_is(&f, "ElastiCache ResetCacheParameterGroup failed", "InvalidParameterValue"));
	CHECK_INT(ec_reset_cache_parameter_group(&f.c, f.cl, &f.path, "default.redis7", set + 1, 1), -1);
	CHECK(diag_is(&f, "ElastiCache ResetCacheParameterGroup failed",
		      "InvalidCacheParameterGroupState"));
	set[0].name = "maxmemory-policy";

	CHECK_INT(ec_delete_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params"), 0);
	CHECK_INT(ec_delete_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params"), SVC_NOT_FOUND);
	CHECK_INT(ec_describe_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", &g),
		  SVC_NOT_FOUND);
	CHECK_INT(ec_modify_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set, 1),
		  SVC_NOT_FOUND);
	CHECK_INT(ec_describe_cache_parameters(&f.c, f.cl, &f.path, "redis-params", "user", &all, &n),
		  SVC_NOT_FOUND);
	CHECK_INT(ec_reset_cache_parameter_group(&f.c, f.cl, &f.path, "redis-params", set, 1),
		  SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

#define PASSWORD_1 "Passw0rd-0123456789-one"
#define PASSWORD_2 "Passw0rd-0123456789-two"

static void test_ec_users_and_groups(void)
{
	struct fx f;
	struct ec_user_input in;
	struct ec_user u;
	struct ec_user_group g;
	struct svc_tags t;
	const char *pw[] = { PASSWORD_1, PASSWORD_2 };
	const char *members[] = { "default", "app" };
	const char *add[] = { "reader" };

	BEGIN(&f);
	memset(&in, 0, sizeof(in));
	in.id = "app";
	in.user_name = "app";
	in.engine = "redis";
	in.access_string = "on ~app:* +@read +@write";
	in.passwords = (struct svc_strs){ pw, 2 };
	in.tags = tags2;
	in.n_tags = 2;
	CHECK_INT(ec_create_user(&f.c, f.cl, &f.path, &in, &u), 0);
	CHECK_STR(u.id, "app");
	CHECK_STR(u.auth_type, "password");
	CHECK_INT(u.password_count, 2);
	CHECK(u.arn && strstr(u.arn, ":user:app") != NULL);
	CHECK_INT(ec_create_user(&f.c, f.cl, &f.path, &in, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateUser failed", "UserAlreadyExists"));

	memset(&in, 0, sizeof(in));
	in.id = "reader";
	in.user_name = "reader";
	in.engine = "redis";
	in.access_string = "on ~* +@read";
	in.auth_type = "iam";
	CHECK_INT(ec_create_user(&f.c, f.cl, &f.path, &in, &u), 0);
	CHECK_STR(u.auth_type, "iam");
	CHECK_INT(u.password_count, 0);

	CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "app", &u), 0);
	CHECK_STR(u.user_name, "app");
	CHECK_STR(u.engine, "redis");
	CHECK_STR(u.access_string, "on ~app:* +@read +@write");
	CHECK(u.status != NULL);

	/* ModifyUser: new access string and a single password */
	memset(&in, 0, sizeof(in));
	in.id = "app";
	in.access_string = "on ~app:* +@read";
	in.passwords = (struct svc_strs){ pw, 1 };
	CHECK_INT(ec_modify_user(&f.c, f.cl, &f.path, &in, &u), 0);
	CHECK_STR(u.status, "modifying");
	for (int i = 0; i < 50; i++) {
		CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "app", &u), 0);
		if (u.status && strcmp(u.status, "active") == 0)
			break;
		sleep_ms(100);
	}
	CHECK_STR(u.access_string, "on ~app:* +@read");
	CHECK_INT(u.password_count, 1);
	in.id = "ghost";
	CHECK_INT(ec_modify_user(&f.c, f.cl, &f.path, &in, &u), SVC_NOT_FOUND);

	/* AuthenticationMode.Type and AppendAccessString */
	memset(&in, 0, sizeof(in));
	in.id = "reader";
	in.auth_type = "no-password-required";
	in.append_access_string = "+@connection";
	CHECK_INT(ec_modify_user(&f.c, f.cl, &f.path, &in, NULL), 0);
	for (int i = 0; i < 50; i++) {
		CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "reader", &u), 0);
		if (u.status && strcmp(u.status, "active") == 0)
			break;
		sleep_ms(100);
	}
	CHECK_STR(u.auth_type, "no-password");
	CHECK(u.access_string && strstr(u.access_string, "+@connection") != NULL);
	in.auth_type = "password";	/* without passwords: AWS refuses */
	in.append_access_string = NULL;
	CHECK_INT(ec_modify_user(&f.c, f.cl, &f.path, &in, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache ModifyUser failed", "InvalidParameter"));

	/* user groups need the "default" user */
	CHECK_INT(ec_create_user_group(&f.c, f.cl, &f.path, "app-users", "redis",
				       (struct svc_strs){ &members[1], 1 }, NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateUserGroup failed", "DefaultUserRequired"));
	CHECK_INT(ec_create_user_group(&f.c, f.cl, &f.path, "app-users", "redis",
				       (struct svc_strs){ members, 2 }, tags2, 2, &g), 0);
	CHECK_STR(g.id, "app-users");
	CHECK_STR(g.engine, "redis");
	CHECK(strs_has(g.user_ids, "app") && strs_has(g.user_ids, "default"));
	CHECK(g.arn && strstr(g.arn, ":usergroup:app-users") != NULL);
	CHECK_INT(ec_create_user_group(&f.c, f.cl, &f.path, "app-users", "redis",
				       (struct svc_strs){ members, 2 }, NULL, 0, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateUserGroup failed", "UserGroupAlreadyExists"));

	/* the group is "creating" for a moment; modifying it then is an
	 * invalid state, afterwards it works */
	CHECK_INT(ec_modify_user_group(&f.c, f.cl, &f.path, "app-users",
				       (struct svc_strs){ add, 1 }, (struct svc_strs){ NULL, 0 }, &g), -1);
	CHECK(diag_is(&f, "ElastiCache ModifyUserGroup failed", "InvalidUserGroupState"));
	for (int i = 0; i < 50; i++) {
		CHECK_INT(ec_describe_user_group(&f.c, f.cl, &f.path, "app-users", &g), 0);
		if (g.status && strcmp(g.status, "active") == 0)
			break;
		sleep_ms(100);
	}
	CHECK_STR(g.status, "active");
	CHECK_INT(ec_modify_user_group(&f.c, f.cl, &f.path, "app-users",
				       (struct svc_strs){ add, 1 },
				       (struct svc_strs){ &members[1], 1 }, &g), 0);
	CHECK_STR(g.status, "modifying");
	CHECK(strs_has(g.pending_add, "reader"));
	CHECK(strs_has(g.pending_remove, "app"));
	for (int i = 0; i < 50; i++) {
		CHECK_INT(ec_describe_user_group(&f.c, f.cl, &f.path, "app-users", &g), 0);
		if (g.status && strcmp(g.status, "active") == 0)
			break;
		sleep_ms(100);
	}
	CHECK(strs_has(g.user_ids, "reader"));
	CHECK(!strs_has(g.user_ids, "app"));
	CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "reader", &u), 0);
	CHECK(strs_has(u.user_group_ids, "app-users"));

	/* tags on a user */
	CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "app", &u), 0);
	CHECK_INT(ec_list_tags(&f.c, f.cl, &f.path, u.arn, &t), 0);
	CHECK_STR(tag_value(&t, "owner"), "team-a");

	CHECK_INT(ec_delete_user_group(&f.c, f.cl, &f.path, "app-users"), 0);
	CHECK_INT(ec_delete_user_group(&f.c, f.cl, &f.path, "app-users"), 0);	/* deleting */
	for (int i = 0; i < 50; i++) {
		if (ec_describe_user_group(&f.c, f.cl, &f.path, "app-users", &g) == SVC_NOT_FOUND)
			break;
		sleep_ms(100);
	}
	CHECK_INT(ec_describe_user_group(&f.c, f.cl, &f.path, "app-users", &g), SVC_NOT_FOUND);
	CHECK_INT(ec_delete_user_group(&f.c, f.cl, &f.path, "app-users"), SVC_NOT_FOUND);
	CHECK_INT(ec_modify_user_group(&f.c, f.cl, &f.path, "app-users",
				       (struct svc_strs){ add, 1 }, (struct svc_strs){ NULL, 0 }, NULL),
		  SVC_NOT_FOUND);
	CHECK_INT(ec_delete_user(&f.c, f.cl, &f.path, "app"), 0);
	CHECK_INT(ec_delete_user(&f.c, f.cl, &f.path, "app"), 0);	/* deleting */
	CHECK_INT(ec_delete_user(&f.c, f.cl, &f.path, "reader"), 0);
	for (int i = 0; i < 50; i++) {
		if (ec_describe_user(&f.c, f.cl, &f.path, "app", &u) == SVC_NOT_FOUND)
			break;
		sleep_ms(100);
	}
	CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "app", &u), SVC_NOT_FOUND);
	CHECK_INT(ec_delete_user(&f.c, f.cl, &f.path, "app"), SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* Polls until the group's status is want (or gone when want is NULL). */
static int wait_rg(struct fx *f, const char *id, const char *want,
		   struct ec_replication_group *rg)
{
	for (int i = 0; i < 100; i++) {
		int rc = ec_describe_replication_group(&f->c, f->cl, &f->path, id, rg);

		if (rc < 0)
			return rc;
		if (!want ? rc == SVC_NOT_FOUND
			  : rc == 0 && strcmp(rg->status, want) == 0 && !rg->pending.any)
			return 0;
		sleep_ms(100);
	}
	return -1;
}

static const struct ec_node_member *member_by_role(const struct ec_node_group *g,
						   const char *role)
{
	for (size_t i = 0; i < g->n_members; i++)
		if (g->members[i].role && strcmp(g->members[i].role, role) == 0)
			return &g->members[i];
	return NULL;
}

static void test_ec_replication_group(void)
{
	struct fx f;
	struct kms_key k;
	struct ec_rg_create in;
	struct ec_rg_modify mod;
	struct ec_replication_group rg;
	struct ec_cache_cluster cc;
	struct ec_log_delivery ld[2];
	struct svc_tags t;
	const char *sg, *vpc, *sgs[1], *untag[] = { "env" };
	const struct svc_tag more[] = { { "cost", "5" } };
	const struct ec_node_member *primary;

	BEGIN(&f);
	make_key(&f, &k);
	CHECK(make_subnet_group(&f, "redis-subnets", &vpc) != NULL);
	CHECK_INT(ec2_create_security_group(&f.c, f.cl, &f.path, "redis", "redis", vpc, NULL, 0, &sg), 0);
	sgs[0] = sg;
	CHECK_INT(logs_create_log_group(&f.c, f.cl, &f.path, "/redis/slow", k.arn, NULL, 0), 0);

	memset(&in, 0, sizeof(in));
	in.id = "secure-redis";
	in.description = "hardened";
	in.engine = "redis";
	in.engine_version = "7.1";
	in.node_type = "cache.t4g.small";
	in.subnet_group = "redis-subnets";
	in.security_group_ids = (struct svc_strs){ sgs, 1 };
	in.at_rest_encryption = SVC_TRUE;
	in.kms_key_id = k.arn;
	in.transit_encryption = SVC_TRUE;
	in.transit_encryption_mode = "required";
	in.auth_token = TOKEN_A;
	in.automatic_failover = SVC_TRUE;
	in.multi_az = SVC_TRUE;
	in.num_cache_clusters = SVC_INT(2);
	in.port = SVC_INT(6380);
	in.snapshot_retention_limit = SVC_INT(7);
	in.snapshot_window = "03:00-04:00";
	in.maintenance_window = "sun:05:00-sun:06:00";
	in.auto_minor_version_upgrade = SVC_TRUE;
	memset(ld, 0, sizeof(ld));
	ld[0].log_type = "slow-log";
	ld[0].destination_type = "cloudwatch-logs";
	ld[0].log_group = "/redis/slow";
	ld[0].log_format = "json";
	ld[0].enabled = SVC_TRUE;
	in.log_delivery = ld;
	in.n_log_delivery = 1;
	in.tags = tags2;
	in.n_tags = 2;
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, &rg), 0);
	CHECK_STR(rg.id, "secure-redis");
	CHECK_STR(rg.status, "creating");
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateReplicationGroup failed",
		      "ReplicationGroupAlreadyExists"));

	/* modifying while creating: invalid state */
	memset(&mod, 0, sizeof(mod));
	mod.id = "secure-redis";
	mod.description = "changed";
	mod.apply_immediately = SVC_TRUE;
	CHECK_INT(ec_modify_replication_group(&f.c, f.cl, &f.path, &mod, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache ModifyReplicationGroup failed", "InvalidReplicationGroupState"));

	CHECK_INT(wait_rg(&f, "secure-redis", "available", &rg), 0);
	CHECK_STR(rg.description, "hardened");
	CHECK_STR(rg.engine, "redis");
	CHECK_STR(rg.node_type, "cache.t4g.small");
	CHECK_STR(rg.kms_key_id, k.arn);
	CHECK_STR(rg.transit_encryption_mode, "required");
	CHECK_STR(rg.automatic_failover, "enabled");
	CHECK_STR(rg.multi_az, "enabled");
	CHECK_STR(rg.cluster_mode, "disabled");
	CHECK_STR(rg.snapshot_window, "03:00-04:00");
	CHECK(rg.arn && strstr(rg.arn, ":replicationgroup:secure-redis") != NULL);
	CHECK(rg.auth_token_enabled);
	CHECK(rg.transit_encryption);
	CHECK(rg.at_rest_encryption);
	CHECK(!rg.cluster_enabled);
	CHECK(rg.auto_minor_version_upgrade);
	CHECK_INT(rg.snapshot_retention_limit, 7);
	CHECK_INT(rg.member_clusters.n, 2);
	CHECK_INT(rg.n_node_groups, 1);
	CHECK(rg.configuration_endpoint.address == NULL);
	if (rg.n_node_groups == 1) {
		CHECK_STR(rg.node_groups[0].id, "0001");
		CHECK_INT(rg.node_groups[0].primary.port, 6380);
		CHECK(rg.node_groups[0].primary.address != NULL);
		CHECK(rg.node_groups[0].reader.address != NULL);
		CHECK_INT(rg.node_groups[0].n_members, 2);
		primary = member_by_role(&rg.node_groups[0], "primary");
		CHECK(primary != NULL);
		CHECK(member_by_role(&rg.node_groups[0], "replica") != NULL);
		if (primary) {
			CHECK(primary->az && strncmp(primary->az, "us-east-1", 9) == 0);
			CHECK_INT(primary->read_endpoint.port, 6380);
		}
	}
	CHECK_INT(rg.n_log_delivery, 1);
	if (rg.n_log_delivery == 1) {
		CHECK_STR(rg.log_delivery[0].log_type, "slow-log");
		CHECK_STR(rg.log_delivery[0].log_group, "/redis/slow");
		CHECK_STR(rg.log_delivery[0].log_format, "json");
		CHECK_STR(rg.log_delivery[0].status, "active");
	}

	/* the member clusters: actual engine version, network settings */
	if (rg.member_clusters.n) {
		CHECK_INT(ec_describe_cache_cluster(&f.c, f.cl, &f.path, rg.member_clusters.v[0], &cc), 0);
		CHECK(cc.engine_version && strncmp(cc.engine_version, "7.1.", 4) == 0);
		CHECK_STR(cc.replication_group_id, "secure-redis");
		CHECK_STR(cc.subnet_group, "redis-subnets");
		CHECK_STR(cc.maintenance_window, "sun:05:00-sun:06:00");
		CHECK_STR(cc.parameter_group, "default.redis7");
		CHECK(strs_has(cc.security_group_ids, sg));
		CHECK(cc.auth_token_enabled && cc.at_rest_encryption && cc.transit_encryption);
		CHECK_INT(cc.num_cache_nodes, 1);
		CHECK_INT(cc.node_endpoint.port, 6380);
	}
	CHECK_INT(ec_describe_cache_cluster(&f.c, f.cl, &f.path, "no-such-cluster", &cc), SVC_NOT_FOUND);

	/* tags */
	CHECK_INT(ec_add_tags(&f.c, f.cl, &f.path, rg.arn, more, 1), 0);
	CHECK_INT(ec_remove_tags(&f.c, f.cl, &f.path, rg.arn, (struct svc_strs){ untag, 1 }), 0);
	CHECK_INT(ec_list_tags(&f.c, f.cl, &f.path, rg.arn, &t), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(tag_value(&t, "cost"), "5");
	CHECK_STR(tag_value(&t, "owner"), "team-a");

	/* rotate the AUTH token, add engine-log delivery, change windows */
	memset(&mod, 0, sizeof(mod));
	mod.id = "secure-redis";
	mod.auth_token = TOKEN_B;
	mod.auth_token_update_strategy = "ROTATE";
	mod.apply_immediately = SVC_TRUE;
	mod.snapshot_retention_limit = SVC_INT(0);
	ld[1] = ld[0];
	ld[1].log_type = "engine-log";
	ld[1].log_format = "text";
	mod.log_delivery = &ld[1];
	mod.n_log_delivery = 1;
	CHECK_INT(ec_modify_replication_group(&f.c, f.cl, &f.path, &mod, &rg), 0);
	CHECK_STR(rg.status, "modifying");
	CHECK(rg.pending.any);
	CHECK_STR(rg.pending.auth_token_status, "ROTATING");
	CHECK_INT(rg.pending.n_log_delivery, 1);
	CHECK_INT(wait_rg(&f, "secure-redis", "available", &rg), 0);
	CHECK_INT(rg.snapshot_retention_limit, 0);
	CHECK_INT(rg.n_log_delivery, 2);

	/* replicas: 1 -> 2 -> 1 */
	CHECK_INT(ec_increase_replica_count(&f.c, f.cl, &f.path, "secure-redis", 2, &rg), 0);
	/* deleting while modifying: AWS's refusal, not "already deleting" */
	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "secure-redis", NULL), -1);
	CHECK(diag_is(&f, "ElastiCache DeleteReplicationGroup failed", "InvalidReplicationGroupState"));
	CHECK_INT(wait_rg(&f, "secure-redis", "available", &rg), 0);
	CHECK_INT(rg.member_clusters.n, 3);
	CHECK_INT(ec_decrease_replica_count(&f.c, f.cl, &f.path, "secure-redis", 1,
					    (struct svc_strs){ NULL, 0 }, &rg), 0);
	CHECK_INT(wait_rg(&f, "secure-redis", "available", &rg), 0);
	CHECK_INT(rg.member_clusters.n, 2);
	CHECK_INT(ec_decrease_replica_count(&f.c, f.cl, &f.path, "secure-redis", 0,
					    (struct svc_strs){ NULL, 0 }, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache DecreaseReplicaCount failed", "InvalidParameter"));

	/* the subnet group is in use */
	CHECK_INT(ec_delete_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets"), -1);
	CHECK(diag_is(&f, "ElastiCache DeleteCacheSubnetGroup failed", "CacheSubnetGroupInUse"));

	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "secure-redis", NULL), 0);
	CHECK_INT(ec_describe_replication_group(&f.c, f.cl, &f.path, "secure-redis", &rg), 0);
	CHECK_STR(rg.status, "deleting");
	/* a second delete while it is going: done, no error */
	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "secure-redis", NULL), 0);
	CHECK_INT(wait_rg(&f, "secure-redis", NULL, &rg), 0);
	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "secure-redis", NULL), SVC_NOT_FOUND);
	CHECK_INT(ec_modify_replication_group(&f.c, f.cl, &f.path, &mod, NULL), SVC_NOT_FOUND);
	CHECK_INT(ec_increase_replica_count(&f.c, f.cl, &f.path, "secure-redis", 2, NULL), SVC_NOT_FOUND);
	CHECK_INT(ec_list_tags(&f.c, f.cl, &f.path, rg.arn ? rg.arn :
			       "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:secure-redis",
			       &t), SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	fx_end(&f);
}

static void test_ec_cluster_mode_and_rbac(void)
{
	struct fx f;
	struct ec_rg_create in;
	struct ec_rg_modify mod;
	struct ec_replication_group rg;
	struct ec_user_group g;
	const char *vpc, *members[] = { "default" }, *ug[] = { "rg-users" };
	const char *remove[1];

	BEGIN(&f);
	CHECK(make_subnet_group(&f, "redis-subnets", &vpc) != NULL);
	CHECK_INT(ec_create_user_group(&f.c, f.cl, &f.path, "rg-users", "redis",
				       (struct svc_strs){ members, 1 }, NULL, 0, &g), 0);
	for (int i = 0; i < 50; i++) {
		CHECK_INT(ec_describe_user_group(&f.c, f.cl, &f.path, "rg-users", &g), 0);
		if (g.status && strcmp(g.status, "active") == 0)
			break;
		sleep_ms(100);
	}

	memset(&in, 0, sizeof(in));
	in.id = "sharded";
	in.description = "cluster mode";
	in.engine = "redis";
	in.node_type = "cache.r7g.large";
	in.subnet_group = "redis-subnets";
	in.cluster_mode = "enabled";
	in.num_node_groups = SVC_INT(2);
	in.replicas_per_node_group = SVC_INT(1);
	in.transit_encryption = SVC_TRUE;
	in.at_rest_encryption = SVC_TRUE;
	in.automatic_failover = SVC_TRUE;
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, &rg), 0);
	CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
	CHECK(rg.cluster_enabled);
	CHECK_STR(rg.cluster_mode, "enabled");
	CHECK(!rg.auth_token_enabled);
	CHECK(rg.configuration_endpoint.address != NULL);
	CHECK_INT(rg.configuration_endpoint.port, 6379);
	CHECK_INT(rg.n_node_groups, 2);
	CHECK_INT(rg.member_clusters.n, 4);
	if (rg.n_node_groups == 2) {
		CHECK(rg.node_groups[0].slots && strchr(rg.node_groups[0].slots, '-') != NULL);
		CHECK_INT(rg.node_groups[1].n_members, 2);
	}
	/* NumCacheClusters with cluster mode: refused */
	in.id = "sharded-2";
	in.num_cache_clusters = SVC_INT(2);
	in.num_node_groups = (struct svc_int){ 0 };
	in.replicas_per_node_group = (struct svc_int){ 0 };
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, NULL), -1);
	CHECK(diag_is(&f, "ElastiCache CreateReplicationGroup failed", "InvalidParameterCombination"));

	/* shards: 2 -> 3 -> 2 */
	CHECK_INT(ec_modify_shard_configuration(&f.c, f.cl, &f.path, "sharded", 3,
						(struct svc_strs){ NULL, 0 },
						(struct svc_strs){ NULL, 0 }, &rg), 0);
	CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
	CHECK_INT(rg.n_node_groups, 3);
	if (rg.n_node_groups == 3) {
		remove[0] = rg.node_groups[2].id;
		CHECK_INT(ec_modify_shard_configuration(&f.c, f.cl, &f.path, "sharded", 2,
							(struct svc_strs){ remove, 1 },
							(struct svc_strs){ NULL, 0 }, &rg), 0);
		CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
		CHECK_INT(rg.n_node_groups, 2);
		CHECK(rg.n_node_groups != 2 || (strcmp(rg.node_groups[0].id, remove[0]) != 0 &&
						strcmp(rg.node_groups[1].id, remove[0]) != 0));
	}
	/* 2 -> 3 -> 2 again, naming the shards to keep */
	CHECK_INT(ec_modify_shard_configuration(&f.c, f.cl, &f.path, "sharded", 3,
						(struct svc_strs){ NULL, 0 },
						(struct svc_strs){ NULL, 0 }, NULL), 0);
	CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
	if (rg.n_node_groups == 3) {
		const char *keep[] = { rg.node_groups[0].id, rg.node_groups[2].id };

		CHECK_INT(ec_modify_shard_configuration(&f.c, f.cl, &f.path, "sharded", 2,
							(struct svc_strs){ NULL, 0 },
							(struct svc_strs){ keep, 2 }, &rg), 0);
		CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
		CHECK_INT(rg.n_node_groups, 2);
		if (rg.n_node_groups == 2) {
			CHECK_STR(rg.node_groups[0].id, keep[0]);
			CHECK_STR(rg.node_groups[1].id, keep[1]);
		}
	}

	/* RBAC: attach the user group */
	memset(&mod, 0, sizeof(mod));
	mod.id = "sharded";
	mod.user_group_ids_to_add = (struct svc_strs){ ug, 1 };
	mod.apply_immediately = SVC_TRUE;
	CHECK_INT(ec_modify_replication_group(&f.c, f.cl, &f.path, &mod, &rg), 0);
	CHECK(rg.pending.any);
	CHECK(strs_has(rg.pending.user_groups_to_add, "rg-users"));
	CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
	CHECK(strs_has(rg.user_group_ids, "rg-users"));
	memset(&mod, 0, sizeof(mod));
	mod.id = "sharded";
	mod.user_group_ids_to_remove = (struct svc_strs){ ug, 1 };
	mod.apply_immediately = SVC_TRUE;
	CHECK_INT(ec_modify_replication_group(&f.c, f.cl, &f.path, &mod, &rg), 0);
	CHECK(strs_has(rg.pending.user_groups_to_remove, "rg-users"));
	CHECK_INT(wait_rg(&f, "sharded", "available", &rg), 0);
	CHECK_INT(rg.user_group_ids.n, 0);

	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "sharded", NULL), 0);
	CHECK_INT(wait_rg(&f, "sharded", NULL, &rg), 0);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* The encodings the first two tests leave out: UserGroupIds and
 * PreferredCacheClusterAZs at create, a custom parameter group,
 * ReplicasToRemove, and a modification of node type, security groups and
 * user groups (RemoveUserGroups). */
static void test_ec_replication_group_more(void)
{
	struct fx f;
	struct ec_rg_create in;
	struct ec_rg_modify mod;
	struct ec_replication_group rg;
	struct ec_cache_cluster cc;
	struct ec_user_group g;
	struct ec_subnet_group sn;
	struct ec_parameter_group pg;
	const char *vpc, *sg2, *members[] = { "default" }, *ug[] = { "rg-users" };
	const char *azs[3], *gone[1], *sgs[1];

	BEGIN(&f);
	CHECK(make_subnet_group(&f, "redis-subnets", &vpc) != NULL);
	CHECK_INT(ec_describe_cache_subnet_group(&f.c, f.cl, &f.path, "redis-subnets", &sn), 0);
	CHECK_INT(ec_create_cache_parameter_group(&f.c, f.cl, &f.path, "custom", "redis7", "c",
						  NULL, 0, &pg), 0);
	CHECK_INT(ec2_create_security_group(&f.c, f.cl, &f.path, "second", "second", vpc,
					    NULL, 0, &sg2), 0);
	CHECK_INT(ec_create_user_group(&f.c, f.cl, &f.path, "rg-users", "redis",
				       (struct svc_strs){ members, 1 }, NULL, 0, &g), 0);
	for (int i = 0; i < 50; i++) {
		CHECK_INT(ec_describe_user_group(&f.c, f.cl, &f.path, "rg-users", &g), 0);
		if (g.status && strcmp(g.status, "active") == 0)
			break;
		sleep_ms(100);
	}
	if (sn.azs.n < 2) {
		fx_end(&f);
		return;
	}
	azs[0] = sn.azs.v[0];
	azs[1] = sn.azs.v[1];
	azs[2] = sn.azs.v[1];

	memset(&in, 0, sizeof(in));
	in.id = "rbac";
	in.description = "rbac";
	in.node_type = "cache.t4g.small";
	in.engine = "redis";
	in.engine_version = "7.0";
	in.parameter_group = "custom";
	in.subnet_group = "redis-subnets";
	in.transit_encryption = SVC_TRUE;
	in.user_group_ids = (struct svc_strs){ ug, 1 };
	in.num_cache_clusters = SVC_INT(3);
	in.preferred_azs = (struct svc_strs){ azs, 3 };
	in.automatic_failover = SVC_FALSE;
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, &rg), 0);
	CHECK_INT(wait_rg(&f, "rbac", "available", &rg), 0);
	CHECK(strs_has(rg.user_group_ids, "rg-users"));
	CHECK(!rg.auth_token_enabled);
	CHECK_STR(rg.automatic_failover, "disabled");
	CHECK_INT(rg.member_clusters.n, 3);
	if (rg.n_node_groups == 1 && rg.node_groups[0].n_members == 3) {
		const struct ec_node_member *primary = member_by_role(&rg.node_groups[0], "primary");

		CHECK(primary && strcmp(primary->az, azs[0]) == 0);
	}
	if (rg.member_clusters.n == 3) {
		CHECK_INT(ec_describe_cache_cluster(&f.c, f.cl, &f.path, rg.member_clusters.v[0], &cc), 0);
		CHECK_STR(cc.parameter_group, "custom");
		CHECK(cc.engine_version && strncmp(cc.engine_version, "7.0.", 4) == 0);
	}
	/* the parameter group is in use */
	CHECK_INT(ec_delete_cache_parameter_group(&f.c, f.cl, &f.path, "custom"), -1);
	CHECK(diag_is(&f, "ElastiCache DeleteCacheParameterGroup failed",
		      "InvalidCacheParameterGroupState"));

	/* remove one named replica */
	if (rg.n_node_groups == 1 && rg.node_groups[0].n_members == 3) {
		const struct ec_node_member *replica = member_by_role(&rg.node_groups[0], "replica");

		gone[0] = replica ? replica->cluster_id : "none";
		CHECK_INT(ec_decrease_replica_count(&f.c, f.cl, &f.path, "rbac", 0,
						    (struct svc_strs){ gone, 1 }, NULL), 0);
		CHECK_INT(wait_rg(&f, "rbac", "available", &rg), 0);
		CHECK_INT(rg.member_clusters.n, 2);
		CHECK(!strs_has(rg.member_clusters, gone[0]));
	}

	/* node type, security groups, user groups off */
	memset(&mod, 0, sizeof(mod));
	mod.id = "rbac";
	mod.node_type = "cache.t4g.medium";
	sgs[0] = sg2;
	mod.security_group_ids = (struct svc_strs){ sgs, 1 };
	mod.remove_user_groups = SVC_TRUE;
	mod.apply_immediately = SVC_TRUE;
	CHECK_INT(ec_modify_replication_group(&f.c, f.cl, &f.path, &mod, &rg), 0);
	CHECK(strs_has(rg.pending.user_groups_to_remove, "rg-users"));
	CHECK_INT(wait_rg(&f, "rbac", "available", &rg), 0);
	CHECK_STR(rg.node_type, "cache.t4g.medium");
	CHECK_INT(rg.user_group_ids.n, 0);
	if (rg.member_clusters.n) {
		CHECK_INT(ec_describe_cache_cluster(&f.c, f.cl, &f.path, rg.member_clusters.v[0], &cc), 0);
		CHECK(strs_has(cc.security_group_ids, sg2));
		CHECK_INT(cc.security_group_ids.n, 1);
		CHECK_STR(cc.node_type, "cache.t4g.medium");
	}
	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "rbac", NULL), 0);
	CHECK_INT(wait_rg(&f, "rbac", NULL, &rg), 0);
	CHECK_INT(ec_delete_cache_parameter_group(&f.c, f.cl, &f.path, "custom"), 0);
	CHECK(no_diags(&f));
	fx_end(&f);
}

static void test_ec_not_found_without_diag(void)
{
	struct fx f;
	struct ec_replication_group rg;
	struct ec_user u;
	struct ec_user_group g;
	struct svc_tags t;

	BEGIN(&f);
	CHECK_INT(ec_describe_replication_group(&f.c, f.cl, &f.path, "nope", &rg), SVC_NOT_FOUND);
	CHECK_INT(ec_delete_replication_group(&f.c, f.cl, &f.path, "nope", NULL), SVC_NOT_FOUND);
	CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "nope", &u), SVC_NOT_FOUND);
	CHECK_INT(ec_describe_user_group(&f.c, f.cl, &f.path, "nope", &g), SVC_NOT_FOUND);
	CHECK_INT(ec_list_tags(&f.c, f.cl, &f.path,
			       "arn:aws:elasticache:us-east-1:123456789012:user:nope", &t),
		  SVC_NOT_FOUND);
	CHECK(no_diags(&f));
	/* other failures are errors on the given path */
	CHECK_INT(ec_delete_cache_parameter_group(&f.c, f.cl, &f.path, "default.redis7"), -1);
	CHECK(diag_is(&f, "ElastiCache DeleteCacheParameterGroup failed", "InvalidCacheParameterGroupState"));
	fx_end(&f);
}

/* ======================================================================
 * Canned answers (no emulator): AWS-shaped documents the emulator does not
 * produce, paging loops, and which calls are retried after no answer.
 * ====================================================================== */

struct reply {
	enum http_error error;	/* HTTP_OK: status 200 with body */
	const char *body;
};

struct script {
	struct http_transport base;
	const struct reply *r;
	size_t n, next;
	char bodies[8][4096];	/* request bodies, in order */
};

static int script_send(struct http_transport *t, struct arena *a,
		       const struct http_request *req, struct http_response *resp,
		       const atomic_int *cancel)
{
	struct script *s = (struct script *)t;
	const struct reply *r;

	(void)cancel;
	memset(resp, 0, sizeof(*resp));
	if (s->next < 8)
		snprintf(s->bodies[s->next], sizeof(s->bodies[0]), "%.*s",
			 (int)req->body_len, (const char *)req->body);
	if (s->next >= s->n) {
		resp->error = HTTP_ERR_OTHER;
		resp->error_message = "script exhausted";
		return -1;
	}
	r = &s->r[s->next++];
	if (r->error) {
		resp->error = r->error;
		resp->error_message = "scripted transport error";
		return -1;
	}
	resp->status = 200;
	resp->body = arena_strdup(a, r->body);
	resp->body_len = strlen(r->body);
	return 0;
}

static void script_free(struct http_transport *t)
{
	(void)t;
}

static void no_sleep(const struct ctx *c, int64_t ms)
{
	(void)c;
	(void)ms;
}

static void fx_script(struct fx *f, struct script *s, const struct reply *r, size_t n)
{
	struct aws_credentials_options co;
	struct aws_client_options o;
	const char *err;

	memset(f, 0, sizeof(*f));
	memset(s, 0, sizeof(*s));
	s->base.send = script_send;
	s->base.free = script_free;
	s->r = r;
	s->n = n;
	f->a = arena_new();
	memset(&co, 0, sizeof(co));
	co.access_key = "AKIDEXAMPLE";
	co.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	co.getenv_fn = no_env;
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.getenv_fn = no_env;
	o.http = &s->base;
	o.creds = aws_credentials_chain_new(&co);
	o.sleep_ms = no_sleep;
	f->cl = aws_client_new(f->a, &o, &err);
	ctx_init(&f->c, "test", NULL);
	f->path = path_attr(f->c.arena, path_root, "attr");
}

#define META "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"

static const char rg_doc[] =
	"<DescribeReplicationGroupsResponse xmlns=\"http://elasticache.amazonaws.com/doc/2015-02-02/\">"
	"<DescribeReplicationGroupsResult><ReplicationGroups><ReplicationGroup>"
	"<ReplicationGroupId>prod</ReplicationGroupId><Description>d</Description>"
	"<Status>modifying</Status>"
	"<PendingModifiedValues><AuthTokenStatus>ROTATING</AuthTokenStatus>"
	"<UserGroups><UserGroupIdsToAdd><member>ug-new</member></UserGroupIdsToAdd>"
	"<UserGroupIdsToRemove><member>ug-old</member></UserGroupIdsToRemove></UserGroups>"
	"<PendingLogDeliveryConfiguration><member><LogType>engine-log</LogType>"
	"<DestinationType>kinesis-firehose</DestinationType><DestinationDetails>"
	"<KinesisFirehoseDetails><DeliveryStream>fh</DeliveryStream></KinesisFirehoseDetails>"
	"</DestinationDetails><LogFormat>json</LogFormat></member></PendingLogDeliveryConfiguration>"
	"<Resharding><SlotMigration><ProgressPercentage>12.5</ProgressPercentage></SlotMigration></Resharding>"
	"</PendingModifiedValues>"
	"<MemberClusters><ClusterId>prod-0001-001</ClusterId><ClusterId>prod-0001-002</ClusterId></MemberClusters>"
	"<NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status>"
	"<Slots>0-16383</Slots><NodeGroupMembers>"
	"<NodeGroupMember><CacheClusterId>prod-0001-001</CacheClusterId><CacheNodeId>0001</CacheNodeId>"
	"<PreferredAvailabilityZone>us-east-1a</PreferredAvailabilityZone></NodeGroupMember>"
	"<NodeGroupMember><CacheClusterId>prod-0001-002</CacheClusterId><CacheNodeId>0001</CacheNodeId>"
	"<PreferredAvailabilityZone>us-east-1b</PreferredAvailabilityZone></NodeGroupMember>"
	"</NodeGroupMembers></NodeGroup></NodeGroups>"
	"<AutomaticFailover>enabled</AutomaticFailover><MultiAZ>enabled</MultiAZ>"
	"<ConfigurationEndpoint><Address>clustercfg.prod.abc.use1.cache.amazonaws.com</Address>"
	"<Port>6379</Port></ConfigurationEndpoint>"
	"<SnapshotRetentionLimit>35</SnapshotRetentionLimit><SnapshotWindow>05:00-06:00</SnapshotWindow>"
	"<ClusterEnabled>true</ClusterEnabled><CacheNodeType>cache.r7g.large</CacheNodeType>"
	"<AuthTokenEnabled>true</AuthTokenEnabled>"
	"<AuthTokenLastModifiedDate>2024-01-02T03:04:05.000Z</AuthTokenLastModifiedDate>"
	"<TransitEncryptionEnabled>true</TransitEncryptionEnabled>"
	"<AtRestEncryptionEnabled>true</AtRestEncryptionEnabled>"
	"<KmsKeyId>arn:aws:kms:us-east-1:123456789012:key/k</KmsKeyId>"
	"<ARN>arn:aws:elasticache:us-east-1:123456789012:replicationgroup:prod</ARN>"
	"<UserGroupIds><member>ug-old</member></UserGroupIds>"
	"<LogDeliveryConfigurations><LogDeliveryConfiguration><LogType>slow-log</LogType>"
	"<DestinationType>cloudwatch-logs</DestinationType><DestinationDetails><CloudWatchLogsDetails>"
	"<LogGroup>/prod/slow</LogGroup></CloudWatchLogsDetails></DestinationDetails>"
	"<LogFormat>text</LogFormat><Status>error</Status><Message>no such log group</Message>"
	"</LogDeliveryConfiguration></LogDeliveryConfigurations>"
	"<TransitEncryptionMode>required</TransitEncryptionMode><ClusterMode>enabled</ClusterMode>"
	"<Engine>redis</Engine>"
	"</ReplicationGroup></ReplicationGroups></DescribeReplicationGroupsResult>" META
	"</DescribeReplicationGroupsResponse>";

static void test_canned_replication_group(void)
{
	const struct reply r[] = { { HTTP_OK, rg_doc } };
	struct script s;
	struct fx f;
	struct ec_replication_group rg;

	fx_script(&f, &s, r, 1);
	CHECK_INT(ec_describe_replication_group(&f.c, f.cl, &f.path, "prod", &rg), 0);
	CHECK(strstr(s.bodies[0], "Action=DescribeReplicationGroups") != NULL);
	CHECK(strstr(s.bodies[0], "ReplicationGroupId=prod") != NULL);
	CHECK_STR(rg.status, "modifying");
	CHECK(rg.pending.any);
	CHECK_STR(rg.pending.auth_token_status, "ROTATING");
	CHECK(rg.pending.resharding);
	CHECK(strs_has(rg.pending.user_groups_to_add, "ug-new"));
	CHECK(strs_has(rg.pending.user_groups_to_remove, "ug-old"));
	CHECK_INT(rg.pending.n_log_delivery, 1);
	if (rg.pending.n_log_delivery == 1) {
		CHECK_STR(rg.pending.log_delivery[0].delivery_stream, "fh");
		CHECK(rg.pending.log_delivery[0].log_group == NULL);
	}
	CHECK_INT(rg.member_clusters.n, 2);
	CHECK_INT(rg.n_node_groups, 1);
	if (rg.n_node_groups == 1) {
		CHECK_STR(rg.node_groups[0].slots, "0-16383");
		CHECK_INT(rg.node_groups[0].n_members, 2);
		if (rg.node_groups[0].n_members == 2)
			CHECK_STR(rg.node_groups[0].members[1].az, "us-east-1b");
		CHECK(rg.node_groups[0].primary.address == NULL);
	}
	CHECK_STR(rg.configuration_endpoint.address, "clustercfg.prod.abc.use1.cache.amazonaws.com");
	CHECK_INT(rg.configuration_endpoint.port, 6379);
	CHECK_INT(rg.snapshot_retention_limit, 35);
	CHECK(rg.cluster_enabled && rg.auth_token_enabled && rg.transit_encryption &&
	      rg.at_rest_encryption);
	CHECK_STR(rg.auth_token_last_modified, "2024-01-02T03:04:05.000Z");
	CHECK_STR(rg.cluster_mode, "enabled");
	CHECK(strs_has(rg.user_group_ids, "ug-old"));
	CHECK_INT(rg.n_log_delivery, 1);
	if (rg.n_log_delivery == 1) {
		CHECK_STR(rg.log_delivery[0].status, "error");
		CHECK_STR(rg.log_delivery[0].message, "no such log group");
		CHECK_STR(rg.log_delivery[0].log_group, "/prod/slow");
	}
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* Every paging loop sends the token it was given and joins the pages. */
static void test_canned_paging(void)
{
	const struct reply ec[] = {
		{ HTTP_OK, "<DescribeCacheParametersResponse><DescribeCacheParametersResult>"
			   "<Marker>m-1</Marker><Parameters><Parameter><ParameterName>a</ParameterName>"
			   "<ParameterValue>1</ParameterValue><IsModifiable>true</IsModifiable></Parameter>"
			   "</Parameters></DescribeCacheParametersResult>" META "</DescribeCacheParametersResponse>" },
		{ HTTP_OK, "<DescribeCacheParametersResponse><DescribeCacheParametersResult>"
			   "<Parameters><Parameter><ParameterName>b</ParameterName></Parameter>"
			   "<Parameter><ParameterName>c</ParameterName></Parameter>"
			   "</Parameters></DescribeCacheParametersResult>" META "</DescribeCacheParametersResponse>" },
	};
	const struct reply ec2[] = {
		{ HTTP_OK, "<DescribeSecurityGroupRulesResponse><requestId>r</requestId><securityGroupRuleSet>"
			   "<item><securityGroupRuleId>sgr-1</securityGroupRuleId><isEgress>true</isEgress></item>"
			   "</securityGroupRuleSet><nextToken>t-1</nextToken></DescribeSecurityGroupRulesResponse>" },
		{ HTTP_OK, "<DescribeSecurityGroupRulesResponse><requestId>r</requestId><securityGroupRuleSet>"
			   "<item><securityGroupRuleId>sgr-2</securityGroupRuleId><fromPort>6379</fromPort></item>"
			   "</securityGroupRuleSet></DescribeSecurityGroupRulesResponse>" },
	};
	const struct reply kms[] = {
		{ HTTP_OK, "{\"Aliases\":[{\"AliasName\":\"alias/a\"}],\"Truncated\":true,\"NextMarker\":\"k-1\"}" },
		{ HTTP_OK, "{\"Aliases\":[{\"AliasName\":\"alias/b\"}],\"Truncated\":false}" },
	};
	const struct reply iam[] = {
		{ HTTP_OK, "<ListPolicyVersionsResponse><ListPolicyVersionsResult><IsTruncated>true</IsTruncated>"
			   "<Marker>i-1</Marker><Versions><member><VersionId>v3</VersionId>"
			   "<IsDefaultVersion>true</IsDefaultVersion></member></Versions>"
			   "</ListPolicyVersionsResult>" META "</ListPolicyVersionsResponse>" },
		{ HTTP_OK, "<ListPolicyVersionsResponse><ListPolicyVersionsResult><IsTruncated>false</IsTruncated>"
			   "<Versions><member><VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion>"
			   "</member></Versions></ListPolicyVersionsResult>" META "</ListPolicyVersionsResponse>" },
	};
	const struct reply logs[] = {
		{ HTTP_OK, "{\"logGroups\":[{\"logGroupName\":\"/g-longer\"}],\"nextToken\":\"l-1\"}" },
		{ HTTP_OK, "{\"logGroups\":[{\"logGroupName\":\"/g\",\"retentionInDays\":14,"
			   "\"arn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/g:*\"}]}" },
	};
	struct script s;
	struct fx f;
	struct ec_parameter *ps;
	struct ec2_rule *rules;
	struct svc_strs aliases;
	struct iam_policy_version *vs;
	struct logs_group g;
	size_t n;

	fx_script(&f, &s, ec, 2);
	CHECK_INT(ec_describe_cache_parameters(&f.c, f.cl, &f.path, "pg", "user", &ps, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(ps[0].value, "1");
		CHECK(ps[0].modifiable);
		CHECK_STR(ps[2].name, "c");
	}
	CHECK(strstr(s.bodies[0], "Marker") == NULL);
	CHECK(strstr(s.bodies[1], "Marker=m-1") != NULL);
	CHECK(strstr(s.bodies[1], "Source=user") != NULL);
	fx_end(&f);

	fx_script(&f, &s, ec2, 2);
	CHECK_INT(ec2_describe_security_group_rules(&f.c, f.cl, &f.path, "sg-1", &rules, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(rules[0].is_egress);
		CHECK_STR(rules[1].id, "sgr-2");
		CHECK_INT(rules[1].from_port, 6379);
	}
	CHECK(strstr(s.bodies[0], "Filter.1.Name=group-id&Filter.1.Value.1=sg-1") != NULL);
	CHECK(strstr(s.bodies[1], "NextToken=t-1") != NULL);
	fx_end(&f);

	fx_script(&f, &s, kms, 2);
	CHECK_INT(kms_list_aliases(&f.c, f.cl, &f.path, "k", &aliases), 0);
	CHECK_INT(aliases.n, 2);
	CHECK(strs_has(aliases, "alias/a") && strs_has(aliases, "alias/b"));
	CHECK(strstr(s.bodies[1], "\"Marker\":\"k-1\"") != NULL ||
	      strstr(s.bodies[1], "\"Marker\": \"k-1\"") != NULL);
	fx_end(&f);

	fx_script(&f, &s, iam, 2);
	CHECK_INT(iam_list_policy_versions(&f.c, f.cl, &f.path, "arn:p", &vs, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(vs[0].is_default);
		CHECK_STR(vs[1].version_id, "v1");
	}
	CHECK(strstr(s.bodies[1], "Marker=i-1") != NULL);
	fx_end(&f);

	fx_script(&f, &s, logs, 2);
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, "/g", &g), 0);
	CHECK_INT(g.retention_days, 14);
	CHECK_STR(g.arn, "arn:aws:logs:us-east-1:123456789012:log-group:/g");	/* ":*" cut */
	CHECK(strstr(s.bodies[1], "l-1") != NULL);
	CHECK(no_diags(&f));
	fx_end(&f);
}

/* A Describe without a name would list everything and return the first
 * object: refused before sending. */
/* ModifyCacheParameterGroup and ResetCacheParameterGroup take at most 20
 * parameters per request: 21 go in two; a failing request stops the
 * rest. */
static void test_canned_parameter_batches(void)
{
	static const struct reply ok[] = {
		{ HTTP_OK, "<ModifyCacheParameterGroupResponse><ModifyCacheParameterGroupResult>"
			   "<CacheParameterGroupName>pg</CacheParameterGroupName>"
			   "</ModifyCacheParameterGroupResult>" META "</ModifyCacheParameterGroupResponse>" },
		{ HTTP_OK, "<ModifyCacheParameterGroupResponse><ModifyCacheParameterGroupResult>"
			   "<CacheParameterGroupName>pg</CacheParameterGroupName>"
			   "</ModifyCacheParameterGroupResult>" META "</ModifyCacheParameterGroupResponse>" },
	};
	static const struct reply reset[] = {
		{ HTTP_OK, "<ResetCacheParameterGroupResponse><ResetCacheParameterGroupResult>"
			   "<CacheParameterGroupName>pg</CacheParameterGroupName>"
			   "</ResetCacheParameterGroupResult>" META "</ResetCacheParameterGroupResponse>" },
		{ HTTP_ERR_OTHER, NULL },
	};
	static char names[21][8];
	struct ec_parameter ps[21];
	struct script s;
	struct fx f;
	size_t i;

	memset(ps, 0, sizeof(ps));
	for (i = 0; i < 21; i++) {
		snprintf(names[i], sizeof(names[i]), "p%zu", i);
		ps[i].name = names[i];
		ps[i].value = "v";
	}
	fx_script(&f, &s, ok, 2);
	CHECK_INT(ec_modify_cache_parameter_group(&f.c, f.cl, &f.path, "pg", ps, 21), 0);
	CHECK_INT(s.next, 2);
	CHECK(strstr(s.bodies[0], "ParameterNameValue.20.ParameterName=p19&") != NULL);
	CHECK(strstr(s.bodies[0], "ParameterNameValue.21.") == NULL);
	CHECK(strstr(s.bodies[1], "ParameterNameValue.1.ParameterName=p20&") != NULL);
	CHECK(strstr(s.bodies[1], "ParameterNameValue.2.") == NULL);
	CHECK(no_diags(&f));
	fx_end(&f);

	/* A reset sends names only; the second request finds no answer (not
	 * retried here: the script would be exhausted) and stops with -1. */
	fx_script(&f, &s, reset, 2);
	CHECK_INT(ec_reset_cache_parameter_group(&f.c, f.cl, &f.path, "pg", ps, 21), -1);
	CHECK(strstr(s.bodies[0], "Action=ResetCacheParameterGroup") != NULL);
	CHECK(strstr(s.bodies[0], "ParameterNameValue.1.ParameterName=p0&") != NULL);
	CHECK(strstr(s.bodies[0], "ParameterValue") == NULL);
	CHECK(strstr(s.bodies[1], "ParameterNameValue.1.ParameterName=p20") != NULL);
	CHECK(f.c.diags.len == 1 &&
	      strcmp(f.c.diags.items[0].summary, "ElastiCache ResetCacheParameterGroup failed") == 0);
	fx_end(&f);

	fx_script(&f, &s, ok, 0);
	CHECK_INT(ec_modify_cache_parameter_group(&f.c, f.cl, &f.path, "pg", ps, 0), 0);
	CHECK_INT(s.next, 0);
	fx_end(&f);
}

static void test_canned_empty_names(void)
{
	struct script s;
	struct fx f;
	struct ec_replication_group rg;
	struct ec_user u;
	struct ec2_security_group g;
	struct ec2_rule *rules;
	struct logs_group lg;
	struct ssm_parameter prm;
	size_t n;

	fx_script(&f, &s, NULL, 0);
	CHECK_INT(ec_describe_replication_group(&f.c, f.cl, &f.path, NULL, &rg), -1);
	CHECK_INT(ec_describe_user(&f.c, f.cl, &f.path, "", &u), -1);
	CHECK_INT(ec2_describe_security_group(&f.c, f.cl, &f.path, NULL, &g), -1);
	CHECK_INT(ec2_describe_security_group_rules(&f.c, f.cl, &f.path, NULL, &rules, &n), -1);
	CHECK_INT(logs_describe_log_group(&f.c, f.cl, &f.path, NULL, &lg), -1);
	CHECK_INT(ssm_describe_parameter(&f.c, f.cl, &f.path, NULL, &prm), -1);
	CHECK_INT(s.next, 0);	/* nothing was sent */
	CHECK_INT(f.c.diags.len, 6);
	CHECK_STR(f.c.diags.items[0].summary, "ElastiCache DescribeReplicationGroups failed");
	CHECK(strstr(f.c.diags.items[0].detail, "ReplicationGroupId is empty") != NULL);
	CHECK(f.c.diags.items[0].has_path);
	fx_end(&f);
}

/* After no answer, creates are not repeated (unless a ClientRequestToken
 * makes them safe) and reads are. */
static void test_canned_retry_policy(void)
{
	const struct reply once[] = { { HTTP_ERR_TIMEOUT, NULL }, { HTTP_OK, rg_doc } };
	const struct reply sm[] = {
		{ HTTP_ERR_TIMEOUT, NULL },
		{ HTTP_OK, "{\"ARN\":\"arn:s\",\"Name\":\"n\",\"VersionId\":\"v\"}" },
	};
	struct script s;
	struct fx f;
	struct ec_rg_create in;
	struct ec_replication_group rg;
	const char *arn;
	char *tok;

	memset(&in, 0, sizeof(in));
	in.id = "prod";
	in.description = "d";
	fx_script(&f, &s, once, 2);
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, NULL), -1);
	CHECK_INT(s.next, 1);
	CHECK_INT(f.c.diags.len, 1);
	CHECK_STR(f.c.diags.items[0].summary, "ElastiCache CreateReplicationGroup failed");
	CHECK(f.c.diags.items[0].has_path);
	fx_end(&f);

	fx_script(&f, &s, once, 2);
	CHECK_INT(ec_describe_replication_group(&f.c, f.cl, &f.path, "prod", &rg), 0);
	CHECK_INT(s.next, 2);
	fx_end(&f);

	fx_script(&f, &s, sm, 2);
	CHECK_INT(sm_create_secret(&f.c, f.cl, &f.path, "n", NULL, NULL, "v", NULL, 0, &arn, NULL), 0);
	CHECK_INT(s.next, 2);
	CHECK_STR(arn, "arn:s");
	/* the retry carries the same token, so AWS treats it as the same create */
	tok = strstr(s.bodies[0], "ClientRequestToken");
	CHECK(tok != NULL);
	if (tok) {
		tok[60] = '\0';
		CHECK(strstr(s.bodies[1], tok) != NULL);
	}
	fx_end(&f);
}

/* ======================================================================
 * Secrets stay out of trace logs
 * ====================================================================== */

static void test_secrets_not_logged(void)
{
	struct fx f;
	char tmpl[] = "/tmp/test_aws_services_log_XXXXXX";
	int fd = mkstemp(tmpl);
	struct ec_user_input u;
	struct ec_rg_create in;
	const char *pw[] = { PASSWORD_1 }, *value;
	char buf[1 << 16];
	ssize_t len;

	BEGIN(&f);
	CHECK(fd >= 0);
	log_configure(LOG_TRACE, fd);
	memset(&u, 0, sizeof(u));
	u.id = "app";
	u.user_name = "app";
	u.engine = "redis";
	u.access_string = "on ~* +@all";
	u.passwords = (struct svc_strs){ pw, 1 };
	CHECK_INT(ec_create_user(&f.c, f.cl, &f.path, &u, NULL), 0);
	CHECK_INT(ec_modify_user(&f.c, f.cl, &f.path, &u, NULL), 0);
	memset(&in, 0, sizeof(in));
	in.id = "rg";
	in.description = "d";
	in.node_type = "cache.t4g.small";
	in.transit_encryption = SVC_TRUE;
	in.auth_token = TOKEN_A;
	CHECK_INT(ec_create_replication_group(&f.c, f.cl, &f.path, &in, NULL), 0);
	CHECK_INT(sm_create_secret(&f.c, f.cl, &f.path, "s", NULL, NULL, TOKEN_B, NULL, 0,
				   NULL, NULL), 0);
	CHECK_INT(sm_get_secret_value(&f.c, f.cl, &f.path, "s", &value, NULL), 0);
	CHECK_INT(sm_put_secret_value(&f.c, f.cl, &f.path, "s", PASSWORD_2, NULL), 0);
	log_configure(LOG_OFF, 2);
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	CHECK(len > 0);
	buf[len > 0 ? len : 0] = '\0';
	CHECK(strstr(buf, "CreateReplicationGroup") != NULL);	/* it did log */
	CHECK(strstr(buf, "[REDACTED]") != NULL);
	CHECK(strstr(buf, PASSWORD_1) == NULL);
	CHECK(strstr(buf, PASSWORD_2) == NULL);
	CHECK(strstr(buf, TOKEN_A) == NULL);
	CHECK(strstr(buf, TOKEN_B) == NULL);
	close(fd);
	unlink(tmpl);
	fx_end(&f);
}

int main(void)
{
	RUN(test_canned_replication_group);
	RUN(test_canned_paging);
	RUN(test_canned_retry_policy);
	RUN(test_canned_empty_names);
	RUN(test_canned_parameter_batches);
	emu_ok = emulator_start(&emu) == 0;
	RUN(test_ec2_subnets);
	RUN(test_ec2_security_groups);
	RUN(test_kms_key_lifecycle);
	RUN(test_kms_not_found);
	RUN(test_logs_groups);
	RUN(test_sm_secret_lifecycle);
	RUN(test_ssm_parameters);
	RUN(test_iam_policies);
	RUN(test_ec_subnet_groups);
	RUN(test_ec_parameter_groups);
	RUN(test_ec_users_and_groups);
	RUN(test_ec_replication_group);
	RUN(test_ec_cluster_mode_and_rbac);
	RUN(test_ec_replication_group_more);
	RUN(test_ec_not_found_without_diag);
	RUN(test_secrets_not_logged);
	emulator_stop(&emu);
	return check_summary();
}
