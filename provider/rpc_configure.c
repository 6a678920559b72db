/*
 * rpc_configure.c - ConfigureProvider and StopProvider.
 *
 * ConfigureProvider decodes the provider block into an immutable struct
 * provider_config and publishes it with a release store into
 * provider_state->config.  Terraform configures each provider instance
 * process exactly once; should a second call arrive, the first
 * configuration stays (concurrent RPCs may hold pointers into it) and the
 * caller gets a warning.
 *
 * Unknown values (a provider block depending on a resource not yet
 * created): when the client allows deferral (client_capabilities.
 * deferral_allowed, Terraform 1.9+ with deferred actions) we publish a
 * "deferred" config and the resource RPCs answer with
 * Deferred{PROVIDER_CONFIG_UNKNOWN}, as terraform-plugin-framework does
 * (ConfigureProvider itself has no deferred field).  Otherwise the call
 * fails with an error naming the unknown attribute.
 *
 * StopProvider sets provider_state->stop; in-flight operations see it
 * through ctx_cancelled() and return early.
 */
#include "provider/aws_config.h"
#include "provider/config.h"
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"

static void publish(struct provider_state *ps, struct ctx *c,
		    struct provider_config *pc)
{
	const struct provider_config *expected = NULL;

	if (atomic_compare_exchange_strong_explicit(&ps->config, &expected, pc,
						    memory_order_acq_rel,
						    memory_order_acquire)) {
		c->env = &pc->env;
		return;
	}
	provider_config_free(pc);
	diag_warn(&c->diags, NULL, "Provider already configured",
		  "ConfigureProvider was called more than once; the first "
		  "configuration stays in effect.");
}

RPC_UNARY(rpc_configure_provider)
{
	const Tfplugin6__ConfigureProvider__Request *req =
		(const Tfplugin6__ConfigureProvider__Request *)req_msg;
	Tfplugin6__ConfigureProvider__Response *resp =
		(Tfplugin6__ConfigureProvider__Response *)resp_msg;
	const struct schema_block *b = provider_config_schema.block;
	const struct value *cfg;
	struct provider_config *pc;
	struct path unknown;

	if (dynval_decode(c, req->config, schema_block_type(c->arena, b),
			  "provider configuration", &cfg) < 0)
		goto out;
	if (dynval_find_unknown(c->arena, cfg, &unknown)) {
		if (req->client_capabilities &&
		    req->client_capabilities->deferral_allowed) {
			ctx_log(c, LOG_INFO, "provider configuration has "
				"unknown values: deferring resource operations");
			publish(ps, c, provider_config_new_deferred(
					       req->terraform_version));
			goto out;
		}
		diag_error(&c->diags, &unknown,
			   "Provider configuration depends on unknown values",
			   "The value of \"%s\" is not known until apply, and "
			   "this Terraform version cannot defer the "
			   "operations that need it. Use a value known at "
			   "plan time, or apply the resources it depends on "
			   "first (terraform apply -target=...).",
			   path_string(c->arena, unknown));
		goto out;
	}
	pc = provider_config_new(c, cfg, req->terraform_version);
	if (!pc)
		goto out;
	/* Region, credentials chain, endpoints; GetCallerIdentity unless
	 * skip_credentials_validation.  Errors are already diagnostics. */
	pc->aws = provider_aws_connect(c, pc);
	if (!pc->aws) {
		provider_config_free(pc);
		goto out;
	}
	pc->env.aws = pc->aws;
	publish(ps, c, pc);
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_stop_provider)
{
	Tfplugin6__StopProvider__Response *resp =
		(Tfplugin6__StopProvider__Response *)resp_msg;

	(void)req_msg;
	atomic_store(&ps->stop, 1);
	ctx_log(c, LOG_INFO, "stop requested: in-flight operations will "
		"return early");
	resp->error = (char *)"";
	return 0;
}
