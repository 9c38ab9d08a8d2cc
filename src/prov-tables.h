/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The PROV WBXML token tables (OMA ProvCont 1.1, code pages 0 and 1, with the
 * late WLAN/APPREF/BEARERINFO additions and the MSPROV elements), used by the
 * decoder (token → text) and the encoder (text → token). */

#include <glib.h>

G_BEGIN_DECLS

#define OMACP_PROV_PUBLIC_ID 0x0B /* "-//WAPFORUM//DTD PROV 1.0//EN" */

/* Tag names: page 0/1 tokens 0x05..0x07, MSPROV 0x20..0x29 on page 0 (WM2003)
 * and page 200 (WM5+). NULL when unknown. */
const char *omacp_prov_tag_name(guint page, guint8 token);

/* Attribute-start: the attribute name ("name", "value", "type", "version")
 * and an optional value prefix ("NAPID" for 0x11 on page 0). FALSE when
 * unknown. */
gboolean omacp_prov_attr_start(guint page, guint8 token, const char **attr_name,
			       const char **value_prefix);

/* Attribute-value token → text (e.g. page 0 0x85 → "IPV4"). NULL when unknown. */
const char *omacp_prov_attr_value(guint page, guint8 token);

/* Reverse lookups for the encoder. Return FALSE when no token exists. */
gboolean omacp_prov_find_tag(const char *name, guint *page, guint8 *token);
gboolean omacp_prov_find_attr_start(const char *attr_name, const char *value, guint *page,
				    guint8 *token);
gboolean omacp_prov_find_attr_value(const char *value, guint *page, guint8 *token);

G_END_DECLS
