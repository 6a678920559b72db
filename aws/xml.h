/*
 * xml.h - a small read-only DOM over expat, for AWS query/EC2 responses.
 *
 * AWS XML is element-only data: mixed content and attributes are ignored
 * (attributes are not used by the query protocols' payloads), namespaces are
 * stripped to local names.  Limits: depth XML_MAX_DEPTH, total nodes
 * XML_MAX_NODES; entity declarations (DTDs) are refused, so no billion-laughs.
 *
 * Every node lives in the arena given to xml_parse(); nothing is freed
 * separately.  Thread-safe on distinct arenas.
 */
#ifndef AWS_XML_H
#define AWS_XML_H

#include <stddef.h>

struct arena;

#define XML_MAX_DEPTH 64
#define XML_MAX_NODES 200000

struct xml_node {
	const char *name;		/* local name, no namespace prefix */
	const char *text;		/* concatenated character data ("" if none) */
	size_t text_len;
	struct xml_node *parent;
	struct xml_node *first_child;
	struct xml_node *next;		/* next sibling */
};

/* Parses len bytes.  Returns the root element, or NULL with a message in
 * *err (arena memory, safe to show: it quotes no document content). */
struct xml_node *xml_parse(struct arena *a, const char *buf, size_t len,
			   const char **err);

/* First child element with this local name, or NULL.  node may be NULL. */
struct xml_node *xml_child(const struct xml_node *node, const char *name);

/* Follows a '/'-separated path of child names: "Error/Code".  NULL if any
 * step is missing. */
struct xml_node *xml_find(const struct xml_node *node, const char *path);

/* Text of xml_find(node, path), or NULL. */
const char *xml_text(const struct xml_node *node, const char *path);

/* Next sibling with the same name as node, or NULL (for lists). */
struct xml_node *xml_next_named(const struct xml_node *node);

#endif
