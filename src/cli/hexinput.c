/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hexinput.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <string.h>

#include "omacp.h"

gboolean
omacp_input_is_hex_text(const guint8 *data, gsize len)
{
	gboolean at_line_start = TRUE;
	gboolean in_comment = FALSE;
	gboolean any_digit = FALSE;

	for (gsize i = 0; i < len; i++) {
		guint8 c = data[i];

		if (c == '\n') {
			at_line_start = TRUE;
			in_comment = FALSE;
			continue;
		}
		if (in_comment)
			continue;
		if (at_line_start && c == '#') {
			in_comment = TRUE;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		at_line_start = FALSE;
		if (!g_ascii_isxdigit(c))
			return FALSE;
		any_digit = TRUE;
	}
	return any_digit;
}

GPtrArray *
omacp_input_parse_hex_lines(const char *text, gsize len, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	gsize pos = 0;
	guint line_no = 0;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		gsize line_len = nl ? (gsize) (nl - line) : len - pos;
		g_autoptr(GByteArray) bytes = g_byte_array_new();
		gint high = -1;
		gsize k = 0;

		line_no++;
		pos += line_len + (nl ? 1 : 0);
		while (k < line_len && g_ascii_isspace(line[k]))
			k++;
		if (k == line_len || line[k] == '#')
			continue;
		for (; k < line_len; k++) {
			char c = line[k];
			gint v;

			if (g_ascii_isspace(c))
				continue;
			v = g_ascii_xdigit_value(c);
			if (v < 0) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
				            "hex: character '%c' is not a hex digit at line %u, "
				            "column %zu",
				            g_ascii_isprint(c) ? c : '?', line_no, k + 1);
				return NULL;
			}
			if (high < 0) {
				high = v;
			} else {
				guint8 b = (guint8) ((high << 4) | v);

				g_byte_array_append(bytes, &b, 1);
				high = -1;
			}
		}
		if (high >= 0) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
			            "hex: odd number of hex digits at line %u", line_no);
			return NULL;
		}
		g_ptr_array_add(out, g_byte_array_free_to_bytes(g_steal_pointer(&bytes)));
	}
	return g_steal_pointer(&out);
}

static GBytes *
read_all(const char *path, GError **error)
{
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[8192];

	if (g_strcmp0(path, "-") == 0) {
		in = g_unix_input_stream_new(0, FALSE);
	} else {
		g_autoptr(GFile) file = g_file_new_for_path(path);

		in = G_INPUT_STREAM(g_file_read(file, NULL, error));
		if (in == NULL)
			return NULL;
	}
	for (;;) {
		gssize n = g_input_stream_read(in, chunk, sizeof chunk, NULL, error);

		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		if (buf->len + (gsize) n > OMACP_INPUT_MAX_SIZE) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
			            "input is larger than %u octets", OMACP_INPUT_MAX_SIZE);
			return NULL;
		}
		g_byte_array_append(buf, chunk, (guint) n);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

/* Text meant as hex: printable ASCII and white space only, not XML (which
 * starts with '<'), with at least one hex digit. One wrong character in such
 * a file is an error naming its line and column, not a reason to read the
 * file as raw bytes. */
gboolean
omacp_input_is_text(const guint8 *data, gsize len)
{
	gboolean any_digit = FALSE;
	gboolean first = TRUE;
	gboolean at_line_start = TRUE;
	gboolean in_comment = FALSE;

	for (gsize i = 0; i < len; i++) {
		guint8 c = data[i];

		if (c == '\n') {
			at_line_start = TRUE;
			in_comment = FALSE;
			continue;
		}
		if (in_comment || c == ' ' || c == '\t' || c == '\r')
			continue;
		if (at_line_start && c == '#') {
			in_comment = TRUE; /* any octet, e.g. UTF-8 names */
			continue;
		}
		if (c < 0x20 || c > 0x7e || (first && c == '<'))
			return FALSE;
		first = FALSE;
		at_line_start = FALSE;
		any_digit |= g_ascii_isxdigit(c);
	}
	return any_digit;
}

GPtrArray *
omacp_input_read_file(const char *path, gboolean join, GError **error)
{
	g_autoptr(GBytes) all = read_all(path, error);
	g_autoptr(GPtrArray) lines = NULL;
	gsize len = 0;
	const guint8 *data;

	if (all == NULL)
		return NULL;
	data = g_bytes_get_data(all, &len);
	if (!omacp_input_is_hex_text(data, len) && !omacp_input_is_text(data, len)) {
		GPtrArray *one = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);

		g_ptr_array_add(one, g_bytes_ref(all));
		return one;
	}
	lines = omacp_input_parse_hex_lines((const char *) data, len, error);
	if (lines == NULL)
		return NULL;
	if (join && lines->len > 1) {
		g_autoptr(GByteArray) cat = g_byte_array_new();
		GPtrArray *one = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);

		for (guint i = 0; i < lines->len; i++) {
			gsize n;
			const guint8 *d = g_bytes_get_data(g_ptr_array_index(lines, i), &n);

			g_byte_array_append(cat, d, (guint) n);
		}
		g_ptr_array_add(one, g_byte_array_free_to_bytes(g_steal_pointer(&cat)));
		return one;
	}
	return g_steal_pointer(&lines);
}

char *
omacp_hex_encode(const guint8 *data, gsize len)
{
	static const char digits[] = "0123456789ABCDEF";
	char *out = g_malloc(len * 2 + 1);

	for (gsize i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xf];
	}
	out[len * 2] = '\0';
	return out;
}
