/*
 * plan.h - generic planning for managed resources, and Terraform's checks
 * of what a provider plans and applies (internal/plans/objchange in
 * hashicorp/terraform: AssertPlanValid, AssertObjectCompatible).
 *
 * The provider layer runs plan_resource() on every PlanResourceChange,
 * then the resource's plan hook, then plan_check_planned() so that a
 * resource bug becomes an error diagnostic here instead of Terraform's
 * "Provider produced invalid plan".  After apply, plan_check_applied()
 * does the same for "Provider produced inconsistent result after apply".
 *
 * Values are immutable; results are arena memory.  Thread-safe.
 * Messages never include values of sensitive or write-only attributes.
 */
#ifndef SCHEMA_PLAN_H
#define SCHEMA_PLAN_H

#include <stddef.h>

#include "core/diag.h"
#include "schema.h"
#include "value.h"

struct arena;

struct plan_result {
	const struct value *planned;
	struct path *requires_replace;	/* arena array */
	size_t n_requires_replace;
};

/* Plans a change of an object with schema b.
 *   prior:    prior state; null when creating.
 *   proposed: Terraform's proposed new state (config merged with prior for
 *             optional+computed attributes); null when destroying.
 *   config:   the configuration (used for nothing but symmetry checks).
 * Rules:
 *   - destroy (proposed null): planned is null, nothing else;
 *   - write-only attributes are planned null;
 *   - a computed attribute that is null in proposed becomes unknown when
 *     its object is new (the resource is being created, or a nested block
 *     element has no prior counterpart); otherwise the prior value (already
 *     in proposed) is kept;
 *   - on update, every ATTR_FORCE_NEW attribute or nested block whose
 *     planned value differs from prior (unknown counts as different) is
 *     added to requires_replace.
 * Returns 0, or -1 with an error diagnostic when the inputs do not
 * conform to the schema (a non-object proposed value, say). */
int plan_resource(struct arena *a, const struct schema_block *b,
		  const struct value *prior, const struct value *proposed,
		  const struct value *config, struct plan_result *out,
		  struct diags *d);

/* Re-computes requires_replace for planned against prior (after a plan
 * hook changed planned).  Paths are appended to *out (arena array). */
void plan_requires_replace(struct arena *a, const struct schema_block *b,
			   const struct value *prior,
			   const struct value *planned,
			   struct plan_result *out);

/* Terraform's AssertPlanValid: non-computed attributes equal config,
 * computed attributes set in config equal config (or the prior value),
 * block counts follow config, nothing planned for a null config.
 * Adds one error per violation, summary "Provider produced invalid plan",
 * with the attribute path.  Returns 0 when the plan is valid. */
int plan_check_planned(struct arena *a, const struct schema_block *b,
		       const struct value *prior, const struct value *config,
		       const struct value *planned, struct diags *d);

/* Terraform's AssertObjectCompatible: every known planned value must equal
 * the value after apply; unknown planned values may become anything of
 * the right type.  Also rejects unknown values in new_state.  Errors use
 * summary "Provider produced inconsistent result after apply".  Returns 0
 * when compatible. */
int plan_check_applied(struct arena *a, const struct schema_block *b,
		       const struct value *planned,
		       const struct value *new_state, struct diags *d);

#endif
