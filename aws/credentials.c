/*
 * credentials.c - the credentials chain (see credentials.h).
 *
 * Follows the AWS SDKs' default chain and the shared config file rules of
 * the AWS SDK reference guide.  Every source that is tried and yields
 * nothing is remembered in a "looked at" list, so the final error says where
 * the provider looked.  Does not do: SSO profiles (reported as unsupported),
 * MFA prompts, login_session.
 */
#include "credentials.h"

#include "aws/client.h"
#include "aws/ini.h"
#include "core/arena.h"
#include "core/ctx.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REFRESH_BEFORE_S 300
#define MAX_PROFILE_CHAIN 8
#define MAX_PROCESS_OUTPUT (64 * 1024)

struct aws_credentials_provider {
	struct arena *arena;		/* copies of the options */
	struct aws_credentials_options opts;
	pthread_mutex_t lock;
	/* cached credentials, heap copies, wiped on replacement */
	char *ak, *sk, *token, *source;
	int64_t expires_at;
	int cached;
};

/* What one resolution step found. */
struct found {
	struct aws_credentials cr;
	int ok;
};

struct chain {
	struct ctx *c;
	struct aws_client *cl;
	struct aws_credentials_provider *p;
	const char *looked;		/* "a; b; c" */
	const char *failure;		/* a hard failure that stops the chain */
};

static const char *env(const struct aws_credentials_provider *p,
		       const char *name)
{
	const char *v = p->opts.getenv_fn ? p->opts.getenv_fn(name) : getenv(name);

	return v && *v ? v : NULL;
}

static void looked(struct chain *ch, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void looked(struct chain *ch, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vsprintf(ch->c->arena, fmt, ap);
	va_end(ap);
	ch->looked = ch->looked ? arena_sprintf(ch->c->arena, "%s; %s", ch->looked, s) : s;
}

static const char *const *copy_list(struct arena *a, const char *const *l)
{
	size_t n = 0, i;
	const char **out;

	if (!l)
		return NULL;
	while (l[n])
		n++;
	out = arena_calloc(a, n + 1, sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = arena_strdup(a, l[i]);
	return out;
}

struct aws_credentials_provider *
aws_credentials_chain_new(const struct aws_credentials_options *o)
{
	struct aws_credentials_provider *p = xcalloc(1, sizeof(*p));
	struct arena *a = arena_new();
	struct aws_credentials_options *c = &p->opts;

	p->arena = a;
	*c = *o;
	c->access_key = arena_strdup(a, o->access_key);
	c->secret_key = arena_strdup(a, o->secret_key);
	c->token = arena_strdup(a, o->token);
	if (c->secret_key)
		arena_add_secret(a, (void *)c->secret_key, strlen(c->secret_key));
	if (c->token)
		arena_add_secret(a, (void *)c->token, strlen(c->token));
	c->profile = arena_strdup(a, o->profile);
	c->config_files = copy_list(a, o->config_files);
	c->credentials_files = copy_list(a, o->credentials_files);
	c->assume_role.role_arn = arena_strdup(a, o->assume_role.role_arn);
	c->assume_role.session_name = arena_strdup(a, o->assume_role.session_name);
	c->assume_role.external_id = arena_strdup(a, o->assume_role.external_id);
	c->web_identity.role_arn = arena_strdup(a, o->web_identity.role_arn);
	c->web_identity.session_name = arena_strdup(a, o->web_identity.session_name);
	c->web_identity.token = arena_strdup(a, o->web_identity.token);
	if (c->web_identity.token)
		arena_add_secret(a, (void *)c->web_identity.token,
				 strlen(c->web_identity.token));
	c->web_identity.token_file = arena_strdup(a, o->web_identity.token_file);
	c->ecs_base_url = arena_strdup(a, o->ecs_base_url);
	c->imds_base_url = arena_strdup(a, o->imds_base_url);
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static void drop_cache(struct aws_credentials_provider *p)
{
	wipe_free(p->ak);
	wipe_free(p->sk);
	wipe_free(p->token);
	free(p->source);
	p->ak = p->sk = p->token = p->source = NULL;
	p->cached = 0;
}

void aws_credentials_provider_free(struct aws_credentials_provider *p)
{
	if (!p)
		return;
	drop_cache(p);
	pthread_mutex_destroy(&p->lock);
	arena_free(p->arena);
	free(p);
}

static int64_t parse_iso8601(const char *s)
{
	struct tm tm;
	const char *rest;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -1;
	return (int64_t)timegm(&tm);
}

static char *secret_copy(struct arena *a, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = arena_strdup(a, s);
	arena_add_secret(a, d, strlen(d));
	return d;
}

static void set_found(struct chain *ch, struct found *f, const char *ak,
		      const char *sk, const char *token, int64_t exp,
		      const char *source)
{
	struct arena *a = ch->c->arena;

	f->cr.access_key_id = arena_strdup(a, ak);
	f->cr.secret_access_key = secret_copy(a, sk);
	f->cr.session_token = token && *token ? secret_copy(a, token) : NULL;
	f->cr.expires_at = exp;
	f->cr.source = arena_strdup(a, source);
	f->ok = 1;
}

/* ---- STS ---- */

static int sts_credentials(struct chain *ch, struct aws_call *call,
			   const char *result_name, struct found *f,
			   const char *source)
{
	struct xml_node *cr;

	if (aws_call(ch->c, ch->cl, call) != 0) {
		ch->failure = arena_sprintf(ch->c->arena, "%s: STS %s failed: %s%s%s",
			source, call->operation,
			call->err.code ? call->err.code : "",
			call->err.code ? ": " : "",
			call->err.message ? call->err.message : "");
		return -1;
	}
	(void)result_name;
	cr = xml_child(call->result, "Credentials");
	if (!cr || !xml_text(cr, "AccessKeyId") || !xml_text(cr, "SecretAccessKey")) {
		ch->failure = arena_sprintf(ch->c->arena,
			"%s: STS %s returned no credentials", source, call->operation);
		return -1;
	}
	set_found(ch, f, xml_text(cr, "AccessKeyId"), xml_text(cr, "SecretAccessKey"),
		  xml_text(cr, "SessionToken"), parse_iso8601(xml_text(cr, "Expiration")),
		  source);
	return 0;
}

static const char *default_session_name(struct arena *a)
{
	return arena_sprintf(a, "terraform-provider-secure-%lld",
			     (long long)time(NULL));
}

static int assume_role(struct chain *ch, const struct aws_credentials *src,
		       const struct aws_assume_role *ar, struct found *f,
		       const char *source)
{
	struct arena *a = ch->c->arena;
	struct aws_params params;
	struct aws_call call;

	aws_params_init(&params, a);
	aws_params_add(&params, "RoleArn", ar->role_arn);
	aws_params_add(&params, "RoleSessionName",
		       ar->session_name ? ar->session_name : default_session_name(a));
	if (ar->external_id)
		aws_params_add(&params, "ExternalId", ar->external_id);
	if (ar->duration_s)
		aws_params_addf(&params, "DurationSeconds", "%lld",
				(long long)ar->duration_s);
	memset(&call, 0, sizeof(call));
	call.service = AWS_STS;
	call.operation = "AssumeRole";
	call.idempotent = true;
	call.params = &params;
	call.creds = src;
	return sts_credentials(ch, &call, "AssumeRoleResult", f, source);
}

static const char *read_small_file(struct arena *a, const char *path,
				   const char **err)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!fp) {
		*err = arena_sprintf(a, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = arena_alloc(a, 64 * 1024 + 1);
	n = fread(buf, 1, 64 * 1024, fp);
	fclose(fp);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	arena_add_secret(a, buf, n);
	if (!n) {
		*err = arena_sprintf(a, "%s is empty", path);
		return NULL;
	}
	return buf;
}

static int web_identity(struct chain *ch, const char *role_arn,
			const char *session, const char *token,
			const char *token_file, int64_t duration_s,
			struct found *f, const char *source)
{
	struct arena *a = ch->c->arena;
	struct aws_params params;
	struct aws_call call;
	const char *err = NULL;

	if (!token && !token_file) {
		ch->failure = arena_sprintf(a, "%s: no web identity token "
					    "(neither a token nor a token file)",
					    source);
		return -1;
	}
	if (!token) {
		token = read_small_file(a, token_file, &err);
		if (!token) {
			ch->failure = arena_sprintf(a, "%s: %s", source, err);
			return -1;
		}
	}
	aws_params_init(&params, a);
	aws_params_add(&params, "RoleArn", role_arn);
	aws_params_add(&params, "RoleSessionName",
		       session ? session : default_session_name(a));
	aws_params_add(&params, "WebIdentityToken", token);
	if (duration_s)
		aws_params_addf(&params, "DurationSeconds", "%lld", (long long)duration_s);
	memset(&call, 0, sizeof(call));
	call.service = AWS_STS;
	call.operation = "AssumeRoleWithWebIdentity";
	call.idempotent = true;
	call.params = &params;
	call.unsigned_request = true;
	return sts_credentials(ch, &call, "AssumeRoleWithWebIdentityResult", f, source);
}

/* ---- container and instance metadata ---- */

static int parse_metadata_json(struct chain *ch, const char *body, size_t len,
			       struct found *f, const char *source)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);
	const char *ak, *sk, *tok, *exp;
	int rc = -1;

	if (!j) {
		ch->failure = arena_sprintf(ch->c->arena, "%s: the response is not JSON", source);
		return -1;
	}
	ak = json_string_value(json_object_get(j, "AccessKeyId"));
	sk = json_string_value(json_object_get(j, "SecretAccessKey"));
	tok = json_string_value(json_object_get(j, "Token"));
	exp = json_string_value(json_object_get(j, "Expiration"));
	if (ak && sk) {
		set_found(ch, f, ak, sk, tok, parse_iso8601(exp), source);
		rc = 0;
	} else {
		ch->failure = arena_sprintf(ch->c->arena, "%s: the response holds no credentials", source);
	}
	/* wipe the secret in jansson's copy before releasing it */
	if (sk)
		OPENSSL_cleanse((void *)sk, strlen(sk));
	json_decref(j);
	return rc;
}

static int http_get(struct chain *ch, const char *method, const char *url,
		    const struct http_header *h, size_t nh,
		    struct http_response *r)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = h;
	req.n_headers = nh;
	req.connect_timeout_ms = 1000;
	req.timeout_ms = 2000;
	req.max_response_bytes = 64 * 1024;
	if (http_send(aws_client_http(ch->cl), ch->c->arena, &req, r, ch->c->stop) != 0)
		return -1;
	return r->status >= 200 && r->status < 300 ? 0 : -1;
}

static int ecs_credentials(struct chain *ch, struct found *f)
{
	struct aws_credentials_provider *p = ch->p;
	struct arena *a = ch->c->arena;
	const char *rel = env(p, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env(p, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tok = env(p, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *tok_file = env(p, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	struct http_header h[1];
	struct http_response r;
	const char *url, *err = NULL;
	size_t nh = 0;

	if (!rel && !full) {
		looked(ch, "ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set)");
		return 1;
	}
	url = rel ? arena_sprintf(a, "%s%s", p->opts.ecs_base_url ? p->opts.ecs_base_url
						  : "http://169.254.170.2", rel)
		  : full;
	if (tok_file) {
		tok = read_small_file(a, tok_file, &err);
		if (!tok) {
			ch->failure = arena_sprintf(a, "ECS container credentials: %s", err);
			return -1;
		}
	}
	if (tok)
		h[nh++] = (struct http_header){ "Authorization", tok };
	if (http_get(ch, "GET", url, h, nh, &r) != 0) {
		ch->failure = arena_sprintf(a, "ECS container credentials: %s answered %s",
			url, r.error_message ? r.error_message : arena_sprintf(a, "HTTP %ld", r.status));
		return -1;
	}
	return parse_metadata_json(ch, r.body, r.body_len, f, "ECS container credentials");
}

static int imds_credentials(struct chain *ch, struct found *f)
{
	struct aws_credentials_provider *p = ch->p;
	struct arena *a = ch->c->arena;
	const char *disabled = env(p, "AWS_EC2_METADATA_DISABLED");
	const char *base = p->opts.imds_base_url ? p->opts.imds_base_url
		: env(p, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct http_header th = { "X-aws-ec2-metadata-token-ttl-seconds", "21600" };
	struct http_header h[1];
	struct http_response r;
	const char *token, *role;
	size_t n;

	if (disabled && strcasecmp(disabled, "true") == 0) {
		looked(ch, "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)");
		return 1;
	}
	if (!base)
		base = "http://169.254.169.254";
	n = strlen(base);
	if (n && base[n - 1] == '/')
		base = arena_strndup(a, base, n - 1);
	if (http_get(ch, "PUT", arena_sprintf(a, "%s/latest/api/token", base), &th, 1, &r) != 0) {
		looked(ch, "EC2 instance metadata (IMDSv2 at %s did not answer)", base);
		return 1;
	}
	token = r.body;
	h[0] = (struct http_header){ "X-aws-ec2-metadata-token", token };
	if (http_get(ch, "GET", arena_sprintf(a, "%s/latest/meta-data/iam/security-credentials/", base),
		     h, 1, &r) != 0 || !r.body_len) {
		looked(ch, "EC2 instance metadata (no instance profile role)");
		return 1;
	}
	role = arena_strndup(a, r.body, strcspn(r.body, "\r\n"));
	if (http_get(ch, "GET", arena_sprintf(a, "%s/latest/meta-data/iam/security-credentials/%s", base, role),
		     h, 1, &r) != 0) {
		ch->failure = arena_sprintf(a, "EC2 instance metadata: cannot read the credentials of role %s", role);
		return -1;
	}
	return parse_metadata_json(ch, r.body, r.body_len, f, "EC2 instance metadata");
}

/* ---- credential_process ---- */

static int process_credentials(struct chain *ch, const char *cmd,
			       struct found *f, const char *source)
{
	struct arena *a = ch->c->arena;
	char *buf = arena_alloc(a, MAX_PROCESS_OUTPUT + 1);
	FILE *fp;
	size_t n;
	int status;
	json_error_t je;
	json_t *j;
	const char *ak, *sk;

	arena_add_secret(a, buf, MAX_PROCESS_OUTPUT + 1);
	fflush(NULL);
	fp = popen(cmd, "r");
	if (!fp) {
		ch->failure = arena_sprintf(a, "%s: cannot run credential_process: %s",
					    source, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, MAX_PROCESS_OUTPUT, fp);
	status = pclose(fp);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ch->failure = arena_sprintf(a, "%s: credential_process exited with status %d",
					    source, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	j = json_loadb(buf, n, 0, &je);
	if (!j || json_integer_value(json_object_get(j, "Version")) != 1) {
		json_decref(j);
		ch->failure = arena_sprintf(a, "%s: credential_process output is not a Version 1 JSON document",
					    source);
		return -1;
	}
	ak = json_string_value(json_object_get(j, "AccessKeyId"));
	sk = json_string_value(json_object_get(j, "SecretAccessKey"));
	if (!ak || !sk) {
		json_decref(j);
		ch->failure = arena_sprintf(a, "%s: credential_process output lacks AccessKeyId or SecretAccessKey",
					    source);
		return -1;
	}
	set_found(ch, f, ak, sk, json_string_value(json_object_get(j, "SessionToken")),
		  parse_iso8601(json_string_value(json_object_get(j, "Expiration"))), source);
	OPENSSL_cleanse((void *)sk, strlen(sk));
	json_decref(j);
	return 0;
}

/* ---- shared files ---- */

struct shared {
	struct ini_file *config;	/* merged: entries of every file */
	struct ini_file *creds;
	const char *config_names, *creds_names;
};

static const char *home_path(struct chain *ch, const char *rel)
{
	const char *home = env(ch->p, "HOME");

	return home ? arena_sprintf(ch->c->arena, "%s/%s", home, rel) : NULL;
}

static struct ini_file *load_files(struct chain *ch, const char *const *files,
				   const char *env_name, const char *def,
				   const char **names)
{
	struct arena *a = ch->c->arena;
	struct ini_file *merged = arena_alloc(a, sizeof(*merged));
	const char *single[2] = { NULL, NULL };
	size_t i;

	if (!files) {
		single[0] = env(ch->p, env_name);
		if (!single[0])
			single[0] = home_path(ch, def);
		files = single;
	}
	for (i = 0; files[i]; i++) {
		struct ini_file f;
		const char *err, *path = files[i];
		int rc;

		if (path[0] == '~' && path[1] == '/')
			path = home_path(ch, path + 2);
		if (!path)
			continue;
		rc = ini_load(a, path, &f, &err);
		*names = *names ? arena_sprintf(a, "%s, %s", *names, path) : path;
		if (rc < 0) {
			ch->failure = err;
			return merged;
		}
		if (rc > 0)
			continue;
		if (f.problems)
			ctx_log(ch->c, LOG_WARN, "%s: ignored lines: %s", path, f.problems);
		if (f.n) {
			struct ini_entry *e = arena_calloc(a, merged->n + f.n, sizeof(*e));

			if (merged->n)
				memcpy(e, merged->entries, merged->n * sizeof(*e));
			memcpy(e + merged->n, f.entries, f.n * sizeof(*e));
			merged->entries = e;
			merged->n += f.n;
		}
	}
	return merged;
}

static const char *profile_section(struct arena *a, const char *profile)
{
	return strcmp(profile, "default") == 0 ? "default"
		: arena_sprintf(a, "profile %s", profile);
}

static const char *cfg_get(struct chain *ch, const struct shared *s,
			   const char *profile, const char *key)
{
	const char *v = ini_get(s->config, profile_section(ch->c->arena, profile), key);

	/* The SDKs also accept [default] written as [profile default]. */
	if (!v && strcmp(profile, "default") == 0)
		v = ini_get(s->config, "profile default", key);
	return v;
}

static const char *current_profile(struct chain *ch)
{
	if (ch->p->opts.profile && *ch->p->opts.profile)
		return ch->p->opts.profile;
	return env(ch->p, "AWS_PROFILE") ? env(ch->p, "AWS_PROFILE") : "default";
}

static int profile_credentials(struct chain *ch, const struct shared *s,
			       const char *profile, int depth, struct found *f);

static int static_keys(struct chain *ch, const struct shared *s,
		       const char *profile, struct found *f)
{
	struct arena *a = ch->c->arena;
	const char *ak = ini_get(s->creds, profile, "aws_access_key_id");
	const char *sk = ini_get(s->creds, profile, "aws_secret_access_key");
	const char *tok = ini_get(s->creds, profile, "aws_session_token");
	const char *where = s->creds_names;

	if (!ak && !sk) {
		ak = cfg_get(ch, s, profile, "aws_access_key_id");
		sk = cfg_get(ch, s, profile, "aws_secret_access_key");
		tok = cfg_get(ch, s, profile, "aws_session_token");
		where = s->config_names;
	}
	if (!ak && !sk)
		return 1;
	if (!ak || !sk) {
		ch->failure = arena_sprintf(a, "profile %s in %s has only one of aws_access_key_id and aws_secret_access_key",
					    profile, where);
		return -1;
	}
	set_found(ch, f, ak, sk, tok, 0,
		  arena_sprintf(a, "shared credentials (profile %s, %s)", profile, where));
	return 0;
}

static int profile_credentials(struct chain *ch, const struct shared *s,
			       const char *profile, int depth, struct found *f)
{
	struct arena *a = ch->c->arena;
	const char *role_arn = cfg_get(ch, s, profile, "role_arn");
	const char *src_profile = cfg_get(ch, s, profile, "source_profile");
	const char *cred_source = cfg_get(ch, s, profile, "credential_source");
	const char *process = cfg_get(ch, s, profile, "credential_process");
	const char *wif = cfg_get(ch, s, profile, "web_identity_token_file");
	const char *label = arena_sprintf(a, "profile %s", profile);
	int rc;

	if (depth > MAX_PROFILE_CHAIN) {
		ch->failure = arena_sprintf(a, "%s: source_profile chain longer than %d (a loop?)",
					    label, MAX_PROFILE_CHAIN);
		return -1;
	}
	if (role_arn && wif)
		return web_identity(ch, role_arn, cfg_get(ch, s, profile, "role_session_name"),
				    NULL, wif, 0, f,
				    arena_sprintf(a, "%s web identity", label));
	if (role_arn && (src_profile || cred_source)) {
		struct found src;
		struct aws_assume_role ar;
		const char *dur = cfg_get(ch, s, profile, "duration_seconds");

		memset(&src, 0, sizeof(src));
		if (src_profile) {
			/* A profile that is its own source uses its static keys. */
			rc = strcmp(src_profile, profile) == 0
				? static_keys(ch, s, profile, &src)
				: profile_credentials(ch, s, src_profile, depth + 1, &src);
		} else if (strcmp(cred_source, "Environment") == 0) {
			const char *ak = env(ch->p, "AWS_ACCESS_KEY_ID");
			const char *sk = env(ch->p, "AWS_SECRET_ACCESS_KEY");

			rc = ak && sk ? 0 : 1;
			if (!rc)
				set_found(ch, &src, ak, sk, env(ch->p, "AWS_SESSION_TOKEN"), 0, "environment");
		} else if (strcmp(cred_source, "EcsContainer") == 0) {
			rc = ecs_credentials(ch, &src);
		} else if (strcmp(cred_source, "Ec2InstanceMetadata") == 0) {
			rc = imds_credentials(ch, &src);
		} else {
			ch->failure = arena_sprintf(a, "%s: unknown credential_source %s", label, cred_source);
			return -1;
		}
		if (rc != 0) {
			if (rc > 0)
				ch->failure = arena_sprintf(a, "%s: its source (%s) has no credentials",
							    label, src_profile ? src_profile : cred_source);
			return -1;
		}
		memset(&ar, 0, sizeof(ar));
		ar.role_arn = role_arn;
		ar.session_name = cfg_get(ch, s, profile, "role_session_name");
		ar.external_id = cfg_get(ch, s, profile, "external_id");
		ar.duration_s = dur ? strtoll(dur, NULL, 10) : 0;
		return assume_role(ch, &src.cr, &ar, f,
				   arena_sprintf(a, "%s (assume role %s)", label, role_arn));
	}
	if (role_arn) {
		ch->failure = arena_sprintf(a, "%s has role_arn but neither source_profile nor credential_source", label);
		return -1;
	}
	rc = static_keys(ch, s, profile, f);
	if (rc <= 0)
		return rc;
	if (process)
		return process_credentials(ch, process, f,
					   arena_sprintf(a, "%s credential_process", label));
	if (cfg_get(ch, s, profile, "sso_session") || cfg_get(ch, s, profile, "sso_start_url")) {
		ch->failure = arena_sprintf(a, "%s uses AWS SSO, which this provider does not support yet; run `aws configure export-credentials --profile %s --format env` and export the result",
					    label, profile);
		return -1;
	}
	return 1;
}

static int shared_file_credentials(struct chain *ch, struct found *f)
{
	struct shared s;
	const char *profile = current_profile(ch);
	int rc, explicit_profile;

	memset(&s, 0, sizeof(s));
	s.config = load_files(ch, ch->p->opts.config_files, "AWS_CONFIG_FILE",
			      ".aws/config", &s.config_names);
	s.creds = load_files(ch, ch->p->opts.credentials_files,
			     "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
			     &s.creds_names);
	if (ch->failure)
		return -1;
	rc = profile_credentials(ch, &s, profile, 0, f);
	if (rc > 0) {
		explicit_profile = (ch->p->opts.profile && *ch->p->opts.profile) ||
				   env(ch->p, "AWS_PROFILE");
		if (explicit_profile && !ini_has_section(s.creds, profile) &&
		    !ini_has_section(s.config, profile_section(ch->c->arena, profile))) {
			ch->failure = arena_sprintf(ch->c->arena,
				"profile %s was asked for but is not in %s or %s", profile,
				s.config_names ? s.config_names : "(no config file)",
				s.creds_names ? s.creds_names : "(no credentials file)");
			return -1;
		}
		looked(ch, "shared config and credentials files (profile %s in %s; %s)",
		       profile, s.config_names ? s.config_names : "no config file",
		       s.creds_names ? s.creds_names : "no credentials file");
	}
	return rc;
}

const char *aws_credentials_profile_region(struct arena *a,
					   const struct aws_credentials_options *opts)
{
	struct aws_credentials_provider p;
	struct ctx c;
	struct chain ch;
	struct shared s;
	const char *r;

	memset(&p, 0, sizeof(p));
	p.opts = *opts;
	memset(&c, 0, sizeof(c));
	c.arena = a;
	diags_init(&c.diags, a);
	memset(&ch, 0, sizeof(ch));
	ch.c = &c;
	ch.p = &p;
	memset(&s, 0, sizeof(s));
	s.config = load_files(&ch, opts->config_files, "AWS_CONFIG_FILE",
			      ".aws/config", &s.config_names);
	r = cfg_get(&ch, &s, current_profile(&ch), "region");
	return r ? arena_strdup(a, r) : NULL;
}

/* ---- the chain ---- */

static int resolve_base(struct chain *ch, struct found *f)
{
	struct aws_credentials_provider *p = ch->p;
	const struct aws_credentials_options *o = &p->opts;
	struct arena *a = ch->c->arena;
	const char *ak, *sk;
	int rc;

	if (o->access_key || o->secret_key) {
		if (!o->access_key || !o->secret_key) {
			ch->failure = "the provider block sets only one of access_key and secret_key";
			return -1;
		}
		set_found(ch, f, o->access_key, o->secret_key, o->token, 0, "provider block");
		return 0;
	}
	looked(ch, "provider block (access_key/secret_key not set)");
	ak = env(p, "AWS_ACCESS_KEY_ID");
	sk = env(p, "AWS_SECRET_ACCESS_KEY");
	if (ak || sk) {
		if (!ak || !sk) {
			ch->failure = "the environment sets only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
			return -1;
		}
		set_found(ch, f, ak, sk, env(p, "AWS_SESSION_TOKEN"), 0, "environment");
		return 0;
	}
	looked(ch, "environment (AWS_ACCESS_KEY_ID not set)");
	rc = shared_file_credentials(ch, f);
	if (rc <= 0)
		return rc;
	if (env(p, "AWS_ROLE_ARN") && env(p, "AWS_WEB_IDENTITY_TOKEN_FILE"))
		return web_identity(ch, env(p, "AWS_ROLE_ARN"), env(p, "AWS_ROLE_SESSION_NAME"),
				    NULL, env(p, "AWS_WEB_IDENTITY_TOKEN_FILE"), 0, f,
				    "web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)");
	looked(ch, "web identity (AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE not set)");
	rc = ecs_credentials(ch, f);
	if (rc <= 0)
		return rc;
	rc = imds_credentials(ch, f);
	(void)a;
	return rc;
}

static int resolve(struct chain *ch, struct found *f)
{
	const struct aws_credentials_options *o = &ch->p->opts;
	struct found base;
	int rc;

	memset(&base, 0, sizeof(base));
	if (o->web_identity.role_arn) {
		rc = web_identity(ch, o->web_identity.role_arn, o->web_identity.session_name,
				  o->web_identity.token, o->web_identity.token_file,
				  o->web_identity.duration_s, &base,
				  "assume_role_with_web_identity");
	} else {
		rc = resolve_base(ch, &base);
	}
	if (rc != 0)
		return rc;
	if (!o->assume_role.role_arn) {
		*f = base;
		return 0;
	}
	return assume_role(ch, &base.cr, &o->assume_role, f,
			   arena_sprintf(ch->c->arena, "assume_role %s (from %s)",
					 o->assume_role.role_arn, base.cr.source));
}

static void copy_out(struct ctx *c, const struct aws_credentials_provider *p,
		     struct aws_credentials *out)
{
	out->access_key_id = arena_strdup(c->arena, p->ak);
	out->secret_access_key = secret_copy(c->arena, p->sk);
	out->session_token = p->token ? secret_copy(c->arena, p->token) : NULL;
	out->expires_at = p->expires_at;
	out->source = arena_strdup(c->arena, p->source);
}

int aws_credentials_get(struct aws_credentials_provider *p, struct ctx *c,
			struct aws_client *cl, struct aws_credentials *out)
{
	struct chain ch;
	struct found f;
	int64_t now = (int64_t)time(NULL);
	int rc;

	pthread_mutex_lock(&p->lock);
	if (p->cached && (!p->expires_at || p->expires_at - now > REFRESH_BEFORE_S)) {
		copy_out(c, p, out);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	memset(&ch, 0, sizeof(ch));
	memset(&f, 0, sizeof(f));
	ch.c = c;
	ch.cl = cl;
	ch.p = p;
	rc = resolve(&ch, &f);
	if (rc == 0 && f.ok) {
		drop_cache(p);
		p->ak = xstrdup(f.cr.access_key_id);
		p->sk = xstrdup(f.cr.secret_access_key);
		p->token = f.cr.session_token ? xstrdup(f.cr.session_token) : NULL;
		p->source = xstrdup(f.cr.source);
		p->expires_at = f.cr.expires_at > 0 ? f.cr.expires_at : 0;
		p->cached = 1;
		copy_out(c, p, out);
		pthread_mutex_unlock(&p->lock);
		ctx_log(c, LOG_DEBUG, "AWS credentials from %s", out->source);
		return 0;
	}
	pthread_mutex_unlock(&p->lock);
	if (ch.failure)
		return diag_error(&c->diags, NULL, "Invalid AWS credentials configuration",
				  "%s", ch.failure);
	return diag_error(&c->diags, NULL, "No valid AWS credentials found",
			  "The provider looked in: %s. Configure credentials in one of these places "
			  "(for GitHub Actions, use OIDC with aws-actions/configure-aws-credentials, which sets "
			  "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE).",
			  ch.looked ? ch.looked : "nowhere");
}
