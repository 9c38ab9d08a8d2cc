/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A message object of omacpd: it IS the org.omacp.Provisioning1.Message
 * skeleton, holds what the daemon knows of one received message, and owns
 * its state. Every state change goes through omacp_daemon_message_set_state()
 * and is announced by "state-changed"; the daemon's parts (the store
 * mapping, the apply queue, the agent prompts, intake) listen to it instead
 * of calling each other.
 *
 * Its D-Bus methods are handled here, each as authorization then
 * completion: Accept (the PIN check included) and Reject complete here;
 * Delete and Undo, which need the rest of the daemon, are handed on as
 * "delete-requested" and "undo-requested" with the call to answer. */

#include <gio/gio.h>

#include "omacp-dbus-generated.h"
#include "omacp-state.h"
#include "omacp-dbus-names.h" /* generated from the introspection XML */
#include "omacp.h"
#include "object-server.h"
#include "polkit.h"

G_BEGIN_DECLS

#define OMACP_TYPE_DAEMON_MESSAGE (omacp_daemon_message_get_type())
G_DECLARE_FINAL_TYPE(OmacpDaemonMessage, omacp_daemon_message, OMACP, DAEMON_MESSAGE,
                     OmacpDBusMessageSkeleton)

/* The daemon's parts read and write these fields; the state only through
 * the functions below. */
struct _OmacpDaemonMessage {
	OmacpDBusMessageSkeleton parent;

	guint id;
	char *path;
	/* on the server (not owned) from its export to its withdrawal */
	OmacpObjectServer *server;
	gboolean exported;
	gboolean removed;          /* deleted: its calls are answered NotFound */
	OmacpAuthority *authority; /* not owned, outlives the message */
	OmacpMessageState state;

	OmacpFormat format; /* the input format */
	guint n_inputs;
	GArray *input_times; /* gint64, one per stored input */
	gint64 last_input_us;
	char *fingerprint; /* replay fingerprint, NULL while receiving */
	char *imsi;        /* the SIM, NULL when unknown; D-Bus shows it masked */
	char *iccid;       /* the SIM card's ICCID, NULL when unknown; not on D-Bus */
	GVariant *undo;    /* aa{sv}, NULL when nothing to undo */

	gboolean receiving; /* its segments are in the reassembler */
	guint64 reassembly_id;

	OmacpMessage *decoded;     /* NULL while receiving or when undecodable */
	gboolean busy;             /* applying or undoing, or queued to apply */
	gboolean backend_appeared; /* a backend appeared while it was applying */
	gboolean agent_declined;
	guint agent_request; /* the agent manager's request about it, 0: none */

	/* set with the state accepted by Accept or an agent's answer: the call
	 * that waits for the apply (may be NULL) and whether a user saw the
	 * Changes */
	GDBusMethodInvocation *accept_invocation;
	gboolean accept_confirmed;
	/* the user who accepted asked to switch the SIM's data connection to
	 * it now (Activate=ask) */
	gboolean accept_activate;
	/* a user accepted it: its internet profiles become their SIM's
	 * default. Stored with accept_activate, so that an apply that waits
	 * for a backend or is caught up after a restart keeps the choice */
	gboolean accept_default;

	/* decoding on demand (a message read back from the store is not
	 * decoded until something needs its document): see
	 * omacp_daemon_message_ensure_decoded() */
	gboolean (*decode_func)(OmacpDaemonMessage *msg, gpointer data);
	gpointer decode_data;
	gboolean decode_failed; /* tried once, not again */
	/* the document is in the store (its "document" record): not kept
	 * here, read back by document_func when GetDocument asks */
	gboolean document_stored;
	char *(*document_func)(OmacpDaemonMessage *msg, gpointer data);
	gpointer document_data;

	/* what GetChanges and GetDocument answer (see the accessors) */
	GVariant *changes; /* aa{sv}, serialised; NULL: none */
	char *document;    /* NULL: none, or only in the store */
};

/* A message object at OMACP_DBUS_MESSAGE_PREFIX @id in state receiving,
 * every property empty. */
OmacpDaemonMessage *omacp_daemon_message_new(guint id, OmacpFormat format,
                                             OmacpAuthority *authority);
/* The same with the D-Bus properties @names (GObject property names)
 * set to @values, each of the property's type, the others empty; the
 * values are moved (@values are left unset). The state field is receiving
 * (omacp_daemon_message_restore_state() sets another). */
OmacpDaemonMessage *omacp_daemon_message_new_with_properties(guint id, OmacpFormat format,
                                                             OmacpAuthority *authority,
                                                             guint n_properties,
                                                             const char *const *names,
                                                             GValue *values);

OmacpDBusMessage *omacp_daemon_message_iface(OmacpDaemonMessage *self);
OmacpMessageState omacp_daemon_message_get_state(OmacpDaemonMessage *self);
gboolean omacp_daemon_message_state_is(OmacpDaemonMessage *self, OmacpMessageState state);

/* Sets the state (and the Error property when @error is not NULL), logs a
 * change and emits "state-changed" (also when the state stays: its record
 * changed). */
void omacp_daemon_message_set_state(OmacpDaemonMessage *self, OmacpMessageState state,
                                    const char *error);
/* The first decision on a complete message: as set_state(), without the
 * log line (the decision is logged with its reasons). */
void omacp_daemon_message_settle(OmacpDaemonMessage *self, OmacpMessageState state);
/* The state read back from the store: no signal. */
void omacp_daemon_message_restore_state(OmacpDaemonMessage *self, OmacpMessageState state);

/* Moves a pending or quarantined message to accepted; @invocation (may be
 * NULL) is answered when the apply ends, @confirmed says a user saw its
 * Changes. */
void omacp_daemon_message_accept(OmacpDaemonMessage *self, GDBusMethodInvocation *invocation,
                                 gboolean confirmed);
/* What accepting @self asks of whoever accepts it, into
 * @actions (4 slots, NULL-terminated), and the details of those checks with
 * @what as "what" (a{ss}, floating): for an agent whose answer accepts it. */
GVariant *omacp_daemon_message_accept_checks(OmacpDaemonMessage *self, const char *what,
                                             const char **actions);
/* Rejects a receiving, pending or quarantined message with @why. */
gboolean omacp_daemon_message_reject(OmacpDaemonMessage *self, const char *why, GError **error);
/* Checks @pin for a pending-pin message. TRUE: verified (the caller
 * applies). FALSE with @error: wrong (an attempt is used up; at 0 the
 * message is rejected) or impossible. */
gboolean omacp_daemon_message_check_pin(OmacpDaemonMessage *self, const char *pin, GError **error);

/* Keeps @imsi ("" counts as unknown) and shows it masked on D-Bus. */
void omacp_daemon_message_set_imsi(OmacpDaemonMessage *self, const char *imsi);

/* Keeps @iccid ("" counts as unknown): the SIM card the message came
 * through, which the backends bind what they make to. */
void omacp_daemon_message_set_iccid(OmacpDaemonMessage *self, const char *iccid);
/* Writes what the backends need to know about the SIM into the settings of
 * every decoded profile of @self (see "iccid" in backend.h), once the
 * message is decoded; idempotent. */
void omacp_daemon_message_bind_sim(OmacpDaemonMessage *self);
/* Writes the decision to make the internet profiles of @self the default of
 * their SIM ("make-default") and to activate them ("activate"), as
 * backend.h describes, into their decoded settings. */
void omacp_daemon_message_bind_default(OmacpDaemonMessage *self, gboolean make_default,
                                       gboolean activate);

/* The Profiles property: set, add one (once), drop one (TRUE when it was
 * there). */
void omacp_daemon_message_set_profiles(OmacpDaemonMessage *self, GPtrArray *paths);
void omacp_daemon_message_add_profile(OmacpDaemonMessage *self, const char *path);
gboolean omacp_daemon_message_drop_profile(OmacpDaemonMessage *self, const char *path);

/* What the message changes (aa{sv}, see GetChanges; never NULL: an empty
 * array when nothing is known), and setting it (@changes floating or not,
 * NULL for none): kept serialised, one buffer. */
GVariant *omacp_daemon_message_get_changes(OmacpDaemonMessage *self);
void omacp_daemon_message_set_changes(OmacpDaemonMessage *self, GVariant *changes);
/* The decoded document as GetDocument answers it ("" when unknown): kept
 * here until the store holds it, read back from there after. */
char *omacp_daemon_message_dup_document(OmacpDaemonMessage *self);
void omacp_daemon_message_set_document(OmacpDaemonMessage *self, const char *document);

/* Makes @self->decoded when it is not there and @self->decode_func can
 * make it (a message that does not decode is not tried again); TRUE when
 * @self->decoded is there. */
gboolean omacp_daemon_message_ensure_decoded(OmacpDaemonMessage *self);

/* Shows what @self->decoded holds: Security, ContentType, Document, and the
 * Warnings (the decoder's and @more). */
void omacp_daemon_message_show_decoded(OmacpDaemonMessage *self, GPtrArray *more);

gint omacp_daemon_message_compare_id(gconstpointer a, gconstpointer b);

/* Keeps @imsi ("" counts as unknown) in *@slot and returns what D-Bus
 * shows of it (omacp_mask_imsi()). */
char *omacp_keep_imsi(char **slot, const char *imsi);

/* Exports @iface at @path on @server (once: *@exported), keeping @server
 * in *@slot for its property notifications. */
void omacp_object_export(OmacpObjectServer *server, const char *path, GDBusInterfaceSkeleton *iface,
                         OmacpObjectServer **slot, gboolean *exported);
/* Unexports the object at @path (when *@exported). */
void omacp_object_withdraw(const char *path, OmacpObjectServer **slot, gboolean *exported);

/* "" as NULL. */
const char *omacp_str_or_null(const char *s);
/* The number at the end of @path after @prefix. */
gboolean omacp_id_from_path(const char *path, const char *prefix, guint *out);

/* The record changed (not only the state): emits "changed", on which the
 * store mapping writes it. */
void omacp_daemon_message_changed(OmacpDaemonMessage *self);

/* Exports the object on @server (once). */
void omacp_daemon_message_export(OmacpDaemonMessage *self, OmacpObjectServer *server);
/* Unexports it and marks it removed. */
void omacp_daemon_message_withdraw(OmacpDaemonMessage *self);

G_END_DECLS
