/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The typed ProvCont 1.1 document: characteristics and parms checked against
 * the catalogue (allowed parameters, cardinality, allowed values, nesting),
 * links resolved (NAPID/TO-NAPID with the INTERNET pseudo-NAP,
 * PROXY-ID/TO-PROXY, PXPHYSICAL TO-NAPID, APPREF/TO-APPREF), and the MSPROV
 * operations (nocharacteristic, noparm, characteristic-query, parm-query)
 * recorded as operations. */

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

#define OMACP_PROVDOC_MAX_CHARACTERISTICS 2048 /* in one document */
#define OMACP_PROVDOC_MAX_PARMS           8192 /* in one document */
#define OMACP_PROVDOC_MAX_NAME            128  /* identifiers longer than this are dropped */
#define OMACP_PROVDOC_MAX_DEPTH           32   /* characteristic nesting (real documents use 4) */
#define OMACP_PROVDOC_MAX_WARNINGS        256  /* then one "... are not listed" line */

typedef enum {
	OMACP_OP_SET,    /* characteristic / parm: add or replace */
	OMACP_OP_REMOVE, /* nocharacteristic / noparm */
	OMACP_OP_QUERY,  /* characteristic-query / parm-query */
} OmacpOp;

const char *omacp_op_to_string(OmacpOp op); /* "set", "remove", "query" */

typedef struct {
	char *name;
	char *value; /* NULL for a flag parm (no value attribute) */
	OmacpOp op;
	gboolean known; /* allowed in its characteristic by the catalogue */
	gboolean valid; /* used: not a repeat of a single parm, value in its vocabulary,
	                 * not too long, link resolved. _get()/_has()/_get_all() see only these. */
} OmacpParm;

typedef struct _OmacpCharacteristic OmacpCharacteristic;

struct _OmacpCharacteristic {
	char *type;
	OmacpOp op;
	gboolean known; /* a type of the catalogue */
	gboolean valid; /* mandatory parms present, nesting allowed: profiles use only valid ones */
	GPtrArray *parms;            /* OmacpParm *, document order */
	GPtrArray *children;         /* OmacpCharacteristic *, document order */
	OmacpCharacteristic *parent; /* NULL at the top level */
	char *path; /* "NAPDEF[2]/NAPAUTHINFO[1]": 1-based index among siblings of that type */
	gboolean identifier; /* MSPROV rearranged form: the type is an identifier (a NAPID,
	                      * PROXY-ID...) under NAPDEF/PXLOGICAL, or mwid="1" */
};

typedef struct {
	OmacpOp op;         /* REMOVE or QUERY (SET is the ordinary content) */
	char *path;         /* path of the element: "NAPDEF/INTERNET1" */
	char *target;       /* characteristic type or parm name the operation names */
	gboolean recursive; /* characteristic-query only */
} OmacpOperation;

typedef struct {
	char *version;              /* wap-provisioningdoc version attribute, or NULL */
	GPtrArray *characteristics; /* OmacpCharacteristic *, top level */
	GPtrArray *warnings;        /* char *: "NAPDEF[1]: mandatory parm NAPID missing; ignored" */
	GPtrArray *operations;      /* OmacpOperation * */
	gpointer index;             /* private: lookup tables built once the document is complete */
} OmacpProvDoc;

void omacp_provdoc_free(OmacpProvDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpProvDoc, omacp_provdoc_free)

/* Builds the typed document from a libxml2 tree (from WBXML or XML). Fails
 * only when the root is not wap-provisioningdoc or a cap is exceeded; every
 * other problem becomes a warning naming the characteristic path and parm. */
gboolean omacp_provdoc_from_xml(xmlDoc *xml, OmacpProvDoc **out, GError **error);

/* First SET value of a parm, NULL when absent (or a flag: use _has()). */
const char *omacp_characteristic_get(const OmacpCharacteristic *c, const char *name);
gboolean omacp_characteristic_has(const OmacpCharacteristic *c, const char *name);
/* All SET values of a repeatable parm (const char *, owned by @c). */
GPtrArray *omacp_characteristic_get_all(const OmacpCharacteristic *c, const char *name);
/* Valid, SET children of a type (OmacpCharacteristic *, owned by @c). */
GPtrArray *omacp_characteristic_children(const OmacpCharacteristic *c, const char *type);

/* Valid, SET top-level characteristics of a type. */
GPtrArray *omacp_provdoc_find_all(const OmacpProvDoc *doc, const char *type);
/* NAPDEF whose NAPID is @napid (first wins). */
OmacpCharacteristic *omacp_provdoc_find_napdef(const OmacpProvDoc *doc, const char *napid);
/* NAPDEFs a TO-NAPID value designates: the one with that NAPID, or for
 * "INTERNET" every NAPDEF carrying the INTERNET flag. */
GPtrArray *omacp_provdoc_resolve_to_napid(const OmacpProvDoc *doc, const char *to_napid);
/* PXLOGICAL whose PROXY-ID is @proxy_id. */
OmacpCharacteristic *omacp_provdoc_find_pxlogical(const OmacpProvDoc *doc, const char *proxy_id);
/* APPLICATION whose APPREF is @appref. */
OmacpCharacteristic *omacp_provdoc_find_appref(const OmacpProvDoc *doc, const char *appref);

/* Every function above that returns a GPtrArray returns a new container
 * (free it with g_ptr_array_unref()) whose elements belong to the document. */

/* NAPDEFs a PXLOGICAL leads to: the TO-NAPIDs of its valid PXPHYSICALs, in
 * order, each NAPDEF once. */
GPtrArray *omacp_provdoc_pxlogical_napdefs(const OmacpProvDoc *doc,
                                           const OmacpCharacteristic *pxlogical);
/* How an APPLICATION is bound to access points (rules: "Binding" in
 * provdoc.c and dbus/README.md). */
typedef enum {
	OMACP_BINDING_NONE,           /* no access point */
	OMACP_BINDING_LINKS,          /* its own TO-NAPID / TO-PROXY */
	OMACP_BINDING_ACCESS,         /* ACCESS rules */
	OMACP_BINDING_ONLY_CANDIDATE, /* an MMS application: the only unused access point */
} OmacpBinding;

typedef struct {
	OmacpCharacteristic *napdef;     /* NULL: every INTERNET NAPDEF (TO-NAPID INTERNET) */
	OmacpCharacteristic *pxlogical;  /* the proxy the link goes through, or NULL */
	OmacpCharacteristic *pxphysical; /* the PXPHYSICAL of that proxy leading to napdef */
} OmacpLink;

/* The links of a valid APPLICATION (OmacpLink *, owned by the document), in
 * priority order; NULL when it has none. */
const GPtrArray *omacp_provdoc_app_links(const OmacpProvDoc *doc, const OmacpCharacteristic *app,
                                         OmacpBinding *source);
/* The valid NAPDEFs carrying INTERNET, in document order (owned by the
 * document). */
OmacpCharacteristic *const *omacp_provdoc_internet_napdefs(const OmacpProvDoc *doc, guint *n);
/* w4, and ap0005 that Android OEM clients read as w4. */
gboolean omacp_appid_is_mms(const char *appid);

/* PXLOGICALs an APPLICATION's links go through, each once, in order. */
GPtrArray *omacp_provdoc_app_pxlogicals(const OmacpProvDoc *doc, const OmacpCharacteristic *app);
/* NAPDEFs an APPLICATION's links lead to, each once, in order. */
GPtrArray *omacp_provdoc_app_napdefs(const OmacpProvDoc *doc, const OmacpCharacteristic *app);
/* TRUE when the APPLICATION has neither TO-PROXY nor TO-NAPID. */
gboolean omacp_provdoc_app_is_unlinked(const OmacpCharacteristic *app);

G_END_DECLS
