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
	char *masked;

	if (imsi == NULL || imsi[0] == '\0')
		return g_strdup("");
	masked = g_strdup(imsi);
	len = strlen(masked);
	/* MCC (3) + MNC (2 or 3) name the operator; the MSIN is the secret. The
	 * 5 first and 2 last digits leave 10^8 possibilities for a 15-digit IMSI. */
	for (gsize i = 5; i + 2 < len; i++)
		masked[i] = '*';
	if (len <= 7) {
		for (gsize i = 0; i < len; i++)
			masked[i] = '*';
	}
	return masked;
}
