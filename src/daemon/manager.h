/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The object behind org.omacp.Provisioning1: message and profile objects,
 * Deliver, the message state machine, the policy decisions, agents, and the
 * store that makes all of it survive a restart. */

#include <gio/gio.h>

#include "apply.h"
#include "router.h"
#include "policy.h"
#include "store.h"

G_BEGIN_DECLS

#define OMACP_DBUS_NAME            "org.omacp.Provisioning1"
#define OMACP_DBUS_PATH            "/org/omacp/Provisioning1"
#define OMACP_DBUS_MESSAGE_PREFIX  OMACP_DBUS_PATH "/message/"
#define OMACP_DBUS_PROFILE_PREFIX  OMACP_DBUS_PATH "/profile/"
#define OMACP_DBUS_AGENT_INTERFACE "org.omacp.Provisioning1.Agent"

/* Longest option value Deliver takes (imsi, sender, modem). */
#define OMACP_DELIVER_MAX_OPTION_LEN 256
/* Agents registered at once. */
#define OMACP_MANAGER_MAX_AGENTS 16
/* Senders (and modems) whose messages of the last hour are counted for
 * the rate limits; beyond, the one silent longest is forgotten. Each key
 * holds at most MaxMessagesPer*PerHour times, and nothing is counted when
 * the limit is 0. */
#define OMACP_MANAGER_MAX_RATE_KEYS 4096

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
