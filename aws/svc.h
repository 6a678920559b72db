/*
 * svc.h - what the per-service clients (elasticache.c, ec2.c, kms.c,
 * secretsmanager.c, logs.c, ssm.c, iam.c) share: one call wrapper per
 * protocol family that turns "not found" into a return value and every other
 * failure into the standard diagnostic, parameter helpers for optional
 * values, and table-driven parsing of XML/JSON results into plain structs.
 *
 * Everything allocates from the ctx arena; nothing here is freed separately.
 * Thread-safe (no state).  Internal to aws/: resources use the service
 * headers, which include this one for the shared types below.
 */
#ifndef AWS_SVC_H
#define AWS_SVC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"

struct ctx;
struct path;

/* A resource tag.  Strings are borrowed by inputs, arena-owned in outputs. */
struct svc_tag {
	const char *key;
	const char *value;
};

/* An optional boolean input: SVC_UNSET is not sent. */
enum svc_bool {
	SVC_UNSET = 0,
	SVC_FALSE,
	SVC_TRUE,
};

/* An optional integer input: sent only when set (memset 0 = unset).
 * Write SVC_INT(6379). */
struct svc_int {
	bool set;
	int value;
};

#define SVC_INT(v) ((struct svc_int){ true, (v) })

/* An array of strings (arena memory in outputs). */
struct svc_strs {
	const char **v;
	size_t n;
};

/* Returned by service functions when the named object does not exist
 * (no diagnostic is added then). */
#define SVC_NOT_FOUND 1

/* Query / EC2 protocol call.  not_found: "CodeA|CodeB" answered as
 * SVC_NOT_FOUND, or NULL.  On success *result is the <OpResult> element
 * (EC2: <OpResponse>).  Other failures: the standard diagnostic on path p
 * (may be NULL), -1. */
int svc_query(struct ctx *c, struct aws_client *cl, enum aws_service s,
	      const char *op, bool idempotent, const struct aws_params *params,
	      const char *not_found, const struct path *p,
	      struct xml_node **result);

/* JSON 1.1 call.  req is stolen (decref'd here; NULL means {}).  *resp is
 * owned by the arena.  Returns like svc_query. */
int svc_json(struct ctx *c, struct aws_client *cl, enum aws_service s,
	     const char *op, bool idempotent, json_t *req,
	     const char *not_found, const struct path *p, json_t **resp);

/* The diagnostic for a failed aws_call (none when the credentials chain
 * already reported why).  Returns -1.  For callers that look at
 * call->err themselves before deciding it is a failure. */
int svc_error(struct ctx *c, const struct path *p, const struct aws_call *call);

/* Guards calls where a missing name would widen the request to "all"
 * (Describe* without an id lists everything): 0 if v is a non-empty
 * string, else the diagnostic "<Service> <op> failed" / "<param> is
 * empty" on p and -1. */
int svc_require(struct ctx *c, const struct path *p, enum aws_service s,
		const char *op, const char *param, const char *v);

/* ---- query parameters; NULL strings, SVC_UNSET and unset ints are
 * not sent (a missing required one is then AWS's MissingParameter, never
 * a crash); NULL list elements and tag keys go out as "" ---- */
void svc_add_str(struct aws_params *p, const char *key, const char *v);
void svc_add_bool(struct aws_params *p, const char *key, enum svc_bool v);
void svc_add_int(struct aws_params *p, const char *key, struct svc_int v);
/* prefix.1, prefix.2 ... */
void svc_add_strs(struct aws_params *p, const char *prefix,
		  const char *const *v, size_t n);
/* prefix.N.Key / prefix.N.Value */
void svc_add_tags(struct aws_params *p, const char *prefix,
		  const struct svc_tag *tags, size_t n);

/* ---- JSON request helpers (set nothing for NULL / SVC_UNSET / unset) ---- */
void svc_json_str(json_t *o, const char *key, const char *v);
void svc_json_bool(json_t *o, const char *key, enum svc_bool v);
void svc_json_int(json_t *o, const char *key, struct svc_int v);
/* True when tags hold key = value. */
bool svc_tags_has(const struct svc_tag *tags, size_t n, const char *key,
		  const char *value);

/* [{"<kname>": k, "<vname>": v}, ...] */
json_t *svc_json_tags(const struct svc_tag *tags, size_t n,
		      const char *kname, const char *vname);

/* ["a", "b", ...] (new reference). */
json_t *svc_json_strs(struct svc_strs s);

/* ---- table-driven result parsing ---- */
enum svc_kind {
	SVC_STR,	/* const char * (NULL when absent) */
	SVC_INT,	/* int (0 when absent) */
	SVC_BOOL,	/* bool ("true"/true) */
	SVC_STRS,	/* struct svc_strs: XML list container / JSON array */
	SVC_TAGS,	/* struct svc_tag *, size_t n right after it (see below) */
	SVC_NUM,	/* double (JSON numbers, e.g. epoch timestamps) */
};

/* path: XML child path "A/B" (xml_find) or JSON "A/B" (nested objects). */
struct svc_field {
	const char *path;
	enum svc_kind kind;
	size_t off;
};

/* SVC_TAGS needs a struct svc_tags member: */
struct svc_tags {
	struct svc_tag *v;
	size_t n;
};

#define SVC_FIELD(type, member, path, kind) \
	{ (path), (kind), offsetof(type, member) }
#define SVC_NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* Fills out from node's children per the table.  XML tags are
 * <item|member|Tag><Key|key>..<Value|value>; JSON tags are objects with
 * Key/Value or TagKey/TagValue, or a {"k": "v"} map. */
void svc_xml_fields(struct arena *a, const struct xml_node *node,
		    const struct svc_field *f, size_t nf, void *out);
void svc_json_fields(struct arena *a, json_t *node,
		     const struct svc_field *f, size_t nf, void *out);

/* Parses every child element of list (or every element of a JSON array)
 * into a new array of n elements of elem_size bytes, each filled per the
 * table.  *out is NULL when there are none. */
void *svc_xml_list(struct arena *a, const struct xml_node *list,
		   size_t elem_size, const struct svc_field *f, size_t nf,
		   size_t *n);
void *svc_json_list(struct arena *a, json_t *arr, size_t elem_size,
		    const struct svc_field *f, size_t nf, size_t *n);

/* Text of child elements of list (any names) as strings. */
struct svc_strs svc_xml_strs(struct arena *a, const struct xml_node *list);

#endif
