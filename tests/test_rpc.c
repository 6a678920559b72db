/*
 * test_rpc.c - the tfplugin6 handlers, called directly with constructed
 * protobuf-c requests, as the transport would after unpacking: good
 * requests through the whole fixture lifecycle, and malformed ones whose
 * problems must come back as diagnostics with attribute paths.  Every
 * response must pass protobuf_c_message_check (packable).
 *
 * Uses the in-memory fixture store (FIXTURE_STORE_DIR is unset here).
 */
#include "tests/check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "provider/config.h"
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "schema/timeouts.h"
#include "resources/resource.h"
#include "schema/codec.h"
#include "tests/fixtures/fixture_resource.h"

static struct provider_state PS;

static struct ctx C;
static struct arena *A;	/* C.arena */

/* What the server does for every RPC: the configured provider, if any. */
static void set_env(void)
{
	const struct provider_config *pc = atomic_load(&PS.config);

	C.env = pc ? &pc->env : NULL;
}

static void begin(const char *rpc)
{
	ctx_init(&C, rpc, &PS.stop);
	set_env();
	A = C.arena;
}

static void end(void)
{
	ctx_release(&C);
}

static void *resp_new(const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage *m = arena_alloc(A, d->sizeof_message);

	protobuf_c_message_init(d, m);
	return m;
}

#define RESP(T, prefix) ((T *)resp_new(&prefix##__descriptor))

/* With TEST_RPC_VERBOSE set, prints every diagnostic of a response. */
static void dump_diags(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f;
	Tfplugin6__Diagnostic **ds;
	size_t i, n;

	if (!getenv("TEST_RPC_VERBOSE"))
		return;
	f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor,
							    "diagnostics");
	if (!f)
		return;
	n = *(const size_t *)((const char *)m + f->quantifier_offset);
	ds = *(Tfplugin6__Diagnostic ***)((char *)m + f->offset);
	for (i = 0; i < n; i++)
		fprintf(stderr, "  [%s] %s | %s\n", m->descriptor->short_name,
			ds[i]->summary, ds[i]->detail);
}

/* Each call gets fresh diagnostics, as each RPC gets a fresh context. */
static void fresh(void)
{
	diags_init(&C.diags, A);
	C.deadline_ms = 0;
	set_env();
}

static int call(rpc_unary_fn *fn, const void *req, void *resp)
{
	int rc;

	fresh();
	rc = fn(&PS, &C, req, resp);

	CHECK(protobuf_c_message_check(resp));
	dump_diags(resp);
	return rc;
}

/* ---- values ---- */

static const struct type *fixture_t(void)
{
	return schema_block_type(A, fixture_resource.schema->block);
}

static const struct type *provider_t(void)
{
	return schema_block_type(A, provider_config_schema.block);
}

/* An object of type t; (name, value) pairs, the rest null / empty lists. */
static const struct value *obj(const struct type *t, ...)
{
	const struct value **items = arena_calloc(A, t->n, sizeof(*items));
	const char *name;
	va_list ap;
	size_t i;

	for (i = 0; i < t->n; i++)
		items[i] = t->types[i]->kind == TYPE_LIST &&
			t->types[i]->elem->kind == TYPE_OBJECT ?
			value_list(A, t->types[i]->elem, 0, NULL) :
			value_null(A, t->types[i]);
	va_start(ap, t);
	while ((name = va_arg(ap, const char *))) {
		int k = type_attr_index(t, name);

		CHECK(k >= 0);
		items[k] = va_arg(ap, const struct value *);
	}
	va_end(ap);
	return value_object(A, t, items);
}

static const struct type *attr_t(const struct type *t, const char *name)
{
	return t->types[type_attr_index(t, name)];
}

static Tfplugin6__DynamicValue *dv(const struct type *t, const struct value *v)
{
	Tfplugin6__DynamicValue *d = RPC_NEW(A, tfplugin6__dynamic_value,
					     Tfplugin6__DynamicValue);
	struct diags tmp;
	void *buf;
	size_t len;

	diags_init(&tmp, A);
	CHECK_INT(codec_msgpack_encode(A, t, v, &buf, &len, &tmp), 0);
	d->msgpack.data = buf;
	d->msgpack.len = len;
	return d;
}

static Tfplugin6__DynamicValue *raw_dv(const char *bytes, size_t len)
{
	Tfplugin6__DynamicValue *d = RPC_NEW(A, tfplugin6__dynamic_value,
					     Tfplugin6__DynamicValue);

	d->msgpack.data = (uint8_t *)arena_memdup(A, bytes, len);
	d->msgpack.len = len;
	return d;
}

static const struct value *undv(const struct type *t,
				const Tfplugin6__DynamicValue *d)
{
	const struct value *v = NULL;
	struct diags tmp;

	diags_init(&tmp, A);
	CHECK(d != NULL);
	if (!d || codec_msgpack_decode(A, t, d->msgpack.data, d->msgpack.len,
				       &v, &tmp) < 0)
		return NULL;
	return v;
}

/* ---- diagnostics ---- */

static const char *path_of(const Tfplugin6__Diagnostic *d)
{
	struct path p = path_root;
	size_t i;

	if (!d->attribute)
		return "";
	for (i = 0; i < d->attribute->n_steps; i++) {
		const Tfplugin6__AttributePath__Step *s =
			d->attribute->steps[i];

		if (s->selector_case ==
		    TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME)
			p = path_attr(A, p, s->attribute_name);
		else if (s->selector_case ==
		 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING)
			p = path_key(A, p, s->element_key_string);
		else
			p = path_index(A, p, s->element_key_int);
	}
	return path_string(A, p);
}

/* True if some error diagnostic has summary/detail containing `text` and
 * (when path is not NULL) exactly that attribute path. */
static bool has_error(size_t n, Tfplugin6__Diagnostic **ds, const char *text,
		      const char *path)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const Tfplugin6__Diagnostic *d = ds[i];

		if (d->severity != TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR)
			continue;
		if (text && !strstr(d->summary, text) &&
		    !strstr(d->detail, text))
			continue;
		if (path && strcmp(path_of(d), path) != 0)
			continue;
		return true;
	}
	for (i = 0; i < n; i++)
		fprintf(stderr, "  diag: %s | %s | %s\n", ds[i]->summary,
			ds[i]->detail, path_of(ds[i]));
	return false;
}

static size_t n_errors(size_t n, Tfplugin6__Diagnostic **ds)
{
	size_t i, e = 0;

	for (i = 0; i < n; i++)
		if (ds[i]->severity == TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR)
			e++;
	return e;
}

/* ---- schema and metadata ---- */

static void test_metadata_and_schema(void)
{
	Tfplugin6__GetMetadata__Response *md;
	Tfplugin6__GetProviderSchema__Response *gs;
	Tfplugin6__GetMetadata__Request mreq =
		TFPLUGIN6__GET_METADATA__REQUEST__INIT;
	Tfplugin6__GetProviderSchema__Request sreq =
		TFPLUGIN6__GET_PROVIDER_SCHEMA__REQUEST__INIT;
	const Tfplugin6__Schema__Block *pb, *fb = NULL;
	size_t i;
	bool region = false, secret = false, assume = false;

	begin("GetMetadata");
	md = RESP(Tfplugin6__GetMetadata__Response,
		  tfplugin6__get_metadata__response);
	CHECK_INT(call(rpc_get_metadata, &mreq, md), 0);
	CHECK(md->server_capabilities && md->server_capabilities->plan_destroy &&
	      md->server_capabilities->get_provider_schema_optional &&
	      md->server_capabilities->move_resource_state);
	/* every registered resource, in registry order */
	for (i = 0; resources_all[i]; i++)
		if (i < md->n_resources)
			CHECK_STR(md->resources[i]->type_name,
				  resources_all[i]->type_name);
	CHECK_INT(md->n_resources, i);
	CHECK(md->n_resources >= 1 &&
	      strcmp(md->resources[0]->type_name, "secure_test_fixture") == 0);
	CHECK_INT(md->n_diagnostics, 0);

	gs = RESP(Tfplugin6__GetProviderSchema__Response,
		  tfplugin6__get_provider_schema__response);
	CHECK_INT(call(rpc_get_provider_schema, &sreq, gs), 0);
	CHECK(gs->server_capabilities && gs->server_capabilities->plan_destroy);
	pb = gs->provider->block;
	for (i = 0; i < pb->n_attributes; i++) {
		const Tfplugin6__Schema__Attribute *a = pb->attributes[i];

		if (strcmp(a->name, "region") == 0)
			region = a->optional && a->type.len == 8 &&
				memcmp(a->type.data, "\"string\"", 8) == 0 &&
				a->description_kind ==
				TFPLUGIN6__STRING_KIND__MARKDOWN &&
				*a->description;
		if (strcmp(a->name, "secret_key") == 0)
			secret = a->sensitive;
	}
	for (i = 0; i < pb->n_block_types; i++)
		if (strcmp(pb->block_types[i]->type_name, "assume_role") == 0)
			assume = true;
	CHECK(region && secret && assume);
	CHECK_INT(gs->n_resource_schemas, md->n_resources);
	for (i = 0; i < gs->n_resource_schemas; i++) {
		if (strcmp(gs->resource_schemas[i]->key, "secure_test_fixture") != 0)
			continue;
		CHECK_INT(gs->resource_schemas[i]->value->version, 1);
		fb = gs->resource_schemas[i]->value->block;
	}
	CHECK(fb != NULL);
	for (i = 0; fb && i < fb->n_attributes; i++)
		if (strcmp(fb->attributes[i]->name, "secret_wo") == 0)
			CHECK(fb->attributes[i]->write_only);
	CHECK_INT(gs->n_data_source_schemas, 0);
	CHECK_INT(gs->n_functions, 0);
	end();
}

/* ---- validation ---- */

static Tfplugin6__ValidateProviderConfig__Response *
validate_provider(Tfplugin6__DynamicValue *cfg)
{
	Tfplugin6__ValidateProviderConfig__Request req =
		TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__REQUEST__INIT;
	Tfplugin6__ValidateProviderConfig__Response *resp;

	req.config = cfg;
	resp = RESP(Tfplugin6__ValidateProviderConfig__Response,
		    tfplugin6__validate_provider_config__response);
	CHECK_INT(call(rpc_validate_provider_config, &req, resp), 0);
	return resp;
}

static void test_validate_provider_config(void)
{
	Tfplugin6__ValidateProviderConfig__Response *r;
	const struct type *t, *art;

	begin("ValidateProviderConfig");
	t = provider_t();
	art = attr_t(t, "assume_role");
	r = validate_provider(dv(t, obj(t, "region", value_string(A,
				"eu-west-1"), "max_retries", value_int(A, 3),
				NULL)));
	CHECK_INT(r->n_diagnostics, 0);
	r = validate_provider(dv(t, obj(t, "assume_role", obj(art,
				"role_arn", value_string(A, "arn:aws:iam::1:role/x"),
				"duration", value_string(A, "90 minutes"), NULL),
				"max_retries", value_int(A, -1), NULL)));
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 2);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "duration",
			"assume_role.duration"));
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "max_retries",
			"max_retries"));
	/* unknown values are fine at validation time */
	r = validate_provider(dv(t, obj(t, "region",
				value_unknown(A, &type_string), NULL)));
	CHECK_INT(r->n_diagnostics, 0);
	/* truncated msgpack: map of 12 entries, one given */
	r = validate_provider(raw_dv("\x8c\xa6region", 8));
	CHECK(has_error(r->n_diagnostics, r->diagnostics,
			"provider configuration", NULL));
	/* garbage and an empty value */
	r = validate_provider(raw_dv("\xc1\xff\x00", 3));
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 1);
	r = validate_provider(raw_dv("", 0));
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 1);
	end();
}

static Tfplugin6__ValidateResourceConfig__Response *
validate_resource(const char *type, Tfplugin6__DynamicValue *cfg, bool wo)
{
	Tfplugin6__ValidateResourceConfig__Request req =
		TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
	Tfplugin6__ClientCapabilities caps =
		TFPLUGIN6__CLIENT_CAPABILITIES__INIT;
	Tfplugin6__ValidateResourceConfig__Response *resp;

	caps.write_only_attributes_allowed = wo;
	req.type_name = (char *)type;
	req.config = cfg;
	req.client_capabilities = &caps;
	resp = RESP(Tfplugin6__ValidateResourceConfig__Response,
		    tfplugin6__validate_resource_config__response);
	CHECK_INT(call(rpc_validate_resource_config, &req, resp), 0);
	return resp;
}

static void test_validate_resource_config(void)
{
	Tfplugin6__ValidateResourceConfig__Response *r;
	const struct type *t, *tt, *rt;
	const struct value *rule;

	begin("ValidateResourceConfig");
	t = fixture_t();
	tt = attr_t(t, "timeouts");
	rt = attr_t(t, "rule")->elem;
	r = validate_resource("secure_test_fixture", dv(t, obj(t, "name",
		value_string(A, "ok-1"), "secret_wo", value_string(A, "s"),
		NULL)), true);
	CHECK_INT(r->n_diagnostics, 0);
	/* unknown name passes; bad timeouts and port are reported with paths */
	rule = obj(rt, "port", value_int(A, 70000), NULL);
	r = validate_resource("secure_test_fixture", dv(t, obj(t, "name",
		value_unknown(A, &type_string), "timeouts", obj(tt, "create",
		value_string(A, "10 minutes"), NULL), "rule",
		value_list(A, rt, 1, &rule), NULL)), true);
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 2);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "timeout",
			"timeouts.create"));
	CHECK(has_error(r->n_diagnostics, r->diagnostics, NULL,
			"rule[0].port"));
	/* write-only needs the client capability */
	r = validate_resource("secure_test_fixture", dv(t, obj(t, "name",
		value_string(A, "a"), "secret_wo", value_string(A, "s"), NULL)),
		false);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "Write-only",
			"secret_wo"));
	/* missing required attribute */
	r = validate_resource("secure_test_fixture", dv(t, obj(t, NULL)),
			      true);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, NULL, "name"));
	/* wrong type inside the msgpack: name as a number */
	r = validate_resource("secure_test_fixture",
			      raw_dv("\x81\xa4name\x07", 7), true);
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 1);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, NULL, "name"));
	/* the JSON form of DynamicValue is accepted too */
	{
		Tfplugin6__DynamicValue *j = raw_dv("", 0);
		static const char doc[] = "{\"name\":\"json-ok\","
			"\"rule\":[{\"port\":0,\"protocol\":null}]}";

		j->json.data = (uint8_t *)doc;
		j->json.len = sizeof(doc) - 1;
		r = validate_resource("secure_test_fixture", j, true);
		CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 1);
		CHECK(has_error(r->n_diagnostics, r->diagnostics, NULL,
				"rule[0].port"));
	}
	r = validate_resource("aws_nothing", dv(t, obj(t, NULL)), true);
	CHECK(has_error(r->n_diagnostics, r->diagnostics,
			"Unknown resource type", NULL));
	end();
}

/* ---- the resource lifecycle ---- */

static Tfplugin6__PlanResourceChange__Response *
plan(const struct value *prior, const struct value *proposed,
     const struct value *config)
{
	Tfplugin6__PlanResourceChange__Request req =
		TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
	Tfplugin6__PlanResourceChange__Response *resp;
	const struct type *t = fixture_t();

	req.type_name = (char *)"secure_test_fixture";
	req.prior_state = dv(t, prior);
	req.proposed_new_state = dv(t, proposed);
	req.config = dv(t, config);
	resp = RESP(Tfplugin6__PlanResourceChange__Response,
		    tfplugin6__plan_resource_change__response);
	CHECK_INT(call(rpc_plan_resource_change, &req, resp), 0);
	return resp;
}

static Tfplugin6__ApplyResourceChange__Response *
apply(const struct value *prior, const Tfplugin6__DynamicValue *planned,
      const struct value *config)
{
	Tfplugin6__ApplyResourceChange__Request req =
		TFPLUGIN6__APPLY_RESOURCE_CHANGE__REQUEST__INIT;
	Tfplugin6__ApplyResourceChange__Response *resp;
	const struct type *t = fixture_t();

	req.type_name = (char *)"secure_test_fixture";
	req.prior_state = dv(t, prior);
	req.planned_state = (Tfplugin6__DynamicValue *)planned;
	req.config = dv(t, config);
	resp = RESP(Tfplugin6__ApplyResourceChange__Response,
		    tfplugin6__apply_resource_change__response);
	CHECK_INT(call(rpc_apply_resource_change, &req, resp), 0);
	return resp;
}

static Tfplugin6__ReadResource__Response *read_res(const struct value *state)
{
	Tfplugin6__ReadResource__Request req =
		TFPLUGIN6__READ_RESOURCE__REQUEST__INIT;
	Tfplugin6__ReadResource__Response *resp;

	req.type_name = (char *)"secure_test_fixture";
	req.current_state = dv(fixture_t(), state);
	resp = RESP(Tfplugin6__ReadResource__Response,
		    tfplugin6__read_resource__response);
	CHECK_INT(call(rpc_read_resource, &req, resp), 0);
	return resp;
}

static const char *str_attr(const struct value *v, const char *name)
{
	const char *s = NULL;

	value_get_string(value_attr(v, name), &s);
	return s;
}

static int64_t int_attr(const struct value *v, const char *name)
{
	int64_t n = -1;

	value_get_int(value_attr(v, name), &n);
	return n;
}

static void test_lifecycle(void)
{
	Tfplugin6__PlanResourceChange__Response *p;
	Tfplugin6__ApplyResourceChange__Response *ap;
	Tfplugin6__ReadResource__Response *rd;
	Tfplugin6__ImportResourceState__Request ireq =
		TFPLUGIN6__IMPORT_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__ImportResourceState__Response *ir;
	const struct value *cfg, *planned, *state, *state2, *null_obj;
	const struct type *t;
	const char *id;

	fixture_store_reset();
	begin("Lifecycle");
	t = fixture_t();
	null_obj = value_null(A, t);
	/* create */
	cfg = obj(t, "name", value_string(A, "one"), "secret_wo",
		  value_string(A, "abcd"), NULL);
	p = plan(null_obj, cfg, cfg);
	CHECK_INT(p->n_diagnostics, 0);
	planned = undv(t, p->planned_state);
	CHECK(planned && value_is_unknown(value_attr(planned, "id")));
	CHECK(planned && value_is_null(value_attr(planned, "secret_wo")));
	CHECK_INT(p->n_requires_replace, 0);
	ap = apply(null_obj, p->planned_state, cfg);
	CHECK_INT(ap->n_diagnostics, 0);
	state = undv(t, ap->new_state);
	CHECK(state && !value_has_unknown(state));
	id = str_attr(state, "id");
	CHECK(id && strncmp(id, "fx-", 3) == 0);
	CHECK_INT(int_attr(state, "size"), 1);
	CHECK_INT(int_attr(state, "revision"), 1);
	CHECK_INT(int_attr(state, "secret_wo_length"), 4);
	CHECK(value_is_null(value_attr(state, "secret_wo")));
	/* refresh: unchanged */
	rd = read_res(state);
	CHECK_INT(rd->n_diagnostics, 0);
	CHECK(value_equal(undv(t, rd->new_state), state));
	/* no-change plan */
	cfg = obj(t, "name", value_string(A, "one"), NULL);
	p = plan(state, state, cfg);
	CHECK(value_equal(undv(t, p->planned_state), state));
	/* in-place update */
	cfg = obj(t, "name", value_string(A, "one"), "description",
		  value_string(A, "hello"), NULL);
	p = plan(state, value_with_attr(A, state, "description",
					value_string(A, "hello")), cfg);
	CHECK_INT(p->n_diagnostics, 0);
	CHECK_INT(p->n_requires_replace, 0);
	planned = undv(t, p->planned_state);
	CHECK(planned && value_is_unknown(value_attr(planned, "revision")));
	ap = apply(state, p->planned_state, cfg);
	CHECK_INT(ap->n_diagnostics, 0);
	state2 = undv(t, ap->new_state);
	CHECK_INT(int_attr(state2, "revision"), 2);
	CHECK_STR(str_attr(state2, "id"), id);
	/* a force-new change asks for replacement */
	p = plan(state2, value_with_attr(A, state2, "name",
					 value_string(A, "two")),
		 obj(t, "name", value_string(A, "two"), "description",
		     value_string(A, "hello"), NULL));
	CHECK_INT(p->n_requires_replace, 1);
	if (p->n_requires_replace == 1)
		CHECK(p->requires_replace[0]->n_steps == 1 && strcmp(
			p->requires_replace[0]->steps[0]->attribute_name,
			"name") == 0);
	/* import by id, then read completes it */
	ireq.type_name = (char *)"secure_test_fixture";
	ireq.id = (char *)id;
	ir = RESP(Tfplugin6__ImportResourceState__Response,
		  tfplugin6__import_resource_state__response);
	CHECK_INT(call(rpc_import_resource_state, &ireq, ir), 0);
	CHECK_INT(ir->n_imported_resources, 1);
	if (ir->n_imported_resources == 1) {
		const struct value *imp = undv(t, ir->imported_resources[0]->state);

		CHECK_STR(str_attr(imp, "id"), id);
		rd = read_res(imp);
		CHECK(value_equal(undv(t, rd->new_state), state2));
	}
	ireq.id = (char *)"../../etc/passwd";
	ir = RESP(Tfplugin6__ImportResourceState__Response,
		  tfplugin6__import_resource_state__response);
	call(rpc_import_resource_state, &ireq, ir);
	CHECK(has_error(ir->n_diagnostics, ir->diagnostics, "import id", NULL));
	CHECK_INT(ir->n_imported_resources, 0);
	/* destroy plan and delete */
	p = plan(state2, null_obj, null_obj);
	CHECK_INT(p->n_diagnostics, 0);
	CHECK(value_is_null(undv(t, p->planned_state)));
	ap = apply(state2, p->planned_state, null_obj);
	CHECK_INT(ap->n_diagnostics, 0);
	CHECK(value_is_null(undv(t, ap->new_state)));
	/* gone: read returns null */
	rd = read_res(state2);
	CHECK_INT(rd->n_diagnostics, 0);
	CHECK(value_is_null(undv(t, rd->new_state)));
	end();
}

static void test_apply_failure_keeps_partial_state(void)
{
	Tfplugin6__PlanResourceChange__Response *p;
	Tfplugin6__ApplyResourceChange__Response *ap;
	const struct value *cfg, *st;
	const struct type *t;

	fixture_store_reset();
	begin("ApplyResourceChange");
	t = fixture_t();
	cfg = obj(t, "name", value_string(A, "f"), "fail_on",
		  value_string(A, "create"), NULL);
	p = plan(value_null(A, t), cfg, cfg);
	ap = apply(value_null(A, t), p->planned_state, cfg);
	CHECK(has_error(ap->n_diagnostics, ap->diagnostics, "Injected", NULL));
	st = undv(t, ap->new_state);
	CHECK(st && !value_is_null(st) && str_attr(st, "id"));
	/* update failure: the prior state comes back */
	cfg = obj(t, "name", value_string(A, "f"), "fail_on",
		  value_string(A, "update"), NULL);
	p = plan(st, value_with_attr(A, st, "fail_on",
				     value_string(A, "update")), cfg);
	ap = apply(st, p->planned_state, cfg);
	CHECK(has_error(ap->n_diagnostics, ap->diagnostics, "Injected", NULL));
	CHECK(value_equal(undv(t, ap->new_state), st));
	end();
}

/* ---- upgrade ---- */

static Tfplugin6__UpgradeResourceState__Response *
upgrade(int64_t version, const char *json, bool flatmap)
{
	Tfplugin6__UpgradeResourceState__Request req =
		TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__RawState raw = TFPLUGIN6__RAW_STATE__INIT;
	Tfplugin6__RawState__FlatmapEntry e =
		TFPLUGIN6__RAW_STATE__FLATMAP_ENTRY__INIT;
	Tfplugin6__RawState__FlatmapEntry *ep = &e;
	Tfplugin6__UpgradeResourceState__Response *resp;

	req.type_name = (char *)"secure_test_fixture";
	req.version = version;
	req.raw_state = &raw;
	if (json) {
		raw.json.data = (uint8_t *)json;
		raw.json.len = strlen(json);
	}
	if (flatmap) {
		e.key = (char *)"name";
		e.value = (char *)"x";
		raw.n_flatmap = 1;
		raw.flatmap = &ep;
	}
	resp = RESP(Tfplugin6__UpgradeResourceState__Response,
		    tfplugin6__upgrade_resource_state__response);
	CHECK_INT(call(rpc_upgrade_resource_state, &req, resp), 0);
	return resp;
}

static void test_upgrade_resource_state(void)
{
	Tfplugin6__UpgradeResourceState__Response *r;
	const struct value *v;
	const struct type *t;

	begin("UpgradeResourceState");
	t = fixture_t();
	/* version 0 goes through the resource's upgrade hook */
	r = upgrade(0, "{\"id\":\"fx-00000000000000aa\",\"name\":\"n\","
		    "\"desc\":\"old\",\"legacy\":true,\"rule\":[{\"port\":80,"
		    "\"protocol\":\"tcp\"}],\"size\":2}", false);
	CHECK_INT(r->n_diagnostics, 0);
	v = undv(t, r->upgraded_state);
	CHECK_STR(str_attr(v, "name"), "n");
	CHECK_STR(str_attr(v, "description"), "old");
	CHECK_INT(int_attr(v, "size"), 2);
	r = upgrade(0, "[1]", false);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "raw state", NULL));
	/* current version: attributes the schema no longer has are dropped */
	r = upgrade(1, "{\"id\":\"fx-00000000000000aa\",\"name\":\"n\","
		    "\"obsolete\":true,\"rule\":[{\"port\":80,\"protocol\":"
		    "\"tcp\",\"gone\":1}],\"size\":2}", false);
	CHECK_INT(r->n_diagnostics, 0);
	v = undv(t, r->upgraded_state);
	CHECK_STR(str_attr(v, "name"), "n");
	CHECK_INT(int_attr(v, "size"), 2);
	/* pruning keeps integers exact */
	r = upgrade(1, "{\"name\":\"n\",\"revision\":9007199254740993,"
		    "\"obsolete\":{\"x\":1}}", false);
	CHECK_INT(r->n_diagnostics, 0);
	v = undv(t, r->upgraded_state);
	CHECK(v && int_attr(v, "revision") == 9007199254740993LL);
	r = upgrade(1, "{\"name\": 5", false);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "raw state", NULL));
	CHECK(r->upgraded_state == NULL);
	r = upgrade(1, "{\"name\": [1]}", false);
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 1);
	r = upgrade(7, "{\"name\":\"n\"}", false);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "version", NULL));
	r = upgrade(0, NULL, true);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "flatmap", NULL));
	r = upgrade(1, "{\"name\":\"\xff\xfe\"}", false);
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 1);
	end();
}

/* ---- configure, deferral, stop ---- */

static Tfplugin6__ConfigureProvider__Response *
configure(struct provider_state *ps, const struct value *cfg, bool deferral)
{
	Tfplugin6__ConfigureProvider__Request req =
		TFPLUGIN6__CONFIGURE_PROVIDER__REQUEST__INIT;
	Tfplugin6__ClientCapabilities caps =
		TFPLUGIN6__CLIENT_CAPABILITIES__INIT;
	Tfplugin6__ConfigureProvider__Response *resp;

	caps.deferral_allowed = deferral;
	req.terraform_version = (char *)"1.11.4";
	req.config = dv(provider_t(), cfg);
	req.client_capabilities = &caps;
	resp = RESP(Tfplugin6__ConfigureProvider__Response,
		    tfplugin6__configure_provider__response);
	fresh();
	CHECK_INT(rpc_configure_provider(ps, &C, &req.base, &resp->base), 0);
	dump_diags(&resp->base);
	CHECK(protobuf_c_message_check(&resp->base));
	return resp;
}

static void test_configure_provider(void)
{
	struct provider_state ps = { 0 };
	Tfplugin6__ConfigureProvider__Response *r;
	const struct provider_config *pc;
	const struct type *t, *dtt;
	const struct value *tags;
	const char *k = "env";
	const struct value *tv;

	begin("ConfigureProvider");
	t = provider_t();
	/* unknown without deferral: an error naming the attribute */
	r = configure(&ps, obj(t, "region", value_unknown(A, &type_string),
			       NULL), false);
	CHECK(has_error(r->n_diagnostics, r->diagnostics, "unknown",
			"region"));
	CHECK(atomic_load(&ps.config) == NULL);
	/* a full configuration */
	dtt = attr_t(t, "default_tags");
	tv = value_string(A, "test");
	tags = value_map(A, &type_string, 1, &k, &tv);
	r = configure(&ps, obj(t, "region", value_string(A, "eu-west-1"),
			       "secret_key", value_string(A, "SECRET"),
			       "max_retries", value_int(A, 4),
			       "default_tags", obj(dtt, "tags", tags, NULL),
			       "skip_credentials_validation", value_bool(A, true),
			       NULL), false);
	CHECK_INT(r->n_diagnostics, 0);
	pc = atomic_load(&ps.config);
	CHECK(pc && !pc->env.deferred);
	if (pc) {
		CHECK_STR(pc->region, "eu-west-1");
		CHECK_STR(pc->secret_key, "SECRET");
		CHECK(pc->has_max_retries && pc->max_retries == 4);
		CHECK_INT(pc->env.default_tags.n, 1);
		CHECK_STR(pc->terraform_version, "1.11.4");
	}
	/* a second configure keeps the first, with a warning */
	r = configure(&ps, obj(t, "region", value_string(A, "us-east-1"),
			       NULL), false);
	CHECK(atomic_load(&ps.config) == pc);
	CHECK_INT(r->n_diagnostics, 1);
	provider_config_free((struct provider_config *)pc);
	end();
}

static void test_deferral(void)
{
	Tfplugin6__ConfigureProvider__Response *r;
	Tfplugin6__PlanResourceChange__Response *p;
	struct provider_config *pc;
	const struct value *cfg;
	const struct type *t;

	begin("ConfigureProvider");
	r = configure(&PS, obj(provider_t(), "region",
			       value_unknown(A, &type_string), NULL), true);
	CHECK_INT(n_errors(r->n_diagnostics, r->diagnostics), 0);
	pc = (struct provider_config *)atomic_load(&PS.config);
	CHECK(pc && pc->env.deferred);
	end();
	begin("PlanResourceChange");
	t = fixture_t();
	cfg = obj(t, "name", value_string(A, "d"), NULL);
	p = plan(value_null(A, t), cfg, cfg);
	CHECK(p->deferred && p->deferred->reason ==
	      TFPLUGIN6__DEFERRED__REASON__PROVIDER_CONFIG_UNKNOWN);
	CHECK(p->planned_state != NULL);
	end();
	atomic_store(&PS.config, NULL);
	provider_config_free(pc);
}

static void test_stop_provider(void)
{
	struct provider_state ps = { 0 };
	Tfplugin6__StopProvider__Request req =
		TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;
	Tfplugin6__StopProvider__Response *resp;

	ctx_init(&C, "StopProvider", &ps.stop);
	A = C.arena;
	CHECK(!ctx_cancelled(&C));
	resp = RESP(Tfplugin6__StopProvider__Response,
		    tfplugin6__stop_provider__response);
	CHECK_INT(rpc_stop_provider(&ps, &C, &req.base, &resp->base), 0);
	CHECK(atomic_load(&ps.stop) == 1);
	CHECK(ctx_cancelled(&C));
	CHECK(protobuf_c_message_check(&resp->base));
	end();
}

/* ---- unsupported features and bad input ---- */

static void test_unsupported(void)
{
	Tfplugin6__CallFunction__Request cf =
		TFPLUGIN6__CALL_FUNCTION__REQUEST__INIT;
	Tfplugin6__CallFunction__Response *cr;
	Tfplugin6__ReadDataSource__Request ds =
		TFPLUGIN6__READ_DATA_SOURCE__REQUEST__INIT;
	Tfplugin6__ReadDataSource__Response *dr;
	Tfplugin6__MoveResourceState__Request mv =
		TFPLUGIN6__MOVE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__MoveResourceState__Response *mr;
	Tfplugin6__GetFunctions__Request gf =
		TFPLUGIN6__GET_FUNCTIONS__REQUEST__INIT;
	Tfplugin6__GetFunctions__Response *gr;
	Tfplugin6__ValidateDataResourceConfig__Request vd =
		TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__REQUEST__INIT;
	Tfplugin6__ValidateDataResourceConfig__Response *vr;

	begin("Unsupported");
	cf.name = (char *)"nope";
	cr = RESP(Tfplugin6__CallFunction__Response,
		  tfplugin6__call_function__response);
	call(rpc_call_function, &cf, cr);
	CHECK(cr->error && strstr(cr->error->text, "unknown function"));
	ds.type_name = (char *)"secure_thing";
	dr = RESP(Tfplugin6__ReadDataSource__Response,
		  tfplugin6__read_data_source__response);
	call(rpc_read_data_source, &ds, dr);
	CHECK(has_error(dr->n_diagnostics, dr->diagnostics,
			"Not supported", NULL));
	vd.type_name = (char *)"secure_thing";
	vr = RESP(Tfplugin6__ValidateDataResourceConfig__Response,
		  tfplugin6__validate_data_resource_config__response);
	call(rpc_validate_data_resource_config, &vd, vr);
	CHECK_INT(n_errors(vr->n_diagnostics, vr->diagnostics), 1);
	mv.source_type_name = (char *)"aws_instance";
	mv.source_provider_address = (char *)"registry.terraform.io/hashicorp/aws";
	mv.target_type_name = (char *)"secure_test_fixture";
	mr = RESP(Tfplugin6__MoveResourceState__Response,
		  tfplugin6__move_resource_state__response);
	call(rpc_move_resource_state, &mv, mr);
	CHECK(has_error(mr->n_diagnostics, mr->diagnostics, "move", NULL));
	CHECK(mr->target_state == NULL);
	gr = RESP(Tfplugin6__GetFunctions__Response,
		  tfplugin6__get_functions__response);
	call(rpc_get_functions, &gf, gr);
	CHECK_INT(gr->n_functions + gr->n_diagnostics, 0);
	CHECK(rpc_method_find("/tfplugin6.Provider/PlanResourceChange") &&
	      rpc_method_find("/tfplugin6.Provider/StopProvider") &&
	      !rpc_method_find("/tfplugin6.Provider/Nope"));
	end();
}

static void test_malformed_plan_requests(void)
{
	Tfplugin6__PlanResourceChange__Request req =
		TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
	Tfplugin6__PlanResourceChange__Response *resp;
	const struct type *t;
	const struct value *cfg;

	begin("PlanResourceChange");
	t = fixture_t();
	cfg = obj(t, "name", value_string(A, "m"), NULL);
	req.type_name = (char *)"secure_test_fixture";
	req.prior_state = raw_dv("\xc0", 1);
	req.proposed_new_state = raw_dv("\x82\xa4name", 6);	/* truncated */
	req.config = dv(t, cfg);
	resp = RESP(Tfplugin6__PlanResourceChange__Response,
		    tfplugin6__plan_resource_change__response);
	CHECK_INT(call(rpc_plan_resource_change, &req, resp), 0);
	CHECK(has_error(resp->n_diagnostics, resp->diagnostics,
			"proposed new state", NULL));
	CHECK(resp->planned_state == NULL);
	/* a string where the object should be */
	req.proposed_new_state = raw_dv("\xa3" "abc", 4);
	resp = RESP(Tfplugin6__PlanResourceChange__Response,
		    tfplugin6__plan_resource_change__response);
	call(rpc_plan_resource_change, &req, resp);
	CHECK_INT(n_errors(resp->n_diagnostics, resp->diagnostics), 1);
	/* a resource value that breaks the schema is refused on encode */
	fresh();
	CHECK(dynval_encode(&C, t, value_string(A, "x"), "new state") == NULL);
	CHECK(diags_has_errors(&C.diags));
	end();
}

/* ---- Go durations (schema/timeouts.c) ---- */

static void test_durations(void)
{
	static const struct {
		const char *s;
		int64_t ms;	/* -1 = rejected */
	} cases[] = {
		{ "60m", 3600000 }, { "1h30m", 5400000 }, { "90s", 90000 },
		{ "1.5h", 5400000 }, { "250ms", 250 }, { "0", 0 },
		{ "+5s", 5000 }, { "1h0m0s", 3600000 }, { ".5s", 500 },
		{ "2us", 0 }, { "3\xc2\xb5s", 0 }, { "1500000ns", 1 },
		{ "", -1 }, { "10", -1 }, { "-5m", -1 }, { "5 m", -1 },
		{ "5mins", -1 }, { "h", -1 }, { "1.h", 3600000 },
		{ "9999999999999999999h", -1 }, { "3000000h", -1 },
		{ "1d", -1 }, { "5m ", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = NULL;
		int64_t ms = -7;
		int rc = timeouts_parse_duration(cases[i].s, &ms, &err);

		if (cases[i].ms < 0) {
			if (rc != -1 || !err)
				fprintf(stderr, "  accepted \"%s\"\n", cases[i].s);
			CHECK(rc == -1 && err);
		} else {
			if (rc != 0 || ms != cases[i].ms)
				fprintf(stderr, "  \"%s\" -> rc %d ms %lld\n",
					cases[i].s, rc, (long long)ms);
			CHECK(rc == 0 && ms == cases[i].ms);
		}
	}
}

/* The fixture misbehaves on purpose (FIXTURE_BUG): the provider layer must
 * report each bug as an error diagnostic and still answer. */
static void test_resource_bugs_are_diagnosed(void)
{
	Tfplugin6__PlanResourceChange__Response *p;
	Tfplugin6__ApplyResourceChange__Response *ap;
	Tfplugin6__ReadResource__Response *rd;
	const struct value *cfg, *st;
	const struct type *t;

	fixture_store_reset();
	begin("Bugs");
	t = fixture_t();
	cfg = obj(t, "name", value_string(A, "bug"), NULL);
	p = plan(value_null(A, t), cfg, cfg);
	setenv("FIXTURE_BUG", "unknown", 1);
	ap = apply(value_null(A, t), p->planned_state, cfg);
	CHECK(has_error(ap->n_diagnostics, ap->diagnostics, "unknown",
			"revision"));
	st = undv(t, ap->new_state);	/* stored, with the unknown nulled */
	CHECK(st && value_is_null(value_attr(st, "revision")) &&
	      str_attr(st, "id"));
	setenv("FIXTURE_BUG", "inconsistent", 1);
	ap = apply(value_null(A, t), p->planned_state, cfg);
	CHECK(has_error(ap->n_diagnostics, ap->diagnostics,
			"inconsistent result", "description"));
	CHECK(ap->new_state != NULL);	/* the object exists: keep it */
	setenv("FIXTURE_BUG", "wrong_type", 1);
	rd = read_res(undv(t, ap->new_state));
	CHECK(has_error(rd->n_diagnostics, rd->diagnostics, "invalid", NULL));
	unsetenv("FIXTURE_BUG");
	fixture_store_reset();
	end();
}

int main(void)
{
	unsetenv("FIXTURE_STORE_DIR");
	unsetenv("FIXTURE_FAIL");
	unsetenv("FIXTURE_BUG");
	RUN(test_durations);
	RUN(test_metadata_and_schema);
	RUN(test_validate_provider_config);
	RUN(test_validate_resource_config);
	RUN(test_lifecycle);
	RUN(test_apply_failure_keeps_partial_state);
	RUN(test_resource_bugs_are_diagnosed);
	RUN(test_upgrade_resource_state);
	RUN(test_configure_provider);
	RUN(test_deferral);
	RUN(test_stop_provider);
	RUN(test_unsupported);
	RUN(test_malformed_plan_requests);
	fixture_store_reset();
	return check_summary();
}
