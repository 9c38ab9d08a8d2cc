/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the daemon shows of personal and secret data. */

#include <glib.h>

G_BEGIN_DECLS

/* For logs: every digit but the last 3 replaced by '*' ("************345");
 * "(none)" for NULL or "". Used for IMSIs and phone numbers. */
char *omacp_mask_number(const char *number);

/* For the IMSI properties any local user can read: the operator part (the
 * first 5 digits) and the last 2 digits, the rest '*' ("26201********89");
 * "" for NULL or "". The IMSI is the NETWPIN key, so never shown whole. */
char *omacp_mask_imsi(const char *imsi);

G_END_DECLS
