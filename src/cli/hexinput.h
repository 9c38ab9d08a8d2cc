/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Input files as users and the test vectors have them: hex text (one PDU per
 * line, whitespace inside a line ignored, '#' lines are comments) or raw
 * bytes. */

#include <glib.h>

G_BEGIN_DECLS

#define OMACP_INPUT_MAX_SIZE (1024 * 1024) /* octets read from one file */

/* TRUE when @data is hex text: only hex digits, white space and '#' comment
 * lines, and at least one digit. */
gboolean omacp_input_is_hex_text(const guint8 *data, gsize len);

/* TRUE when @data is printable text (not XML) with a hex digit: meant as hex,
 * so a bad character in it is reported, not read as raw bytes. */
gboolean omacp_input_is_text(const guint8 *data, gsize len);

/* Splits hex text into one GBytes per non-empty, non-comment line. Fails with
 * OMACP_ERROR_MALFORMED naming the line and column of a bad character or an
 * odd number of digits. */
GPtrArray *omacp_input_parse_hex_lines(const char *text, gsize len, GError **error);

/* Reads @path ("-" = stdin) and returns GBytes items: one per hex line for
 * hex text, or the whole file as one item for raw bytes. Text that is not
 * valid hex fails with OMACP_ERROR_MALFORMED naming the line and column. With @join, hex
 * lines are concatenated into one item (documents are never segmented). */
GPtrArray *omacp_input_read_file(const char *path, gboolean join, GError **error);

/* Upper-case hex of @len octets. */
char *omacp_hex_encode(const guint8 *data, gsize len);

G_END_DECLS
