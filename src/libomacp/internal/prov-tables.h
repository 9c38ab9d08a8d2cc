/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The PROV WBXML token tables (OMA ProvCont 1.1, code pages 0 and 1, with the
 * late WLAN/APPREF/BEARERINFO additions and the MSPROV elements), used by the
 * decoder (token → text) and the encoder (text → token). One set of tables
 * serves both directions; the reverse indexes are built from it once. */

#include <glib.h>

G_BEGIN_DECLS

#define OMACP_PROV_PUBLIC_ID        0x0B /* "-//WAPFORUM//DTD PROV 1.0//EN" */
#define OMACP_PROV_PUBLIC_ID_STRING "-//WAPFORUM//DTD PROV 1.0//EN"
#define OMACP_PROV_MSPROV_PAGE      200 /* Windows Mobile 5+ tag page of the MSPROV elements */

/* Token flags. */
typedef enum {
	/* A late ProvCont 1.1 addition (WLAN change request, APPREF,
	 * BEARERINFO, 3G-GSM...) that libwbxml, Wireshark and older phones do
	 * not know. The decoder reads it; the encoder spells the text out
	 * instead, so that every receiver understands the result. */
	OMACP_PROV_TOKEN_LATE = 1 << 0,
} OmacpProvTokenFlags;

typedef struct {
	const char *attr;   /* "name", "value", "type" or "version" */
	const char *prefix; /* value prefix ("NAPID" for page 0 0x11), NULL for none */
	guint8 flags;       /* OmacpProvTokenFlags */
} OmacpProvAttrStart;

/* Decoding: token → text. Pages other than 0, 1 and 200 (tags) are unknown. */

/* Tag names: page 0/1 tokens 0x05..0x07, MSPROV 0x20..0x29 on page 0
 * (WM2003) and page 200 (WM5+). @token is the tag identity (bits 0-5).
 * NULL when unknown. */
const char *omacp_prov_tag_name(guint page, guint8 token);

/* Attribute-start token (0x05..0x7F minus globals; on page 1 also the WLAN
 * names 0x40..0x44 that collide with global tokens). NULL when unknown. */
const OmacpProvAttrStart *omacp_prov_attr_start(guint page, guint8 token);

/* Attribute-value token (0x85..0xFF) → text (e.g. page 0 0x85 → "IPV4").
 * NULL when unknown. */
const char *omacp_prov_attr_value(guint page, guint8 token);

/* Encoding: text → token. Only tokens a receiver with the ProvCont 1.1
 * tables knows are returned (no LATE entries, nothing from page 200, never
 * the page-1 tokens 0x40..0x44 that collide with globals), on page 0 or 1;
 * when the token exists on @current_page that page is chosen, else the
 * other. FALSE when no token exists. Thread-safe (the indexes are built
 * once). */
gboolean omacp_prov_find_tag(const char *name, guint current_page, guint *page, guint8 *token);

/* An attribute start for @attr whose value prefix is exactly @value (NULL
 * or "" for the plain "name=", "value=", "type=", "version=" tokens). */
gboolean omacp_prov_find_attr_start(const char *attr, const char *value, guint current_page,
                                    guint *page, guint8 *token);

/* A value token whose text is exactly @value. */
gboolean omacp_prov_find_attr_value(const char *value, guint current_page, guint *page,
                                    guint8 *token);

G_END_DECLS
