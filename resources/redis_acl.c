/*
 * redis_acl.c - Redis ACL access strings (redis_acl.h): parser, the checks
 * secure_redis_rbac_users applies to custom strings, the dangerous-grant
 * analysis and the role presets (issue 5).
 *
 * The grammar follows Redis 7's ACLSetUser/ACLSetSelector (src/acl.c) and
 * the ACL documentation; the restrictions follow ElastiCache's RBAC
 * documentation (no passwords in access strings, no `reset`, restricted
 * commands cannot be named).  Not here: which commands exist (a string
 * naming an unknown command is only refused by ElastiCache at apply), and
 * the exact category membership of every Redis command: the analysis
 * knows the categories of the dangerous commands it reports, nothing else.
 */
#include "resources/redis_acl.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"

#define MAX_TOKENS 1024		/* rules per string, selectors included */
#define ECHO_MAX 64		/* characters of a bad rule quoted back */
#define PATTERN_MAX 256

/* ---- categories ---- */

/* Redis 7's ACLCommandCategories, in its order (bit i = category i). */
static const char *const categories[] = {
	"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
	"fast", "slow", "blocking", "dangerous", "connection", "transaction",
	"scripting",
};
#define N_CATEGORIES (sizeof(categories) / sizeof(categories[0]))

enum {
	C_KEYSPACE = 1u << 0, C_READ = 1u << 1, C_WRITE = 1u << 2,
	C_ADMIN = 1u << 13, C_FAST = 1u << 14, C_SLOW = 1u << 15,
	C_DANGEROUS = 1u << 17,
};

static int category_index(const char *name)
{
	size_t i;

	for (i = 0; i < N_CATEGORIES; i++)
		if (strcasecmp(name, categories[i]) == 0)
			return (int)i;
	return -1;
}

bool redis_acl_category_known(const char *name)
{
	return strcasecmp(name, "all") == 0 || category_index(name) >= 0;
}

const char *redis_acl_category_list(void)
{
	return "keyspace, read, write, set, sortedset, list, hash, string, "
	       "bitmap, hyperloglog, geo, stream, pubsub, admin, fast, slow, "
	       "blocking, dangerous, connection, transaction, scripting (and "
	       "all)";
}

/* The dangerous commands reported, with their Redis 7 categories (for the
 * container commands config, acl and cluster: those of their dangerous
 * subcommands). */
static const struct {
	const char *name;
	uint32_t cats;
} dangerous[] = {
	{ "flushall", C_KEYSPACE | C_WRITE | C_SLOW | C_DANGEROUS },
	{ "flushdb", C_KEYSPACE | C_WRITE | C_SLOW | C_DANGEROUS },
	{ "keys", C_KEYSPACE | C_READ | C_SLOW | C_DANGEROUS },
	{ "config", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "shutdown", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "debug", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "monitor", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "migrate", C_KEYSPACE | C_WRITE | C_SLOW | C_DANGEROUS },
	{ "restore", C_KEYSPACE | C_WRITE | C_SLOW | C_DANGEROUS },
	{ "module", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "swapdb", C_KEYSPACE | C_WRITE | C_FAST | C_DANGEROUS },
	{ "replicaof", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "slaveof", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "sync", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "psync", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "save", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "bgsave", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "bgrewriteaof", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "acl", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "failover", C_ADMIN | C_SLOW | C_DANGEROUS },
	{ "cluster", C_ADMIN | C_SLOW | C_DANGEROUS },
};
#define N_DANGEROUS (sizeof(dangerous) / sizeof(dangerous[0]))

/* ElastiCache's restricted commands (ClientConfig.RestrictedCommands). */
static const char *const restricted[] = {
	"bgrewriteaof", "bgsave", "config", "debug", "migrate", "replicaof",
	"save", "slaveof", "shutdown", "sync",
};

bool redis_acl_command_restricted(const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(restricted) / sizeof(restricted[0]); i++)
		if (strcasecmp(cmd, restricted[i]) == 0)
			return true;
	return false;
}

/* ---- small string helpers ---- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\v' || ch == '\f';
}

static char *lower_dup(struct arena *a, const char *s, size_t len)
{
	char *out = arena_strndup(a, s, len);
	char *p;

	for (p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

/* A rule's text for messages: printable ASCII only, at most ECHO_MAX. */
static const char *echo(struct arena *a, const char *s, size_t len)
{
	char *out = arena_alloc(a, ECHO_MAX + 4);
	size_t i, n = 0;

	for (i = 0; i < len && n < ECHO_MAX; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < len)
		memcpy(out + n, "...", 4);
	return out;
}

/* ---- tokens ---- */

struct token {
	const char *s;
	size_t len;
	size_t pos;		/* 1-based rule number */
};

/* Splits s at white space.  Returns the count, or -1 when there are more
 * than MAX_TOKENS. */
static long tokenize(const char *s, struct token *t)
{
	size_t n = 0;

	while (*s) {
		const char *start;

		while (*s && is_space(*s))
			s++;
		if (!*s)
			break;
		start = s;
		while (*s && !is_space(*s))
			s++;
		if (n == MAX_TOKENS)
			return -1;
		t[n].s = start;
		t[n].len = (size_t)(s - start);
		t[n].pos = n + 1;
		n++;
	}
	return (long)n;
}

static bool tok_is(const struct token *t, const char *word)
{
	return strlen(word) == t->len && strncasecmp(t->s, word, t->len) == 0;
}

static bool is_hex64(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static bool command_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
	       ch == '.' || ch == ':';
}

/* ---- the parser ---- */

struct parser {
	struct arena *a;
	const char *why;
};

/* True if the token may hold a password or hash: never quote it. */
static bool secretish(const struct token *t)
{
	size_t i = 0;

	while (i < t->len && t->s[i] == '(')
		i++;
	return i < t->len && strchr("><#!", t->s[i]) != NULL;
}

static int bad(struct parser *p, const struct token *t, const char *fmt,
	       const char *extra)
{
	if (secretish(t))
		p->why = arena_sprintf(p->a, "rule %zu (a password rule): %s%s",
				       t->pos, fmt, extra ? extra : "");
	else
		p->why = arena_sprintf(p->a, "rule %zu \"%s\": %s%s", t->pos,
				       echo(p->a, t->s, t->len), fmt,
				       extra ? extra : "");
	return -1;
}

/* Bad secret-bearing rule: never quoted. */
static int bad_secret(struct parser *p, const struct token *t,
		      const char *what)
{
	p->why = arena_sprintf(p->a, "rule %zu (%s): not valid", t->pos,
			       what);
	return -1;
}

static const struct {
	const char *word;
	enum redis_acl_kind kind;
	bool in_selector;
} keywords[] = {
	{ "on", REDIS_ACL_ON, false },
	{ "off", REDIS_ACL_OFF, false },
	{ "allkeys", REDIS_ACL_ALLKEYS, true },
	{ "resetkeys", REDIS_ACL_RESETKEYS, true },
	{ "allchannels", REDIS_ACL_ALLCHANNELS, true },
	{ "resetchannels", REDIS_ACL_RESETCHANNELS, true },
	{ "allcommands", REDIS_ACL_ALLCOMMANDS, true },
	{ "nocommands", REDIS_ACL_NOCOMMANDS, true },
	{ "nopass", REDIS_ACL_NOPASS, false },
	{ "resetpass", REDIS_ACL_RESETPASS, false },
	{ "reset", REDIS_ACL_RESET, false },
	{ "clearselectors", REDIS_ACL_CLEARSELECTORS, false },
	{ "sanitize-payload", REDIS_ACL_SANITIZE_PAYLOAD, false },
	{ "skip-sanitize-payload", REDIS_ACL_SKIP_SANITIZE_PAYLOAD, false },
};

/* %R~pat, %W~pat, %RW~pat (flags in any order and case). */
static int parse_key_perms(struct parser *p, const struct token *t,
			   struct redis_acl_rule *r)
{
	size_t i;

	r->key_perms = 0;
	for (i = 1; i < t->len && t->s[i] != '~'; i++) {
		if (t->s[i] == 'R' || t->s[i] == 'r')
			r->key_perms |= REDIS_ACL_KEY_READ;
		else if (t->s[i] == 'W' || t->s[i] == 'w')
			r->key_perms |= REDIS_ACL_KEY_WRITE;
		else
			return bad(p, t, "key permissions are R, W or RW "
				   "before ~ (as in %RW~pattern)", NULL);
	}
	if (!r->key_perms || i >= t->len)
		return bad(p, t, "expected %R~, %W~ or %RW~ followed by a "
			   "key pattern", NULL);
	if (i + 1 == t->len)
		return bad(p, t, "the key pattern is empty", NULL);
	r->kind = REDIS_ACL_KEYS;
	r->key_perms_explicit = true;
	r->arg = arena_strndup(p->a, t->s + i + 1, t->len - i - 1);
	return 0;
}

/* +cmd, -cmd, +cmd|sub, +@cat, -@cat. */
static int parse_command(struct parser *p, const struct token *t,
			 struct redis_acl_rule *r)
{
	bool allow = t->s[0] == '+';
	const char *bar;
	size_t i, n;

	if (t->len > 1 && t->s[1] == '@') {
		char *cat = lower_dup(p->a, t->s + 2, t->len - 2);

		if (!*cat)
			return bad(p, t, "the category name is missing", NULL);
		if (!redis_acl_category_known(cat))
			return bad(p, t, "unknown ACL category; Redis 7 has ",
				   redis_acl_category_list());
		r->kind = allow ? REDIS_ACL_ALLOW_CATEGORY :
			REDIS_ACL_DENY_CATEGORY;
		r->arg = cat;
		return 0;
	}
	bar = memchr(t->s, '|', t->len);
	n = bar ? (size_t)(bar - t->s) : t->len;
	if (n <= 1)
		return bad(p, t, "the command name is missing", NULL);
	for (i = 1; i < n; i++)
		if (!command_char(t->s[i]))
			return bad(p, t, "a command name has letters, digits "
				   "and _ - . : only", NULL);
	r->kind = allow ? REDIS_ACL_ALLOW_COMMAND : REDIS_ACL_DENY_COMMAND;
	r->arg = lower_dup(p->a, t->s + 1, n - 1);
	if (bar) {
		size_t sl = t->len - n - 1;

		if (sl == 0 || memchr(bar + 1, '|', sl))
			return bad(p, t, "expected one subcommand after | "
				   "(as in +config|get)", NULL);
		for (i = 0; i < sl; i++)
			if ((unsigned char)bar[1 + i] < 0x21 ||
			    (unsigned char)bar[1 + i] == 0x7f)
				return bad(p, t, "the subcommand has a control "
					   "character", NULL);
		r->sub = lower_dup(p->a, bar + 1, sl);
	}
	return 0;
}

/* One rule (not a selector).  in_selector limits it to what Redis allows
 * inside ( ). */
static int parse_rule(struct parser *p, const struct token *t,
		      bool in_selector, struct redis_acl_rule *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->token = t->pos;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (!tok_is(t, keywords[i].word))
			continue;
		if (in_selector && !keywords[i].in_selector)
			return bad(p, t, "not allowed inside a selector, which "
				   "holds key, channel and command rules only",
				   NULL);
		r->kind = keywords[i].kind;
		return 0;
	}
	switch (t->s[0]) {
	case '~':
		if (t->len == 1)
			return bad(p, t, "the key pattern is empty", NULL);
		r->kind = REDIS_ACL_KEYS;
		r->key_perms = REDIS_ACL_KEY_READ | REDIS_ACL_KEY_WRITE;
		r->arg = arena_strndup(p->a, t->s + 1, t->len - 1);
		return 0;
	case '%':
		return parse_key_perms(p, t, r);
	case '&':
		if (t->len == 1)
			return bad(p, t, "the channel pattern is empty", NULL);
		r->kind = REDIS_ACL_CHANNELS;
		r->arg = arena_strndup(p->a, t->s + 1, t->len - 1);
		return 0;
	case '+':
	case '-':
		return parse_command(p, t, r);
	}
	if (in_selector && strchr("><#!", t->s[0]))
		return bad_secret(p, t, "a password rule inside a selector");
	switch (t->s[0]) {
	case '>':
		r->kind = REDIS_ACL_ADD_PASSWORD;
		return 0;
	case '<':
		r->kind = REDIS_ACL_REMOVE_PASSWORD;
		return 0;
	case '#':
	case '!':
		if (!is_hex64(t->s + 1, t->len - 1))
			return bad_secret(p, t, "a password hash must be 64 "
					  "hexadecimal digits");
		r->kind = t->s[0] == '#' ? REDIS_ACL_ADD_HASH :
			REDIS_ACL_REMOVE_HASH;
		return 0;
	}
	return bad(p, t, "unknown rule", NULL);
}

static int parse_list(struct parser *p, const struct token *t, size_t n,
		      bool in_selector, struct redis_acl *out);

/* A selector starting at t[i]: "(" ... ")" over one or more tokens, as
 * Redis merges them (ACLMergeSelectorArguments).  Sets *end to the index
 * of its last token. */
static int parse_selector(struct parser *p, const struct token *t, size_t n,
			  size_t i, struct redis_acl_rule *r, size_t *end)
{
	struct redis_acl *sel;
	struct token *inner;
	size_t j, k, m = 0;

	for (j = i; j < n; j++)
		if (t[j].s[t[j].len - 1] == ')')
			break;
	if (j == n)
		return bad(p, &t[i], "selector without its closing )", NULL);
	inner = arena_calloc(p->a, j - i + 1, sizeof(*inner));
	for (k = i; k <= j; k++) {
		struct token x = t[k];

		if (k == i) {
			x.s++;
			x.len--;
		}
		if (k == j && x.len > 0)
			x.len--;	/* the ')' */
		if (x.len > 0 && x.s[0] == '(')
			return bad(p, &t[k], "selectors do not nest", NULL);
		if (x.len > 0)
			inner[m++] = x;
	}
	sel = arena_alloc(p->a, sizeof(*sel));
	if (parse_list(p, inner, m, true, sel) < 0)
		return -1;
	memset(r, 0, sizeof(*r));
	r->kind = REDIS_ACL_SELECTOR;
	r->selector = sel;
	r->token = t[i].pos;
	*end = j;
	return 0;
}

/* Rules of a selector body (in_selector) or of the whole string. */
static int parse_list(struct parser *p, const struct token *t, size_t n,
		      bool in_selector, struct redis_acl *out)
{
	struct redis_acl_rule *rules = arena_calloc(p->a, n + 1,
						    sizeof(*rules));
	size_t i, nr = 0;

	for (i = 0; i < n; i++) {
		if (!in_selector && t[i].s[0] == '(') {
			if (parse_selector(p, t, n, i, &rules[nr++], &i) < 0)
				return -1;
			continue;
		}
		if (parse_rule(p, &t[i], in_selector, &rules[nr]) < 0)
			return -1;
		nr++;
	}
	out->n = nr;
	out->rules = rules;
	return 0;
}

int redis_acl_parse(struct arena *a, const char *s, struct redis_acl *out,
		    const char **why)
{
	struct parser p = { .a = a, .why = NULL };
	struct token *t = arena_calloc(a, MAX_TOKENS, sizeof(*t));
	long n = tokenize(s, t);

	*why = NULL;
	if (n < 0) {
		*why = arena_sprintf(a, "more than %d rules", MAX_TOKENS);
		return -1;
	}
	if (n == 0) {
		*why = "the access string is empty";
		return -1;
	}
	if (parse_list(&p, t, (size_t)n, false, out) < 0) {
		*why = p.why;
		return -1;
	}
	return 0;
}

/* ---- what a grant means ---- */

/* Applies rules in order to granted[] (one flag per dangerous command), as
 * Redis applies them to a user's command bitmap.  Selectors add their own
 * grants (a command is allowed if the root or any selector allows it). */
static void simulate(const struct redis_acl *acl, bool *granted)
{
	bool sel_granted[N_DANGEROUS];
	size_t i, j;

	for (i = 0; i < acl->n; i++) {
		const struct redis_acl_rule *r = &acl->rules[i];
		uint32_t mask = 0;
		int ci;

		switch (r->kind) {
		case REDIS_ACL_ALLCOMMANDS:
		case REDIS_ACL_NOCOMMANDS:
		case REDIS_ACL_RESET:
			for (j = 0; j < N_DANGEROUS; j++)
				granted[j] = r->kind == REDIS_ACL_ALLCOMMANDS;
			break;
		case REDIS_ACL_ALLOW_CATEGORY:
		case REDIS_ACL_DENY_CATEGORY:
			ci = category_index(r->arg);
			mask = ci >= 0 ? 1u << ci : UINT32_MAX;	/* all */
			for (j = 0; j < N_DANGEROUS; j++)
				if (dangerous[j].cats & mask)
					granted[j] = r->kind ==
						REDIS_ACL_ALLOW_CATEGORY;
			break;
		case REDIS_ACL_ALLOW_COMMAND:
		case REDIS_ACL_DENY_COMMAND:
			/* -cmd|sub removes one subcommand: the rest stays */
			if (r->kind == REDIS_ACL_DENY_COMMAND && r->sub)
				break;
			for (j = 0; j < N_DANGEROUS; j++)
				if (strcmp(r->arg, dangerous[j].name) == 0)
					granted[j] = r->kind ==
						REDIS_ACL_ALLOW_COMMAND;
			break;
		case REDIS_ACL_SELECTOR:
			memset(sel_granted, 0, sizeof(sel_granted));
			simulate(r->selector, sel_granted);
			for (j = 0; j < N_DANGEROUS; j++)
				granted[j] = granted[j] || sel_granted[j];
			break;
		default:
			break;
		}
	}
}

const char *redis_acl_dangerous(struct arena *a, const struct redis_acl *acl)
{
	bool granted[N_DANGEROUS];
	char *out = NULL;
	size_t j;

	memset(granted, 0, sizeof(granted));
	simulate(acl, granted);
	for (j = 0; j < N_DANGEROUS; j++)
		if (granted[j])
			out = out ? arena_sprintf(a, "%s, %s", out,
						  dangerous[j].name) :
				arena_strdup(a, dangerous[j].name);
	return out;
}

/* ---- ElastiCache's rules for a custom string ---- */

static void add_problem(struct arena *a, const char ***list, size_t *n,
			const char *msg)
{
	const char **grown = arena_calloc(a, *n + 1, sizeof(*grown));

	if (*n)
		memcpy(grown, *list, *n * sizeof(*grown));
	grown[(*n)++] = msg;
	*list = grown;
}

static void error(struct arena *a, struct redis_acl_problems *out,
		  const char *msg)
{
	add_problem(a, &out->errors, &out->n_errors, msg);
}

static void warning(struct arena *a, struct redis_acl_problems *out,
		    const char *msg)
{
	add_problem(a, &out->warnings, &out->n_warnings, msg);
}

static const char *password_rule_name(enum redis_acl_kind k)
{
	switch (k) {
	case REDIS_ACL_ADD_PASSWORD:
		return "a password (>...)";
	case REDIS_ACL_REMOVE_PASSWORD:
		return "a password removal (<...)";
	case REDIS_ACL_ADD_HASH:
		return "a password hash (#...)";
	case REDIS_ACL_REMOVE_HASH:
		return "a password hash removal (!...)";
	default:
		return NULL;
	}
}

/* The per-rule checks; recurses into selectors. */
static void check_rules(struct arena *a, const struct redis_acl *acl,
			int redis_major, struct redis_acl_problems *out,
			bool *on_off)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		const struct redis_acl_rule *r = &acl->rules[i];
		const char *pw = password_rule_name(r->kind);
		bool v7 = redis_major == 0 || redis_major >= 7;

		if (pw)
			error(a, out, arena_sprintf(a, "Rule %zu embeds %s. "
				"Passwords never go into access strings: the "
				"provider generates them and keeps them in "
				"Secrets Manager.", r->token, pw));
		switch (r->kind) {
		case REDIS_ACL_ON:
		case REDIS_ACL_OFF:
			*on_off = true;
			break;
		case REDIS_ACL_NOPASS:
			error(a, out, arena_sprintf(a, "Rule %zu is nopass: "
				"it would let anyone connect as this user "
				"without a password.", r->token));
			break;
		case REDIS_ACL_RESETPASS:
		case REDIS_ACL_RESET:
			error(a, out, arena_sprintf(a, "Rule %zu is %s: it "
				"removes the passwords ElastiCache manages "
				"(ElastiCache refuses it).", r->token,
				r->kind == REDIS_ACL_RESET ? "reset" :
				"resetpass"));
			break;
		case REDIS_ACL_ALLOW_COMMAND:
		case REDIS_ACL_DENY_COMMAND:
			if (redis_acl_command_restricted(r->arg))
				error(a, out, arena_sprintf(a, "Rule %zu names "
					"%s, which ElastiCache does not offer "
					"(a restricted command); ElastiCache "
					"refuses access strings that name it. "
					"Leave it out: nobody can run it.",
					r->token, r->arg));
			if (!v7 && r->kind == REDIS_ACL_DENY_COMMAND && r->sub)
				error(a, out, arena_sprintf(a, "Rule %zu "
					"removes a subcommand (-%s|%s), which "
					"needs Redis OSS 7.0 or later.",
					r->token, r->arg, r->sub));
			break;
		case REDIS_ACL_KEYS:
			if (!v7 && r->key_perms_explicit)
				error(a, out, arena_sprintf(a, "Rule %zu sets "
					"read/write key permissions (%%R~ %%W~ "
					"%%RW~), which need Redis OSS 7.0 or "
					"later.", r->token));
			break;
		case REDIS_ACL_SELECTOR:
		case REDIS_ACL_CLEARSELECTORS:
			if (!v7)
				error(a, out, arena_sprintf(a, "Rule %zu uses "
					"selectors, which need Redis OSS 7.0 "
					"or later.", r->token));
			if (r->selector)
				check_rules(a, r->selector, redis_major, out,
					    on_off);
			break;
		default:
			break;
		}
	}
}

void redis_acl_check(struct arena *a, const struct redis_acl *acl,
		     bool is_admin, int redis_major,
		     struct redis_acl_problems *out)
{
	bool on_off = false;
	const char *d;

	memset(out, 0, sizeof(*out));
	check_rules(a, acl, redis_major, out, &on_off);
	if (!on_off)
		warning(a, out, "The access string says neither on nor off: "
			"ElastiCache creates the user disabled (off), so it "
			"cannot connect. Start it with \"on\".");
	d = is_admin ? NULL : redis_acl_dangerous(a, acl);
	if (d)
		warning(a, out, arena_sprintf(a, "The access string grants "
			"dangerous commands outside the admin role: %s. Deny "
			"them with -@dangerous (after any +@all, +@read, "
			"+@write or +@keyspace) unless this user really "
			"administers the cache.", d));
}

/* ---- presets ---- */

const char *redis_acl_check_pattern(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0)
		return "must not be empty";
	if (n > PATTERN_MAX)
		return "must be at most 256 characters";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return "must be printable ASCII without spaces";
	return NULL;
}

/* Joins the parts with single spaces. */
static const char *join(struct arena *a, const char *const *parts, size_t n)
{
	size_t i, len = 0;
	char *out, *p;

	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	p = out = arena_alloc(a, len + 1);
	for (i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);

		if (i)
			*p++ = ' ';
		memcpy(p, parts[i], l);
		p += l;
	}
	*p = '\0';
	return out;
}

const char *redis_acl_preset(struct arena *a, enum redis_acl_role role,
			     const char *const *keys, size_t n_keys,
			     const char *const *channels, size_t n_channels)
{
	static const char *const all[] = { "*" };
	static const char *const ro_cmds[] = {
		"-@all", "+@read", "+@connection", "-@dangerous" };
	static const char *const ro_sub[] = {
		"+subscribe", "+psubscribe", "+unsubscribe", "+punsubscribe" };
	static const char *const svc_cmds[] = {
		"-@all", "+@read", "+@write", "+@connection", "+@transaction" };
	static const char *const svc_deny[] = {
		"-@dangerous", "-flushall", "-flushdb", "-keys" };
	const char **parts;
	size_t i, n = 0;

	if (!n_keys) {
		keys = all;
		n_keys = 1;
	}
	if (!n_channels && role == REDIS_ACL_ROLE_ADMIN) {
		channels = all;
		n_channels = 1;
	}
	parts = arena_calloc(a, n_keys + n_channels + 16, sizeof(*parts));
	parts[n++] = "on";
	for (i = 0; i < n_keys; i++)
		parts[n++] = arena_sprintf(a, "~%s", keys[i]);
	for (i = 0; i < n_channels; i++)
		parts[n++] = arena_sprintf(a, "&%s", channels[i]);
	if (!n_channels)
		parts[n++] = "resetchannels";
	switch (role) {
	case REDIS_ACL_ROLE_ADMIN:
		parts[n++] = "+@all";
		break;
	case REDIS_ACL_ROLE_READONLY:
		for (i = 0; i < 3; i++)
			parts[n++] = ro_cmds[i];
		for (i = 0; n_channels && i < 4; i++)
			parts[n++] = ro_sub[i];
		parts[n++] = ro_cmds[3];
		break;
	case REDIS_ACL_ROLE_SERVICE:
		for (i = 0; i < 5; i++)
			parts[n++] = svc_cmds[i];
		if (n_channels)
			parts[n++] = "+@pubsub";
		for (i = 0; i < 4; i++)
			parts[n++] = svc_deny[i];
		break;
	}
	return join(a, parts, n);
}

const char *redis_acl_normalize(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *p = out;

	while (*s) {
		while (*s && is_space(*s))
			s++;
		if (!*s)
			break;
		if (p != out)
			*p++ = ' ';
		while (*s && !is_space(*s))
			*p++ = *s++;
	}
	*p = '\0';
	return out;
}
