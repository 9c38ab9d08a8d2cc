/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* OMA ProvBoot generic security: HMAC-SHA1 over the exact document octets,
 * keyed per SEC method (NETWPIN, USERPIN, USERNETWPIN, USERPINMAC). Key
 * buffers are wiped before they are freed; MACs compare in constant time. */

#include <glib.h>

#include "wsp.h"

G_BEGIN_DECLS

#define OMACP_NETWPIN_KEY_LEN       8
#define OMACP_MAC_HEX_LEN           40
#define OMACP_USERPINMAC_MIN_DIGITS 10 /* 2N digits, N >= 5 */
#define OMACP_USERPINMAC_MAX_DIGITS 40 /* N <= 20 octets of HMAC-SHA1 */
#define OMACP_PIN_MAX_LEN           64

/* IMSI (14 or 15 digits) → 8-octet semi-octet key with the type/parity
 * nibble. Anything else is OMACP_ERROR_NO_KEY. */
gboolean omacp_auth_netwpin_key(const char *imsi, guint8 key[OMACP_NETWPIN_KEY_LEN],
                                GError **error);

/* Computes the 40-char upper-case hex MAC a sender would put in the push for
 * NETWPIN (imsi), USERPIN (pin), USERNETWPIN (imsi + pin). For USERPINMAC
 * use omacp_auth_userpinmac_pin(). */
gboolean omacp_auth_compute_mac(OmacpSec sec, const char *imsi, const char *pin, const guint8 *doc,
                                gsize len, char mac_hex[OMACP_MAC_HEX_LEN + 1], GError **error);

/* Given the N-digit first half (5 <= N <= 20, else OMACP_ERROR_BAD_PIN),
 * returns the full 2N-digit PIN the user must type for a USERPINMAC message
 * over @doc. The result is a secret: wipe it before freeing. */
char *omacp_auth_userpinmac_pin(const char *first_half, const guint8 *doc, gsize len,
                                GError **error);

/* Verifies a document. Returns TRUE when authentic. FALSE with:
 * OMACP_ERROR_AUTH_FAILED (MAC or PIN does not match), OMACP_ERROR_BAD_PIN (the
 * PIN has the wrong form: USERPINMAC odd/short/non-digit), OMACP_ERROR_NO_KEY
 * (the IMSI or PIN the method needs was not given, or the MAC parameter is
 * missing for methods that need it), OMACP_ERROR_UNSUPPORTED (unknown SEC,
 * or OMACP_SEC_NONE: nothing to verify with).
 * @mac is compared case-insensitively and in constant time; for USERPINMAC it
 * is ignored. */
gboolean omacp_auth_verify(OmacpSec sec, const char *mac, const char *imsi, const char *pin,
                           const guint8 *doc, gsize len, GError **error);

/* Constant-time comparison of two hex MAC strings, case-insensitive. Empty
 * strings, NULL and strings longer than OMACP_MAC_HEX_LEN never match. */
gboolean omacp_auth_mac_equal(const char *a, const char *b);

G_END_DECLS
