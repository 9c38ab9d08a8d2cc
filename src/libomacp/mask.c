/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mask.h"

#include <string.h>

char *
omacp_mask_number(const char *number)
{
	gsize len;
	char *masked;

	if (number == NULL || number[0] == '\0')
		return g_strdup("(none)");
	masked = g_strdup(number);
	len = strlen(masked);
	for (gsize i = 0; i + 3 < len; i++) {
		if (g_ascii_isdigit(masked[i]))
			masked[i] = '*';
	}
	return masked;
}

char *
omacp_mask_imsi(const char *imsi)
{
	gsize len;
	gsize shown;
	gsize tail;
	gsize head;
	char *masked;

	if (imsi == NULL || imsi[0] == '\0')
		return g_strdup("");
	len = strlen(imsi);
	masked = g_strnfill(len, '*');
	if (len <= OMACP_MASK_IMSI_MIN_SHOWN_LEN)
		return masked;
	/* MCC (3) + MNC (2 or 3) name the operator; the MSIN is the secret.
	 * The 5 first and 2 last digits leave 10^8 possibilities for a
	 * 15-digit IMSI; a shorter one shows fewer, never more than half. */
	shown = MIN(len / 2, OMACP_MASK_IMSI_HEAD + OMACP_MASK_IMSI_TAIL);
	tail = MIN(shown, OMACP_MASK_IMSI_TAIL);
	head = shown - tail;
	memcpy(masked, imsi, head);
	memcpy(masked + len - tail, imsi + len - tail, tail);
	return masked;
}
