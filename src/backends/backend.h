/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* An apply backend: the only code that changes the system. Each backend
 * creates, updates (same identity → same object) and removes what it made,
 * and hands back what is needed to undo a change. The daemon owns the
 * backends and calls them from the main loop; every call is async (GTask). */

#include <gio/gio.h>

#include "omacp.h"

G_BEGIN_DECLS

typedef struct _OmacpBackend OmacpBackend;
typedef struct _OmacpMmsdRelay OmacpMmsdRelay; /* below */

/* How a backend reaches mobile-broadband-provider-info: the copy its owner
 * (the daemon) loads once, at the first call of @get, and keeps as long as
 * the backends. @get NULL, or a NULL answer: no database. */
typedef struct {
	const OmacpMbpi *(*get)(gpointer data);
	gpointer data;
} OmacpMbpiSource;

typedef struct {
	const char *name; /* "networkmanager", "ofono", "mmsd" */

	/* TRUE when this backend applies profiles of this kind at all. */
	gboolean (*handles)(OmacpBackend *self, const OmacpProfile *profile);
	/* TRUE when the service behind it is on the bus now. */
	gboolean (*is_available)(OmacpBackend *self);

	/* Creates or updates. Besides what libomacp derives, the daemon puts
	 * into @profile->settings: "iccid" (s), the SIM card the message came
	 * through (absent: unknown) — what a backend makes is bound to that
	 * SIM (with @profile->imsi) and an object of another SIM is never
	 * taken as @existing_id or found by tag; for internet profiles
	 * "make-default" (b), the user accepted it as the SIM's default
	 * (NetworkManager: autoconnect on, the SIM's previous default off and
	 * remembered in the undo snapshot as "defaults" as), and "activate"
	 * (b), switch the SIM's active data connection to it now.
	 * @message (may be NULL) is the message the profile
	 * came from (its D-Bus path or store id), for tagging what is made (the
	 * NM backend records it as OMACP_NM_USER_MESSAGE). @existing_id is the
	 * object this backend made for the same profile identity before (NULL:
	 * create, or find by the omacp tags).
	 * With @force an object edited by hand since omacp wrote it is
	 * overwritten; without, apply fails with OMACP_ERROR_INVALID_STATE
	 * "... was edited by hand". finish → the object id (e.g. NM connection
	 * UUID) and an undo snapshot (a{sv}: what to restore; "created" b when
	 * the object did not exist before; a full reference). Nothing half-made
	 * is left on error. */
	void (*apply_async)(OmacpBackend *self, const OmacpProfile *profile, const char *message,
	                    const char *existing_id, gboolean force, GCancellable *cancellable,
	                    GAsyncReadyCallback callback, gpointer user_data);
	char *(*apply_finish)(OmacpBackend *self, GAsyncResult *result, GVariant **out_undo,
	                      GError **error);

	/* Deletes the object @id this backend made. A missing object is success. */
	void (*remove_async)(OmacpBackend *self, const char *id, GCancellable *cancellable,
	                     GAsyncReadyCallback callback, gpointer user_data);
	gboolean (*remove_finish)(OmacpBackend *self, GAsyncResult *result, GError **error);

	/* Puts object @id back as the undo snapshot says (deletes it when it was
	 * created by the change). */
	void (*undo_async)(OmacpBackend *self, const char *id, GVariant *undo,
	                   GCancellable *cancellable, GAsyncReadyCallback callback,
	                   gpointer user_data);
	gboolean (*undo_finish)(OmacpBackend *self, GAsyncResult *result, GError **error);

	/* What applying would change, for the confirmation diff: an aa{sv} of
	 * {field, old, new} entries (old "" when new), plus "risk" (s) on an
	 * entry that needs the user's attention (NM, mmsd: field
	 * "edited-by-hand" when the object was changed outside omacp since
	 * omacp wrote it; oFono: field "Active" when the context to change is
	 * active). Secrets appear only as "(secret)". Fields are the service's
	 * own names (NM "gsm.apn", oFono "AccessPointName", mmsd
	 * "CarrierMMSC"). Returns a floating reference (sink it): empty when
	 * nothing would change, NULL when the backend cannot tell (e.g. its service
	 * is not running, its cache is not filled yet, or apply would fail).
	 * Synchronous, from cached state that each backend refreshes from its
	 * service's signals and after its own calls. */
	GVariant *(*preview)(OmacpBackend *self, const OmacpProfile *profile,
	                     const char *existing_id);

	/* Optional (NULL: not such a backend), for a backend that keeps
	 * settings per SIM rather than an object per profile (oFono's
	 * provisioning file; its handles() says FALSE to every profile, so it
	 * never appears in a profile's Targets): called after an apply, undo or
	 * removal that touched the settings of the SIM @imsi, with the profiles
	 * omacp holds applied for it now (OmacpProfile *, the most recent of a
	 * kind first). @out_note gets what was written, for the log (NULL:
	 * nothing, e.g. the SIM's network is not known). */
	gboolean (*write_sim_settings)(OmacpBackend *self, const char *imsi, GPtrArray *profiles,
	                               char **out_note, GError **error);

	void (*free)(OmacpBackend *self);
} OmacpBackendClass;

struct _OmacpBackend {
	const OmacpBackendClass *klass;
	/* signalled (by the backend) when is_available changes */
	void (*availability_changed)(OmacpBackend *self, gpointer user_data);
	gpointer availability_user_data;
};

/* Constructors (each in its own file). @bus is the system bus (or the test's
 * private bus); NULL from a constructor means the backend cannot exist here. */
/* @mbpi: where the operator id of a SIM is looked up (see
 * omacp_backend_operator_id_from_imsi()). */
OmacpBackend *omacp_backend_nm_new(GDBusConnection *bus, OmacpMbpiSource mbpi);
OmacpBackend *omacp_backend_ofono_new(GDBusConnection *bus);
OmacpBackend *omacp_backend_mmsd_new(GDBusConnection *session_bus, const char *settings_file);
/* The same with @relay (may be NULL) as the way when mmsd-tng is not on
 * @session_bus (or there is none). */
OmacpBackend *omacp_backend_mmsd_new_with_relay(GDBusConnection *session_bus,
                                                OmacpMmsdRelay *relay);

void omacp_backend_free(OmacpBackend *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpBackend, omacp_backend_free)

/* --- the backends built into this program ------------------------------------ */

/* The network of the SIM @imsi as the modem stack reports it: MCC+MNC digits
 * and the SPN (may be NULL). FALSE when not known. */
typedef gboolean (*OmacpSimNetworkFunc)(gpointer user_data, const char *imsi, char **mcc_mnc,
                                        char **spn);

/* Where a backend asks for SIM networks; filled by the daemon once its
 * adapters run (func NULL until then: nothing known). */
typedef struct {
	OmacpSimNetworkFunc func;
	gpointer user_data;
} OmacpSimNetworks;

/* The way to a user's mmsd-tng when omacpd cannot reach it itself (a system
 * service has no session bus): the daemon's MMS hand-off to the session
 * agent (src/daemon/mms-handoff.c). The mmsd backend uses mmsd-tng on its
 * own session bus when it is there, else this relay. */

/* Called by the relay when its available() changed. */
typedef void (*OmacpMmsdRelayChangedFunc)(gpointer user_data);

struct _OmacpMmsdRelay {
	/* TRUE when an agent that applies MMS settings is registered now */
	gboolean (*available)(OmacpMmsdRelay *relay);
	/* One exchange with mmsd-tng: reads its settings and, when @set (a{sv}
	 * of mmsd-tng's keys, floating ok) is not NULL, writes @set after;
	 * @profile (a profile's D-Bus path or "/") and @imsi (may be NULL) say
	 * what it is for. finish → the settings mmsd-tng held before (a{sv}). */
	void (*exchange_async)(OmacpMmsdRelay *relay, GVariant *set, const char *profile,
	                       const char *imsi, GCancellable *cancellable,
	                       GAsyncReadyCallback callback, gpointer user_data);
	GVariant *(*exchange_finish)(OmacpMmsdRelay *relay, GAsyncResult *result, GError **error);
	/* Sets who hears of available() changing (one listener; NULL: none). */
	void (*set_changed_func)(OmacpMmsdRelay *relay, OmacpMmsdRelayChangedFunc func,
	                         gpointer user_data);
};

/* What the daemon hands a backend's constructor. */
typedef struct {
	GDBusConnection *bus;                 /* omacpd's bus (system, or a test's private one) */
	const char *mmsd_settings_file;       /* NULL: mmsd-tng's default */
	const OmacpSimNetworks *sim_networks; /* lives as long as the backends */
	OmacpMmsdRelay *mmsd_relay;           /* NULL: none; outlives the backends */
	OmacpMbpiSource mbpi;                 /* the daemon's provider database */
} OmacpBackendSetup;

/* One backend built into this program. Each backend file defines one
 * (omacp_backend_info_<part>); the build lists those it compiled in
 * omacp_backends_built (backend-registry.c, generated by meson.build). */
typedef struct {
	const char *name; /* OmacpBackendClass.name */
	/* NULL: the backend cannot run here */
	OmacpBackend *(*create)(const OmacpBackendSetup *setup);
} OmacpBackendInfo;

/* NULL-terminated. */
extern const OmacpBackendInfo *const omacp_backends_built[];
/* The built backend called @name, or NULL. */
const OmacpBackendInfo *omacp_backend_info_lookup(const char *name);

/* NMSettingUser keys on every connection omacp writes. */
#define OMACP_NM_USER_PROFILE "org.omacp.profile" /* profile identity */
#define OMACP_NM_USER_MESSAGE "org.omacp.message" /* apply_async's @message */
#define OMACP_NM_USER_HASH    "org.omacp.hash"    /* SHA-256 of the managed fields */
/* comma-separated UUIDs of the connections that were the SIM's default
 * (autoconnect on) before this one became it; absent: none */
#define OMACP_NM_USER_DEFAULTS "org.omacp.previous-defaults"

/* Undo snapshots (the a{sv} apply_finish hands back; keep them where only
 * root can read them: the NM one holds the previous secrets):
 *   every backend: "created" b — TRUE when apply made a new object;
 *   networkmanager: "connection" a{sa{sv}} — the whole previous connection,
 *                   secrets included;
 *   ofono:          "modem" s, "type" s, "properties" a{sv} — previous values
 *                   of the context properties omacp set;
 *   mmsd:           "properties" a{sv} — previous CarrierMMSC, MMS_APN,
 *                   CarrierMMSProxy; "via" s ("dbus": omacpd's own session
 *                   bus, "agent": the session agent's relay; older
 *                   records say "file").
 *
 * Object ids: networkmanager → connection UUID; ofono → context object path
 * ("/modem/contextN"); mmsd → "mmsd-tng:<digest of the values written>". */

/* The operator id (MCC followed by MNC, 5 or 6 digits) of @imsi. The MNC
 * length is what mobile-broadband-provider-info (@mbpi, NULL: none) lists
 * for that MCC, else 3 digits for the countries that use 3-digit MNCs,
 * else 2. */
gboolean omacp_backend_operator_id_from_imsi(const char *imsi, const OmacpMbpi *mbpi,
                                             char **out_operator_id, GError **error);

G_END_DECLS
