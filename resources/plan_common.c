/*
 * plan_common.c - planning steps both resources share (plan_common.h):
 * the tags_all map of the AWS provider's default_tags convention.  What a
 * resource plans for its own arguments stays in its own file.
 */
#include "resources/plan_common.h"

#include <string.h>

#include "resources/aws_validate.h"
#include "resources/resource.h"

const struct value *plan_common_tags_all(struct ctx *c,
					 const struct value *tags,
					 const char *tag_key,
					 const struct value *id)
{
	const struct resource_env *pc = c->env;
	struct arena *a = c->arena;
	const struct value **items;
	const char **keys;
	size_t nd = pc && !pc->deferred ? pc->default_tags.n : 0;
	size_t nt, n = 0, i, j;

	nt = value_is_known(tags) ? tags->u.coll.n : 0;
	keys = arena_calloc(a, nd + nt + 1, sizeof(*keys));
	items = arena_calloc(a, nd + nt + 1, sizeof(*items));
	for (i = 0; i < nd; i++) {
		keys[n] = pc->default_tags.keys[i];
		items[n++] = value_string(a, pc->default_tags.values[i]);
	}
	for (i = 0; i < nt; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(keys[j], tags->u.coll.keys[i]) == 0)
				break;
		keys[j] = tags->u.coll.keys[i];
		items[j] = tags->u.coll.items[i];
		if (j == n)
			n++;
	}
	for (j = 0; j < n; j++)
		if (strcmp(keys[j], tag_key) == 0)
			break;
	keys[j] = tag_key;
	items[j] = id;
	if (j == n)
		n++;
	if (n > AWS_TAGS_MAX) {
		struct path p = path_attr(a, path_root, "tags");

		diag_error(&c->diags, &p, "Too many tags", "tags, the "
			   "provider's default_tags and the %s tag add up to "
			   "%zu distinct keys; AWS allows %d per resource.",
			   tag_key, n, AWS_TAGS_MAX);
		return NULL;
	}
	return value_map(a, &type_string, n, keys, items);
}
