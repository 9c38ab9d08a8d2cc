/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The hourly rate limits on messages per sender and per modem
 * (MaxMessagesPerSenderPerHour, MaxMessagesPerModemPerHour). Messages that
 * authenticated and messages that did not are counted apart: a flood of
 * forged messages, whose sender anyone can claim, never uses up what the
 * operator's signed ones may. Pure bookkeeping: no D-Bus,
 * no message objects. */

#include "policy.h"

G_BEGIN_DECLS

/* Senders (and modems) whose messages of the last hour are counted; beyond,
 * the one silent longest is forgotten. Each key holds at most
 * MaxMessagesPer*PerHour times, and nothing is counted when the limit is
 * 0. */
#define OMACP_RATE_LIMITS_MAX_KEYS 4096

typedef struct _OmacpRateLimits OmacpRateLimits;

/* @config is not owned and outlives the limits. */
OmacpRateLimits *omacp_rate_limits_new(const OmacpConfig *config);
void omacp_rate_limits_free(OmacpRateLimits *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpRateLimits, omacp_rate_limits_free)

/* Whether @sender and @modem (either may be NULL) are under their hourly
 * limits at @now for messages that did (@authenticated) or did not
 * authenticate; RateLimited (and a log line) when not. Records nothing. */
gboolean omacp_rate_limits_check(OmacpRateLimits *self, gboolean authenticated, const char *sender,
                                 const char *modem, gint64 now, GError **error);
/* Counts one message of that kind from @sender on @modem at @now. */
void omacp_rate_limits_record(OmacpRateLimits *self, gboolean authenticated, const char *sender,
                              const char *modem, gint64 now);

G_END_DECLS
