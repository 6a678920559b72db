/*
 * schema_proto.c - converts the provider's static schema tables to
 * tfplugin6.Schema for GetProviderSchema (see schema_proto.h).
 *
 * Follows tfplugin6.proto's Schema comments: an attribute has either `type`
 * (cty type JSON) or `nested_type`; exactly one of required / optional
 * (optional may be combined with computed); block min/max items are only
 * meaningful for list and set nesting.
 */
#include "provider/schema_proto.h"

#include <string.h>

#include "core/arena.h"
#include "provider/dynval.h"
#include "schema/codec.h"

static Tfplugin6__Schema__Block *proto_block(struct arena *a,
					     const struct schema_block *b,
					     int64_t version);

static Tfplugin6__Schema__Object *proto_object(struct arena *a,
					       const struct schema_object *o);

static Tfplugin6__Schema__Attribute *proto_attr(struct arena *a,
						const struct schema_attr *sa)
{
	Tfplugin6__Schema__Attribute *pa;

	pa = RPC_NEW(a, tfplugin6__schema__attribute,
		     Tfplugin6__Schema__Attribute);
	pa->name = (char *)sa->name;
	if (sa->nested) {
		pa->nested_type = proto_object(a, sa->nested);
	} else {
		char *json = codec_type_to_json(a, sa->type);

		pa->type.data = (uint8_t *)json;
		pa->type.len = json ? strlen(json) : 0;
	}
	pa->description = (char *)(sa->description ? sa->description : "");
	pa->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
	pa->required = (sa->flags & ATTR_REQUIRED) != 0;
	pa->optional = (sa->flags & ATTR_OPTIONAL) != 0;
	pa->computed = (sa->flags & ATTR_COMPUTED) != 0;
	pa->sensitive = (sa->flags & ATTR_SENSITIVE) != 0;
	pa->write_only = (sa->flags & ATTR_WRITE_ONLY) != 0;
	pa->deprecated = (sa->flags & ATTR_DEPRECATED) != 0;
	return pa;
}

static Tfplugin6__Schema__Object *proto_object(struct arena *a,
					       const struct schema_object *o)
{
	Tfplugin6__Schema__Object *po;
	size_t i;

	po = RPC_NEW(a, tfplugin6__schema__object, Tfplugin6__Schema__Object);
	po->nesting = (Tfplugin6__Schema__Object__NestingMode)o->nesting;
	po->n_attributes = o->n_attrs;
	po->attributes = arena_calloc(a, o->n_attrs + 1,
				      sizeof(*po->attributes));
	for (i = 0; i < o->n_attrs; i++)
		po->attributes[i] = proto_attr(a, &o->attrs[i]);
	return po;
}

static Tfplugin6__Schema__NestedBlock *
proto_nested_block(struct arena *a, const struct schema_nested_block *nb)
{
	Tfplugin6__Schema__NestedBlock *pn;

	pn = RPC_NEW(a, tfplugin6__schema__nested_block,
		     Tfplugin6__Schema__NestedBlock);
	pn->type_name = (char *)nb->type_name;
	pn->block = proto_block(a, nb->block, 0);
	pn->nesting = (Tfplugin6__Schema__NestedBlock__NestingMode)nb->nesting;
	if (nb->nesting == NEST_LIST || nb->nesting == NEST_SET) {
		pn->min_items = nb->min_items;
		pn->max_items = nb->max_items;
	}
	return pn;
}

static Tfplugin6__Schema__Block *proto_block(struct arena *a,
					     const struct schema_block *b,
					     int64_t version)
{
	Tfplugin6__Schema__Block *pb;
	size_t i;

	pb = RPC_NEW(a, tfplugin6__schema__block, Tfplugin6__Schema__Block);
	pb->version = version;
	pb->n_attributes = b->n_attrs;
	pb->attributes = arena_calloc(a, b->n_attrs + 1,
				      sizeof(*pb->attributes));
	for (i = 0; i < b->n_attrs; i++)
		pb->attributes[i] = proto_attr(a, &b->attrs[i]);
	pb->n_block_types = b->n_blocks;
	pb->block_types = arena_calloc(a, b->n_blocks + 1,
				       sizeof(*pb->block_types));
	for (i = 0; i < b->n_blocks; i++)
		pb->block_types[i] = proto_nested_block(a, &b->blocks[i]);
	pb->description = (char *)(b->description ? b->description : "");
	pb->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
	pb->deprecated = b->deprecated;
	return pb;
}

Tfplugin6__Schema *schema_proto(struct arena *a, const struct schema *s)
{
	Tfplugin6__Schema *ps;

	ps = RPC_NEW(a, tfplugin6__schema, Tfplugin6__Schema);
	ps->version = s->version;
	ps->block = proto_block(a, s->block, s->version);
	return ps;
}
