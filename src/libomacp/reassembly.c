/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Concatenated SMS → one WDP datagram. Incomplete messages live in a hash
 * table (by text key) and in a queue ordered by the arrival of their last
 * segment, so that lookup, timeout and eviction are O(1) per segment. */
#include "reassembly.h"

#include <string.h>

#include "omacp-error.h"

typedef struct {
	char *key; /* owned; also the hash table key */
	guint64 id;
	guint total;
	guint received;
	GBytes **parts; /* total slots, index seq - 1 */
	gsize bytes;
	gint64 last_us;
	GList link; /* in OmacpReassembler.queue; data points at this struct */
} Pending;

struct _OmacpReassembler {
	GHashTable *pending; /* key → Pending* (owned) */
	GQueue queue;        /* Pending*, least recently extended first */
	gsize bytes;
	guint64 next_id;
	guint64 completed;
	guint64 duplicates;
	guint64 evicted;
	guint64 expired;
};

static void
pending_free(Pending *p)
{
	for (guint i = 0; i < p->total; i++)
		g_clear_pointer(&p->parts[i], g_bytes_unref);
	g_free(p->parts);
	g_free(p->key);
	g_free(p);
}

void
omacp_reassembly_result_clear(OmacpReassemblyResult *result)
{
	if (result == NULL)
		return;
	g_clear_pointer(&result->key, g_free);
	memset(result, 0, sizeof *result);
}

OmacpReassembler *
omacp_reassembler_new(void)
{
	OmacpReassembler *self = g_new0(OmacpReassembler, 1);

	self->pending =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) pending_free);
	g_queue_init(&self->queue);
	self->next_id = 1;
	return self;
}

void
omacp_reassembler_free(OmacpReassembler *self)
{
	if (self == NULL)
		return;
	/* The queue links are embedded in the entries the table frees. */
	g_queue_init(&self->queue);
	g_hash_table_destroy(self->pending);
	g_free(self);
}

/* Removes @p from the table, the queue and the byte count, and frees it. */
static void
drop(OmacpReassembler *self, Pending *p)
{
	g_queue_unlink(&self->queue, &p->link);
	self->bytes -= p->bytes;
	g_hash_table_remove(self->pending, p->key);
}

guint
omacp_reassembler_expire(OmacpReassembler *self, gint64 now_us)
{
	guint dropped = 0;

	g_return_val_if_fail(self != NULL, 0);
	while (self->queue.head != NULL) {
		Pending *p = self->queue.head->data;

		if (now_us - p->last_us < OMACP_REASSEMBLY_TIMEOUT_US)
			break;
		g_debug("reassembly: message %" G_GUINT64_FORMAT " expired with %u of %u segments",
		        p->id, p->received, p->total);
		drop(self, p);
		self->expired++;
		dropped++;
	}
	return dropped;
}

gint64
omacp_reassembler_next_expiry(OmacpReassembler *self)
{
	Pending *p;

	g_return_val_if_fail(self != NULL, -1);
	if (self->queue.head == NULL)
		return -1;
	p = self->queue.head->data;
	return p->last_us + OMACP_REASSEMBLY_TIMEOUT_US;
}

void
omacp_reassembler_get_stats(OmacpReassembler *self, OmacpReassemblyStats *stats)
{
	g_return_if_fail(self != NULL && stats != NULL);
	stats->pending = g_hash_table_size(self->pending);
	stats->bytes = self->bytes;
	stats->completed = self->completed;
	stats->duplicates = self->duplicates;
	stats->evicted = self->evicted;
	stats->expired = self->expired;
}

/* Printable ASCII kept as is, except the separator '|' and the escape
 * '%'; everything else (controls, UTF-8 of alphanumeric senders) as %XX. */
static gboolean
key_safe(guchar c)
{
	return c > 0x20 && c < 0x7f && c != '|' && c != '%';
}

static gsize
escaped_len(const char *text)
{
	gsize n = 0;

	for (const guchar *p = (const guchar *) (text != NULL ? text : ""); *p != '\0'; p++)
		n += key_safe(*p) ? 1 : 3;
	return n;
}

static char *
put_escaped(char *out, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const guchar *p = (const guchar *) (text != NULL ? text : ""); *p != '\0'; p++) {
		if (key_safe(*p)) {
			*out++ = (char) *p;
		} else {
			*out++ = '%';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 0x0F];
		}
	}
	return out;
}

static char *
put_text(char *out, const char *text)
{
	gsize len = strlen(text);

	memcpy(out, text, len);
	return out + len;
}

/* @prefix, then @n in decimal (printf is the costly part of a key). */
static char *
put_number(char *out, const char *prefix, guint n)
{
	char digits[16];
	guint i = sizeof digits;

	do {
		digits[--i] = (char) ('0' + n % 10);
		n /= 10;
	} while (n > 0);
	out = put_text(out, prefix);
	memcpy(out, digits + i, sizeof digits - i);
	return out + (sizeof digits - i);
}

/* Room for the fixed fields: "|ref16=65535|total=255|ports8=65535>65535". */
#define KEY_FIXED_MAX 64

/* "modem|sender|ref8=4|total=4|ports=2948>9200": every field of the
 * grouping, so that segments differing in any of them never mix. Built in
 * one allocation. */
static char *
make_key(const char *modem, const OmacpSms *sms)
{
	char *key = g_malloc(escaped_len(modem) + 1 + escaped_len(sms->sender) + KEY_FIXED_MAX);
	char *p = key;

	p = put_escaped(p, modem);
	*p++ = '|';
	p = put_escaped(p, sms->sender);
	if (sms->is_concat)
		p = put_number(p, sms->ref_16bit ? "|ref16=" : "|ref8=", sms->ref);
	else
		p = put_text(p, "|single");
	p = put_number(p, "|total=", sms->is_concat ? sms->total : 1u);
	if (sms->has_ports) {
		p = put_number(p, sms->ports_8bit ? "|ports8=" : "|ports=", sms->dst_port);
		p = put_number(p, ">", sms->src_port);
	} else {
		p = put_text(p, "|noports");
	}
	*p = '\0';
	return key;
}

static void
fill_result(OmacpReassemblyResult *result, OmacpReassemblyState state, guint received, guint total,
            const char *key, guint64 id)
{
	result->state = state;
	result->received = received;
	result->total = total;
	result->key = g_strdup(key);
	result->message_id = id;
}

static GBytes *
concatenate(Pending *p)
{
	guint8 *out = g_malloc(p->bytes);
	gsize at = 0;

	for (guint i = 0; i < p->total; i++) {
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(p->parts[i], &len);

		memcpy(out + at, data, len);
		at += len;
	}
	return g_bytes_new_take(out, at);
}

/* Evicts other messages, least recently extended first, until the caps
 * hold with @p in place. @p is at the queue tail, so it is reached only
 * when it is the last one, and by then the caps hold (the caller checked
 * that @p alone fits). */
static void
enforce_caps(OmacpReassembler *self, Pending *p)
{
	while (self->queue.head != NULL &&
	       (g_hash_table_size(self->pending) > OMACP_REASSEMBLY_MAX_PENDING ||
	        self->bytes > OMACP_REASSEMBLY_MAX_BYTES)) {
		Pending *victim = self->queue.head->data;

		if (victim == p)
			break;
		g_debug("reassembly: message %" G_GUINT64_FORMAT
		        " evicted with %u of %u segments (%u messages, %zu octets held)",
		        victim->id, victim->received, victim->total,
		        g_hash_table_size(self->pending), self->bytes);
		drop(self, victim);
		self->evicted++;
	}
}

gboolean
omacp_reassembler_add(OmacpReassembler *self, const char *modem, const OmacpSms *sms, gint64 now_us,
                      OmacpReassemblyResult *result, GBytes **out_datagram, GError **error)
{
	g_autofree char *key = NULL;
	Pending *p;
	gsize size;
	guint total;
	guint seq;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(sms != NULL && result != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	total = sms->is_concat ? sms->total : 1u;
	seq = sms->is_concat ? sms->seq : 1u;
	size = sms->payload != NULL ? g_bytes_get_size(sms->payload) : 0;
	if (total == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "reassembly: concatenation header says 0 segments in total "
		            "(reference %u)",
		            sms->ref);
		return FALSE;
	}
	if (seq == 0 || seq > total) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "reassembly: segment number %u is outside 1..%u (reference %u)", seq,
		            total, sms->ref);
		return FALSE;
	}
	if (size == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "reassembly: segment %u/%u has no payload (reference %u)", seq, total,
		            sms->ref);
		return FALSE;
	}
	if (size > OMACP_REASSEMBLY_MAX_BYTES) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "reassembly: segment %u/%u carries %zu octets, more than the %u "
		            "octets reassembly may hold",
		            seq, total, size, (guint) OMACP_REASSEMBLY_MAX_BYTES);
		return FALSE;
	}

	key = make_key(modem, sms);
	p = g_hash_table_lookup(self->pending, key);
	if (p != NULL && now_us - p->last_us < OMACP_REASSEMBLY_TIMEOUT_US &&
	    p->parts[seq - 1] == NULL && p->bytes + size > OMACP_REASSEMBLY_MAX_BYTES) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "reassembly: segment %u/%u would make its message hold %zu octets, "
		            "more than the %u octets reassembly may hold",
		            seq, total, p->bytes + size, (guint) OMACP_REASSEMBLY_MAX_BYTES);
		return FALSE;
	}

	/* Past every check: from here on the call succeeds. */
	if (omacp_reassembler_expire(self, now_us) > 0)
		p = g_hash_table_lookup(self->pending, key); /* it may have expired */

	if (total == 1) {
		fill_result(result, OMACP_REASSEMBLY_COMPLETE, 1, 1, key, self->next_id++);
		self->completed++;
		if (out_datagram != NULL)
			*out_datagram = g_bytes_ref(sms->payload);
		return TRUE;
	}

	if (p != NULL && p->parts[seq - 1] != NULL) {
		if (!g_bytes_equal(p->parts[seq - 1], sms->payload))
			g_debug("reassembly: message %" G_GUINT64_FORMAT
			        ": a second segment %u/%u with different content ignored",
			        p->id, seq, total);
		self->duplicates++;
		fill_result(result, OMACP_REASSEMBLY_DUPLICATE, p->received, total, key, p->id);
		return TRUE;
	}

	if (p == NULL) {
		p = g_new0(Pending, 1);
		p->key = g_steal_pointer(&key);
		p->id = self->next_id++;
		p->total = total;
		p->parts = g_new0(GBytes *, total);
		p->link.data = p;
		g_hash_table_insert(self->pending, p->key, p);
	} else {
		g_queue_unlink(&self->queue, &p->link);
	}
	g_queue_push_tail_link(&self->queue, &p->link);
	p->parts[seq - 1] = g_bytes_ref(sms->payload);
	p->received++;
	p->bytes += size;
	p->last_us = now_us;
	self->bytes += size;

	if (p->received == p->total) {
		g_autoptr(GBytes) datagram = concatenate(p);

		fill_result(result, OMACP_REASSEMBLY_COMPLETE, p->received, p->total, p->key,
		            p->id);
		drop(self, p);
		self->completed++;
		if (out_datagram != NULL)
			*out_datagram = g_steal_pointer(&datagram);
		return TRUE;
	}
	enforce_caps(self, p);
	fill_result(result, OMACP_REASSEMBLY_PENDING, p->received, p->total, p->key, p->id);
	return TRUE;
}

gboolean
omacp_reassembler_holds(OmacpReassembler *self, guint64 message_id)
{
	g_return_val_if_fail(self != NULL, FALSE);
	for (GList *l = self->queue.head; l != NULL; l = l->next) {
		const Pending *p = l->data;

		if (p->id == message_id)
			return TRUE;
	}
	return FALSE;
}

gboolean
omacp_reassembler_lookup(OmacpReassembler *self, const char *modem, const OmacpSms *sms,
                         gint64 now_us, guint64 *out_message_id)
{
	g_autofree char *key = NULL;
	const Pending *p;

	g_return_val_if_fail(self != NULL && sms != NULL, FALSE);
	if (!sms->is_concat || sms->total <= 1)
		return FALSE;
	key = make_key(modem, sms);
	p = g_hash_table_lookup(self->pending, key);
	if (p == NULL || now_us - p->last_us >= OMACP_REASSEMBLY_TIMEOUT_US)
		return FALSE;
	if (out_message_id != NULL)
		*out_message_id = p->id;
	return TRUE;
}
