/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the daemon shows of personal and secret data. */

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

#define OMACP_MASK "********"

/* For logs: every digit but the last 3 replaced by '*' ("************345");
 * "(none)" for NULL or "". Used for IMSIs and phone numbers. */
char *omacp_mask_number(const char *number);

/* For the IMSI properties any local user can read: the operator part (the
 * first 5 digits) and the last 2 digits, the rest '*' ("26201********89");
 * "" for NULL or "". The IMSI is the NETWPIN key, so never shown whole. */
char *omacp_mask_imsi(const char *imsi);

/* TRUE when the parm @name (inside a characteristic of type @parent_type,
 * may be NULL) holds a secret: passwords, shared keys, WEP/WPA keys. */
gboolean omacp_mask_parm_is_secret(const char *name, const char *parent_type);

/* The document as indented XML text with the value of every secret parm
 * replaced by OMACP_MASK. @xml is not modified. */
char *omacp_mask_document(xmlDoc *xml);

G_END_DECLS
