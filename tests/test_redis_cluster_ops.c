/*
 * test_redis_cluster_ops.c - the parts of resources/redis_cluster_ops.c
 * that need no AWS: the AUTH token generator (alphabet, length, no modulo
 * bias) and the refusal to run without a configured provider.  The
 * lifecycle against the emulator is acceptance/tests/test_redis_cluster.py.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "core/ctx.h"
#include "resources/redis_cluster.h"
#include "resources/redis_cluster_ops.h"
#include "schema/schema.h"
#include "tests/check.h"

static const char alphabet[] = REDIS_CLUSTER_TOKEN_ALPHABET;
#define N_ALPHA (sizeof(alphabet) - 1)

static void test_token_shape(void)
{
	char tok[REDIS_CLUSTER_TOKEN_LEN + 1], other[REDIS_CLUSTER_TOKEN_LEN + 1];
	size_t i;

	CHECK_INT(N_ALPHA, 70);	/* 62 letters and digits + !&#$^<>- */
	memset(tok, 'x', sizeof(tok));
	CHECK_INT(redis_cluster_gen_token(tok, REDIS_CLUSTER_TOKEN_LEN), 0);
	CHECK_INT(strlen(tok), REDIS_CLUSTER_TOKEN_LEN);
	for (i = 0; i < REDIS_CLUSTER_TOKEN_LEN; i++)
		CHECK(tok[i] && strchr(alphabet, tok[i]));
	CHECK_INT(redis_cluster_gen_token(other, REDIS_CLUSTER_TOKEN_LEN), 0);
	CHECK(strcmp(tok, other) != 0);
	OPENSSL_cleanse(tok, sizeof(tok));
	OPENSSL_cleanse(other, sizeof(other));
}

/* Every character about equally often.  A plain `byte % 70` would give the
 * first 46 characters 4/256 and the other 24 3/256: chi-square in the
 * thousands.  Uniform: 69 degrees of freedom, mean 69, sd about 12; the
 * bound 180 is beyond 9 sd. */
static void test_token_uniform(void)
{
	enum { ROUNDS = 5000 };
	static unsigned long count[256];
	char tok[REDIS_CLUSTER_TOKEN_LEN + 1];
	double expect = (double)ROUNDS * REDIS_CLUSTER_TOKEN_LEN / N_ALPHA;
	double chi2 = 0;
	size_t i, r;

	memset(count, 0, sizeof(count));
	for (r = 0; r < ROUNDS; r++) {
		CHECK_INT(redis_cluster_gen_token(tok, REDIS_CLUSTER_TOKEN_LEN), 0);
		for (i = 0; i < REDIS_CLUSTER_TOKEN_LEN; i++)
			count[(unsigned char)tok[i]]++;
	}
	for (i = 0; i < N_ALPHA; i++) {
		double d = (double)count[(unsigned char)alphabet[i]] - expect;

		chi2 += d * d / expect;
	}
	if (chi2 >= 180)
		fprintf(stderr, "chi-square %.1f\n", chi2);
	CHECK(chi2 < 180);
	OPENSSL_cleanse(tok, sizeof(tok));
}

static void test_needs_configured_provider(void)
{
	const struct type *t;
	struct resource_op op;
	struct ctx c;

	ctx_init(&c, "ApplyResourceChange", NULL);
	t = schema_block_type(c.arena, redis_cluster_resource.schema->block);
	memset(&op, 0, sizeof(op));
	op.planned = value_null(c.arena, t);
	op.prior = value_null(c.arena, t);
	CHECK_INT(redis_cluster_create(&c, &op), -1);
	CHECK_INT(c.diags.errors, 1);
	if (c.diags.len)
		CHECK_STR(c.diags.items[0].summary, "Provider not configured");
	CHECK(op.new_state == NULL);
	/* read of a null prior is "gone", delete of one is done */
	CHECK_INT(redis_cluster_read(&c, &op), 0);
	CHECK(op.new_state == NULL);
	CHECK_INT(redis_cluster_delete(&c, &op), 0);
	ctx_release(&c);
}

int main(void)
{
	RUN(test_token_shape);
	RUN(test_token_uniform);
	RUN(test_needs_configured_provider);
	return check_summary();
}
