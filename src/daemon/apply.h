/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's one way out, the applier over the apply backends
 * (src/backends/): which are enabled (omacpd.conf), applying one profile on
 * every backend that handles it and is available now (all or nothing among
 * those), removing and undoing what they made, and the settings kept per
 * SIM (oFono's provisioning file). The way in is router.h.
 *
 * Availability: a profile is applied on the handling backends whose service
 * is there now; it waits only when none is. The profile's Targets say which
 * backends got it. When another handling backend appears later the manager
 * applies the profile there too (OMACP_APPLY_MISSING_ONLY), so a desktop
 * without oFono gets its NetworkManager connection at once and a phone gets
 * the connection as soon as NetworkManager starts. */

#include <gio/gio.h>

#include "backend.h"
#include "omacp.h"
#include "policy.h"

G_BEGIN_DECLS

typedef struct _OmacpApplier OmacpApplier;

/* Called when a backend became available (messages waiting in "accepted"
 * can go on). */
typedef void (*OmacpApplierReadyFunc)(gpointer user_data);

/* Creates the backends enabled in @config. @bus is the bus omacpd is on. */
OmacpApplier *omacp_applier_new(const OmacpConfig *config, GDBusConnection *bus);
/* The same with the way to a user's mmsd-tng through the session agent
 * (@mmsd_relay, may be NULL; outlives the applier) and the daemon's
 * provider database (@mbpi, for the backends). */
OmacpApplier *omacp_applier_new_with_relay(const OmacpConfig *config, GDBusConnection *bus,
                                           OmacpMmsdRelay *mmsd_relay, OmacpMbpiSource mbpi);
void omacp_applier_free(OmacpApplier *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpApplier, omacp_applier_free)

/* Takes @backend, made outside the registry (a test's fake), and applies
 * with it after the backends omacpd.conf enabled. */
void omacp_applier_add_backend(OmacpApplier *self, OmacpBackend *backend);

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

/* Where the backends ask for the network of a SIM (the adapters know). */
void omacp_applier_set_sim_networks(OmacpApplier *self, OmacpSimNetworkFunc func,
                                    gpointer user_data);

/* Hands the profiles omacp holds applied for the SIM @imsi (OmacpProfile *,
 * the most recent of a kind first; none removes what was written) to every
 * backend that keeps settings per SIM (write_sim_settings in backend.h):
 * the omacp-provision oFono plugin's file ($OMACP_OFONO_PROVISION_FILE or
 * the default), for the SIM's network. @out_note gets what was written, for
 * the log (NULL: nothing, e.g. the SIM's network is not known). */
gboolean omacp_applier_write_sim_settings(OmacpApplier *self, const char *imsi, GPtrArray *profiles,
                                          char **out_note, GError **error);

G_END_DECLS
