/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The parts of `omacpctl campaign` that do not talk to the network: the
 * subscriber CSV, PINs from the system's CSPRNG, the per-subscriber signing
 * and cutting into SMS, and the resumable state journal. The bench links
 * them too. */

#include <glib.h>

#include "omacp.h"

G_BEGIN_DECLS

typedef struct {
	char *msisdn; /* "+358401234567" or national digits */
	char *imsi;   /* 14 or 15 digits, NULL when the row has none */
	char *pin;    /* from the CSV or generated; NULL when the method needs none */
	guint line;   /* CSV line (1 = the header) */
} OmacpCampaignSubscriber;

void omacp_campaign_subscriber_free(OmacpCampaignSubscriber *s);

/* A CSV row that was refused, with the line and column (both 1-based) of
 * the first problem. */
typedef struct {
	guint line;
	guint column;
	char *message;
} OmacpCampaignRefusal;

void omacp_campaign_refusal_free(OmacpCampaignRefusal *r);

/* Reads the subscriber CSV (UTF-8, optional BOM; a header row naming
 * msisdn, imsi and optionally pin, in any order; fields may be quoted as in
 * RFC 4180; blank lines are skipped). Rows that cannot be sent with @sec
 * (a bad msisdn, IMSI or PIN, a missing value the method needs, a
 * duplicate msisdn, a wrong number of fields) go to @refused and are
 * skipped. Fails (GError) only when the file cannot be read or its header
 * is unusable. *has_pin_column tells whether PINs came with the file. */
gboolean omacp_campaign_read_csv(const char *path, const char *text, gsize len, OmacpSec sec,
                                 GPtrArray **subscribers, GPtrArray **refused,
                                 gboolean *has_pin_column, GError **error);

/* Whether @sec needs a PIN the user types (USERPIN, USERNETWPIN,
 * USERPINMAC) and an IMSI (NETWPIN, USERNETWPIN). */
gboolean omacp_campaign_sec_needs_pin(OmacpSec sec);
gboolean omacp_campaign_sec_needs_imsi(OmacpSec sec);

/* A PIN of @digits decimal digits from getrandom(2), without modulo bias.
 * Fails only when the kernel's generator does. */
char *omacp_campaign_random_pin(guint digits, GError **error);

/* The concatenation reference of a subscriber's message: derived from the
 * msisdn, so that a resumed campaign cuts the same segments again. */
guint8 omacp_campaign_ref(const char *msisdn);

/* One subscriber's message: the TP-User-Data of each segment (UDH +
 * payload: what Kannel's sendsms takes as udh + text) and the matching
 * SMS-SUBMIT (SMSC field of length 0 + TPDU). */
typedef struct {
	guint n_segments;
	GBytes *ud[OMACP_SMS_MAX_SEGMENTS];
	GBytes *submit[OMACP_SMS_MAX_SEGMENTS];
	char *user_pin; /* USERPINMAC: the full PIN to give the user */
} OmacpCampaignMessage;

void omacp_campaign_message_clear(OmacpCampaignMessage *m);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OmacpCampaignMessage, omacp_campaign_message_clear)

/* Signs the encoder's document for @s with @sec and cuts it into SMS. */
gboolean omacp_campaign_wrap(const OmacpEncoder *encoder, OmacpSec sec,
                             const OmacpCampaignSubscriber *s, OmacpCampaignMessage *out,
                             GError **error);

/* ------------------------------------------------------------ state journal
 *
 * One line per event, appended, so that a crash (or kill -9) loses at most
 * the line being written:
 *   omacp-campaign 1 ID          first line: the campaign's identity
 *   sending MSISDN SEG           intent: written and fdatasync'ed BEFORE
 *                                segment SEG (1-based) is handed to Kannel
 *   sent MSISDN SEG              Kannel accepted the segment
 *   failed MSISDN SEG REASON     Kannel refused it or could not be reached:
 *                                it was not queued, a rerun tries again
 *   doubt MSISDN SEG REASON      the request went out and no answer came:
 *                                it may have been queued
 *   dlr MSISDN SEG STATUS        a delivery report
 * A segment with an intent and no outcome (the process died while sending)
 * is in doubt as well. Segments in doubt are never resent unless the user
 * asks (at most once: see README "Running a campaign"). */

typedef enum {
	OMACP_CAMPAIGN_SEG_NONE,    /* nothing recorded: to send */
	OMACP_CAMPAIGN_SEG_FAILED,  /* not queued: to send again */
	OMACP_CAMPAIGN_SEG_SENDING, /* intent without outcome: in doubt */
	OMACP_CAMPAIGN_SEG_DOUBT,   /* no answer: in doubt */
	OMACP_CAMPAIGN_SEG_SENT,    /* accepted */
} OmacpCampaignSegState;

typedef struct _OmacpCampaignState OmacpCampaignState;

/* Opens (creating it when absent) the journal at @path for the campaign
 * @id (a hex digest of the document and SEC method). A journal of another
 * campaign is OMACP_ERROR_INVALID_ARGS. A torn last line is ignored. */
OmacpCampaignState *omacp_campaign_state_open(const char *path, const char *id, GError **error);
void omacp_campaign_state_free(OmacpCampaignState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpCampaignState, omacp_campaign_state_free)

/* What the journal says about segment @seg (1-based) of @msisdn. */
OmacpCampaignSegState omacp_campaign_state_get(OmacpCampaignState *state, const char *msisdn,
                                               guint seg);
/* The last delivery report status recorded for @msisdn, -1 when none. */
gint omacp_campaign_state_get_dlr(OmacpCampaignState *state, const char *msisdn);

/* Records an intent (made durable with fdatasync before it returns) or an
 * outcome. Thread safe. @reason may be NULL. */
gboolean omacp_campaign_state_record(OmacpCampaignState *state, OmacpCampaignSegState what,
                                     const char *msisdn, guint seg, const char *reason,
                                     GError **error);
gboolean omacp_campaign_state_record_dlr(OmacpCampaignState *state, const char *msisdn, guint seg,
                                         gint status, GError **error);

G_END_DECLS
