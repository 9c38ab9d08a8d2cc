/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Real daemons for the backend tests: a private dbus-daemon, NetworkManager
 * (keyfile plugin, scratch connection dir, every device unmanaged), ofonod
 * with an in-process fake AT modem, mmsd-tng. run-in-netns.sh puts the test
 * in private mount and network namespaces first (tmpfs /run and state dirs,
 * read-only sysfs), so nothing on the host is touched. Children get
 * PDEATHSIG, so a crashing test leaves no daemons behind. */

#include <gio/gio.h>

#include "backend.h"

G_BEGIN_DECLS

typedef struct {
	char *dir;         /* scratch directory, removed at the end */
	char *bus_address; /* private bus, exported as the system and session bus */
	GPid bus_pid;
	GPid nm_pid;
	GPid ofono_pid;
	GPid modem_pid;
	GPid mmsd_pid;
	GDBusConnection *bus;
} Harness;

/* Scratch dir + private bus; exports DBUS_SYSTEM_BUS_ADDRESS and
 * DBUS_SESSION_BUS_ADDRESS. */
Harness *harness_new(void);
void harness_free(Harness *h);

/* NetworkManager; returns once its Startup property is false. */
void harness_start_nm(Harness *h);
void harness_stop_nm(Harness *h);
char *harness_nm_connections_dir(Harness *h);

/* The fake AT modem (tests/integration/fakemodem/fakemodem.py) with @imsi
 * and ofonod talking to it through its phonesim plugin; returns once the
 * modem /fakemodem is listed. */
void harness_start_ofono(Harness *h, const char *imsi);
/* Powers the modem and puts it online; returns once ConnectionManager is up. */
void harness_ofono_online(Harness *h);
void harness_stop_ofono(Harness *h);

/* mmsd-tng with HOME in the scratch dir; returns once it owns org.ofono.mms. */
void harness_start_mmsd(Harness *h);
void harness_stop_mmsd(Harness *h);
char *harness_mmsd_settings_file(Harness *h);

/* Spawns @argv with the bus exported, output to DIR/<log>. */
GPid harness_spawn(Harness *h, const char *const *argv, const char *log, const char *const *env);
void harness_kill(GPid *pid);

/* Iterates the default main context until *@flag is TRUE (or @predicate()
 * returns TRUE); aborts the test after @timeout_ms. */
void harness_wait_flag(const gboolean *flag, guint timeout_ms, const char *what);
void harness_wait_until(gboolean (*predicate)(gpointer), gpointer data, guint timeout_ms,
                        const char *what);

/* Drives one async backend call: runs the main loop until it completes. */
GAsyncResult *harness_wait_result(GAsyncResult **slot, const char *what);
void harness_store_result(GObject *source, GAsyncResult *result, gpointer user_data);

/* One backend call driven to its end (the main loop runs meanwhile). The
 * _ok forms abort the test on an error. */
char *harness_apply(OmacpBackend *backend, const OmacpProfile *p, const char *existing_id,
                    gboolean force, GVariant **out_undo, GError **error);
char *harness_apply_ok(OmacpBackend *backend, const OmacpProfile *p, const char *existing_id,
                       gboolean force, GVariant **out_undo);
gboolean harness_remove(OmacpBackend *backend, const char *id, GError **error);
void harness_remove_ok(OmacpBackend *backend, const char *id);
gboolean harness_undo(OmacpBackend *backend, const char *id, GVariant *undo, GError **error);
void harness_undo_ok(OmacpBackend *backend, const char *id, GVariant *undo);

/* Counts @backend's availability signals in *@counter. */
void harness_count_availability(OmacpBackend *backend, guint *counter);
/* Predicates for harness_wait_until() (@data is the OmacpBackend). */
gboolean harness_backend_available(gpointer backend);
gboolean harness_backend_unavailable(gpointer backend);

/* The preview of @p (against the object @id, may be NULL) as text, one
 * "field: 'old' -> 'new'" line per entry, " [risk]" after an entry with a
 * risk; "(null)" for none. */
char *harness_preview_text(OmacpBackend *backend, const OmacpProfile *p, const char *id);
/* The risk of the entry for @field in that preview, NULL if none. */
char *harness_preview_risk(OmacpBackend *backend, const OmacpProfile *p, const char *id,
                           const char *field);
/* Backends answer previews from a cache that follows the service
 * asynchronously: waits until the preview reads @expected, and fails showing
 * the last one after 10 s. */
void harness_assert_preview(OmacpBackend *backend, const OmacpProfile *p, const char *id,
                            const char *expected);

/* TRUE when root and the daemons are installed (else the test skips). */
gboolean harness_can_run(const char *const *programs, char **out_reason);

/* A profile built by hand (settings and secrets in GVariant text form). */
OmacpProfile *harness_profile(OmacpProfileKind kind, const char *identity, const char *name,
                              const char *imsi, const char *settings, const char *secrets);
void harness_profile_free(OmacpProfile *p);
/* The message harness_apply() hands the backend with @p (as the daemon
 * hands the message the profile came from); none by default. */
void harness_profile_set_message(OmacpProfile *p, const char *message);
typedef OmacpProfile HarnessProfile;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HarnessProfile, harness_profile_free)

G_END_DECLS
