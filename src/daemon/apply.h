/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's glue to the apply backends (src/backends/) and the modem-stack
 * adapters (plugin/): which are enabled (omacpd.conf), applying one profile
 * on every backend that handles it and is available now (all or nothing
 * among those), removing and undoing what they made, and the adapters that
 * hand pushes to the manager.
 *
 * Availability: a profile is applied on the handling backends whose service
 * is there now; it waits only when none is. The profile's Targets say which
 * backends got it. When another handling backend appears later the manager
 * applies the profile there too (OMACP_APPLY_MISSING_ONLY), so a desktop
 * without oFono gets its NetworkManager connection at once and a phone gets
 * the connection as soon as NetworkManager starts. */

#include <gio/gio.h>

#include "policy.h"
#include "omacp-source.h"
#include "omacp.h"

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

/* FALSE when backends handle @profile but none of them is available now;
 * their names go to @out_waiting_for. TRUE when one is available, or when no
 * enabled backend handles the kind at all (nothing to wait for). */
gboolean omacp_applier_can_apply(OmacpApplier *self, const OmacpProfile *profile,
                                 char **out_waiting_for);

/* TRUE when a backend that handles @profile is available now and has no
 * object in @targets (a(ss), may be NULL) yet: applying with
 * OMACP_APPLY_MISSING_ONLY would do something. */
gboolean omacp_applier_has_missing(OmacpApplier *self, const OmacpProfile *profile,
                                   GVariant *targets);

typedef enum {
	OMACP_APPLY_FLAGS_NONE = 0,
	/* overwrite objects edited by hand since omacp wrote them (the user
	 * confirmed a change list that showed it) */
	OMACP_APPLY_FORCE = 1 << 0,
	/* only the backends that have no object in @targets yet */
	OMACP_APPLY_MISSING_ONLY = 1 << 1,
} OmacpApplyFlags;

/* Applies @profile on every enabled backend that handles it and is
 * available now (others are skipped, as is a backend that answers
 * OMACP_ERROR_BACKEND_UNAVAILABLE, e.g. oFono without the SIM's modem).
 * @targets (a(ss), may be NULL) are the objects made for the same profile
 * before; @message (the message object path) is handed to the backends to
 * tag what they make (the apply_async of backend.h). On success finish
 * gives the profile's objects (a(ss): the ones made now plus those of
 * @targets whose backend was not touched) and the undo snapshots (a(ssv):
 * backend, object id, snapshot). On failure what the backends already did
 * for this profile is undone; when no backend could take it at all the
 * error is OMACP_ERROR_BACKEND_UNAVAILABLE. */
void omacp_applier_apply_async(OmacpApplier *self, const OmacpProfile *profile, GVariant *targets,
                               const char *message, OmacpApplyFlags flags,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
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

/* Hands the internet and MMS settings of @profiles (OmacpProfile *, the
 * first SET profile of each kind counts; none removes the network) to the
 * omacp-provision oFono plugin, for the network of the SIM @imsi
 * (omacp_ofono_provision_write_full(), file: $OMACP_OFONO_PROVISION_FILE or
 * the default). Does nothing (TRUE, *@out_network NULL) when the oFono
 * adapter is off or does not know the SIM's MCC/MNC. @out_network (may be
 * NULL) gets the MCC+MNC written. */
gboolean omacp_sources_provision_ofono(OmacpSources *self, const char *imsi, GPtrArray *profiles,
                                       char **out_network, GError **error);

G_END_DECLS
