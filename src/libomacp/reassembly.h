/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Reassembly of concatenated SMS into one WDP datagram. Pure code: the caller
 * passes the current time; nothing here starts a timer. */

#include <glib.h>

#include "sms.h"

G_BEGIN_DECLS

/* Incomplete messages held at once; the oldest is evicted beyond this. */
#define OMACP_REASSEMBLY_MAX_PENDING 32
/* Payload octets held over all incomplete messages; oldest evicted beyond. */
#define OMACP_REASSEMBLY_MAX_BYTES (128 * 1024)
/* An incomplete message whose last segment arrived longer ago is dropped. */
#define OMACP_REASSEMBLY_TIMEOUT_US ((gint64) G_USEC_PER_SEC * 60 * 60)

typedef struct _OmacpReassembler OmacpReassembler;

typedef enum {
	OMACP_REASSEMBLY_PENDING,   /* stored, more segments needed */
	OMACP_REASSEMBLY_COMPLETE,  /* *out_datagram holds the whole message */
	OMACP_REASSEMBLY_DUPLICATE, /* this segment was already held; ignored */
} OmacpReassemblyState;

typedef struct {
	OmacpReassemblyState state;
	guint received; /* segments held for this message after this call */
	guint total;
	char *key;          /* stable text key of the message this segment belongs to:
	                     * printable ASCII, the same for every segment of one message,
	                     * e.g. "/modem/0|+4477...|ref8=4|total=4|ports=2948>9200" (other
	                     * octets as %XX). It holds the sender: personal data. */
	guint64 message_id; /* unique per reassembler for each message (instance):
	                     * a later message that reuses the key gets a new id */
} OmacpReassemblyResult;

void omacp_reassembly_result_clear(OmacpReassemblyResult *result);

typedef struct {
	guint pending;      /* incomplete messages held now */
	gsize bytes;        /* payload octets held now */
	guint64 completed;  /* messages completed since creation */
	guint64 duplicates; /* duplicate segments ignored */
	guint64 evicted;    /* incomplete messages evicted by a cap */
	guint64 expired;    /* incomplete messages dropped by the timeout */
} OmacpReassemblyStats;

OmacpReassembler *omacp_reassembler_new(void);
void omacp_reassembler_free(OmacpReassembler *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpReassembler, omacp_reassembler_free)

/* Adds one segment. Segments are grouped by (modem, sender, reference and its
 * width, total, ports). A single-segment SMS completes at once. Segment
 * number 0 or above the total, a total of 0 and an empty payload are errors
 * (OMACP_ERROR_MALFORMED) that leave the reassembler unchanged. On COMPLETE
 * *out_datagram gets the concatenated payloads in sequence order.
 *
 * A segment whose payload alone, or together with what its message already
 * holds, exceeds OMACP_REASSEMBLY_MAX_BYTES is refused with
 * OMACP_ERROR_TOO_LARGE. Otherwise the caps are kept by evicting other
 * incomplete messages, the one whose last segment is oldest first. A second
 * copy of a held segment is DUPLICATE (counted; a copy with different
 * content is ignored too, the first copy wins). @modem may be NULL. @result
 * is always filled on success (clear it with
 * omacp_reassembly_result_clear()); @out_datagram may be NULL. */
gboolean omacp_reassembler_add(OmacpReassembler *self, const char *modem, const OmacpSms *sms,
                               gint64 now_us, OmacpReassemblyResult *result, GBytes **out_datagram,
                               GError **error);

/* Drops incomplete messages whose last segment arrived
 * OMACP_REASSEMBLY_TIMEOUT_US or more before @now_us (which should not go
 * backwards); returns how many were dropped. _add() does this too. */
guint omacp_reassembler_expire(OmacpReassembler *self, gint64 now_us);

/* When the next incomplete message expires (µs; expire() at that time drops
 * it), or -1 when none is held. */
gint64 omacp_reassembler_next_expiry(OmacpReassembler *self);

void omacp_reassembler_get_stats(OmacpReassembler *self, OmacpReassemblyStats *stats);

/* Whether the incomplete message @message_id (an OmacpReassemblyResult's
 * message_id) is still held: FALSE once it completed, expired or was
 * evicted. O(number held), at most OMACP_REASSEMBLY_MAX_PENDING. */
gboolean omacp_reassembler_holds(OmacpReassembler *self, guint64 message_id);

/* Whether @sms would join an incomplete message that is held and not yet
 * expired at @now_us, without adding it; *out_message_id (may be NULL) gets
 * that message's id. Lets a caller refuse a segment that would start a new
 * message (rate limits) before _add() evicts anything to make room. */
gboolean omacp_reassembler_lookup(OmacpReassembler *self, const char *modem, const OmacpSms *sms,
                                  gint64 now_us, guint64 *out_message_id);

G_END_DECLS
