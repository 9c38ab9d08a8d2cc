/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The decoded document as a light tree in one arena: what the WBXML decoder
 * makes, what the typed document (provdoc.c) is built from, and what the
 * Document text is printed from, without a libxml2 tree. A libxml2 tree is
 * made from it only when asked (omacp_doc_tree_to_xml()); XML input, parsed
 * by libxml2, is read into the same shape (omacp_doc_tree_from_xml()).
 *
 * The shape is exactly that of the libxml2 tree omacp_wbxml_decode() gives:
 * elements with their attributes in document order (a duplicate dropped),
 * each attribute value one string, and text nodes where the decoder flushed
 * character data, so that both print the same text and build the same
 * document. */

#include <glib.h>
#include <libxml/tree.h>

#include "arena.h"
#include "provdoc.h"

G_BEGIN_DECLS

typedef struct _OmacpDocAttr OmacpDocAttr;

struct _OmacpDocAttr {
	const char *name;
	/* NULL only in trees read from libxml2: the attribute is there but
	 * xmlGetProp() gives no value for it (lookups stop at it, as they do
	 * in libxml2's tree) */
	const char *value;
	OmacpDocAttr *next;
	guint32 value_len;
	gboolean interned; /* @name is one of the PROV names of the shared dictionary */
};

typedef struct _OmacpDocNode OmacpDocNode;

struct _OmacpDocNode {
	const char *name; /* an element's name; NULL for a text node */
	const char *text; /* a text node's content (UTF-8, no NUL inside) */
	gsize text_len;
	OmacpDocAttr *attrs;
	OmacpDocNode *parent; /* NULL for the root */
	OmacpDocNode *children;
	OmacpDocNode *last;
	OmacpDocNode *next;
	const xmlNode *origin; /* the libxml2 element read (from_xml trees), else NULL */
	gboolean interned;     /* @name is one of the PROV names of the shared dictionary */
};

typedef struct _OmacpDocTree OmacpDocTree; /* pipeline.h names the tag */

struct _OmacpDocTree {
	gint ref_count;
	OmacpArena arena;   /* the nodes and strings; the typed document built from a
	                     * WBXML tree lives here too (omacp_provdoc_from_tree()) */
	OmacpDocNode *root; /* NULL: a libxml2 document without a root element */
	gboolean from_xml;  /* read from libxml2 (omacp_doc_tree_from_xml()): no text */
};

OmacpDocTree *omacp_doc_tree_ref(OmacpDocTree *tree);
/* The last reference wipes the arena (attribute values may be passwords). */
void omacp_doc_tree_unref(OmacpDocTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpDocTree, omacp_doc_tree_unref)

/* omacp_wbxml_decode() without the libxml2 tree: the same checks, errors
 * and warnings. */
gboolean omacp_wbxml_decode_tree(const guint8 *data, gsize len, OmacpDocTree **out,
                                 GPtrArray *warnings, GError **error);

/* The libxml2 tree omacp_wbxml_decode() gives for the same document (for
 * a tree from the WBXML decoder). */
xmlDoc *omacp_doc_tree_to_xml(const OmacpDocTree *tree);

/* omacp_xml_to_string() of omacp_doc_tree_to_xml(), without that tree. */
char *omacp_doc_tree_to_string(const OmacpDocTree *tree, gboolean mask_secrets);

/* The elements and attributes of a libxml2 document, attribute values as
 * the typed document reads them (xmlGetProp()); text is not read. */
OmacpDocTree *omacp_doc_tree_from_xml(xmlDoc *xml);

/* The names the typed document looks for, as the shared dictionary of PROV
 * names spells them: an interned name of a tree is one of the dictionary's
 * pointers, so it equals one of these exactly when it is the same pointer.
 * NULL for a name the dictionary does not have. */
typedef struct {
	const char *characteristic;
	const char *parm;
	const char *nocharacteristic;
	const char *characteristic_query;
	const char *noparm;
	const char *parm_query;
	const char *type;
	const char *name;
	const char *value;
	const char *mwid;
	const char *recursive;
	const char *version;
} OmacpDocNames;

const OmacpDocNames *omacp_doc_names(void);

/* Whether @name (interned or not, may be NULL) is @spelled, whose interned
 * spelling is @shared (from omacp_doc_names()). */
static inline gboolean
omacp_doc_name_is(const char *name, gboolean interned, const char *spelled, const char *shared)
{
	if (interned)
		return name == shared;
	return name != NULL && name[0] == spelled[0] && strcmp(name, spelled) == 0;
}

/* @node's first attribute named @name (interned spelling @shared), NULL
 * when it has none. */
static inline const OmacpDocAttr *
omacp_doc_node_attr(const OmacpDocNode *node, const char *name, const char *shared)
{
	for (const OmacpDocAttr *a = node->attrs; a != NULL; a = a->next) {
		if (omacp_doc_name_is(a->name, a->interned, name, shared))
			return a;
	}
	return NULL;
}

/* omacp_provdoc_from_xml() from a tree (provdoc.c). A document built from a
 * WBXML tree keeps a reference to it: its strings are the tree's and its
 * own parts are allocated in the tree's arena. */
gboolean omacp_provdoc_from_tree(OmacpDocTree *tree, OmacpProvDoc **out, GError **error);

G_END_DECLS
