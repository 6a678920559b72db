/*
 * schema_proto.h - struct schema (schema/schema.h) -> tfplugin6.Schema.
 *
 * Output is arena memory sharing the static strings of the schema tables.
 * Attribute types are encoded as cty type JSON (codec_type_to_json);
 * descriptions are sent as markdown.  Never fails (OOM aborts).
 */
#ifndef PROVIDER_SCHEMA_PROTO_H
#define PROVIDER_SCHEMA_PROTO_H

#include "schema/schema.h"
#include "tfplugin6.pb-c.h"

struct arena;

Tfplugin6__Schema *schema_proto(struct arena *a, const struct schema *s);

#endif
