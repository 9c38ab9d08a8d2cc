/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's glue to the apply backends (src/backends/) and the modem-stack
 * adapters (plugin/): which are enabled (omacpd.conf), applying one profile
 * on every backend that handles it (all or nothing), removing and undoing
 * what they made, and the adapters that hand pushes to the manager. */

#include <gio/gio.h>

#include "policy.h"
#include "omacp-source.h"
#include "profiles.h"

G_BEGIN_DECLS

typedef struct _OmacpApplier OmacpApplier;

/* Called when a backend became available (messages waiting in "accepted"
 * can go on). */
typedef void (*OmacpApplierReadyFunc)(gpointer user_data);

/* Creates the backends enabled in @config. @bus is the bus omacpd is on. */
OmacpApplier *omacp_applier_new(const OmacpConfig *config, GDBusConnection *bus);
void omacp_applier_free(OmacpApplier *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpApplier, omacp_applier_free)

void omacp_applier_set_ready_func(OmacpApplier *self, OmacpApplierReadyFunc func,
                                  gpointer user_data);

/* Names of the enabled backends ("networkmanager", ...), for the log. */
char *omacp_applier_describe(OmacpApplier *self);

/* FALSE when a backend that handles @profile is not on the bus now; its name
 * goes to @out_waiting_for. */
gboolean omacp_applier_can_apply(OmacpApplier *self, const OmacpProfile *profile,
                                 char **out_waiting_for);

/* Applies @profile on every enabled backend that handles it. @targets (a(ss),
 * may be NULL) are the objects made for the same profile before; @message
 * (the message object path) is handed to the backends to tag what they make
 * (OMACP_BACKEND_SETTING_MESSAGE). On success
 * finish gives the objects now made (a(ss)) and the undo snapshots (a(ssv):
 * backend, object id, snapshot). On failure what the backends already did
 * for this profile is undone. */
void omacp_applier_apply_async(OmacpApplier *self, const OmacpProfile *profile, GVariant *targets,
                               const char *message, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean omacp_applier_apply_finish(OmacpApplier *self, GAsyncResult *result,
                                    GVariant **out_targets, GVariant **out_undo, GError **error);

/* Removes the objects @targets (a(ss)). */
void omacp_applier_remove_async(OmacpApplier *self, GVariant *targets, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean omacp_applier_remove_finish(OmacpApplier *self, GAsyncResult *result, GError **error);

/* Restores the snapshots @undo (a(ssv)). */
void omacp_applier_undo_async(OmacpApplier *self, GVariant *undo, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean omacp_applier_undo_finish(OmacpApplier *self, GAsyncResult *result, GError **error);

/* What the backends would change for @profile beyond its settings: aa{sv}
 * entries {field "<backend>:<field>", old, new}, or NULL. */
GVariant *omacp_applier_preview(OmacpApplier *self, const OmacpProfile *profile, GVariant *targets);

/* The modem-stack adapters enabled in @config, handing pushes to @func. */
typedef struct _OmacpSources OmacpSources;

OmacpSources *omacp_sources_new(const OmacpConfig *config, GDBusConnection *bus, OmacpPushFunc func,
                                gpointer user_data);
void omacp_sources_free(OmacpSources *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpSources, omacp_sources_free)

/* IMSIs of every SIM the adapters know (char *), for NETWPIN. */
GPtrArray *omacp_sources_get_imsis(OmacpSources *self);

G_END_DECLS
