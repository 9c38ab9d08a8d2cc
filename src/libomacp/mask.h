/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What omacp shows of personal data: one helper for phone numbers and one for
 * IMSIs, used by the daemon's properties and logs, the backends and the adapters. */

#include <glib.h>

G_BEGIN_DECLS

/* Digits of an IMSI shown at most: the operator (MCC + MNC) and the last
 * two, and never more than half of them. */
#define OMACP_MASK_IMSI_HEAD 5
#define OMACP_MASK_IMSI_TAIL 2
/* An IMSI this short (or shorter) is masked whole. */
#define OMACP_MASK_IMSI_MIN_SHOWN_LEN 7

/* A phone number for logs: every digit but the last 3 replaced by '*'
 * ("*********345"); "(none)" for NULL or "". Not for IMSIs. */
char *omacp_mask_number(const char *number);

/* An IMSI wherever omacp shows one (D-Bus properties any local user may read, logs): the operator
 * part (the first 5 digits) and the last 2 digits, the rest '*' ("26201********89"); fewer of both
 * for a shorter IMSI, never more than half of its digits, none at all up to
 * OMACP_MASK_IMSI_MIN_SHOWN_LEN digits;
 * "" for NULL or "". The IMSI is the NETWPIN key, so never shown whole. */
char *omacp_mask_imsi(const char *imsi);

G_END_DECLS
