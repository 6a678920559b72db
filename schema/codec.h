/*
 * codec.h - go-cty compatible encodings of types and values.
 *
 * msgpack: the wire form of tfplugin6.DynamicValue.msgpack (go-cty
 *   cty/msgpack): null = nil; unknown = extension 0; refined unknown =
 *   extension 12 holding the refinements map; numbers as compact ints when
 *   integral and within int64, else float64 when exact, else the decimal
 *   string; dynamic-typed positions as [type JSON bytes, value].
 * JSON: go-cty cty/json, for DynamicValue.json and raw state
 *   (UpgradeResourceState); dynamic positions as {"value":..,"type":..};
 *   unknown values cannot be encoded (error).
 * Type JSON: "string", ["list","number"], ["object",{..},["optional"]] ...
 *
 * Decoding is strict and total: any malformed, truncated, oversized or
 * ill-typed input yields -1 and one error diagnostic whose path names the
 * offending attribute; it never crashes and never reads past len.
 * Encoders return -1 only for values that cannot be encoded (unknown in
 * JSON, a value that does not conform to the type), with a diagnostic.
 *
 * All output is arena memory.  Thread-safe.
 */
#ifndef SCHEMA_CODEC_H
#define SCHEMA_CODEC_H

#include <stddef.h>

#include "value.h"

struct arena;
struct diags;

/* Maximum nesting depth accepted by the decoders.  (The msgpack decoder
 * is further limited to 32 nested arrays/maps by msgpack-c's parser.) */
#define CODEC_MAX_DEPTH 64
/* (added) Largest encoded input the decoders accept, in bytes.  Decoded
 * values take up to about 100 bytes of arena per input byte. */
#define CODEC_MAX_INPUT (64u << 20)

int codec_msgpack_decode(struct arena *a, const struct type *t,
			 const void *buf, size_t len,
			 const struct value **out, struct diags *d);
int codec_msgpack_encode(struct arena *a, const struct type *t,
			 const struct value *v, void **buf, size_t *len,
			 struct diags *d);

int codec_json_decode(struct arena *a, const struct type *t,
		      const char *buf, size_t len,
		      const struct value **out, struct diags *d);
/* (added) As codec_json_decode, but object attributes the type does not
 * have are silently DROPPED (at every level) instead of being errors: for
 * UpgradeResourceState, where raw state written under an older schema is
 * read with the current one.  Missing attributes become null in both
 * modes, as in go-cty's cty/json. */
int codec_json_decode_lenient(struct arena *a, const struct type *t,
			      const char *buf, size_t len,
			      const struct value **out, struct diags *d);
/* Output is NUL-terminated; *len excludes the NUL. */
int codec_json_encode(struct arena *a, const struct type *t,
		      const struct value *v, char **buf, size_t *len,
		      struct diags *d);

const struct type *codec_type_from_json(struct arena *a, const char *buf,
				    size_t len, struct diags *d);
char *codec_type_to_json(struct arena *a, const struct type *t);

#endif
