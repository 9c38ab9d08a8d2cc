/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the WSP push parser: every input gives a push or an
 * error, never both, never neither. A parsed push is also re-encoded (when
 * the encoder can represent it) and must parse back to the same fields, and
 * its body is run through the verifier so that auth sees arbitrary MAC
 * texts. */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "omacp.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_round_trip(const OmacpPush *push)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) pdu = NULL;
	g_autoptr(OmacpPush) again = NULL;
	gsize len = 0;
	const guint8 *body = g_bytes_get_data(push->data, &len);
	gboolean ok;

	pdu = omacp_wsp_encode_push(push->tid, push->content_type, push->sec, push->mac, body, len,
	                            &error);
	g_assert((pdu != NULL) != (error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (pdu == NULL)
		return; /* e.g. an unknown SEC, or a MAC that is not 40 hex digits */
	ok = omacp_wsp_parse_push(g_bytes_get_data(pdu, NULL), g_bytes_get_size(pdu), &again,
	                          &error);
	g_assert(ok && again != NULL);
	g_assert(again->sec == push->sec);
	g_assert(g_ascii_strcasecmp(again->content_type, push->content_type) == 0);
	g_assert(g_bytes_equal(again->data, push->data));
	g_assert((again->mac == NULL) == (push->mac == NULL));
	if (push->mac != NULL)
		g_assert(g_ascii_strcasecmp(again->mac, push->mac) == 0);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(GError) error = NULL;
	gboolean ok = omacp_wsp_parse_push(data, size, &push, &error);

	g_assert((ok && push != NULL && error == NULL) || (!ok && push == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (!ok)
		return 0;

	g_assert(push->content_type != NULL);
	g_assert(push->junk_skipped <= OMACP_WSP_MAX_LEADING_JUNK);
	g_assert(push->headers_offset + push->headers_len == push->data_offset);
	g_assert(push->data_offset <= size);
	g_assert(g_bytes_get_size(push->data) == size - push->data_offset);
	g_assert(g_bytes_get_size(push->headers) == push->headers_len);
	g_assert(push->mac == NULL || strlen(push->mac) <= 4 * OMACP_WSP_MAX_TEXT);

	check_round_trip(push);

	if (push->sec != OMACP_SEC_NONE) {
		g_autoptr(GError) auth_error = NULL;
		gsize len = 0;
		const guint8 *body = g_bytes_get_data(push->data, &len);
		gboolean authentic = omacp_auth_verify(push->sec, push->mac, "466923103145252",
		                                       "1234567890", body, len, &auth_error);

		g_assert(authentic != (auth_error != NULL));
		g_assert(auth_error == NULL || g_utf8_validate(auth_error->message, -1, NULL));
	}
	return 0;
}
