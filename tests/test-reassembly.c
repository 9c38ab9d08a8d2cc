/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reassembly: every public multi-segment vector in every order, duplicates,
 * bad segment numbers, the caps, the timeout and the grouping key. The
 * expected datagrams are computed here from the raw vector octets (UDHL +
 * UDH skipped by hand), not by the SMS parser. */
#include <glib.h>
#include <string.h>

#include "omacp.h"
#include "testutil.h"

#define T0 ((gint64) 1000000)

typedef struct {
	const char *file;
	gboolean pdu; /* PDU-mode SMS-DELIVER with SMSC, else user data */
	guint segments;
	guint8 start[6]; /* digest §7.4–7.7: first octets of the datagram */
	gsize start_len;
} Vector;

static const Vector vectors[] = {
	{ "vectors/public/05-vn-mobifone-gprs-userpin1111.ud.hex", FALSE, 4, { 0x01, 0x06 }, 2 },
	{ "vectors/public/06-vn-vinaphone-gprs-userpin1111.ud.hex", FALSE, 4, { 0x01, 0x06 }, 2 },
	{ "vectors/public/07-vn-viettel-gprs-userpin1111.ud.hex", FALSE, 3, { 0x28, 0x06 }, 2 },
	{ "vectors/public/08-sierra-dm-bootstrap-userpin1234.tpdu.hex",
	  TRUE,
	  4,
	  { 0xde, 0xad, 0xbe, 0xef, 0x31, 0x06 },
	  6 },
};

/* The payload of one vector line, found by walking the fields by hand
 * (TS 23.040 layout, digest §1.1): [SMSC] fo OA PID DCS SCTS UDL UDHL UDH. */
static void
append_payload(const Vector *v, GBytes *line, GByteArray *out)
{
	gsize len;
	const guint8 *d = g_bytes_get_data(line, &len);
	gsize ud = 0;
	gsize end = len;

	if (v->pdu) {
		gsize i = 1 + d[0];        /* SMSC length octet + field */
		i += 1;                    /* first octet */
		i += 2 + (d[i] + 1u) / 2u; /* OA: digits, TOA, semi-octets */
		i += 1 + 1 + 7;            /* PID, DCS, SCTS */
		end = i + 1 + d[i];        /* UDL */
		ud = i + 1;
		g_assert_cmpuint(end, ==, len);
	}
	g_byte_array_append(out, d + ud + 1 + d[ud], (guint) (end - ud - 1 - d[ud]));
}

static GPtrArray *
parse_vector(const Vector *v, GBytes **expected)
{
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(v->file);
	GPtrArray *segments = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_sms_free);
	g_autoptr(GByteArray) joined = g_byte_array_new();

	g_assert_cmpuint(lines->len, ==, v->segments);
	for (guint i = 0; i < lines->len; i++) {
		g_autoptr(GError) error = NULL;
		OmacpSms *sms = NULL;
		gsize len;
		const guint8 *data = g_bytes_get_data(g_ptr_array_index(lines, i), &len);

		if (v->pdu)
			g_assert_true(omacp_sms_parse_deliver(data, len, TRUE, &sms, &error));
		else
			g_assert_true(omacp_sms_parse_user_data(data, len, &sms, &error));
		g_assert_no_error(error);
		g_ptr_array_add(segments, sms);
		append_payload(v, g_ptr_array_index(lines, i), joined);
	}
	*expected = g_byte_array_free_to_bytes(g_steal_pointer(&joined));
	return segments;
}

static GPtrArray *
permuted(GPtrArray *segments, const guint *order, guint n)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < n; i++)
		g_ptr_array_add(out, g_ptr_array_index(segments, order[i]));
	return out;
}

/* Feeds @order into a fresh reassembler; exactly the last one completes. */
static void
feed_and_check(GPtrArray *order, const Vector *v, GBytes *expected, guint want_duplicates)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	g_autoptr(GBytes) datagram = NULL;
	g_autofree char *key = NULL;
	guint64 id = 0;
	guint distinct = 0;
	guint8 seen[256] = { 0 };
	OmacpReassemblyStats stats;

	for (guint i = 0; i < order->len; i++) {
		const OmacpSms *sms = g_ptr_array_index(order, i);
		OmacpReassemblyResult result = { 0 };
		g_autoptr(GError) error = NULL;
		gboolean dup = seen[sms->seq]++ > 0;

		g_assert_null(datagram);
		g_assert_true(omacp_reassembler_add(r, "/modem/0", sms, T0 + i, &result, &datagram,
		                                    &error));
		g_assert_no_error(error);
		if (!dup)
			distinct++;
		g_assert_cmpuint(result.total, ==, v->segments);
		g_assert_cmpuint(result.received, ==, distinct);
		g_assert_nonnull(result.key);
		if (key == NULL) {
			key = g_strdup(result.key);
			id = result.message_id;
		}
		g_assert_cmpstr(result.key, ==, key);
		g_assert_cmpuint(result.message_id, ==, id);
		if (dup)
			g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_DUPLICATE);
		else if (distinct < v->segments)
			g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_PENDING);
		else
			g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_COMPLETE);
		omacp_reassembly_result_clear(&result);
		g_assert_null(result.key);
	}
	g_assert_nonnull(datagram);
	g_assert_true(g_bytes_equal(datagram, expected));
	g_assert_cmpmem(g_bytes_get_data(datagram, NULL), v->start_len, v->start, v->start_len);
	omacp_reassembler_get_stats(r, &stats);
	g_assert_cmpuint(stats.pending, ==, 0);
	g_assert_cmpuint(stats.bytes, ==, 0);
	g_assert_cmpuint(stats.completed, ==, 1);
	g_assert_cmpuint(stats.duplicates, ==, want_duplicates);
	g_assert_cmpint(omacp_reassembler_next_expiry(r), ==, -1);
	for (const char *p = key; *p != '\0'; p++)
		g_assert_true(g_ascii_isgraph(*p));
}

static void
test_vectors(void)
{
	for (guint v = 0; v < G_N_ELEMENTS(vectors); v++) {
		const Vector *vec = &vectors[v];
		g_autoptr(GBytes) expected = NULL;
		g_autoptr(GPtrArray) segments = parse_vector(vec, &expected);
		guint n = segments->len;
		g_autofree guint *order = g_new(guint, 3 * n);

		/* in order */
		for (guint i = 0; i < n; i++)
			order[i] = i;
		{
			g_autoptr(GPtrArray) list = permuted(segments, order, n);
			feed_and_check(list, vec, expected, 0);
		}
		/* reversed */
		for (guint i = 0; i < n; i++)
			order[i] = n - 1 - i;
		{
			g_autoptr(GPtrArray) list = permuted(segments, order, n);
			feed_and_check(list, vec, expected, 0);
		}
		/* shuffled with several seeds */
		for (guint32 seed = 1; seed <= 12; seed++) {
			g_autoptr(GRand) rand = g_rand_new_with_seed(seed);

			for (guint i = 0; i < n; i++)
				order[i] = i;
			for (guint i = n; i > 1; i--) {
				guint j = (guint) g_rand_int_range(rand, 0, (gint32) i);
				guint t = order[i - 1];

				order[i - 1] = order[j];
				order[j] = t;
			}
			{
				g_autoptr(GPtrArray) list = permuted(segments, order, n);
				feed_and_check(list, vec, expected, 0);
			}
			/* with duplicates: all but the last segment (in shuffled
			 * order) twice, interleaved, then the last one */
			{
				guint m = 0;
				g_autoptr(GPtrArray) list = NULL;

				for (guint i = 0; i + 1 < n; i++) {
					order[n + m++] = order[i];
					order[n + m++] = order[(i + seed) % (n - 1)];
				}
				order[n + m++] = order[n - 1];
				list = permuted(segments, order + n, m);
				feed_and_check(list, vec, expected, n - 1);
			}
		}
	}
}

/* ------------------------------------------------------------ helpers */

static OmacpSms *
segment_new(const char *sender, guint16 ref, gboolean ref16, guint total, guint seq, gboolean ports,
            const void *data, gsize len)
{
	OmacpSms *sms = g_new0(OmacpSms, 1);

	sms->sender = g_strdup(sender);
	sms->dcs = 0x04;
	sms->has_ports = ports;
	sms->dst_port = ports ? 2948 : 0;
	sms->src_port = ports ? 9200 : 0;
	sms->is_concat = total != 1 || seq != 1;
	sms->ref_16bit = ref16;
	sms->ref = ref;
	sms->total = (guint8) total;
	sms->seq = (guint8) seq;
	sms->payload = data != NULL ? g_bytes_new(data, len) : NULL;
	return sms;
}

/* Payload of @len octets filled with @fill. */
static OmacpSms *
filled_segment(const char *sender, guint16 ref, guint total, guint seq, gsize len, guint8 fill)
{
	g_autofree guint8 *data = g_malloc(len);

	/* g_malloc(0) is NULL, and memset() of NULL is undefined even for 0 octets */
	if (len > 0)
		memset(data, fill, len);
	return segment_new(sender, ref, FALSE, total, seq, TRUE, data, len);
}

static OmacpReassemblyState
add(OmacpReassembler *r, const char *modem, const OmacpSms *sms, gint64 now, GBytes **datagram)
{
	OmacpReassemblyResult result = { 0 };
	g_autoptr(GError) error = NULL;
	OmacpReassemblyState state;

	g_assert_true(omacp_reassembler_add(r, modem, sms, now, &result, datagram, &error));
	g_assert_no_error(error);
	state = result.state;
	omacp_reassembly_result_clear(&result);
	return state;
}

static void
stats_of(OmacpReassembler *r, OmacpReassemblyStats *s)
{
	omacp_reassembler_get_stats(r, s);
	g_assert_cmpuint(s->pending, <=, OMACP_REASSEMBLY_MAX_PENDING);
	g_assert_cmpuint(s->bytes, <=, OMACP_REASSEMBLY_MAX_BYTES);
}

/* ------------------------------------------------------------ errors */

typedef struct {
	guint total;
	guint seq;
	gsize len; /* 0: empty payload; G_MAXSIZE: no payload at all */
	gint code;
	const char *fragment;
} BadCase;

static void
test_bad_segments(void)
{
	static const BadCase cases[] = {
		{ 3, 0, 10, OMACP_ERROR_MALFORMED, "segment number 0 is outside 1..3" },
		{ 3, 4, 10, OMACP_ERROR_MALFORMED, "segment number 4 is outside 1..3" },
		{ 3, 255, 10, OMACP_ERROR_MALFORMED, "segment number 255 is outside 1..3" },
		{ 0, 1, 10, OMACP_ERROR_MALFORMED, "0 segments in total" },
		{ 0, 0, 10, OMACP_ERROR_MALFORMED, "0 segments in total" },
		{ 3, 2, 0, OMACP_ERROR_MALFORMED, "segment 2/3 has no payload" },
		{ 3, 2, G_MAXSIZE, OMACP_ERROR_MALFORMED, "segment 2/3 has no payload" },
		{ 1, 1, 0, OMACP_ERROR_MALFORMED, "has no payload" },
		{ 1, 1, OMACP_REASSEMBLY_MAX_BYTES + 1, OMACP_ERROR_TOO_LARGE,
		  "carries 131073 octets" },
		{ 3, 1, OMACP_REASSEMBLY_MAX_BYTES + 1, OMACP_ERROR_TOO_LARGE,
		  "carries 131073 octets" },
	};
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	g_autoptr(OmacpSms) held = filled_segment("+4477", 9, 3, 1, 100, 0xaa);
	OmacpReassemblyStats before, after;

	g_assert_cmpint(add(r, "m", held, T0, NULL), ==, OMACP_REASSEMBLY_PENDING);
	stats_of(r, &before);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) datagram = NULL;
		OmacpReassemblyResult result = { 0 };

		if (cases[i].len == G_MAXSIZE) {
			sms = segment_new("+4477", 9, FALSE, cases[i].total, cases[i].seq, TRUE,
			                  NULL, 0);
		} else {
			sms = filled_segment("+4477", 9, cases[i].total, cases[i].seq, cases[i].len,
			                     0x55);
			sms->is_concat = TRUE;
		}
		/* far in the future: a rejected segment must not even expire */
		g_assert_false(omacp_reassembler_add(r, "m", sms,
		                                     T0 + 2 * OMACP_REASSEMBLY_TIMEOUT_US, &result,
		                                     &datagram, &error));
		g_assert_error(error, OMACP_ERROR, cases[i].code);
		g_assert_true(g_str_has_prefix(error->message, "reassembly: "));
		g_assert_nonnull(strstr(error->message, cases[i].fragment));
		g_assert_null(datagram);
		g_assert_null(result.key);
		stats_of(r, &after);
		g_assert_cmpuint(after.pending, ==, before.pending);
		g_assert_cmpuint(after.bytes, ==, before.bytes);
		g_assert_cmpuint(after.completed, ==, before.completed);
		g_assert_cmpuint(after.duplicates, ==, before.duplicates);
		g_assert_cmpuint(after.evicted, ==, before.evicted);
		g_assert_cmpuint(after.expired, ==, before.expired);
	}
}

/* A message whose own segments would exceed the byte cap is refused, and
 * what it holds stays. */
static void
test_message_too_large(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	gsize half = OMACP_REASSEMBLY_MAX_BYTES / 2 + 1;
	g_autoptr(OmacpSms) a = filled_segment("+1", 1, 3, 1, half, 1);
	g_autoptr(OmacpSms) b = filled_segment("+1", 1, 3, 2, half, 2);
	g_autoptr(OmacpSms) c = filled_segment("+1", 1, 3, 3, 10, 3);
	g_autoptr(GError) error = NULL;
	OmacpReassemblyResult result = { 0 };
	OmacpReassemblyStats s;

	g_assert_cmpint(add(r, NULL, a, T0, NULL), ==, OMACP_REASSEMBLY_PENDING);
	g_assert_false(omacp_reassembler_add(r, NULL, b, T0, &result, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "would make its message hold"));
	stats_of(r, &s);
	g_assert_cmpuint(s.pending, ==, 1);
	g_assert_cmpuint(s.bytes, ==, half);
	g_assert_cmpint(add(r, NULL, c, T0, NULL), ==, OMACP_REASSEMBLY_PENDING);
}

/* ------------------------------------------------------------ behaviour */

static void
test_single(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	static const guint8 push[] = { 0x01, 0x06, 0x03, 0xc4, 0xaf };
	g_autoptr(OmacpSms) sms = segment_new("+4477", 0, FALSE, 1, 1, TRUE, push, sizeof push);
	OmacpReassemblyResult r1 = { 0 }, r2 = { 0 };
	g_autoptr(GBytes) d1 = NULL;
	g_autoptr(GBytes) d2 = NULL;
	g_autoptr(GError) error = NULL;
	OmacpReassemblyStats s;

	g_assert_false(sms->is_concat);
	g_assert_true(omacp_reassembler_add(r, "m", sms, T0, &r1, &d1, &error));
	g_assert_true(omacp_reassembler_add(r, "m", sms, T0, &r2, &d2, &error));
	g_assert_no_error(error);
	g_assert_cmpint(r1.state, ==, OMACP_REASSEMBLY_COMPLETE);
	g_assert_cmpint(r2.state, ==, OMACP_REASSEMBLY_COMPLETE);
	g_assert_cmpuint(r1.received, ==, 1);
	g_assert_cmpuint(r1.total, ==, 1);
	g_assert_cmpstr(r1.key, ==, r2.key);
	g_assert_cmpuint(r1.message_id, !=, r2.message_id);
	g_assert_cmpmem(g_bytes_get_data(d1, NULL), g_bytes_get_size(d1), push, sizeof push);
	stats_of(r, &s);
	g_assert_cmpuint(s.pending, ==, 0);
	g_assert_cmpuint(s.completed, ==, 2);
	omacp_reassembly_result_clear(&r1);
	omacp_reassembly_result_clear(&r2);
}

static void
test_duplicate_content(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	g_autoptr(OmacpSms) first = segment_new("+1", 5, FALSE, 2, 1, TRUE, "AB", 2);
	g_autoptr(OmacpSms) other = segment_new("+1", 5, FALSE, 2, 1, TRUE, "XYZ", 3);
	g_autoptr(OmacpSms) second = segment_new("+1", 5, FALSE, 2, 2, TRUE, "CD", 2);
	g_autoptr(GBytes) datagram = NULL;
	OmacpReassemblyStats s;

	g_assert_cmpint(add(r, "m", first, T0, NULL), ==, OMACP_REASSEMBLY_PENDING);
	g_assert_cmpint(add(r, "m", other, T0 + 1, NULL), ==, OMACP_REASSEMBLY_DUPLICATE);
	stats_of(r, &s);
	g_assert_cmpuint(s.bytes, ==, 2);
	g_assert_cmpuint(s.duplicates, ==, 1);
	g_assert_cmpint(add(r, "m", second, T0 + 2, &datagram), ==, OMACP_REASSEMBLY_COMPLETE);
	g_assert_cmpmem(g_bytes_get_data(datagram, NULL), g_bytes_get_size(datagram), "ABCD", 4);
	/* a late copy after completion starts a new message */
	{
		OmacpReassemblyResult result = { 0 };
		g_autoptr(GError) error = NULL;

		g_assert_true(omacp_reassembler_add(r, "m", first, T0 + 3, &result, NULL, &error));
		g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_PENDING);
		g_assert_cmpuint(result.received, ==, 1);
		omacp_reassembly_result_clear(&result);
	}
}

/* 255 segments, the most an 8-bit total can announce, shuffled. */
static void
test_max_segments(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	g_autoptr(GPtrArray) segs = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_sms_free);
	g_autoptr(GByteArray) expected = g_byte_array_new();
	g_autoptr(GRand) rand = g_rand_new_with_seed(255);
	g_autoptr(GBytes) datagram = NULL;

	for (guint seq = 1; seq <= 255; seq++) {
		guint8 data[OMACP_SMS_MAX_UD];

		for (guint i = 0; i < sizeof data; i++)
			data[i] = (guint8) (seq * 31 + i);
		g_byte_array_append(expected, data, sizeof data);
		g_ptr_array_add(segs,
		                segment_new("+1", 0xbeef, TRUE, 255, seq, TRUE, data, sizeof data));
	}
	for (guint i = segs->len; i > 1; i--) {
		guint j = (guint) g_rand_int_range(rand, 0, (gint32) i);
		gpointer t = segs->pdata[i - 1];

		segs->pdata[i - 1] = segs->pdata[j];
		segs->pdata[j] = t;
	}
	for (guint i = 0; i < segs->len; i++) {
		OmacpReassemblyState state =
		        add(r, "m", g_ptr_array_index(segs, i), T0 + i, &datagram);

		g_assert_cmpint(state, ==,
		                i + 1 < segs->len ? OMACP_REASSEMBLY_PENDING
		                                  : OMACP_REASSEMBLY_COMPLETE);
	}
	g_assert_cmpmem(g_bytes_get_data(datagram, NULL), g_bytes_get_size(datagram),
	                expected->data, expected->len);
}

/* MAX_PENDING + 1 incomplete messages: the oldest goes. */
static void
test_cap_pending(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	OmacpReassemblyStats s;
	g_autoptr(GBytes) datagram = NULL;

	for (guint m = 0; m <= OMACP_REASSEMBLY_MAX_PENDING; m++) {
		g_autoptr(OmacpSms) seg = filled_segment("+1", (guint16) m, 2, 1, 10, (guint8) m);

		g_assert_cmpint(add(r, "m", seg, T0 + m, NULL), ==, OMACP_REASSEMBLY_PENDING);
		stats_of(r, &s);
	}
	g_assert_cmpuint(s.pending, ==, OMACP_REASSEMBLY_MAX_PENDING);
	g_assert_cmpuint(s.evicted, ==, 1);
	g_assert_cmpuint(s.bytes, ==, 10 * OMACP_REASSEMBLY_MAX_PENDING);
	/* message 1 is still whole; message 0 lost its first segment */
	{
		g_autoptr(OmacpSms) seg = filled_segment("+1", 1, 2, 2, 10, 0xff);

		g_assert_cmpint(add(r, "m", seg, T0 + 100, &datagram), ==,
		                OMACP_REASSEMBLY_COMPLETE);
		g_assert_cmpuint(g_bytes_get_size(datagram), ==, 20);
	}
	{
		g_autoptr(OmacpSms) seg = filled_segment("+1", 0, 2, 2, 10, 0xff);

		g_assert_cmpint(add(r, "m", seg, T0 + 101, NULL), ==, OMACP_REASSEMBLY_PENDING);
	}
	stats_of(r, &s);
	g_assert_cmpuint(s.pending, ==, OMACP_REASSEMBLY_MAX_PENDING);
	g_assert_cmpuint(s.evicted, ==, 1);
	g_assert_cmpuint(s.completed, ==, 1);
	/* one more new message evicts message 2, the oldest left */
	{
		g_autoptr(OmacpSms) seg = filled_segment("+1", 200, 2, 1, 10, 0xff);
		g_autoptr(OmacpSms) two = filled_segment("+1", 2, 2, 2, 10, 0xff);

		g_assert_cmpint(add(r, "m", seg, T0 + 102, NULL), ==, OMACP_REASSEMBLY_PENDING);
		g_assert_cmpint(add(r, "m", two, T0 + 103, NULL), ==, OMACP_REASSEMBLY_PENDING);
	}
	stats_of(r, &s);
	g_assert_cmpuint(s.evicted, ==, 3);
}

/* Byte cap: four 255-part messages of which 254 parts of 140 octets each
 * arrive (4 × 35560 > 131072): the oldest goes, bytes stay under the cap. */
static void
test_cap_bytes(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	OmacpReassemblyStats s;
	gint64 now = T0;

	g_assert_cmpuint(4 * 254 * 140, >, OMACP_REASSEMBLY_MAX_BYTES);
	for (guint m = 0; m < 4; m++) {
		for (guint seq = 1; seq <= 254; seq++) {
			g_autoptr(OmacpSms) seg =
			        filled_segment("+1", (guint16) m, 255, seq, 140, (guint8) seq);

			g_assert_cmpint(add(r, "m", seg, now++, NULL), ==,
			                OMACP_REASSEMBLY_PENDING);
			stats_of(r, &s);
		}
	}
	g_assert_cmpuint(s.evicted, ==, 1);
	g_assert_cmpuint(s.pending, ==, 3);
	g_assert_cmpuint(s.bytes, ==, 3 * 254 * 140);
	/* message 0 is gone: its last part starts over; message 1 completes */
	{
		g_autoptr(OmacpSms) last1 = filled_segment("+1", 1, 255, 255, 140, 0);
		g_autoptr(GBytes) datagram = NULL;

		g_assert_cmpint(add(r, "m", last1, now++, &datagram), ==,
		                OMACP_REASSEMBLY_COMPLETE);
		g_assert_cmpuint(g_bytes_get_size(datagram), ==, 255 * 140);
	}
	{
		g_autoptr(OmacpSms) last0 = filled_segment("+1", 0, 255, 255, 140, 0);
		OmacpReassemblyResult result = { 0 };
		g_autoptr(GError) error = NULL;

		g_assert_true(omacp_reassembler_add(r, "m", last0, now++, &result, NULL, &error));
		g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_PENDING);
		g_assert_cmpuint(result.received, ==, 1);
		omacp_reassembly_result_clear(&result);
	}
}

static void
test_timeout(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	g_autoptr(OmacpSms) a1 = filled_segment("+1", 1, 3, 1, 10, 1);
	g_autoptr(OmacpSms) a2 = filled_segment("+1", 1, 3, 2, 10, 2);
	g_autoptr(OmacpSms) b1 = filled_segment("+2", 1, 3, 1, 10, 1);
	const gint64 T = OMACP_REASSEMBLY_TIMEOUT_US;
	OmacpReassemblyStats s;
	OmacpReassemblyResult result = { 0 };
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(T, ==, (gint64) 3600 * 1000000);
	g_assert_cmpint(omacp_reassembler_next_expiry(r), ==, -1);
	g_assert_cmpuint(omacp_reassembler_expire(r, T0 + 10 * T), ==, 0);

	/* explicit expiry, exactly at next_expiry() */
	g_assert_cmpint(add(r, "m", a1, T0, NULL), ==, OMACP_REASSEMBLY_PENDING);
	g_assert_cmpint(omacp_reassembler_next_expiry(r), ==, T0 + T);
	g_assert_cmpuint(omacp_reassembler_expire(r, T0 + T - 1), ==, 0);
	g_assert_cmpuint(omacp_reassembler_expire(r, T0 + T), ==, 1);
	stats_of(r, &s);
	g_assert_cmpuint(s.expired, ==, 1);
	g_assert_cmpuint(s.pending, ==, 0);
	g_assert_cmpuint(s.bytes, ==, 0);
	g_assert_cmpint(omacp_reassembler_next_expiry(r), ==, -1);

	/* a new segment restarts the clock of its message */
	g_assert_cmpint(add(r, "m", a1, T0, NULL), ==, OMACP_REASSEMBLY_PENDING);
	g_assert_cmpint(add(r, "m", b1, T0 + 10, NULL), ==, OMACP_REASSEMBLY_PENDING);
	g_assert_cmpint(add(r, "m", a2, T0 + T - 1, NULL), ==, OMACP_REASSEMBLY_PENDING);
	g_assert_cmpint(omacp_reassembler_next_expiry(r), ==, T0 + 10 + T); /* b is older */
	g_assert_cmpuint(omacp_reassembler_expire(r, T0 + T + 10), ==, 1);  /* b */
	g_assert_cmpint(omacp_reassembler_next_expiry(r), ==, T0 + 2 * T - 1);

	/* lazily in _add(): a is dropped, so its part 1 starts over */
	g_assert_true(omacp_reassembler_add(r, "m", a1, T0 + 2 * T, &result, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_PENDING);
	g_assert_cmpuint(result.received, ==, 1);
	omacp_reassembly_result_clear(&result);
	stats_of(r, &s);
	g_assert_cmpuint(s.expired, ==, 3);
	g_assert_cmpuint(s.pending, ==, 1);
	g_assert_cmpuint(s.bytes, ==, 10);
}

/* The same reference from different modems, senders, widths, totals and
 * ports: separate messages, each reassembled with its own content. */
static void
test_separation(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	struct {
		const char *modem;
		const char *sender;
		gboolean ref16;
		guint total;
		gboolean ports;
	} variants[] = {
		{ "/modem/0", "+4477", FALSE, 2, TRUE },
		{ "/modem/1", "+4477", FALSE, 2, TRUE },
		{ "/modem/0", "+4478", FALSE, 2, TRUE },
		{ "/modem/0", "+4477", TRUE, 2, TRUE },
		{ "/modem/0", "+4477", FALSE, 3, TRUE },
		{ "/modem/0", "+4477", FALSE, 2, FALSE },
		{ NULL, "+4477", FALSE, 2, TRUE },
		{ "/modem/0", NULL, FALSE, 2, TRUE },
		/* escaping keeps these apart: "m|a" + "b" vs "m" + "a|b" */
		{ "m|a", "b", FALSE, 2, TRUE },
		{ "m", "a|b", FALSE, 2, TRUE },
		{ "m%7Ca", "b", FALSE, 2, TRUE },
		{ "m", "\xc3\xa9\n x", FALSE, 2, TRUE },
	};
	guint n = G_N_ELEMENTS(variants);
	g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	OmacpReassemblyStats s;

	/* all first parts, then all last parts in reverse */
	for (guint pass = 0; pass < 2; pass++) {
		for (guint k = 0; k < n; k++) {
			guint i = pass == 0 ? k : n - 1 - k;
			guint seq = pass == 0 ? 1 : variants[i].total;
			guint8 data[3] = { (guint8) i, (guint8) seq, 0x5a };
			g_autoptr(OmacpSms) seg = segment_new(
			        variants[i].sender, 7, variants[i].ref16, variants[i].total, seq,
			        variants[i].ports, data, sizeof data);
			OmacpReassemblyResult result = { 0 };
			g_autoptr(GError) error = NULL;
			g_autoptr(GBytes) datagram = NULL;

			g_assert_true(omacp_reassembler_add(r, variants[i].modem, seg, T0, &result,
			                                    &datagram, &error));
			g_assert_no_error(error);
			for (const char *p = result.key; *p != '\0'; p++)
				g_assert_true(g_ascii_isgraph(*p));
			if (pass == 0) {
				g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_PENDING);
				g_assert_true(g_hash_table_add(keys, g_strdup(result.key)));
			} else if (variants[i].total == 2) {
				const guint8 want[] = { (guint8) i, 1, 0x5a, (guint8) i, 2, 0x5a };

				g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_COMPLETE);
				g_assert_cmpmem(g_bytes_get_data(datagram, NULL),
				                g_bytes_get_size(datagram), want, sizeof want);
			} else {
				g_assert_cmpint(result.state, ==, OMACP_REASSEMBLY_PENDING);
			}
			omacp_reassembly_result_clear(&result);
		}
	}
	g_assert_cmpuint(g_hash_table_size(keys), ==, n);
	stats_of(r, &s);
	g_assert_cmpuint(s.pending, ==, 1);
	g_assert_cmpuint(s.completed, ==, n - 1);
	g_assert_cmpuint(s.duplicates, ==, 0);
}

/* holds() and lookup(): what the daemon asks to keep its objects in step
 * with the reassembler and to refuse a new message before it evicts one. */
static void
test_holds_lookup(void)
{
	g_autoptr(OmacpReassembler) r = omacp_reassembler_new();
	g_autoptr(OmacpSms) first = filled_segment("+1", 7, 2, 1, 10, 1);
	g_autoptr(OmacpSms) second = filled_segment("+1", 7, 2, 2, 10, 2);
	g_autoptr(OmacpSms) other = filled_segment("+2", 7, 2, 1, 10, 3);
	OmacpReassemblyResult res = { 0 };
	guint64 id = 0;
	guint64 found = 0;

	g_assert_false(omacp_reassembler_lookup(r, "m", first, T0, &found));
	g_assert_true(omacp_reassembler_add(r, "m", first, T0, &res, NULL, NULL));
	id = res.message_id;
	omacp_reassembly_result_clear(&res);
	g_assert_true(omacp_reassembler_holds(r, id));
	g_assert_false(omacp_reassembler_holds(r, id + 1));
	/* the second segment would join it; another sender or modem would not */
	g_assert_true(omacp_reassembler_lookup(r, "m", second, T0 + 1, &found));
	g_assert_cmpuint(found, ==, id);
	g_assert_false(omacp_reassembler_lookup(r, "m", other, T0 + 1, NULL));
	g_assert_false(omacp_reassembler_lookup(r, "x", second, T0 + 1, NULL));
	/* not once it has expired */
	g_assert_false(
	        omacp_reassembler_lookup(r, "m", second, T0 + OMACP_REASSEMBLY_TIMEOUT_US, NULL));
	/* completed: no longer held */
	g_assert_cmpint(add(r, "m", second, T0 + 2, NULL), ==, OMACP_REASSEMBLY_COMPLETE);
	g_assert_false(omacp_reassembler_holds(r, id));
	g_assert_false(omacp_reassembler_lookup(r, "m", second, T0 + 3, NULL));
	/* evicted: no longer held */
	g_assert_true(omacp_reassembler_add(r, "m", first, T0 + 4, &res, NULL, NULL));
	id = res.message_id;
	omacp_reassembly_result_clear(&res);
	for (guint m = 0; m < OMACP_REASSEMBLY_MAX_PENDING; m++) {
		g_autoptr(OmacpSms) seg = filled_segment("+3", (guint16) m, 2, 1, 10, 0);

		g_assert_cmpint(add(r, "m", seg, T0 + 10 + m, NULL), ==, OMACP_REASSEMBLY_PENDING);
	}
	g_assert_false(omacp_reassembler_holds(r, id));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reassembly/vectors", test_vectors);
	g_test_add_func("/reassembly/bad-segments", test_bad_segments);
	g_test_add_func("/reassembly/message-too-large", test_message_too_large);
	g_test_add_func("/reassembly/single", test_single);
	g_test_add_func("/reassembly/duplicate-content", test_duplicate_content);
	g_test_add_func("/reassembly/max-segments", test_max_segments);
	g_test_add_func("/reassembly/cap-pending", test_cap_pending);
	g_test_add_func("/reassembly/cap-bytes", test_cap_bytes);
	g_test_add_func("/reassembly/timeout", test_timeout);
	g_test_add_func("/reassembly/separation", test_separation);
	g_test_add_func("/reassembly/holds-lookup", test_holds_lookup);
	return g_test_run();
}
