/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Everything between an input (Deliver, a modem stack's push) and a
 * message object in its first decided state: the caps on size, the hourly
 * rate limits per sender and per modem, the store's capacity, SMS segments
 * and their reassembly (receiving messages, expiry, eviction), decoding,
 * the replay fingerprint, and the policy's first decision (settle). Counts
 * what it took and refused for the Statistics property. */

#include "apply-queue.h"
#include "objects.h"
#include "policy.h"
#include "provider-db.h"
#include "router.h"

G_BEGIN_DECLS

typedef struct _OmacpIntake OmacpIntake;

/* Called when the statistics changed outside a delivery (expiry). */
typedef void (*OmacpIntakeStatsFunc)(gpointer user_data);

/* @objects, @config and @queue (changes previews; may be NULL) are not
 * owned and outlive the intake. */
OmacpIntake *omacp_intake_new(OmacpObjects *objects, const OmacpConfig *config,
                              OmacpApplyQueue *queue);
void omacp_intake_free(OmacpIntake *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpIntake, omacp_intake_free)

/* The adapters that know the SIMs (for NETWPIN; not owned, may be NULL). */
void omacp_intake_set_adapters(OmacpIntake *self, OmacpAdapters *adapters);
/* The provider database profiles are compared with (not owned, may be
 * NULL: no comparison). */
void omacp_intake_set_provider_db(OmacpIntake *self, OmacpProviderDb *provider_db);
void omacp_intake_set_stats_func(OmacpIntake *self, OmacpIntakeStatsFunc func, gpointer user_data);

/* Takes one input in @format received at @now; @sender, @imsi and @modem
 * may be NULL. Returns the message object it made or belongs to (not a new
 * reference), or NULL with @error. */
OmacpDaemonMessage *omacp_intake_deliver(OmacpIntake *self, OmacpFormat format, GBytes *input,
                                         const char *sender, const char *imsi, const char *modem,
                                         gint64 now, GError **error);
/* omacp_intake_deliver() for an input that came through the SIM card
 * @iccid (NULL: unknown); a message it makes keeps it. */
OmacpDaemonMessage *omacp_intake_deliver_sim(OmacpIntake *self, OmacpFormat format, GBytes *input,
                                             const char *sender, const char *imsi,
                                             const char *iccid, const char *modem, gint64 now,
                                             GError **error);

/* A push a modem stack's adapter handed to the router, received at @now:
 * as omacp_intake_deliver_sim() in format wsp, with the router's parse of
 * it (@event->push, may be NULL) instead of a second one. */
OmacpDaemonMessage *omacp_intake_deliver_push(OmacpIntake *self, const OmacpPushEvent *event,
                                              gint64 now, GError **error);

/* A message read back from the store: its segments go back to the
 * reassembler, or its document is decoded again; then it is exported. */
void omacp_intake_restore_message(OmacpIntake *self, OmacpDaemonMessage *msg);
/* After a restore: fails what timed out meanwhile and plans the next
 * expiry. */
void omacp_intake_expire(OmacpIntake *self, gint64 now);

/* The Statistics property (a{st}). */
GVariant *omacp_intake_statistics(OmacpIntake *self);

G_END_DECLS
