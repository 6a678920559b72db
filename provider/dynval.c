/*
 * dynval.c - DynamicValue <-> struct value glue and diagnostics to
 * tfplugin6 (see dynval.h).
 *
 * Wire form: tfplugin6.DynamicValue carries msgpack (what Terraform sends
 * and what we always answer with) or JSON (docs/plugin-protocol/
 * object-wire-format.md).  The codecs themselves are schema/codec.c; this
 * file only picks the form, re-labels codec errors with the request field
 * they came from, and refuses to encode values that break the schema.
 */
#include "provider/dynval.h"

#include <stdio.h>
#include <string.h>

#include "schema/codec.h"

/* Copies the codec's diagnostics into c->diags, prefixing each summary with
 * the request field so the user can tell prior_state from config. */
static void dynval_relabel(struct ctx *c, const struct diags *tmp,
			   const char *verb, const char *what)
{
	size_t i;

	for (i = 0; i < tmp->len; i++) {
		const struct diag *d = &tmp->items[i];
		const struct path *p = d->has_path ? &d->path : NULL;

		diag_add(&c->diags, d->severity, p,
			 arena_sprintf(c->arena, "%s %s", verb, what), "%s%s%s",
			 d->summary, d->detail && *d->detail ? ": " : "",
			 d->detail ? d->detail : "");
	}
	if (tmp->errors == 0)
		diag_error(&c->diags, NULL,
			   arena_sprintf(c->arena, "%s %s", verb, what),
			   "the value could not be processed");
}

int dynval_decode(struct ctx *c, const Tfplugin6__DynamicValue *dv,
		  const struct type *t, const char *what,
		  const struct value **out)
{
	struct diags tmp;
	int rc;

	*out = NULL;
	if (!dv) {
		*out = value_null(c->arena, t);
		return 0;
	}
	diags_init(&tmp, c->arena);
	if (dv->msgpack.len > 0)
		rc = codec_msgpack_decode(c->arena, t, dv->msgpack.data,
					  dv->msgpack.len, out, &tmp);
	else if (dv->json.len > 0)
		rc = codec_json_decode(c->arena, t, (const char *)dv->json.data,
				       dv->json.len, out, &tmp);
	else
		return diag_error(&c->diags, NULL,
				  arena_sprintf(c->arena, "Invalid %s", what),
				  "the DynamicValue holds neither msgpack nor "
				  "JSON data");
	if (rc < 0 || !*out) {
		*out = NULL;
		dynval_relabel(c, &tmp, "Invalid", what);
		return -1;
	}
	diags_append(&c->diags, &tmp);	/* warnings, if any */
	return 0;
}

Tfplugin6__DynamicValue *dynval_encode(struct ctx *c, const struct type *t,
				       const struct value *v,
				       const char *what)
{
	Tfplugin6__DynamicValue *dv;
	struct diags tmp;
	void *buf = NULL;
	size_t len = 0;

	diags_init(&tmp, c->arena);
	if (!v) {
		diag_error(&c->diags, NULL, "Provider produced an invalid value",
			   "The provider returned no %s. This is a bug in the "
			   "provider; please report it.", what);
		return NULL;
	}
	if (codec_msgpack_encode(c->arena, t, v, &buf, &len, &tmp) < 0) {
		dynval_relabel(c, &tmp, "Provider produced an invalid", what);
		return NULL;
	}
	dv = RPC_NEW(c->arena, tfplugin6__dynamic_value,
		     Tfplugin6__DynamicValue);
	dv->msgpack.data = buf;
	dv->msgpack.len = len;
	return dv;
}

Tfplugin6__AttributePath *dynval_path_to_proto(struct arena *a, struct path p)
{
	Tfplugin6__AttributePath *ap;
	size_t i;

	ap = RPC_NEW(a, tfplugin6__attribute_path, Tfplugin6__AttributePath);
	ap->n_steps = p.len;
	ap->steps = arena_calloc(a, p.len ? p.len : 1, sizeof(*ap->steps));
	for (i = 0; i < p.len; i++) {
		Tfplugin6__AttributePath__Step *s;

		s = RPC_NEW(a, tfplugin6__attribute_path__step,
			    Tfplugin6__AttributePath__Step);
		switch (p.steps[i].kind) {
		case PATH_ATTR:
			s->selector_case =
			TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
			s->attribute_name = (char *)p.steps[i].name;
			break;
		case PATH_KEY_STRING:
			s->selector_case =
			TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
			s->element_key_string = (char *)p.steps[i].name;
			break;
		case PATH_KEY_INT:
			s->selector_case =
			TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
			s->element_key_int = p.steps[i].index;
			break;
		}
		ap->steps[i] = s;
	}
	return ap;
}

void rpc_diags_to_proto(struct ctx *c, size_t *n, Tfplugin6__Diagnostic ***out)
{
	Tfplugin6__Diagnostic **arr;
	size_t i;

	*n = 0;
	*out = NULL;
	if (c->diags.len == 0)
		return;
	arr = arena_calloc(c->arena, c->diags.len, sizeof(*arr));
	for (i = 0; i < c->diags.len; i++) {
		const struct diag *d = &c->diags.items[i];
		Tfplugin6__Diagnostic *pd;

		pd = RPC_NEW(c->arena, tfplugin6__diagnostic,
			     Tfplugin6__Diagnostic);
		pd->severity = d->severity == DIAG_WARNING ?
			TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING :
			TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
		pd->summary = (char *)(d->summary ? d->summary : "");
		pd->detail = (char *)(d->detail ? d->detail : "");
		if (d->has_path && d->path.len > 0)
			pd->attribute = dynval_path_to_proto(c->arena, d->path);
		arr[i] = pd;
	}
	*n = c->diags.len;
	*out = arr;
}

static bool find_unknown(struct arena *a, const struct value *v,
			 struct path p, struct path *out)
{
	size_t i;

	if (value_is_unknown(v)) {
		*out = p;
		return true;
	}
	if (!value_is_known(v))
		return false;
	switch (v->type->kind) {
	case TYPE_OBJECT:
		for (i = 0; i < v->u.coll.n; i++)
			if (find_unknown(a, v->u.coll.items[i],
					 path_attr(a, p, v->type->names[i]),
					 out))
				return true;
		return false;
	case TYPE_MAP:
		for (i = 0; i < v->u.coll.n; i++)
			if (find_unknown(a, v->u.coll.items[i],
					 path_key(a, p, v->u.coll.keys[i]),
					 out))
				return true;
		return false;
	case TYPE_LIST:
	case TYPE_TUPLE:
		for (i = 0; i < v->u.coll.n; i++)
			if (find_unknown(a, v->u.coll.items[i],
					 path_index(a, p, (int64_t)i), out))
				return true;
		return false;
	case TYPE_SET:
		/* set elements have no stable address: name the set */
		for (i = 0; i < v->u.coll.n; i++)
			if (value_has_unknown(v->u.coll.items[i])) {
				*out = p;
				return true;
			}
		return false;
	default:
		return false;
	}
}

bool dynval_find_unknown(struct arena *a, const struct value *v,
			 struct path *out)
{
	return find_unknown(a, v, path_root, out);
}
