/*
 * timeouts.c - the `timeouts` block and a Go duration parser (see
 * timeouts.h).  The grammar is Go's time.ParseDuration; unlike Go we reject
 * negative values, which make no sense as timeouts.
 */
#include "schema/timeouts.h"

#include <stdbool.h>
#include <string.h>

static const struct schema_attr timeouts_attrs[] = {
	{ .name = "create", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "How long to wait for the resource to be created, as "
	  "a Go duration string such as `\"60m\"` or `\"1h30m\"`." },
	{ .name = "delete", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "How long to wait for the resource to be deleted, as "
	  "a Go duration string." },
	{ .name = "read", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "How long to wait when reading the resource, as a Go "
	  "duration string." },
	{ .name = "update", .type = &type_string, .flags = ATTR_OPTIONAL,
	  .description = "How long to wait for the resource to be updated, as "
	  "a Go duration string." },
};

const struct schema_block timeouts_schema = {
	.n_attrs = sizeof(timeouts_attrs) / sizeof(timeouts_attrs[0]),
	.attrs = timeouts_attrs,
	.description = "Operation timeouts. Each is a Go duration string "
	"(`\"30s\"`, `\"60m\"`, `\"1h30m\"`).",
};

const struct schema_nested_block timeouts_block = TIMEOUTS_NESTED_BLOCK;

static const char *const timeouts_names[] = {
	[TIMEOUTS_CREATE] = "create",
	[TIMEOUTS_READ] = "read",
	[TIMEOUTS_UPDATE] = "update",
	[TIMEOUTS_DELETE] = "delete",
};

struct unit {
	const char *name;
	int64_t ns;
};

static const struct unit units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
	{ "\xce\xbcs", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	{ "m", 60LL * 1000000000 }, { "h", 3600LL * 1000000000 },
};

/* Reads the unit at *p (longest match); NULL when none matches. */
static const struct unit *read_unit(const char **p)
{
	const struct unit *best = NULL;
	size_t i, best_len = 0;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if (n > best_len && strncmp(*p, units[i].name, n) == 0) {
			best = &units[i];
			best_len = n;
		}
	}
	*p += best_len;
	return best;
}

int timeouts_parse_duration(const char *s, int64_t *out_ms, const char **err)
{
	const int64_t max_ns = INT64_MAX;
	int64_t total = 0;	/* nanoseconds */
	const char *p = s;

	*out_ms = 0;
	if (!s || !*s)
		return *err = "empty duration", -1;
	if (*p == '-')
		return *err = "a duration must not be negative", -1;
	if (*p == '+')
		p++;
	if (strcmp(p, "0") == 0)
		return 0;
	if (!*p)
		return *err = "invalid duration", -1;
	while (*p) {
		int64_t whole = 0, frac = 0, scale = 1, add;
		bool digits = false;
		const struct unit *u;

		while (*p >= '0' && *p <= '9') {
			if (whole > (max_ns - (*p - '0')) / 10)
				return *err = "duration is too long", -1;
			whole = whole * 10 + (*p++ - '0');
			digits = true;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				if (scale < 1000000000000000000LL) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
				p++;
				digits = true;
			}
		}
		if (!digits)
			return *err = "invalid duration: expected a number", -1;
		u = read_unit(&p);
		if (!u)
			return *err = "missing or unknown unit (use ns, us, ms, "
				      "s, m or h)", -1;
		if (whole > max_ns / u->ns)
			return *err = "duration is too long", -1;
		add = whole * u->ns;
		/* frac/scale of one unit, without overflow: unit <= 3.6e12 */
		add += (int64_t)((double)frac * (double)u->ns / (double)scale);
		if (add < 0 || total > max_ns - add)
			return *err = "duration is too long", -1;
		total += add;
	}
	*out_ms = total / 1000000;
	return 0;
}

int timeouts_validate(struct ctx *c, const struct value *obj)
{
	const struct value *t = value_attr(obj, "timeouts");
	size_t i;
	int rc = 0;

	if (!t || !value_is_known(t))
		return 0;
	for (i = 0; i < sizeof(timeouts_names) / sizeof(timeouts_names[0]);
	     i++) {
		const struct value *v = value_attr(t, timeouts_names[i]);
		const char *s, *err = NULL;
		int64_t ms;
		struct path p;

		if (!v || !value_get_string(v, &s))
			continue;
		if (timeouts_parse_duration(s, &ms, &err) == 0)
			continue;
		p = path_attr(c->arena, path_attr(c->arena, path_root,
						  "timeouts"),
			      timeouts_names[i]);
		rc = diag_error(&c->diags, &p, "Invalid timeout duration",
				"%s: \"%s\" is not a valid Go duration string "
				"(examples: \"30s\", \"60m\", \"1h30m\")",
				err, s);
	}
	return rc;
}

int64_t timeouts_get(const struct value *obj, enum timeouts_op op,
		     int64_t default_ms)
{
	const struct value *t = value_attr(obj, "timeouts");
	const struct value *v = t ? value_attr(t, timeouts_names[op]) : NULL;
	const char *s, *err;
	int64_t ms;

	if (!v || !value_get_string(v, &s))
		return default_ms;
	if (timeouts_parse_duration(s, &ms, &err) < 0)
		return default_ms;
	return ms;
}
