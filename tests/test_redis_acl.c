/*
 * test_redis_acl.c - resources/redis_acl.c: the ACL parser (every rule
 * kind, malformed rules), the checks for custom access strings (every
 * refused kind, secrets never echoed), the dangerous-grant analysis and
 * the role presets.
 */
#include "tests/check.h"

#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "resources/redis_acl.h"

static struct arena *A;

static const struct redis_acl *parse_ok(const char *s)
{
	struct redis_acl *acl = arena_alloc(A, sizeof(*acl));
	const char *why = NULL;

	if (redis_acl_parse(A, s, acl, &why) < 0) {
		fprintf(stderr, "  parse \"%s\" failed: %s\n", s, why);
		return NULL;
	}
	return acl;
}

/* The parse error, or NULL if it parsed. */
static const char *parse_err(const char *s)
{
	struct redis_acl acl;
	const char *why = NULL;

	if (redis_acl_parse(A, s, &acl, &why) == 0)
		return NULL;
	return why ? why : "(no reason)";
}

static struct redis_acl_problems problems(const char *s, bool admin,
					  int major)
{
	struct redis_acl_problems pr = { 0 };
	const struct redis_acl *acl = parse_ok(s);

	if (acl)
		redis_acl_check(A, acl, admin, major, &pr);
	else
		pr.n_errors = 999;
	return pr;
}

static bool mentions(const struct redis_acl_problems *pr, const char *word)
{
	size_t i;

	for (i = 0; i < pr->n_errors; i++)
		if (strstr(pr->errors[i], word))
			return true;
	for (i = 0; i < pr->n_warnings; i++)
		if (strstr(pr->warnings[i], word))
			return true;
	return false;
}

static void test_parse_every_kind(void)
{
	const struct redis_acl *acl = parse_ok(
		"ON off ~app:* %R~ro:* %wR~rw:* allkeys resetkeys &news.* "
		"allchannels resetchannels +GET -set +client|SETNAME "
		"-config|set +@READ -@dangerous allcommands nocommands "
		">pw <pw #0123456789abcdef0123456789abcdef0123456789abcdef"
		"0123456789ABCDEF !0123456789abcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef nopass resetpass reset clearselectors "
		"sanitize-payload skip-sanitize-payload (~sel:* +get) "
		"( %W~w:* -@all )");
	static const enum redis_acl_kind want[] = {
		REDIS_ACL_ON, REDIS_ACL_OFF, REDIS_ACL_KEYS, REDIS_ACL_KEYS,
		REDIS_ACL_KEYS, REDIS_ACL_ALLKEYS, REDIS_ACL_RESETKEYS,
		REDIS_ACL_CHANNELS, REDIS_ACL_ALLCHANNELS,
		REDIS_ACL_RESETCHANNELS, REDIS_ACL_ALLOW_COMMAND,
		REDIS_ACL_DENY_COMMAND, REDIS_ACL_ALLOW_COMMAND,
		REDIS_ACL_DENY_COMMAND, REDIS_ACL_ALLOW_CATEGORY,
		REDIS_ACL_DENY_CATEGORY, REDIS_ACL_ALLCOMMANDS,
		REDIS_ACL_NOCOMMANDS, REDIS_ACL_ADD_PASSWORD,
		REDIS_ACL_REMOVE_PASSWORD, REDIS_ACL_ADD_HASH,
		REDIS_ACL_REMOVE_HASH, REDIS_ACL_NOPASS, REDIS_ACL_RESETPASS,
		REDIS_ACL_RESET, REDIS_ACL_CLEARSELECTORS,
		REDIS_ACL_SANITIZE_PAYLOAD, REDIS_ACL_SKIP_SANITIZE_PAYLOAD,
		REDIS_ACL_SELECTOR, REDIS_ACL_SELECTOR,
	};
	size_t i;

	CHECK(acl != NULL);
	if (!acl)
		return;
	CHECK_INT(acl->n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < acl->n && i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_INT(acl->rules[i].kind, want[i]);
	CHECK_STR(acl->rules[2].arg, "app:*");
	CHECK_INT(acl->rules[2].key_perms, 3);
	CHECK(!acl->rules[2].key_perms_explicit);
	CHECK_STR(acl->rules[3].arg, "ro:*");
	CHECK_INT(acl->rules[3].key_perms, REDIS_ACL_KEY_READ);
	CHECK(acl->rules[3].key_perms_explicit);
	CHECK_INT(acl->rules[4].key_perms, 3);
	CHECK_STR(acl->rules[7].arg, "news.*");
	CHECK_STR(acl->rules[10].arg, "get");
	CHECK(acl->rules[10].sub == NULL);
	CHECK_STR(acl->rules[12].arg, "client");
	CHECK_STR(acl->rules[12].sub, "setname");
	CHECK_STR(acl->rules[13].sub, "set");
	CHECK_STR(acl->rules[14].arg, "read");
	CHECK_STR(acl->rules[15].arg, "dangerous");
	/* secrets are not kept */
	for (i = 18; i < 22; i++)
		CHECK(acl->rules[i].arg == NULL);
	CHECK_INT(acl->rules[28].selector->n, 2);
	CHECK_STR(acl->rules[28].selector->rules[0].arg, "sel:*");
	CHECK_INT(acl->rules[29].selector->n, 2);
	CHECK_INT(acl->rules[29].selector->rules[0].key_perms,
		  REDIS_ACL_KEY_WRITE);
	CHECK_INT(acl->rules[29].selector->rules[1].kind,
		  REDIS_ACL_DENY_CATEGORY);
	CHECK_INT(acl->rules[29].token, 31);
	/* multiple spaces, tabs and newlines separate rules */
	acl = parse_ok("  on\t~a \n +get  ");
	CHECK(acl && acl->n == 3);
	/* parentheses inside a key pattern are just characters */
	acl = parse_ok("on ~a(b) +get");
	CHECK(acl && acl->n == 3 && strcmp(acl->rules[1].arg, "a(b)") == 0);
	/* module commands */
	CHECK(parse_ok("on +json.get +ft.search") != NULL);
	/* +select|0 style first-argument rules */
	CHECK(parse_ok("on +select|0") != NULL);
}

static void test_categories(void)
{
	static const char *const all[] = {
		"keyspace", "read", "write", "set", "sortedset", "list",
		"hash", "string", "bitmap", "hyperloglog", "geo", "stream",
		"pubsub", "admin", "fast", "slow", "blocking", "dangerous",
		"connection", "transaction", "scripting", "all",
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK(redis_acl_category_known(all[i]));
	CHECK(redis_acl_category_known("DANGEROUS"));
	CHECK(!redis_acl_category_known("strings"));
	CHECK(!redis_acl_category_known("json"));
	CHECK(!redis_acl_category_known(""));
}

static void test_malformed(void)
{
	static const struct {
		const char *s, *want;	/* want: substring of the reason */
	} cases[] = {
		{ "", "empty" },
		{ "   \t ", "empty" },
		{ "on +@foo", "unknown ACL category" },
		{ "on +@strings", "keyspace, read" },
		{ "on -@", "category name is missing" },
		{ "on +", "command name is missing" },
		{ "on -", "command name is missing" },
		{ "on +|get", "command name is missing" },
		{ "on +get|", "one subcommand" },
		{ "on +config|get|x", "one subcommand" },
		{ "on +g$t", "letters, digits" },
		{ "on +@all|x", "unknown ACL category" },
		{ "on ~", "key pattern is empty" },
		{ "on &", "channel pattern is empty" },
		{ "on %~x", "expected %R~" },
		{ "on %X~x", "R, W or RW" },
		{ "on %R", "expected %R~" },
		{ "on %RW~", "key pattern is empty" },
		{ "on bogus", "unknown rule" },
		{ "on allkey", "unknown rule" },
		{ "(~x +get", "closing )" },
		{ "on (~x (+get))", "do not nest" },
		{ "(on ~x)", "inside a selector" },
		{ "(~x nopass)", "inside a selector" },
		{ "(~x >pw)", "password rule inside a selector" },
		{ "on #abc", "64 hexadecimal" },
		{ "on !xyz", "64 hexadecimal" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = parse_err(cases[i].s);

		if (!why || !strstr(why, cases[i].want))
			fprintf(stderr, "  \"%s\": got %s, want ...%s...\n",
				cases[i].s, why ? why : "(parsed)",
				cases[i].want);
		CHECK(why && strstr(why, cases[i].want));
	}
	/* the rule is named by position and text */
	CHECK_STR(parse_err("on ~a +@nope"), "rule 3 \"+@nope\": unknown ACL "
		  "category; Redis 7 has keyspace, read, write, set, sortedset, "
		  "list, hash, string, bitmap, hyperloglog, geo, stream, pubsub, "
		  "admin, fast, slow, blocking, dangerous, connection, "
		  "transaction, scripting (and all)");
	/* control characters are not echoed raw */
	CHECK(strchr(parse_err("on +a\x01" "b"), '\x01') == NULL);
}

static void test_secrets_never_echoed(void)
{
	struct redis_acl_problems pr = problems("on >hunter2-secret ~* +get",
						false, 0);
	const char *why;
	size_t i;

	CHECK_INT(pr.n_errors, 1);
	for (i = 0; i < pr.n_errors; i++)
		CHECK(strstr(pr.errors[i], "hunter2") == NULL);
	CHECK(mentions(&pr, "Rule 2 embeds a password"));
	why = parse_err("on #notahash-hunter2");
	CHECK(why && strstr(why, "hunter2") == NULL);
	CHECK(why && strstr(why, "rule 2") != NULL);
	why = parse_err("(~x <hunter2)");
	CHECK(why && strstr(why, "hunter2") == NULL);
	/* an unterminated selector that starts with a password */
	why = parse_err("on (>hunter2 ~x");
	CHECK(why && strstr(why, "hunter2") == NULL);
	CHECK(why && strstr(why, "closing )") != NULL);
	why = parse_err("on ((>hunter2 ~x)");
	CHECK(why && strstr(why, "hunter2") == NULL);
}

static void test_refused_by_check(void)
{
	static const struct {
		const char *s, *want;
	} cases[] = {
		{ "on >pass ~* +get", "embeds a password (>...)" },
		{ "on <pass ~* +get", "password removal (<...)" },
		{ "on #0123456789abcdef0123456789abcdef0123456789abcdef"
		  "0123456789abcdef ~* +get", "password hash (#...)" },
		{ "on !0123456789abcdef0123456789abcdef0123456789abcdef"
		  "0123456789abcdef ~* +get", "hash removal (!...)" },
		{ "on nopass ~* +get", "nopass" },
		{ "on reset ~* +get", "is reset" },
		{ "on resetpass ~* +get", "is resetpass" },
		{ "on ~* +@all -config", "config, which ElastiCache" },
		{ "on ~* +debug", "debug, which ElastiCache" },
		{ "on ~* -@all +get -shutdown", "shutdown" },
		{ "on ~* +config|get", "config" },
		{ "on ~* -@all (~x +bgsave)", "bgsave" },
	};
	struct redis_acl_problems pr;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pr = problems(cases[i].s, false, 7);
		if (pr.n_errors != 1 || !mentions(&pr, cases[i].want))
			fprintf(stderr, "  \"%s\": %zu errors, first: %s\n",
				cases[i].s, pr.n_errors, pr.n_errors ?
				pr.errors[0] : "-");
		CHECK_INT(pr.n_errors, 1);
		CHECK(mentions(&pr, cases[i].want));
	}
	/* several problems are all reported */
	pr = problems("on nopass >x reset ~* +get", false, 7);
	CHECK_INT(pr.n_errors, 3);
	/* Redis 7 syntax on 6.x */
	pr = problems("on %R~x +get", false, 6);
	CHECK_INT(pr.n_errors, 1);
	CHECK(mentions(&pr, "7.0"));
	pr = problems("on ~x +get (~y +set)", false, 6);
	CHECK_INT(pr.n_errors, 1);
	pr = problems("on ~x +@all -client|kill -@dangerous", false, 6);
	CHECK_INT(pr.n_errors, 1);
	pr = problems("on %R~x +get (~y +set) -client|kill", false, 7);
	CHECK_INT(pr.n_errors, 0);
	pr = problems("on %R~x +get", false, 0);	/* version unknown */
	CHECK_INT(pr.n_errors, 0);
	/* a valid, narrow string: nothing to say */
	pr = problems("on ~orders:* -@all +get +set +@connection", false, 7);
	CHECK_INT(pr.n_errors, 0);
	CHECK_INT(pr.n_warnings, 0);
	/* neither on nor off */
	pr = problems("~orders:* +get", false, 7);
	CHECK_INT(pr.n_errors, 0);
	CHECK_INT(pr.n_warnings, 1);
	CHECK(mentions(&pr, "neither on nor off"));
}

static void test_dangerous(void)
{
	static const struct {
		const char *s, *want;	/* want NULL: nothing dangerous */
	} cases[] = {
		{ "on ~* +@all", "flushall, flushdb, keys, config, shutdown, "
		  "debug, monitor, migrate, restore, module, swapdb, replicaof, "
		  "slaveof, sync, psync, save, bgsave, bgrewriteaof, acl, "
		  "failover, cluster" },
		{ "on ~* allcommands -@dangerous", NULL },
		{ "on ~* +@all -@dangerous +keys", "keys" },
		{ "on ~* +@read", "keys" },
		{ "on ~* +@read -@dangerous", NULL },
		{ "on ~* +@write", "flushall, flushdb, migrate, restore, "
		  "swapdb" },
		{ "on ~* +@keyspace -@write", "keys" },
		{ "on ~* +@admin", "config, shutdown, debug, monitor, module, "
		  "replicaof, slaveof, sync, psync, save, bgsave, "
		  "bgrewriteaof, acl, failover, cluster" },
		{ "on ~* +@dangerous -@admin", "flushall, flushdb, keys, "
		  "migrate, restore, swapdb" },
		{ "on ~* +FLUSHALL", "flushall" },
		{ "on ~* +flushall -flushall", NULL },
		{ "on ~* +@all nocommands +get", NULL },
		{ "on ~* +@all -@all", NULL },
		{ "on ~* +monitor|x", "monitor" },
		{ "on ~* +@all -@dangerous -monitor|x", NULL },
		{ "on ~* +@all -flushall|async", "flushall, flushdb, keys, "
		  "config, shutdown, debug, monitor, migrate, restore, module, "
		  "swapdb, replicaof, slaveof, sync, psync, save, bgsave, "
		  "bgrewriteaof, acl, failover, cluster" },
		{ "on ~* -@all +get (~tmp:* +flushdb)", "flushdb" },
		{ "on ~* -@all (~tmp:* +@all -@dangerous)", NULL },
		{ "on ~* +@fast", "swapdb" },
		{ "on ~* +@string +@hash +@set +@connection", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct redis_acl *acl = parse_ok(cases[i].s);
		const char *got = acl ? redis_acl_dangerous(A, acl) : "parse";

		if (cases[i].want) {
			CHECK_STR(got, cases[i].want);
		} else if (got) {
			fprintf(stderr, "  \"%s\": dangerous %s\n", cases[i].s,
				got);
			CHECK(got == NULL);
		}
	}
}

static void test_dangerous_warning(void)
{
	struct redis_acl_problems pr;

	pr = problems("on ~* +@all", false, 7);
	CHECK_INT(pr.n_errors, 0);
	CHECK_INT(pr.n_warnings, 1);
	CHECK(mentions(&pr, "dangerous commands outside the admin role: "
		       "flushall"));
	/* the admin role may */
	pr = problems("on ~* +@all", true, 7);
	CHECK_INT(pr.n_warnings, 0);
	pr = problems("on ~* -@all +@read", false, 7);
	CHECK_INT(pr.n_warnings, 1);
	CHECK(mentions(&pr, ": keys."));
}

static void test_presets(void)
{
	static const char *const keys[] = { "orders:*", "carts:*" };
	static const char *const chans[] = { "events.*" };
	struct {
		enum redis_acl_role role;
		size_t nk, nc;
		const char *want;
		bool dangerous;
	} cases[] = {
		{ REDIS_ACL_ROLE_ADMIN, 0, 0, "on ~* &* +@all", true },
		{ REDIS_ACL_ROLE_ADMIN, 2, 1,
		  "on ~orders:* ~carts:* &events.* +@all", true },
		{ REDIS_ACL_ROLE_READONLY, 0, 0, "on ~* resetchannels -@all "
		  "+@read +@connection -@dangerous", false },
		{ REDIS_ACL_ROLE_READONLY, 1, 1, "on ~orders:* &events.* "
		  "-@all +@read +@connection +subscribe +psubscribe "
		  "+unsubscribe +punsubscribe -@dangerous", false },
		{ REDIS_ACL_ROLE_SERVICE, 0, 0, "on ~* resetchannels -@all "
		  "+@read +@write +@connection +@transaction -@dangerous "
		  "-flushall -flushdb -keys", false },
		{ REDIS_ACL_ROLE_SERVICE, 2, 1, "on ~orders:* ~carts:* "
		  "&events.* -@all +@read +@write +@connection +@transaction "
		  "+@pubsub -@dangerous -flushall -flushdb -keys", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = redis_acl_preset(A, cases[i].role, keys,
						 cases[i].nk, chans,
						 cases[i].nc);
		const struct redis_acl *acl = parse_ok(s);
		struct redis_acl_problems pr;

		CHECK_STR(s, cases[i].want);
		CHECK(acl != NULL);
		if (!acl)
			continue;
		/* deterministic */
		CHECK_STR(redis_acl_preset(A, cases[i].role, keys, cases[i].nk,
					   chans, cases[i].nc), s);
		CHECK((redis_acl_dangerous(A, acl) != NULL) ==
		      cases[i].dangerous);
		redis_acl_check(A, acl, cases[i].role == REDIS_ACL_ROLE_ADMIN,
				6, &pr);
		CHECK_INT(pr.n_errors, 0);
		CHECK_INT(pr.n_warnings, 0);
	}
	/* the locked default user */
	{
		const struct redis_acl *acl = parse_ok(REDIS_ACL_DEFAULT_USER);

		CHECK(acl && acl->rules[0].kind == REDIS_ACL_OFF);
		CHECK(acl && redis_acl_dangerous(A, acl) == NULL);
	}
}

static void test_patterns_and_normalize(void)
{
	char big[300];

	CHECK(redis_acl_check_pattern("orders:*") == NULL);
	CHECK(redis_acl_check_pattern("a[bc]?") == NULL);
	CHECK(redis_acl_check_pattern("") != NULL);
	CHECK(redis_acl_check_pattern("a b") != NULL);
	CHECK(redis_acl_check_pattern("a\tb") != NULL);
	CHECK(redis_acl_check_pattern("caf\xc3\xa9") != NULL);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(redis_acl_check_pattern(big) != NULL);
	big[256] = '\0';
	CHECK(redis_acl_check_pattern(big) == NULL);
	CHECK_STR(redis_acl_normalize(A, "  on \t~a\n\n+get  "), "on ~a +get");
	CHECK_STR(redis_acl_normalize(A, ""), "");
	CHECK(redis_acl_command_restricted("CONFIG"));
	CHECK(redis_acl_command_restricted("sync"));
	CHECK(!redis_acl_command_restricted("flushall"));
	CHECK(!redis_acl_command_restricted("get"));
}

static void test_too_many_rules(void)
{
	char *s = arena_alloc(A, 3 * 2000 + 1);
	const char *why;
	size_t i;

	for (i = 0; i < 2000; i++)
		memcpy(s + 3 * i, "+g ", 3);
	s[3 * 2000] = '\0';
	why = parse_err(s);
	CHECK(why && strstr(why, "more than 1024 rules"));
	s[3 * 1000] = '\0';
	CHECK(parse_err(s) == NULL);
}

/* Random strings over the grammar's characters: every one either parses
 * (and then checks and analyses without trouble) or gets a reason.  Run
 * under ASan/valgrind this is the crash test. */
static void test_random_strings(void)
{
	static const char alphabet[] = "onfw~%RW&+-@|()<>#!*: \t"
		"abcdefgkls0123456789ADL";
	unsigned long x = 12345;
	size_t i, j, parsed = 0;

	for (i = 0; i < 20000; i++) {
		char s[48];
		size_t n;
		struct redis_acl acl;
		const char *why = NULL;

		x = x * 6364136223846793005UL + 1442695040888963407UL;
		n = (size_t)(x >> 59) + 1;	/* 1..32 */
		for (j = 0; j < n; j++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			s[j] = alphabet[(x >> 33) % (sizeof(alphabet) - 1)];
		}
		s[n] = '\0';
		if (redis_acl_parse(A, s, &acl, &why) == 0) {
			struct redis_acl_problems pr;

			parsed++;
			redis_acl_check(A, &acl, false, 6, &pr);
			redis_acl_dangerous(A, &acl);
			CHECK(why == NULL);
		} else {
			CHECK(why != NULL && *why);
		}
	}
	/* both outcomes were exercised */
	CHECK(parsed > 100);
	CHECK(parsed < 19900);
}

int main(void)
{
	A = arena_new();
	RUN(test_parse_every_kind);
	RUN(test_categories);
	RUN(test_malformed);
	RUN(test_secrets_never_echoed);
	RUN(test_refused_by_check);
	RUN(test_dangerous);
	RUN(test_dangerous_warning);
	RUN(test_presets);
	RUN(test_patterns_and_normalize);
	RUN(test_too_many_rules);
	RUN(test_random_strings);
	arena_free(A);
	return check_summary();
}
