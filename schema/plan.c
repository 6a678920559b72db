/*
 * plan.c - generic resource planning and Terraform's plan/apply
 * consistency rules (see plan.h).
 *
 * References: hashicorp/terraform internal/plans/objchange (objchange.go
 * ProposedNew, plan_valid.go AssertPlanValid, compatible.go
 * AssertObjectCompatible) and docs/plugin-protocol/.  Nested attribute
 * types are walked like nested blocks of the same nesting mode.  Set
 * elements have no identity, so (as in Terraform) they are only checked
 * for counts and, when wholly known, equality.
 */
#include "plan.h"

#include <stdbool.h>
#include <string.h>

#include "core/arena.h"

/* One level of schema: a block's attributes and nested blocks, or a nested
 * attribute type's attributes (no blocks). */
static struct schema_block nested_as_block(const struct schema_object *o)
{
	struct schema_block b = { 0 };

	b.n_attrs = o->n_attrs;
	b.attrs = o->attrs;
	return b;
}

static const struct value **items_copy(struct arena *a, const struct value *v)
{
	const struct value **items;

	items = arena_calloc(a, v->u.coll.n + 1, sizeof(*items));
	if (v->u.coll.n)
		memcpy(items, v->u.coll.items, v->u.coll.n * sizeof(*items));
	return items;
}

static const struct value *attr_or_null(struct arena *a, const struct value *obj,
					const struct type *t, const char *name)
{
	const struct value *v = obj ? value_attr(obj, name) : NULL;
	int i;

	if (v)
		return v;
	i = type_attr_index(t, name);
	return value_null(a, i >= 0 ? t->types[i] : &type_dynamic);
}

/* ---- marking computed attributes unknown ---- */

static const struct value *mark_obj(struct arena *a,
				    const struct schema_block *b,
				    const struct value *v,
				    const struct value *prior);

/* Finds prior's counterpart of element i of v (list: same index, map: same
 * key, set: an equal element); NULL when there is none. */
static const struct value *prior_elem(enum nesting nesting,
				      const struct value *v, size_t i,
				      const struct value *prior)
{
	size_t j;

	if (!prior || !value_is_known(prior))
		return NULL;
	switch (nesting) {
	case NEST_LIST:
		return i < prior->u.coll.n ? prior->u.coll.items[i] : NULL;
	case NEST_MAP:
		return value_map_get(prior, v->u.coll.keys[i]);
	case NEST_SET:
		for (j = 0; j < prior->u.coll.n; j++)
			if (value_equal(prior->u.coll.items[j],
					v->u.coll.items[i]))
				return prior->u.coll.items[j];
		return NULL;
	default:
		return NULL;
	}
}

static const struct value *mark_nested(struct arena *a, enum nesting nesting,
				       const struct schema_block *b,
				       const struct value *v,
				       const struct value *prior)
{
	const struct value **items;
	size_t i;

	if (!value_is_known(v))
		return v;
	if (nesting == NEST_SINGLE || nesting == NEST_GROUP)
		return mark_obj(a, b, v, prior);
	items = items_copy(a, v);
	for (i = 0; i < v->u.coll.n; i++)
		items[i] = mark_obj(a, b, items[i],
				    prior_elem(nesting, v, i, prior));
	switch (nesting) {
	case NEST_LIST:
		return value_list(a, v->type->elem, v->u.coll.n, items);
	case NEST_SET:
		return value_set(a, v->type->elem, v->u.coll.n, items);
	default:
		return value_map(a, v->type->elem, v->u.coll.n,
				 v->u.coll.keys, items);
	}
}

/* v: an object of block b; prior: its prior counterpart or NULL (new). */
static const struct value *mark_obj(struct arena *a,
				    const struct schema_block *b,
				    const struct value *v,
				    const struct value *prior)
{
	bool is_new = !prior || !value_is_known(prior);
	const struct value **items;
	size_t i;

	if (!value_is_known(v) || v->type->kind != TYPE_OBJECT)
		return v;
	items = items_copy(a, v);
	for (i = 0; i < b->n_attrs; i++) {
		const struct schema_attr *sa = &b->attrs[i];
		int k = type_attr_index(v->type, sa->name);
		const struct value *pv = is_new ? NULL :
			value_attr(prior, sa->name);

		if (k < 0)
			continue;
		if (sa->flags & ATTR_WRITE_ONLY) {
			items[k] = value_null(a, items[k]->type);
		} else if ((sa->flags & ATTR_COMPUTED) &&
			   value_is_null(items[k]) && is_new) {
			items[k] = value_unknown(a, v->type->types[k]);
		} else if (sa->nested) {
			struct schema_block nb = nested_as_block(sa->nested);

			items[k] = mark_nested(a, sa->nested->nesting, &nb,
					       items[k], pv);
		}
	}
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *sb = &b->blocks[i];
		int k = type_attr_index(v->type, sb->type_name);

		if (k < 0)
			continue;
		items[k] = mark_nested(a, sb->nesting, sb->block, items[k],
				       is_new ? NULL :
				       value_attr(prior, sb->type_name));
	}
	return value_object(a, v->type, items);
}

/* ---- requires_replace ---- */

static void add_path(struct arena *a, struct plan_result *out, struct path p)
{
	struct path *n = arena_calloc(a, out->n_requires_replace + 1,
				      sizeof(*n));

	if (out->n_requires_replace)
		memcpy(n, out->requires_replace,
		       out->n_requires_replace * sizeof(*n));
	n[out->n_requires_replace++] = p;
	out->requires_replace = n;
}

static bool block_has_force_new(const struct schema_block *b)
{
	size_t i;

	for (i = 0; i < b->n_attrs; i++) {
		if (b->attrs[i].flags & ATTR_FORCE_NEW)
			return true;
		if (b->attrs[i].nested) {
			struct schema_block nb =
				nested_as_block(b->attrs[i].nested);

			if (block_has_force_new(&nb))
				return true;
		}
	}
	for (i = 0; i < b->n_blocks; i++)
		if ((b->blocks[i].flags & ATTR_FORCE_NEW) ||
		    block_has_force_new(b->blocks[i].block))
			return true;
	return false;
}

static void replace_obj(struct arena *a, const struct schema_block *b,
			const struct value *prior, const struct value *planned,
			struct path p, struct plan_result *out);

static void replace_nested(struct arena *a, enum nesting nesting,
			   const struct schema_block *b,
			   const struct value *prior,
			   const struct value *planned, struct path p,
			   struct plan_result *out)
{
	size_t i;

	if (value_equal(prior, planned) || !block_has_force_new(b))
		return;
	if (!value_is_known(prior) || !value_is_known(planned)) {
		add_path(a, out, p);
		return;
	}
	switch (nesting) {
	case NEST_SINGLE:
	case NEST_GROUP:
		replace_obj(a, b, prior, planned, p, out);
		return;
	case NEST_LIST:
		if (prior->u.coll.n != planned->u.coll.n) {
			add_path(a, out, p);
			return;
		}
		for (i = 0; i < planned->u.coll.n; i++)
			replace_obj(a, b, prior->u.coll.items[i],
				    planned->u.coll.items[i],
				    path_index(a, p, (int64_t)i), out);
		return;
	case NEST_MAP:
		for (i = 0; i < planned->u.coll.n; i++) {
			const char *key = planned->u.coll.keys[i];
			const struct value *pe = value_map_get(prior, key);

			if (!pe) {
				add_path(a, out, path_key(a, p, key));
				continue;
			}
			replace_obj(a, b, pe, planned->u.coll.items[i],
				    path_key(a, p, key), out);
		}
		if (prior->u.coll.n > planned->u.coll.n)
			add_path(a, out, p);
		return;
	case NEST_SET:
		add_path(a, out, p);	/* elements have no address */
		return;
	}
}

static void replace_obj(struct arena *a, const struct schema_block *b,
			const struct value *prior, const struct value *planned,
			struct path p, struct plan_result *out)
{
	size_t i;

	if (!value_is_known(prior) || !value_is_known(planned))
		return;
	for (i = 0; i < b->n_attrs; i++) {
		const struct schema_attr *sa = &b->attrs[i];
		const struct value *x = value_attr(prior, sa->name);
		const struct value *y = value_attr(planned, sa->name);
		struct path ap;

		if (!x || !y || value_equal(x, y))
			continue;
		ap = path_attr(a, p, sa->name);
		if (sa->flags & ATTR_FORCE_NEW) {
			add_path(a, out, ap);
		} else if (sa->nested) {
			struct schema_block nb = nested_as_block(sa->nested);

			replace_nested(a, sa->nested->nesting, &nb, x, y, ap,
				       out);
		}
	}
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *sb = &b->blocks[i];
		const struct value *x = value_attr(prior, sb->type_name);
		const struct value *y = value_attr(planned, sb->type_name);
		struct path bp;

		if (!x || !y || value_equal(x, y))
			continue;
		bp = path_attr(a, p, sb->type_name);
		if (sb->flags & ATTR_FORCE_NEW)
			add_path(a, out, bp);
		else
			replace_nested(a, sb->nesting, sb->block, x, y, bp,
				       out);
	}
}

void plan_requires_replace(struct arena *a, const struct schema_block *b,
			   const struct value *prior,
			   const struct value *planned,
			   struct plan_result *out)
{
	if (!prior || !planned || value_is_null(prior) || value_is_null(planned))
		return;
	replace_obj(a, b, prior, planned, path_root, out);
}

int plan_resource(struct arena *a, const struct schema_block *b,
		  const struct value *prior, const struct value *proposed,
		  const struct value *config, struct plan_result *out,
		  struct diags *d)
{
	(void)config;
	memset(out, 0, sizeof(*out));
	if (!proposed || value_is_null(proposed)) {
		out->planned = proposed ? proposed :
			value_null(a, schema_block_type(a, b));
		return 0;
	}
	if (!value_is_known(proposed) || proposed->type->kind != TYPE_OBJECT)
		return diag_error(d, NULL, "Invalid proposed new state",
				  "Terraform proposed %s instead of an object",
				  value_is_known(proposed) ?
				  type_friendly_name(a, proposed->type) :
				  "an unknown value");
	out->planned = mark_obj(a, b, proposed,
				prior && value_is_known(prior) ? prior : NULL);
	plan_requires_replace(a, b, prior, out->planned, out);
	return 0;
}

/* ---- AssertPlanValid ---- */

static const char *const invalid_plan = "Provider produced invalid plan";

/* For messages: a value, unless it is secret. */
static const char *show(struct arena *a, const struct schema_attr *sa,
			const struct value *v)
{
	if (sa && (sa->flags & (ATTR_SENSITIVE | ATTR_WRITE_ONLY)))
		return "(sensitive value)";
	return value_gostring(a, v);
}

static void check_plan_obj(struct arena *a, const struct schema_block *b,
			   const struct value *prior,
			   const struct value *config,
			   const struct value *planned, struct path p,
			   struct diags *d);

/* The elements of a list or map of objects (blocks or nested attributes),
 * each against its config element (same index or key) and prior. */
static void check_plan_elems(struct arena *a, enum nesting nesting,
			     const struct schema_block *b,
			     const struct value *prior,
			     const struct value *config,
			     const struct value *planned, struct path p,
			     struct diags *d)
{
	size_t i;

	for (i = 0; i < planned->u.coll.n; i++) {
		const struct value *ce, *pe = NULL;
		struct path ep;

		if (nesting == NEST_LIST) {
			ep = path_index(a, p, (int64_t)i);
			ce = config->u.coll.items[i];
			if (prior && value_is_known(prior) &&
			    i < prior->u.coll.n)
				pe = prior->u.coll.items[i];
		} else {
			const char *key = planned->u.coll.keys[i];

			ep = path_key(a, p, key);
			ce = value_map_get(config, key);
			pe = prior ? value_map_get(prior, key) : NULL;
			if (!ce) {
				diag_error(d, &ep, invalid_plan, "planned %s, "
					   "which the config does not have",
					   path_string(a, ep));
				continue;
			}
		}
		if (!value_is_known(planned->u.coll.items[i])) {
			diag_error(d, &ep, invalid_plan, "%s must not be "
				   "unknown itself; set its attributes to "
				   "unknown instead", path_string(a, ep));
			continue;
		}
		check_plan_obj(a, b, pe, ce, planned->u.coll.items[i], ep, d);
	}
}

/* Terraform's assertPlannedObjectValid: a nested attribute type. */
static void check_plan_nested_attr(struct arena *a,
				   const struct schema_object *o,
				   const struct value *prior,
				   const struct value *config,
				   const struct value *planned, struct path p,
				   struct diags *d)
{
	struct schema_block nb = nested_as_block(o);

	if (value_is_null(planned) != value_is_null(config)) {
		diag_error(d, &p, invalid_plan, "planned for %s but the config "
			   "wants %s at %s", value_is_null(planned) ?
			   "absence" : "existence", value_is_null(config) ?
			   "absence" : "existence", path_string(a, p));
		return;
	}
	if (!value_is_null(config) && !value_is_known(planned)) {
		diag_error(d, &p, invalid_plan, "planned an unknown value for "
			   "the configured %s", path_string(a, p));
		return;
	}
	if (value_is_null(planned) || !value_is_known(config))
		return;
	if (o->nesting == NEST_SINGLE) {
		check_plan_obj(a, &nb, value_is_known(prior) ? prior : NULL,
			       config, planned, p, d);
		return;
	}
	if (planned->u.coll.n != config->u.coll.n &&
	    !(o->nesting == NEST_SET && (value_has_unknown(planned) ||
					 value_has_unknown(config)))) {
		diag_error(d, &p, invalid_plan, "count in plan (%zu) disagrees "
			   "with count in config (%zu) for %s",
			   planned->u.coll.n, config->u.coll.n,
			   path_string(a, p));
		return;
	}
	if (o->nesting != NEST_SET)
		check_plan_elems(a, o->nesting, &nb, prior, config, planned, p,
				 d);
}

static void check_plan_attr(struct arena *a, const struct schema_attr *sa,
			    const struct value *prior,
			    const struct value *config,
			    const struct value *planned, struct path p,
			    struct diags *d)
{
	bool computed = sa->flags & ATTR_COMPUTED;
	bool optional = sa->flags & ATTR_OPTIONAL;

	if (sa->flags & ATTR_WRITE_ONLY) {
		/* never stored: the plan must hold null */
		if (!value_is_null(planned))
			diag_error(d, &p, invalid_plan, "planned a value for "
				   "the write-only attribute %s; it must be "
				   "null", path_string(a, p));
		return;
	}
	if (value_equal(planned, config))
		return;
	if (value_equal(planned, prior) && !value_is_null(prior) &&
	    !value_is_null(config))
		return;
	if (computed && !optional)
		return;
	if (value_is_null(config) && computed)
		return;
	if (value_is_null(config) && !value_is_null(planned)) {
		diag_error(d, &p, invalid_plan,
			   "planned value %s for the non-computed attribute "
			   "%s", show(a, sa, planned), path_string(a, p));
		return;
	}
	if (sa->nested) {
		check_plan_nested_attr(a, sa->nested, prior, config, planned,
				       p, d);
		return;
	}
	if (value_is_null(prior))
		diag_error(d, &p, invalid_plan,
			   "planned value %s for %s does not match the config "
			   "value %s", show(a, sa, planned), path_string(a, p),
			   show(a, sa, config));
	else
		diag_error(d, &p, invalid_plan,
			   "planned value %s for %s matches neither the config "
			   "value %s nor the prior value %s",
			   show(a, sa, planned), path_string(a, p),
			   show(a, sa, config), show(a, sa, prior));
}

static void check_plan_block(struct arena *a,
			     const struct schema_nested_block *sb,
			     const struct value *prior,
			     const struct value *config,
			     const struct value *planned, struct path p,
			     struct diags *d)
{
	if (value_equal(planned, config))
		return;
	if (!value_is_known(config)) {
		diag_error(d, &p, invalid_plan, "planned a value for the "
			   "unknown dynamic block %s", path_string(a, p));
		return;
	}
	if (!value_is_known(planned) && !value_is_null(planned)) {
		diag_error(d, &p, invalid_plan, "the nested block %s must not "
			   "be unknown itself; set nested attribute values to "
			   "unknown instead", path_string(a, p));
		return;
	}
	switch (sb->nesting) {
	case NEST_SINGLE:
	case NEST_GROUP:
		check_plan_obj(a, sb->block, prior, config, planned, p, d);
		return;
	case NEST_LIST:
	case NEST_MAP:
	case NEST_SET:
		break;
	}
	if (value_is_null(planned)) {
		diag_error(d, &p, invalid_plan, "the block collection %s must "
			   "be empty to indicate no blocks, not null",
			   path_string(a, p));
		return;
	}
	if (planned->u.coll.n != (value_is_null(config) ? 0 :
				  config->u.coll.n) &&
	    !(sb->nesting == NEST_SET && (value_has_unknown(planned) ||
					  value_has_unknown(config)))) {
		diag_error(d, &p, invalid_plan, "block count in plan (%zu) "
			   "disagrees with count in config (%zu) for %s",
			   planned->u.coll.n, value_is_null(config) ? 0 :
			   config->u.coll.n, path_string(a, p));
		return;
	}
	if (sb->nesting != NEST_SET)	/* set elements cannot be correlated */
		check_plan_elems(a, sb->nesting, sb->block, prior, config,
				 planned, p, d);
}

static void check_plan_obj(struct arena *a, const struct schema_block *b,
			   const struct value *prior,
			   const struct value *config,
			   const struct value *planned, struct path p,
			   struct diags *d)
{
	size_t i;

	if (value_is_null(planned) && !value_is_null(config)) {
		diag_error(d, &p, invalid_plan, "planned for absence but the "
			   "config wants existence%s%s", p.len ? " at " : "",
			   path_string(a, p));
		return;
	}
	if (value_is_null(config) && !value_is_null(planned)) {
		diag_error(d, &p, invalid_plan, "planned for existence but the "
			   "config wants absence%s%s", p.len ? " at " : "",
			   path_string(a, p));
		return;
	}
	if (!value_is_known(planned) || !value_is_known(config))
		return;
	for (i = 0; i < b->n_attrs; i++) {
		const struct schema_attr *sa = &b->attrs[i];

		check_plan_attr(a, sa,
				attr_or_null(a, prior, planned->type, sa->name),
				attr_or_null(a, config, planned->type, sa->name),
				attr_or_null(a, planned, planned->type,
					     sa->name),
				path_attr(a, p, sa->name), d);
	}
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *sb = &b->blocks[i];
		const char *n = sb->type_name;

		check_plan_block(a, sb, attr_or_null(a, prior, planned->type, n),
				 attr_or_null(a, config, planned->type, n),
				 attr_or_null(a, planned, planned->type, n),
				 path_attr(a, p, n), d);
	}
}

int plan_check_planned(struct arena *a, const struct schema_block *b,
		       const struct value *prior, const struct value *config,
		       const struct value *planned, struct diags *d)
{
	size_t before = d->errors;

	if (value_is_null(planned) && value_is_null(config))
		return 0;	/* destroy */
	check_plan_obj(a, b, prior && value_is_known(prior) ? prior : NULL,
		       config, planned, path_root, d);
	return d->errors > before ? -1 : 0;
}

/* ---- AssertObjectCompatible ---- */

static const char *const inconsistent = "Provider produced inconsistent "
					"result after apply";

static bool compatible(const struct value *planned, const struct value *actual)
{
	size_t i;

	if (value_is_unknown(planned)) {
		return !(planned->refine && planned->refine->not_null &&
			 value_is_null(actual));
	}
	if (!value_is_known(planned) || !value_is_known(actual))
		return value_equal(planned, actual);
	switch (planned->type->kind) {
	case TYPE_LIST:
	case TYPE_TUPLE:
	case TYPE_OBJECT:
		if (planned->u.coll.n != actual->u.coll.n)
			return false;
		for (i = 0; i < planned->u.coll.n; i++)
			if (!compatible(planned->u.coll.items[i],
					actual->u.coll.items[i]))
				return false;
		return true;
	case TYPE_MAP:
		if (planned->u.coll.n != actual->u.coll.n)
			return false;
		for (i = 0; i < planned->u.coll.n; i++) {
			const struct value *av =
				value_map_get(actual, planned->u.coll.keys[i]);

			if (!av || !compatible(planned->u.coll.items[i], av))
				return false;
		}
		return true;
	case TYPE_SET:
		/* with unknown elements, sets may change shape */
		if (value_has_unknown(planned))
			return true;
		return value_equal(planned, actual);
	default:
		return value_equal(planned, actual);
	}
}

static void check_applied_obj(struct arena *a, const struct schema_block *b,
			      const struct value *planned,
			      const struct value *actual, struct path p,
			      struct diags *d)
{
	size_t i, j;

	if (!value_is_known(planned) || !value_is_known(actual)) {
		if (!compatible(planned, actual))
			diag_error(d, &p, inconsistent, "%s was planned as %s "
				   "but is now %s", p.len ? path_string(a, p) :
				   "the object", value_is_null(planned) ?
				   "absent" : "present", value_is_null(actual) ?
				   "absent" : "present");
		return;
	}
	for (i = 0; i < b->n_attrs; i++) {
		const struct schema_attr *sa = &b->attrs[i];
		const struct value *x = value_attr(planned, sa->name);
		const struct value *y = value_attr(actual, sa->name);
		struct path ap;

		if (!x || !y || compatible(x, y))
			continue;
		ap = path_attr(a, p, sa->name);
		diag_error(d, &ap, inconsistent, "%s was %s in the plan, but "
			   "is now %s", path_string(a, ap), show(a, sa, x),
			   show(a, sa, y));
	}
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *sb = &b->blocks[i];
		const struct value *x = value_attr(planned, sb->type_name);
		const struct value *y = value_attr(actual, sb->type_name);
		struct path bp;

		if (!x || !y)
			continue;
		bp = path_attr(a, p, sb->type_name);
		if (sb->nesting == NEST_SINGLE || sb->nesting == NEST_GROUP) {
			check_applied_obj(a, sb->block, x, y, bp, d);
			continue;
		}
		if (compatible(x, y))
			continue;
		if (sb->nesting == NEST_LIST && value_is_known(x) &&
		    value_is_known(y) && x->u.coll.n == y->u.coll.n) {
			for (j = 0; j < x->u.coll.n; j++)
				check_applied_obj(a, sb->block,
						  x->u.coll.items[j],
						  y->u.coll.items[j],
						  path_index(a, bp, (int64_t)j),
						  d);
			continue;
		}
		diag_error(d, &bp, inconsistent, "the blocks %s differ from "
			   "the plan", path_string(a, bp));
	}
}

int plan_check_applied(struct arena *a, const struct schema_block *b,
		       const struct value *planned,
		       const struct value *new_state, struct diags *d)
{
	size_t before = d->errors;

	if (value_has_unknown(new_state)) {
		diag_error(d, NULL, inconsistent, "the new state holds unknown "
			   "values; every value must be known after apply");
		return -1;
	}
	check_applied_obj(a, b, planned, new_state, path_root, d);
	return d->errors > before ? -1 : 0;
}
