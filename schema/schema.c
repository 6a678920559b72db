/*
 * schema.c - implied types, lookups and configuration validation for
 * attribute/block schemas (see schema.h).
 *
 * Follows hashicorp/terraform internal/configs/configschema: implied_type.go
 * (Block.ImpliedType, Object.ImpliedType: nested attribute objects without
 * optional markers; a list or map block whose element type contains the
 * dynamic pseudo-type becomes dynamic) and validate_traversal / the core
 * checks Terraform runs on configuration (required arguments, arguments
 * that cannot be configured, block counts, deprecations).
 *
 * Unknown values are accepted everywhere: a count check on an unknown
 * collection (or a set holding unknowns, whose size may shrink) is skipped.
 */
#include "schema.h"

#include "core/arena.h"
#include "core/diag.h"

#include <inttypes.h>
#include <string.h>

/* ---- implied types ---- */

static const struct type *object_type(struct arena *a,
				      const struct schema_object *o);

static const struct type *nest_type(struct arena *a, enum nesting n,
				    const struct type *elem)
{
	switch (n) {
	case NEST_LIST:
		return type_list(a, elem);
	case NEST_SET:
		return type_set(a, elem);
	case NEST_MAP:
		return type_map(a, elem);
	default:
		return elem;
	}
}

const struct type *schema_attr_type(struct arena *a,
				    const struct schema_attr *attr)
{
	if (attr->nested)
		return object_type(a, attr->nested);
	return attr->type ? attr->type : &type_dynamic;
}

static const struct type *object_type(struct arena *a,
				      const struct schema_object *o)
{
	size_t n = o->n_attrs, i;
	const char **names = arena_calloc(a, n ? n : 1, sizeof(*names));
	const struct type **types = arena_calloc(a, n ? n : 1, sizeof(*types));
	const struct type *t;

	for (i = 0; i < n; i++) {
		names[i] = o->attrs[i].name;
		types[i] = schema_attr_type(a, &o->attrs[i]);
	}
	t = type_object(a, n, names, types, NULL);
	if (!t)
		t = type_object(a, 0, NULL, NULL, NULL);	/* bad table */
	return nest_type(a, o->nesting, t);
}

const struct type *schema_block_type(struct arena *a,
				     const struct schema_block *b)
{
	size_t n, i, k = 0;
	const char **names;
	const struct type **types;
	const struct type *t;

	if (!b)
		return type_object(a, 0, NULL, NULL, NULL);
	n = b->n_attrs + b->n_blocks;
	names = arena_calloc(a, n ? n : 1, sizeof(*names));
	types = arena_calloc(a, n ? n : 1, sizeof(*types));
	for (i = 0; i < b->n_attrs; i++, k++) {
		names[k] = b->attrs[i].name;
		types[k] = schema_attr_type(a, &b->attrs[i]);
	}
	for (i = 0; i < b->n_blocks; i++, k++) {
		const struct schema_nested_block *nb = &b->blocks[i];
		const struct type *et = schema_block_type(a, nb->block);

		names[k] = nb->type_name;
		if ((nb->nesting == NEST_LIST || nb->nesting == NEST_MAP) &&
		    type_has_dynamic(et))
			types[k] = &type_dynamic;
		else
			types[k] = nest_type(a, nb->nesting, et);
	}
	t = type_object(a, n, names, types, NULL);
	/* a repeated name is a bug in a static schema table */
	return t ? t : type_object(a, 0, NULL, NULL, NULL);
}

/* ---- lookups ---- */

const struct schema_attr *schema_find_attr(const struct schema_block *b,
					   const char *name)
{
	size_t i;

	for (i = 0; b && i < b->n_attrs; i++)
		if (strcmp(b->attrs[i].name, name) == 0)
			return &b->attrs[i];
	return NULL;
}

const struct schema_nested_block *
schema_find_block(const struct schema_block *b, const char *type_name)
{
	size_t i;

	for (i = 0; b && i < b->n_blocks; i++)
		if (strcmp(b->blocks[i].type_name, type_name) == 0)
			return &b->blocks[i];
	return NULL;
}

/* ---- validation ---- */

struct vctx {
	struct arena *a;
	struct diags *d;
	int errors;
};

static bool is_computed_only(unsigned flags)
{
	return (flags & ATTR_COMPUTED) &&
	       !(flags & (ATTR_OPTIONAL | ATTR_REQUIRED));
}

static void validate_block(struct vctx *c, const struct schema_block *b,
			   const struct value *v, struct path p);
static void validate_attrs(struct vctx *c, size_t n,
			   const struct schema_attr *attrs,
			   const struct value *v, struct path p);

/* Calls fn on every element of a known collection or on v itself, with
 * the element's path (list/set: index, map: key). */
static void each_element(struct vctx *c, enum nesting nest,
			 const struct value *v, struct path p,
			 void (*fn)(struct vctx *, const void *,
				    const struct value *, struct path),
			 const void *arg)
{
	size_t i;

	if (!value_is_known(v))
		return;
	if (nest == NEST_SINGLE || nest == NEST_GROUP) {
		fn(c, arg, v, p);
		return;
	}
	for (i = 0; i < v->u.coll.n; i++) {
		struct path ep = nest == NEST_MAP
			? path_key(c->a, p, v->u.coll.keys[i])
			: path_index(c->a, p, (int64_t)i);

		fn(c, arg, v->u.coll.items[i], ep);
	}
}

static void nested_attrs_fn(struct vctx *c, const void *arg,
			    const struct value *v, struct path p)
{
	const struct schema_object *o = arg;

	validate_attrs(c, o->n_attrs, o->attrs, v, p);
}

static void validate_attr(struct vctx *c, const struct schema_attr *at,
			  const struct value *av, struct path p)
{
	struct path ap = path_attr(c->a, p, at->name);

	if (!av || value_is_null(av)) {
		if (at->flags & ATTR_REQUIRED) {
			diag_error(c->d, &ap, "Missing required argument",
				   "The argument \"%s\" is required, but no definition was found.",
				   at->name);
			c->errors++;
		}
		return;
	}
	if (is_computed_only(at->flags)) {
		diag_error(c->d, &ap, "Invalid configuration",
			   "Can't configure a value for \"%s\": its value will be decided automatically based on the result of applying this configuration.",
			   at->name);
		c->errors++;
		return;
	}
	if (at->flags & ATTR_DEPRECATED)
		diag_warn(c->d, &ap, "Argument is deprecated",
			  "The argument \"%s\" is deprecated; see the provider documentation for its replacement.",
			  at->name);
	if (at->nested)
		each_element(c, at->nested->nesting, av, ap, nested_attrs_fn,
			     at->nested);
}

static void validate_attrs(struct vctx *c, size_t n,
			   const struct schema_attr *attrs,
			   const struct value *v, struct path p)
{
	size_t i;

	if (!value_is_known(v))
		return;
	for (i = 0; i < n; i++)
		validate_attr(c, &attrs[i], value_attr(v, attrs[i].name), p);
}

static void nested_block_fn(struct vctx *c, const void *arg,
			    const struct value *v, struct path p)
{
	const struct schema_nested_block *nb = arg;

	if (nb->block && nb->block->deprecated)
		diag_warn(c->d, &p, "Deprecated block",
			  "The \"%s\" block is deprecated.", nb->type_name);
	validate_block(c, nb->block, v, p);
}

static void validate_count(struct vctx *c, const struct schema_nested_block *nb,
			   const struct value *bv, struct path bp)
{
	int64_t n;

	if (value_is_unknown(bv))
		return;
	if (nb->nesting == NEST_SET && value_has_unknown(bv))
		return;	/* unknown elements may still coincide */
	if (nb->nesting == NEST_SINGLE || nb->nesting == NEST_GROUP)
		n = value_is_null(bv) ? 0 : 1;
	else
		n = value_is_null(bv) ? 0 : (int64_t)bv->u.coll.n;
	if (nb->min_items > 0 && n < nb->min_items) {
		if (nb->nesting == NEST_SINGLE)
			diag_error(c->d, &bp, "Missing required block",
				   "A block of type \"%s\" is required here.",
				   nb->type_name);
		else
			diag_error(c->d, &bp, "Insufficient blocks",
				   "At least %" PRId64 " \"%s\" blocks are required.",
				   nb->min_items, nb->type_name);
		c->errors++;
	}
	if (nb->max_items > 0 && n > nb->max_items) {
		diag_error(c->d, &bp, "Too many blocks",
			   "No more than %" PRId64 " \"%s\" blocks are allowed.",
			   nb->max_items, nb->type_name);
		c->errors++;
	}
}

static void validate_block(struct vctx *c, const struct schema_block *b,
			   const struct value *v, struct path p)
{
	size_t i;

	if (!b || !v || !value_is_known(v))
		return;
	validate_attrs(c, b->n_attrs, b->attrs, v, p);
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *nb = &b->blocks[i];
		const struct value *bv = value_attr(v, nb->type_name);
		struct path bp = path_attr(c->a, p, nb->type_name);

		if (!bv)
			continue;
		validate_count(c, nb, bv, bp);
		if (!value_is_known(bv))
			continue;
		if ((nb->flags & ATTR_DEPRECATED) &&
		    (nb->nesting == NEST_SINGLE || nb->nesting == NEST_GROUP ||
		     bv->u.coll.n > 0))
			diag_warn(c->d, &bp, "Deprecated block",
				  "The \"%s\" block is deprecated.",
				  nb->type_name);
		if (bv->type->kind == TYPE_DYNAMIC)
			continue;
		/* a list block with dynamic content arrives as a tuple and a
		 * map block as an object: walk them like list and map */
		if (bv->type->kind == TYPE_TUPLE || bv->type->kind == TYPE_OBJECT) {
			if (nb->nesting == NEST_LIST || nb->nesting == NEST_MAP) {
				size_t k;

				for (k = 0; k < bv->u.coll.n; k++) {
					struct path ep = nb->nesting == NEST_MAP
						? path_key(c->a, bp, bv->type->names[k])
						: path_index(c->a, bp, (int64_t)k);

					nested_block_fn(c, nb, bv->u.coll.items[k], ep);
				}
				continue;
			}
		}
		each_element(c, nb->nesting, bv, bp, nested_block_fn, nb);
	}
}

int schema_validate_config(struct arena *a, const struct schema_block *b,
			   const struct value *config, struct diags *d)
{
	struct vctx c = { .a = a, .d = d };

	validate_block(&c, b, config, path_root);
	return c.errors ? -1 : 0;
}

/* ---- write-only ---- */

static const struct value *null_wo_attrs(struct arena *a, size_t n,
					 const struct schema_attr *attrs,
					 const struct value *v);

static const struct value *map_elements(struct arena *a, const struct value *v,
					const void *arg,
					const struct value *(*fn)(struct arena *,
								  const void *,
								  const struct value *))
{
	const struct value **items;
	size_t i, n;

	if (!value_is_known(v))
		return v;
	n = v->u.coll.n;
	items = arena_calloc(a, n ? n : 1, sizeof(*items));
	for (i = 0; i < n; i++)
		items[i] = fn(a, arg, v->u.coll.items[i]);
	switch (v->type->kind) {
	case TYPE_LIST:
		return value_list(a, v->type->elem, n, items);
	case TYPE_SET:
		return value_set(a, v->type->elem, n, items);
	case TYPE_MAP:
		return value_map(a, v->type->elem, n, v->u.coll.keys, items);
	case TYPE_TUPLE:
		return value_tuple(a, NULL, n, items);
	case TYPE_OBJECT:	/* nulling keeps every type */
		return value_object(a, v->type, items);
	default:
		return fn(a, arg, v);
	}
}

static const struct value *nested_obj_fn(struct arena *a, const void *arg,
					 const struct value *v)
{
	const struct schema_object *o = arg;

	return null_wo_attrs(a, o->n_attrs, o->attrs, v);
}

static const struct value *nested_block_wo_fn(struct arena *a, const void *arg,
					      const struct value *v)
{
	return schema_null_write_only(a, arg, v);
}

static const struct value *null_wo_attrs(struct arena *a, size_t n,
					 const struct schema_attr *attrs,
					 const struct value *v)
{
	size_t i;

	if (!value_is_known(v) || v->type->kind != TYPE_OBJECT)
		return v;
	for (i = 0; i < n; i++) {
		const struct schema_attr *at = &attrs[i];
		const struct value *av = value_attr(v, at->name), *nv;

		if (!av)
			continue;
		if (at->flags & ATTR_WRITE_ONLY) {
			if (!value_is_null(av))
				v = value_with_attr(a, v, at->name,
						    value_null(a, av->type));
			continue;
		}
		if (!at->nested || !value_is_known(av))
			continue;
		if (at->nested->nesting == NEST_SINGLE ||
		    at->nested->nesting == NEST_GROUP)
			nv = nested_obj_fn(a, at->nested, av);
		else
			nv = map_elements(a, av, at->nested, nested_obj_fn);
		v = value_with_attr(a, v, at->name, nv);
	}
	return v;
}

const struct value *schema_null_write_only(struct arena *a,
					   const struct schema_block *b,
					   const struct value *v)
{
	size_t i;

	if (!b || !v || !value_is_known(v) || v->type->kind != TYPE_OBJECT)
		return v;
	v = null_wo_attrs(a, b->n_attrs, b->attrs, v);
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *nb = &b->blocks[i];
		const struct value *bv = value_attr(v, nb->type_name), *nv;

		if (!bv || !value_is_known(bv))
			continue;
		if (nb->nesting == NEST_SINGLE || nb->nesting == NEST_GROUP)
			nv = schema_null_write_only(a, nb->block, bv);
		else
			nv = map_elements(a, bv, nb->block, nested_block_wo_fn);
		v = value_with_attr(a, v, nb->type_name, nv);
	}
	return v;
}
