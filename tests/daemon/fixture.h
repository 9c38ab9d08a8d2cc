/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the C tests of omacpd's parts share: a daemon without a bus (a
 * store in a temporary directory, the default configuration with
 * messages of SEC none asking for confirmation, objects exported on a
 * server without a connection, the apply queue and intake), and a fake
 * apply backend that records what it is asked and fails on demand. */

#include "intake.h"

G_BEGIN_DECLS

/* An apply backend ("fake") registered with the applier through the
 * backend interface the real ones implement. It handles internet
 * profiles, is always available, and answers at once (from the main loop,
 * as the real ones do). */
typedef struct {
	OmacpBackend parent;
	GPtrArray *applied;  /* char *: "<identity> <existing id or ->", each apply asked */
	GPtrArray *undone;   /* char *: the ids each undo was asked for */
	GPtrArray *removed;  /* char *: the ids each remove was asked for */
	gboolean fail_apply; /* applies fail (OMACP_ERROR_FAILED) while set */
	guint made;          /* objects made so far: ids "fake-1", "fake-2", ... */
} OmacpFakeBackend;

typedef struct {
	char *dir;
	OmacpStore *store;
	OmacpConfig *config;
	OmacpObjectServer *server;
	OmacpObjects *objects;
	OmacpApplier *applier;  /* NULL without one */
	OmacpFakeBackend *fake; /* the applier's, NULL without an applier */
	OmacpApplyQueue *queue;
	OmacpIntake *intake;
} OmacpDaemonFixture;

/* @name names the temporary directory. With @with_applier an applier with
 * every real backend off and the fake backend; without, the apply queue
 * only previews. */
void omacp_daemon_fixture_set_up(OmacpDaemonFixture *f, const char *name, gboolean with_applier);
void omacp_daemon_fixture_tear_down(OmacpDaemonFixture *f);

/* An internet document (NAPDEF NAP1) whose APN is @apn, as XML. */
GBytes *omacp_daemon_fixture_document(const char *apn);

G_END_DECLS
