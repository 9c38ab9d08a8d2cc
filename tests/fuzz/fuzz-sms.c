/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SMS parsers on arbitrary octets: SMS-DELIVER with and without the
 * SMSC field, SMS-SUBMIT, and TP-User-Data alone. Each gives a result or an
 * error. A parsed payload is encoded again and must come back unchanged. */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "omacp.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_reencode(const OmacpSms *sms)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) pdus = NULL;
	g_autoptr(GByteArray) joined = g_byte_array_new();
	gsize len = 0;
	const guint8 *payload = g_bytes_get_data(sms->payload, &len);
	OmacpSmsEncodeOptions o = {
		.kind = OMACP_SMS_ENCODE_DELIVER,
		.sender = "+447785016005",
		.smsc = NULL,
		.dst_port = sms->dst_port,
		.src_port = sms->src_port,
		.ref = sms->ref & 0xff,
		.scts_unix = 1242735146,
	};

	if (len == 0)
		return;
	pdus = omacp_sms_encode_push(payload, len, &o, &error);
	g_assert((pdus != NULL) != (error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	g_assert(pdus != NULL);
	for (guint i = 0; i < pdus->len; i++) {
		g_autoptr(OmacpSms) back = NULL;
		gsize plen = 0;
		const guint8 *pdu = g_bytes_get_data(g_ptr_array_index(pdus, i), &plen);
		const guint8 *part;

		g_assert(omacp_sms_parse_deliver(pdu, plen, FALSE, &back, &error));
		g_assert(back->dst_port == sms->dst_port && back->src_port == sms->src_port);
		part = g_bytes_get_data(back->payload, &plen);
		g_byte_array_append(joined, part, (guint) plen);
	}
	g_assert(joined->len == len && memcmp(joined->data, payload, len) == 0);
}

static void
run(gboolean (*parse)(const guint8 *, gsize, gboolean, OmacpSms **, GError **), const guint8 *data,
    size_t size, gboolean with_smsc)
{
	g_autoptr(OmacpSms) sms = NULL;
	g_autoptr(GError) error = NULL;
	gboolean ok = parse(data, size, with_smsc, &sms, &error);

	g_assert((ok && sms != NULL && error == NULL) || (!ok && sms == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (ok) {
		g_assert(sms->payload != NULL);
		g_assert(sms->payload_offset + g_bytes_get_size(sms->payload) == size);
		g_assert(sms->sender != NULL && g_utf8_validate(sms->sender, -1, NULL));
		check_reencode(sms);
	} else {
		g_assert(error->domain == OMACP_ERROR);
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(OmacpSms) sms = NULL;
	g_autoptr(GError) error = NULL;
	gboolean ok;

	run(omacp_sms_parse_deliver, data, size, TRUE);
	run(omacp_sms_parse_deliver, data, size, FALSE);
	run(omacp_sms_parse_submit, data, size, TRUE);
	run(omacp_sms_parse_submit, data, size, FALSE);

	ok = omacp_sms_parse_user_data(data, size, &sms, &error);
	g_assert((ok && sms != NULL && error == NULL) || (!ok && sms == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (ok) {
		g_assert(sms->payload_offset + g_bytes_get_size(sms->payload) == size);
		check_reencode(sms);
	}
	return 0;
}
