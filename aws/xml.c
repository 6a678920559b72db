/*
 * xml.c - expat-backed DOM for AWS responses (see xml.h).
 *
 * Does not do: attributes, namespaces beyond stripping prefixes, mixed
 * content ordering, DTDs (any DOCTYPE with entity declarations is refused).
 */
#include "xml.h"

#include "core/arena.h"

#include <expat.h>
#include <limits.h>
#include <string.h>

/* The parser's current line: expat 2.9 (trixie) deprecates
 * XML_GetCurrentLineNumber for its 64-bit twin, which 2.5 (bookworm) lacks. */
static unsigned long xml_line(XML_Parser p)
{
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 9)
	return (unsigned long)XML_GetCurrentLineNumber64(p);
#else
	return (unsigned long)XML_GetCurrentLineNumber(p);
#endif
}

struct xml_state {
	struct arena *arena;
	struct xml_node *root;
	struct xml_node *cur;
	size_t depth;
	size_t nodes;
	const char *err;
	XML_Parser parser;
	/* character data of the current element, grown geometrically */
	char *buf;
	size_t len, cap;
};

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

static void fail(struct xml_state *s, const char *msg)
{
	if (!s->err)
		s->err = msg;
	XML_StopParser(s->parser, XML_FALSE);
}

static void flush_text(struct xml_state *s)
{
	if (s->cur && s->len) {
		char *t = arena_alloc(s->arena, s->cur->text_len + s->len + 1);

		memcpy(t, s->cur->text, s->cur->text_len);
		memcpy(t + s->cur->text_len, s->buf, s->len);
		s->cur->text_len += s->len;
		t[s->cur->text_len] = '\0';
		s->cur->text = t;
	}
	s->len = 0;
}

static void XMLCALL on_start(void *data, const char *name, const char **attrs)
{
	struct xml_state *s = data;
	struct xml_node *n, **link;

	(void)attrs;
	if (s->err)
		return;
	if (++s->depth > XML_MAX_DEPTH) {
		fail(s, "XML nesting too deep");
		return;
	}
	if (++s->nodes > XML_MAX_NODES) {
		fail(s, "XML document has too many elements");
		return;
	}
	flush_text(s);
	n = arena_alloc(s->arena, sizeof(*n));
	n->name = arena_strdup(s->arena, local_name(name));
	n->text = "";
	n->parent = s->cur;
	if (s->cur) {
		for (link = &s->cur->first_child; *link; link = &(*link)->next)
			;
		*link = n;
	} else {
		s->root = n;
	}
	s->cur = n;
}

static void XMLCALL on_end(void *data, const char *name)
{
	struct xml_state *s = data;

	(void)name;
	if (s->err)
		return;
	flush_text(s);
	s->depth--;
	s->cur = s->cur ? s->cur->parent : NULL;
}

static void XMLCALL on_text(void *data, const char *text, int len)
{
	struct xml_state *s = data;

	if (s->err || !s->cur || len <= 0)
		return;
	if (s->len + (size_t)len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		char *nb;

		while (cap < s->len + (size_t)len + 1)
			cap *= 2;
		nb = arena_alloc(s->arena, cap);
		if (s->len)
			memcpy(nb, s->buf, s->len);
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, (size_t)len);
	s->len += (size_t)len;
}

static void XMLCALL on_entity_decl(void *data, const XML_Char *name,
				   int is_param, const XML_Char *value,
				   int value_len, const XML_Char *base,
				   const XML_Char *system_id,
				   const XML_Char *public_id,
				   const XML_Char *notation)
{
	(void)name; (void)is_param; (void)value; (void)value_len;
	(void)base; (void)system_id; (void)public_id; (void)notation;
	fail(data, "XML entity declarations are not accepted");
}

struct xml_node *xml_parse(struct arena *a, const char *buf, size_t len,
			   const char **err)
{
	struct xml_state s;
	enum XML_Status st;

	memset(&s, 0, sizeof(s));
	s.arena = a;
	s.parser = XML_ParserCreate("UTF-8");
	if (!s.parser) {
		*err = "cannot create XML parser";
		return NULL;
	}
	XML_SetUserData(s.parser, &s);
	XML_SetElementHandler(s.parser, on_start, on_end);
	XML_SetCharacterDataHandler(s.parser, on_text);
	XML_SetEntityDeclHandler(s.parser, on_entity_decl);
	if (len > (size_t)INT_MAX) {
		XML_ParserFree(s.parser);
		*err = "XML document too large";
		return NULL;
	}
	st = XML_Parse(s.parser, buf, (int)len, XML_TRUE);
	if (st != XML_STATUS_OK && !s.err)
		s.err = arena_sprintf(a, "malformed XML at line %lu: %s",
				      (unsigned long)xml_line(s.parser),
				      XML_ErrorString(XML_GetErrorCode(s.parser)));
	if (!s.err && !s.root)
		s.err = "empty XML document";
	XML_ParserFree(s.parser);
	if (s.err) {
		*err = s.err;
		return NULL;
	}
	*err = NULL;
	return s.root;
}

struct xml_node *xml_child(const struct xml_node *node, const char *name)
{
	struct xml_node *c;

	if (!node)
		return NULL;
	for (c = node->first_child; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

struct xml_node *xml_find(const struct xml_node *node, const char *path)
{
	const char *p = path;
	struct xml_node *cur = (struct xml_node *)node;

	while (cur && *p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		struct xml_node *c;

		for (c = cur->first_child; c; c = c->next)
			if (strlen(c->name) == n && memcmp(c->name, p, n) == 0)
				break;
		cur = c;
		p += n;
		if (*p == '/')
			p++;
	}
	return cur;
}

const char *xml_text(const struct xml_node *node, const char *path)
{
	struct xml_node *n = xml_find(node, path);

	return n ? n->text : NULL;
}

struct xml_node *xml_next_named(const struct xml_node *node)
{
	struct xml_node *c;

	for (c = node->next; c; c = c->next)
		if (strcmp(c->name, node->name) == 0)
			return c;
	return NULL;
}
