/*
 * redis_acl.h - Redis ACL access strings (the rules of ACL SETUSER, as
 * ElastiCache RBAC users carry them): a parser into a rule list, the
 * checks secure_redis_rbac_users applies to a custom access string, an
 * analysis of which dangerous commands a string grants, and the access
 * strings of the role presets.
 *
 * Grammar (Redis 7 acl.c, ACLSetUser / ACLSetSelector): rules separated by
 * white space; keywords are case-insensitive.
 *   on off  ~pat  %R~pat %W~pat %RW~pat  allkeys resetkeys
 *   &pat allchannels resetchannels
 *   +cmd -cmd +cmd|sub -cmd|sub +@cat -@cat allcommands nocommands
 *   >pass <pass #hash !hash nopass resetpass  reset clearselectors
 *   sanitize-payload skip-sanitize-payload  (rules...)   (a selector)
 * Categories are Redis 7's 21 plus the pseudo-category `all`.
 *
 * Secrets: the text of a password rule (>pass, <pass) and of a hash rule
 * is never copied, returned or put into a message; rules record only that
 * they were there.
 *
 * Ownership: everything returned lives in the arena given.  No global
 * state; thread-safe.
 */
#ifndef RESOURCES_REDIS_ACL_H
#define RESOURCES_REDIS_ACL_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum redis_acl_kind {
	REDIS_ACL_ON,
	REDIS_ACL_OFF,
	REDIS_ACL_KEYS,			/* ~pat, %R~pat ...: arg, key_perms */
	REDIS_ACL_ALLKEYS,
	REDIS_ACL_RESETKEYS,
	REDIS_ACL_CHANNELS,		/* &pat: arg */
	REDIS_ACL_ALLCHANNELS,
	REDIS_ACL_RESETCHANNELS,
	REDIS_ACL_ALLOW_COMMAND,	/* +cmd, +cmd|sub: arg, sub */
	REDIS_ACL_DENY_COMMAND,		/* -cmd, -cmd|sub */
	REDIS_ACL_ALLOW_CATEGORY,	/* +@cat: arg (lowercase) */
	REDIS_ACL_DENY_CATEGORY,	/* -@cat */
	REDIS_ACL_ALLCOMMANDS,
	REDIS_ACL_NOCOMMANDS,
	REDIS_ACL_ADD_PASSWORD,		/* >pass   (text not kept) */
	REDIS_ACL_REMOVE_PASSWORD,	/* <pass   (text not kept) */
	REDIS_ACL_ADD_HASH,		/* #hash   (text not kept) */
	REDIS_ACL_REMOVE_HASH,		/* !hash   (text not kept) */
	REDIS_ACL_NOPASS,
	REDIS_ACL_RESETPASS,
	REDIS_ACL_RESET,
	REDIS_ACL_CLEARSELECTORS,
	REDIS_ACL_SANITIZE_PAYLOAD,
	REDIS_ACL_SKIP_SANITIZE_PAYLOAD,
	REDIS_ACL_SELECTOR,		/* (rules): selector */
};

/* key_perms of REDIS_ACL_KEYS */
#define REDIS_ACL_KEY_READ 1u
#define REDIS_ACL_KEY_WRITE 2u

struct redis_acl;

struct redis_acl_rule {
	enum redis_acl_kind kind;
	const char *arg;	/* pattern, command or category; else NULL */
	const char *sub;	/* subcommand / first arg of +cmd|sub; NULL */
	unsigned key_perms;	/* REDIS_ACL_KEYS: READ|WRITE (~ is both) */
	bool key_perms_explicit;	/* written as %..~ (Redis 7) */
	const struct redis_acl *selector;	/* REDIS_ACL_SELECTOR */
	size_t token;		/* 1-based position in the string */
};

struct redis_acl {
	size_t n;
	const struct redis_acl_rule *rules;
};

/* Parses s.  Returns 0 and sets *out, or -1 with *why set to an arena
 * message naming the first malformed rule by position and, unless it is a
 * password or hash rule, by its text ("rule 3 \"+@foo\": unknown category
 * foo; Redis 7 has keyspace, read, ...").  Syntax only: passwords, reset
 * and friends parse fine here (see redis_acl_check).  An empty or
 * all-blank string is malformed. */
int redis_acl_parse(struct arena *a, const char *s, struct redis_acl *out,
		    const char **why);

/* True if name is a Redis 7 ACL category or `all` (case-insensitive). */
bool redis_acl_category_known(const char *name);
/* "keyspace, read, write, ..." (static). */
const char *redis_acl_category_list(void);

/* What secure_redis_rbac_users refuses in a custom access string, and
 * warns about.  Each problem is one sentence (arena, no secret). */
struct redis_acl_problems {
	size_t n_errors, n_warnings;
	const char **errors;
	const char **warnings;
};

/* Checks a parsed access string for use as an ElastiCache user's custom
 * access string:
 *  errors:   a password or hash (> < # !), nopass, resetpass, reset (all
 *            of which fight ElastiCache's password management), commands
 *            ElastiCache does not offer (config, debug, shutdown, ...:
 *            ElastiCache rejects access strings naming them), and Redis 7
 *            syntax (%R~, selectors, -cmd|sub) when redis_major < 7;
 *  warnings: dangerous commands granted (redis_acl_dangerous) unless
 *            is_admin; a string with neither `on` nor `off` (ElastiCache
 *            then creates the user disabled).
 * redis_major is 0 when unknown (no version check). */
void redis_acl_check(struct arena *a, const struct redis_acl *acl,
		     bool is_admin, int redis_major,
		     struct redis_acl_problems *out);

/* The dangerous commands (flushall, flushdb, keys, config, shutdown, debug,
 * monitor, migrate, restore, module, swapdb, replicaof, slaveof, sync,
 * psync, save, bgsave, bgrewriteaof, acl, failover, cluster) the access
 * string grants after applying its rules in order, as Redis would: by
 * category (+@all, +@dangerous, +@admin, +@write, +@read, +@keyspace ...),
 * by name, or in any selector.  A subcommand grant (+config|get) counts as
 * a grant.  Returns a ", "-joined arena string, or NULL when none. */
const char *redis_acl_dangerous(struct arena *a, const struct redis_acl *acl);

/* True if the command (any case) is one ElastiCache does not offer. */
bool redis_acl_command_restricted(const char *cmd);

/* ---- role presets ---- */

enum redis_acl_role {
	REDIS_ACL_ROLE_ADMIN,
	REDIS_ACL_ROLE_READONLY,
	REDIS_ACL_ROLE_SERVICE,
};

/* Access string of a preset role for the given key and channel patterns
 * (NULL/0 = the role's default: all keys for every role; all channels for
 * admin, none for readonly and service).  Patterns are emitted in the order
 * given (callers pass a set's canonical order, so the result is
 * deterministic).  Patterns must already be valid (redis_acl_check_pattern).
 *   admin:    on ~K.. &C.. +@all
 *   readonly: on ~K.. resetchannels -@all +@read +@connection -@dangerous
 *             (with channels: &C.. and +subscribe +psubscribe +unsubscribe
 *             +punsubscribe instead of resetchannels)
 *   service:  on ~K.. resetchannels -@all +@read +@write +@connection
 *             +@transaction -@dangerous -flushall -flushdb -keys
 *             (with channels: &C.. and +@pubsub)
 * CONFIG, SHUTDOWN and DEBUG are denied by -@dangerous (they are in it) and
 * by ElastiCache itself, which does not offer them and rejects access
 * strings that name them.  Arena string. */
const char *redis_acl_preset(struct arena *a, enum redis_acl_role role,
			     const char *const *keys, size_t n_keys,
			     const char *const *channels, size_t n_channels);

/* The group's locked `default` user: enabled for nobody, no command. */
#define REDIS_ACL_DEFAULT_USER "off -@all"

/* A key or channel pattern usable in a preset: 1..256 printable ASCII
 * characters without white space.  NULL when fine, else a static reason. */
const char *redis_acl_check_pattern(const char *s);

/* White space collapsed to single spaces, ends trimmed (what ElastiCache is
 * sent for a custom string).  Arena string. */
const char *redis_acl_normalize(struct arena *a, const char *s);

#endif
