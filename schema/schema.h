/*
 * schema.h - attribute and block schemas (tfplugin6.Schema) and the types
 * they imply.
 *
 * Resources describe themselves with static const tables of these structs;
 * the provider layer converts them to protobuf for GetProviderSchema, and
 * the planner and validators walk them.  Everything is immutable.
 */
#ifndef SCHEMA_SCHEMA_H
#define SCHEMA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

struct arena;
struct diags;
struct path;

/* Values equal tfplugin6.Schema.NestedBlock.NestingMode and
 * tfplugin6.Schema.Object.NestingMode where both exist. */
enum nesting {
	NEST_SINGLE = 1,
	NEST_LIST = 2,
	NEST_SET = 3,
	NEST_MAP = 4,
	NEST_GROUP = 5,
};

enum attr_flag {
	ATTR_REQUIRED = 1 << 0,
	ATTR_OPTIONAL = 1 << 1,
	ATTR_COMPUTED = 1 << 2,
	ATTR_SENSITIVE = 1 << 3,
	ATTR_WRITE_ONLY = 1 << 4,
	ATTR_DEPRECATED = 1 << 5,
	ATTR_FORCE_NEW = 1 << 6,	/* change requires replacement */
};

struct schema_object;
struct schema_block;

struct schema_attr {
	const char *name;
	const struct type *type;		/* NULL when nested is set */
	const struct schema_object *nested;	/* nested attributes */
	unsigned flags;				/* enum attr_flag */
	const char *description;		/* markdown */
};

struct schema_object {			/* nested attribute type */
	enum nesting nesting;		/* SINGLE, LIST, SET or MAP */
	size_t n_attrs;
	const struct schema_attr *attrs;
};

struct schema_nested_block {
	const char *type_name;
	enum nesting nesting;
	const struct schema_block *block;
	int64_t min_items, max_items;	/* 0 = no limit */
	unsigned flags;			/* ATTR_FORCE_NEW, ATTR_DEPRECATED */
};

struct schema_block {
	size_t n_attrs;
	const struct schema_attr *attrs;
	size_t n_blocks;
	const struct schema_nested_block *blocks;
	const char *description;	/* markdown */
	bool deprecated;
};

struct schema {
	int64_t version;
	const struct schema_block *block;
};

/* The object type a block implies (attributes and nested blocks, as
 * configschema.Block.ImpliedType: list blocks -> list of object, set ->
 * set, map -> map, single/group -> object; nested attributes likewise). */
const struct type *schema_block_type(struct arena *a,
				     const struct schema_block *b);
const struct type *schema_attr_type(struct arena *a,
				    const struct schema_attr *attr);

/* Lookups; NULL when absent. */
const struct schema_attr *schema_find_attr(const struct schema_block *b,
					   const char *name);
const struct schema_nested_block *
schema_find_block(const struct schema_block *b, const char *type_name);

/* Validates a configuration object against the schema: required attributes
 * present, computed-only attributes not set, block counts within min/max,
 * deprecated attributes warned.  Collects every error, with paths.
 * Returns 0 when no error was added. */
int schema_validate_config(struct arena *a, const struct schema_block *b,
			   const struct value *config, struct diags *d);

/* Null every write-only attribute of v (recursively), as Terraform requires
 * of planned and new state. */
const struct value *schema_null_write_only(struct arena *a,
					   const struct schema_block *b,
					   const struct value *v);

#endif
