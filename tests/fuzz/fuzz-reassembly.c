/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stream of segment records fed into one reassembler with a clock that
 * only moves forward. Record layout (7 octets + payload):
 *   0  flags: bits 0-1 modem, 2-3 sender, 4 16-bit ref, 5 ports,
 *             6-7 time step (0, 1 s, 10 min, past the timeout)
 *   1  ref   2  total   3  seq
 *   4  payload length (taken from the input; short input ends the stream)
 *   5  repeat: the payload is repeated (repeat & 0x3f) + 1 times, so that
 *      the byte cap is reachable from small inputs
 *   6  bit 0: call expire() before the segment
 * Every call must give a result or an error; the stats stay within the
 * caps; a completed datagram is exactly as long as its parts. */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "omacp.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static const char *const modems[] = { "/modem/0", "/modem/1", NULL, "m|1" };
static const char *const senders[] = { "+447785016005", "20170097", NULL, "Op\xc3\xa9r" };
static const gint64 steps[] = { 0, G_USEC_PER_SEC, 600 * (gint64) G_USEC_PER_SEC,
	                        OMACP_REASSEMBLY_TIMEOUT_US + 1 };

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	gint64 now = 1000;
	gsize pos = 0;
	guint64 completed = 0;

	while (size - pos >= 7) {
		const guint8 *h = data + pos;
		gsize len = h[4];
		guint repeat = (h[5] & 0x3f) + 1u;
		g_autoptr(GByteArray) payload = g_byte_array_new();
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) datagram = NULL;
		OmacpReassemblyResult result = { 0 };
		OmacpReassemblyStats stats;
		OmacpSms sms = { 0 };
		gboolean ok;

		pos += 7;
		if (size - pos < len)
			break;
		for (guint i = 0; i < repeat; i++)
			g_byte_array_append(payload, data + pos, (guint) len);
		pos += len;

		now += steps[h[0] >> 6];
		if (h[6] & 1) {
			omacp_reassembler_expire(r, now);
			g_assert(omacp_reassembler_next_expiry(r) == -1 ||
			         omacp_reassembler_next_expiry(r) > now);
		}

		sms.sender = (char *) senders[(h[0] >> 2) & 3];
		sms.is_concat = !(h[2] == 1 && h[3] == 1) || (h[0] & 0x10);
		sms.ref_16bit = (h[0] & 0x10) != 0;
		sms.ref = h[1];
		sms.total = h[2];
		sms.seq = h[3];
		sms.has_ports = (h[0] & 0x20) != 0;
		sms.dst_port = 2948;
		sms.src_port = 9200;
		sms.payload = g_byte_array_free_to_bytes(g_steal_pointer(&payload));

		ok = omacp_reassembler_add(r, modems[h[0] & 3], &sms, now, &result, &datagram,
		                           &error);
		g_assert((ok && error == NULL && result.key != NULL) ||
		         (!ok && error != NULL && result.key == NULL && datagram == NULL));
		g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
		if (ok) {
			g_assert(result.received >= 1 && result.received <= result.total);
			for (const char *p = result.key; *p != '\0'; p++)
				g_assert(g_ascii_isgraph(*p));
			if (result.state == OMACP_REASSEMBLY_COMPLETE) {
				g_assert(datagram != NULL);
				g_assert(g_bytes_get_size(datagram) > 0);
				g_assert(result.received == result.total);
				completed++;
			} else {
				g_assert(datagram == NULL);
			}
		} else {
			g_assert(error->code == OMACP_ERROR_MALFORMED ||
			         error->code == OMACP_ERROR_TOO_LARGE);
		}
		omacp_reassembler_get_stats(r, &stats);
		g_assert(stats.pending <= OMACP_REASSEMBLY_MAX_PENDING);
		g_assert(stats.bytes <= OMACP_REASSEMBLY_MAX_BYTES);
		g_assert(stats.completed == completed);
		g_assert((stats.pending == 0) == (stats.bytes == 0));
		g_assert((stats.pending == 0) == (omacp_reassembler_next_expiry(r) == -1));
		omacp_reassembly_result_clear(&result);
		g_bytes_unref(sms.payload);
	}
	return 0;
}
