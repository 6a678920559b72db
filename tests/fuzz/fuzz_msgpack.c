/*
 * fuzz_msgpack.c - libFuzzer target for the go-cty msgpack codec.
 *
 * Input: one selector byte (the type, see fuzz_types.h), then msgpack.
 * Whatever decodes must re-encode, decode again to an equal value, and
 * encode to the same bytes; anything else aborts.
 */
#include "core/arena.h"
#include "core/diag.h"
#include "schema/codec.h"
#include "schema/value.h"
#include "tests/fuzz/fuzz_types.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	const struct type *t;
	const struct value *v, *v2;
	struct diags d;
	void *b1, *b2;
	size_t l1, l2;

	if (size < 1)
		return 0;
	a = arena_new();
	diags_init(&d, a);
	t = fuzz_type(a, data[0]);
	if (codec_msgpack_decode(a, t, data + 1, size - 1, &v, &d) != 0) {
		if (d.errors != 1 || v != NULL)
			abort();	/* failure = exactly one error */
		arena_free(a);
		return 0;
	}
	if (!value_conforms(v, t))
		abort();
	if (codec_msgpack_encode(a, t, v, &b1, &l1, &d) != 0)
		abort();
	if (codec_msgpack_decode(a, t, b1, l1, &v2, &d) != 0)
		abort();
	if (!value_equal(v, v2))
		abort();
	if (codec_msgpack_encode(a, t, v2, &b2, &l2, &d) != 0 || l1 != l2 ||
	    memcmp(b1, b2, l1) != 0)
		abort();
	(void)value_gostring(a, v);
	arena_free(a);
	return 0;
}
