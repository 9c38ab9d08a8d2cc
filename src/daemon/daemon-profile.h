/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A profile object of omacpd: it IS the org.omacp.Provisioning1.Profile
 * skeleton, one set of settings omacp made (from the latest message that
 * set it), with the backend objects that carry it (Targets). Remove is
 * authorized here and handed on as "remove-requested" with the call to
 * answer. */

#include <gio/gio.h>

#include "daemon-message.h"

G_BEGIN_DECLS

#define OMACP_TYPE_DAEMON_PROFILE (omacp_daemon_profile_get_type())
G_DECLARE_FINAL_TYPE(OmacpDaemonProfile, omacp_daemon_profile, OMACP, DAEMON_PROFILE,
                     OmacpDBusProfileSkeleton)

struct _OmacpDaemonProfile {
	OmacpDBusProfileSkeleton parent;

	guint id;
	char *path;
	gboolean removed;          /* deleted: its calls are answered NotFound */
	OmacpAuthority *authority; /* not owned, outlives the profile */
	char *imsi;                /* the SIM, NULL when unknown; D-Bus shows it masked */
	gboolean busy;             /* an apply or a catch-up is writing it to the backends */
	gboolean exported;
	OmacpObjectServer *server; /* from its export to its withdrawal, not owned */
	/* who and how last set it: the Sender of that message
	 * ("" unknown) and its SEC as it counted ("none" when it did not
	 * authenticate); kept in the profile's record, so they outlive the
	 * message. maker_sec NULL: not known (a record from before them). */
	char *maker_sender;
	char *maker_sec;
};

/* A profile object at OMACP_DBUS_PROFILE_PREFIX @id, every property empty. */
OmacpDaemonProfile *omacp_daemon_profile_new(guint id, OmacpAuthority *authority);

OmacpDBusProfile *omacp_daemon_profile_iface(OmacpDaemonProfile *self);

/* Keeps @imsi ("" counts as unknown) and shows it masked on D-Bus. */
void omacp_daemon_profile_set_imsi(OmacpDaemonProfile *self, const char *imsi);

/* Sets who and how last set the profile: @sender (NULL counts as "") and
 * @sec (NULL: not known, which clears both). */
void omacp_daemon_profile_set_maker(OmacpDaemonProfile *self, const char *sender, const char *sec);
/* Sets them from @msg, the message that sets the profile now: its Sender,
 * and its Security when it authenticated (a MAC or a right PIN), else
 * "none". */
void omacp_daemon_profile_set_maker_of(OmacpDaemonProfile *self, OmacpDaemonMessage *msg);

/* The record changed (not only the state): emits "changed", on which the
 * store mapping writes it. */
void omacp_daemon_profile_changed(OmacpDaemonProfile *self);

/* Exports the object on @server (once). */
void omacp_daemon_profile_export(OmacpDaemonProfile *self, OmacpObjectServer *server);
/* Unexports it and marks it removed. */
void omacp_daemon_profile_withdraw(OmacpDaemonProfile *self);

G_END_DECLS
