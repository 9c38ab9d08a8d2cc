/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify-messages: omacp's decoder over many recorded messages in one
 * process (starting `omacpctl decode` thousands of times costs minutes on a
 * loaded machine; the test still runs it on a sample).
 *
 * Reads lines "NAME imsi|pin KEY UDHEX [UDHEX...]" on stdin: the segments
 * (TP-User-Data) of one message in any order and the one key it must
 * verify with. Prints "ok NAME" when omacp_message_decode() reassembles
 * it, finds a provisioning document with profiles, and the MAC verifies
 * with that key; else "bad NAME: why". Exit 0 when every message is ok. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hexinput.h"
#include "omacp.h"

static gboolean
verify(char **f, guint n, GString *why)
{
	g_autoptr(GPtrArray) segs = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(GPtrArray) imsis = g_ptr_array_new();
	g_autoptr(GPtrArray) pins = g_ptr_array_new();
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	OmacpKeys keys = { imsis, pins };

	if (n < 4) {
		g_string_assign(why, "short line");
		return FALSE;
	}
	g_ptr_array_add(g_str_equal(f[1], "imsi") ? imsis : pins, f[2]);
	for (guint i = 3; i < n; i++) {
		g_autoptr(GPtrArray) items =
		        omacp_input_parse_hex_lines(f[i], strlen(f[i]), &error);

		if (items == NULL || items->len != 1) {
			g_string_printf(why, "bad hex: %s", error ? error->message : "?");
			return FALSE;
		}
		g_ptr_array_add(segs, g_bytes_ref(g_ptr_array_index(items, 0)));
	}
	if (!omacp_message_decode(OMACP_FORMAT_UD, segs, &keys, &m, &error)) {
		g_string_assign(why, error->message);
		return FALSE;
	}
	if (m->auth != OMACP_AUTH_VALID) {
		g_string_printf(why, "auth %s", omacp_auth_state_to_string(m->auth));
		return FALSE;
	}
	if (m->doc == NULL || m->profiles->len == 0) {
		g_string_assign(why, "no profile");
		return FALSE;
	}
	return TRUE;
}

int
main(void)
{
	char line[65536];
	guint bad = 0;

	while (fgets(line, sizeof line, stdin) != NULL) {
		g_auto(GStrv) f = g_strsplit_set(g_strstrip(line), " ", -1);
		g_autoptr(GString) why = g_string_new(NULL);
		guint n = g_strv_length(f);

		if (n == 0 || f[0][0] == '\0')
			continue;
		if (verify(f, n, why)) {
			printf("ok %s\n", f[0]);
		} else {
			printf("bad %s: %s\n", f[0], why->str);
			bad++;
		}
	}
	return bad ? 1 : 0;
}
