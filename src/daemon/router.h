/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's one way in. Every adapter (plugin/omacp-adapter.h) hands
 * every push it receives to the router, which parses its WSP header once and
 * answers:
 *   taken      a provisioning push the daemon stored (the deliver function);
 *   forwarded  another push a push.d consumer took (e.g. an MMS notification
 *              for mmsd-tng, plugin/ofono/README.md);
 *   left       anything else: the adapter leaves it where it is.
 * OmacpAdapters starts the adapters omacpd.conf enables with the router as
 * their push function. */

#include <gio/gio.h>

#include "omacp-adapter.h"
#include "policy.h"

G_BEGIN_DECLS

/* Stores a provisioning push (the daemon's intake): TRUE once stored, FALSE
 * with @error otherwise. @event->push is the push as the router parsed it. */
typedef gboolean (*OmacpRouterDeliverFunc)(const OmacpPushEvent *event, gpointer user_data,
                                           GError **error);

typedef struct _OmacpRouter OmacpRouter;

/* A router handing provisioning pushes to @deliver and forwarding the others
 * to the consumers in @push_dir (NULL: none; a directory that cannot be
 * read is logged and means none). Calls to system-bus consumers go over @bus
 * (the modem stack's). */
OmacpRouter *omacp_router_new(GDBusConnection *bus, const char *push_dir,
                              OmacpRouterDeliverFunc deliver, gpointer user_data);
/* Forwards still on their way answer OMACP_PUSH_LEFT. */
void omacp_router_free(OmacpRouter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpRouter, omacp_router_free)

/* The OmacpPushFunc of the adapters (@user_data: the router). */
void omacp_router_push(const OmacpPushEvent *event, OmacpPushRoutedFunc routed,
                       gpointer routed_data, gpointer user_data);

/* Where an MMS notification push (application/vnd.wap.mms-message) goes
 * that no push.d consumer took: TRUE when @func answers @routed (once, maybe
 * later), FALSE to leave the push. The MMS hand-off (mms-handoff.h). */
typedef gboolean (*OmacpRouterMmsFunc)(const OmacpPushEvent *event, OmacpPushRoutedFunc routed,
                                       gpointer routed_data, gpointer user_data);

/* ---- the adapters omacpd.conf enables ---- */

typedef struct _OmacpAdapters OmacpAdapters;

/* Starts the adapters enabled in @config on @bus, handing pushes to a router
 * that delivers to @deliver and forwards to config->push_forward_dir. */
OmacpAdapters *omacp_adapters_new(const OmacpConfig *config, GDBusConnection *bus,
                                  OmacpRouterDeliverFunc deliver, gpointer user_data);
void omacp_adapters_free(OmacpAdapters *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpAdapters, omacp_adapters_free)

/* Sets where MMS notifications no push.d consumer took go (NULL: left). */
void omacp_adapters_set_mms_func(OmacpAdapters *self, OmacpRouterMmsFunc func, gpointer user_data);

/* IMSIs of every SIM the adapters know (char *), for NETWPIN. */
GPtrArray *omacp_adapters_get_imsis(OmacpAdapters *self);

/* The network (MCC+MNC, SPN) of the SIM @imsi as the first adapter that
 * knows it reports it; FALSE when none does. An OmacpSimNetworkFunc
 * (backend.h) with @adapters the OmacpAdapters. */
gboolean omacp_adapters_sim_network(gpointer adapters, const char *imsi, char **mcc_mnc,
                                    char **spn);

G_END_DECLS
