/*
 * fuzz_json.c - libFuzzer target for the go-cty JSON codec.
 *
 * Input: one selector byte (bits 0-2 the type, see fuzz_types.h; bit 3
 * lenient decoding), then JSON.  Whatever decodes must encode, decode
 * again (strictly) to an equal value and encode to the same text; its
 * msgpack encoding must round-trip too.  Anything else aborts.
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
	const struct value *v, *v2, *v3;
	struct diags d;
	char *j1, *j2;
	void *m;
	size_t l1, l2, ml;
	int rc;

	if (size < 1)
		return 0;
	a = arena_new();
	diags_init(&d, a);
	t = fuzz_type(a, data[0] & 7);
	if (data[0] & 8)
		rc = codec_json_decode_lenient(a, t, (const char *)data + 1,
					       size - 1, &v, &d);
	else
		rc = codec_json_decode(a, t, (const char *)data + 1, size - 1,
				       &v, &d);
	if (rc != 0) {
		if (d.errors != 1 || v != NULL)
			abort();
		arena_free(a);
		return 0;
	}
	if (!value_conforms(v, t))
		abort();
	if (codec_json_encode(a, t, v, &j1, &l1, &d) != 0)
		abort();
	if (codec_json_decode(a, t, j1, l1, &v2, &d) != 0)
		abort();
	if (!value_equal(v, v2))
		abort();
	if (codec_json_encode(a, t, v2, &j2, &l2, &d) != 0 || l1 != l2 ||
	    memcmp(j1, j2, l1) != 0)
		abort();
	if (codec_msgpack_encode(a, t, v, &m, &ml, &d) != 0 ||
	    codec_msgpack_decode(a, t, m, ml, &v3, &d) != 0 ||
	    !value_equal(v, v3))
		abort();
	arena_free(a);
	return 0;
}
