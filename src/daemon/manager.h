/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The object behind org.omacp.Provisioning1: Deliver, RegisterAgent,
 * UnregisterAgent, the Statistics property and the MessageReceived signal,
 * the agents' prompts about pending messages, and starting and stopping
 * the daemon's parts (objects.c, intake.c, apply-queue.c,
 * agent-manager.c) over the store. */

#include <gio/gio.h>

#include "apply.h"
#include "daemon-message.h"
#include "omacp-dbus-names.h" /* generated from the introspection XML */
#include "router.h"
#include "policy.h"
#include "store.h"

G_BEGIN_DECLS

/* Longest option value Deliver takes (imsi, sender, modem). */
#define OMACP_DELIVER_MAX_OPTION_LEN 256

typedef struct _OmacpManager OmacpManager;

/* Creates the manager on @bus, restores every stored message and profile
 * and exports them. With @session_mode polkit is not asked. Takes @config
 * and @store. */
gboolean omacp_manager_new(GDBusConnection *bus, gboolean session_mode, OmacpConfig *config,
                           OmacpStore *store, OmacpManager **out, GError **error);
/* Tells the agents they are released and unexports everything. */
void omacp_manager_free(OmacpManager *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpManager, omacp_manager_free)

/* The OmacpRouterDeliverFunc the router calls with a provisioning push. */
gboolean omacp_manager_push(const OmacpPushEvent *event, gpointer user_data, GError **error);

G_END_DECLS
