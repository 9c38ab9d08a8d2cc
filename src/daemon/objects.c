/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "objects.h"

#include "message-store.h"

#include <malloc.h>

struct _OmacpObjects {
	GObject parent;

	OmacpStore *store;
	OmacpAuthority *authority;
	OmacpObjectServer *server;
	GHashTable *messages; /* guint id → OmacpDaemonMessage * */
	GHashTable *profiles; /* guint id → OmacpDaemonProfile * */
	GDBusConnection *bus; /* with the filter of omacp_objects_trim_after_answers() */
	guint filter_id;
	gboolean (*decode_func)(OmacpDaemonMessage *msg, gpointer data);
	gpointer decode_data;
	GPtrArray *settled; /* messages that let go of their document soon */
	guint settled_source;
};

enum {
	SIGNAL_MESSAGE_ADDED,
	SIGNAL_MESSAGE_REMOVED,
	SIGNAL_PROFILE_ADDED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(OmacpObjects, omacp_objects, G_TYPE_OBJECT)

OmacpStore *
omacp_objects_get_store(OmacpObjects *self)
{
	return self->store;
}

OmacpAuthority *
omacp_objects_get_authority(OmacpObjects *self)
{
	return self->authority;
}

GHashTable *
omacp_objects_get_messages(OmacpObjects *self)
{
	return self->messages;
}

GHashTable *
omacp_objects_get_profiles(OmacpObjects *self)
{
	return self->profiles;
}

OmacpDaemonMessage *
omacp_objects_lookup_message(OmacpObjects *self, guint id)
{
	return g_hash_table_lookup(self->messages, GUINT_TO_POINTER(id));
}

OmacpDaemonProfile *
omacp_objects_lookup_profile(OmacpObjects *self, guint id)
{
	return g_hash_table_lookup(self->profiles, GUINT_TO_POINTER(id));
}

OmacpDaemonProfile *
omacp_objects_find_profile(OmacpObjects *self, const char *identity, const char *imsi)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->profiles);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonProfile *p = value;

		if (g_strcmp0(omacp_dbus_profile_get_identity(OMACP_DBUS_PROFILE(p)), identity) ==
		            0 &&
		    g_strcmp0(p->imsi, omacp_str_or_null(imsi)) == 0)
			return p;
	}
	return NULL;
}

OmacpDaemonMessage *
omacp_objects_message_of_profile(OmacpObjects *self, OmacpDaemonProfile *profile)
{
	guint id;

	if (!omacp_id_from_path(omacp_dbus_profile_get_message(OMACP_DBUS_PROFILE(profile)),
	                        OMACP_DBUS_MESSAGE_PREFIX, &id))
		return NULL;
	return omacp_objects_lookup_message(self, id);
}

const OmacpProfile *
omacp_objects_decoded_profile_of(OmacpDaemonMessage *msg, OmacpDaemonProfile *profile)
{
	const char *identity = omacp_dbus_profile_get_identity(OMACP_DBUS_PROFILE(profile));

	if (!omacp_daemon_message_ensure_decoded(msg))
		return NULL;
	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);

		if (p->op == OMACP_OP_SET && g_strcmp0(p->identity, identity) == 0 &&
		    g_strcmp0(omacp_str_or_null(p->imsi), profile->imsi) == 0)
			return p;
	}
	return NULL;
}

/* ---- messages ---- */

static void
save_message(OmacpDaemonMessage *msg, OmacpObjects *self)
{
	g_autoptr(GError) error = NULL;

	if (!omacp_message_store_save_message(self->store, msg, &error))
		g_warning("message/%u: %s", msg->id, error->message);
}

static void
delete_requested(OmacpDaemonMessage *msg, GDBusMethodInvocation *invocation, OmacpObjects *self)
{
	omacp_objects_delete_message(self, msg);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

void
omacp_objects_set_decoder(OmacpObjects *self,
                          gboolean (*func)(OmacpDaemonMessage *msg, gpointer data), gpointer data)
{
	self->decode_func = func;
	self->decode_data = data;
}

/* Whether @state keeps a message as it is until a user acts (or for ever). */
static gboolean
waits_or_ended(OmacpMessageState state)
{
	return state == OMACP_MESSAGE_STATE_PENDING_CONFIRMATION ||
	       state == OMACP_MESSAGE_STATE_QUARANTINED || state == OMACP_MESSAGE_STATE_REJECTED ||
	       state == OMACP_MESSAGE_STATE_FAILED;
}

static gboolean
let_go_of_documents(gpointer user_data)
{
	OmacpObjects *self = user_data;
	g_autoptr(GPtrArray) settled = g_steal_pointer(&self->settled);

	self->settled_source = 0;
	for (guint i = 0; settled != NULL && i < settled->len; i++) {
		OmacpDaemonMessage *msg = g_ptr_array_index(settled, i);

		/* decoded again from the store when something needs it */
		if (!msg->removed && !msg->busy && msg->document_stored &&
		    msg->decode_func != NULL && waits_or_ended(msg->state))
			g_clear_pointer(&msg->decoded, omacp_message_free);
	}
	return G_SOURCE_REMOVE;
}

/* After every other listener: the decoded document of a message that was
 * just decided goes in an idle (the code that decided it still uses it). */
static void
settled(OmacpDaemonMessage *msg, guint old, guint state, OmacpObjects *self)
{
	if (old != OMACP_MESSAGE_STATE_RECEIVING || !waits_or_ended(state) ||
	    msg->decoded == NULL || msg->decode_func == NULL)
		return;
	if (self->settled == NULL)
		self->settled = g_ptr_array_new_with_free_func(g_object_unref);
	g_ptr_array_add(self->settled, g_object_ref(msg));
	if (self->settled_source == 0)
		self->settled_source =
		        g_idle_add_full(G_PRIORITY_LOW, let_go_of_documents, self, NULL);
}

/* The stored document of @msg, for GetDocument. */
static char *
read_document(OmacpDaemonMessage *msg, gpointer user_data)
{
	OmacpObjects *self = user_data;
	g_autoptr(GError) error = NULL;
	char *document = omacp_message_store_read_document(self->store, msg, &error);

	if (document == NULL)
		g_warning("message/%u: %s", msg->id, error->message);
	return document;
}

void
omacp_objects_add_message(OmacpObjects *self, OmacpDaemonMessage *msg)
{
	g_hash_table_insert(self->messages, GUINT_TO_POINTER(msg->id), msg);
	msg->document_func = read_document;
	msg->document_data = self;
	if (msg->decode_func == NULL && self->decode_func != NULL) {
		msg->decode_func = self->decode_func;
		msg->decode_data = self->decode_data;
	}
	g_signal_connect_after(msg, "state-changed", G_CALLBACK(settled), self);
	/* first: every listener after it finds the record written */
	g_signal_connect(msg, "changed", G_CALLBACK(save_message), self);
	g_signal_connect(msg, "delete-requested", G_CALLBACK(delete_requested), self);
	g_signal_emit(self, signals[SIGNAL_MESSAGE_ADDED], 0, msg);
}

OmacpDaemonMessage *
omacp_objects_new_message(OmacpObjects *self, OmacpFormat format, GError **error)
{
	guint id;
	OmacpDaemonMessage *msg;

	if (!omacp_store_next_message_id(self->store, &id, error))
		return NULL;
	msg = omacp_daemon_message_new(id, format, self->authority);
	omacp_objects_add_message(self, msg);
	return msg;
}

void
omacp_objects_export_message(OmacpObjects *self, OmacpDaemonMessage *msg)
{
	omacp_daemon_message_export(msg, self->server);
}

static void
drop_message(OmacpObjects *self, OmacpDaemonMessage *msg)
{
	g_signal_emit(self, signals[SIGNAL_MESSAGE_REMOVED], 0, msg);
	g_signal_handlers_disconnect_by_data(msg, self);
	omacp_daemon_message_withdraw(msg);
}

void
omacp_objects_forget_message(OmacpObjects *self, OmacpDaemonMessage *msg)
{
	drop_message(self, msg);
	g_hash_table_remove(self->messages, GUINT_TO_POINTER(msg->id));
}

void
omacp_objects_delete_message(OmacpObjects *self, OmacpDaemonMessage *msg)
{
	g_autoptr(GError) error = NULL;
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->profiles);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonProfile *p = value;
		OmacpDBusProfile *i = OMACP_DBUS_PROFILE(p);

		if (g_strcmp0(omacp_dbus_profile_get_message(i), msg->path) == 0) {
			omacp_dbus_profile_set_message(i, "/");
			omacp_daemon_profile_changed(p);
		}
	}
	if (!omacp_store_delete_message(self->store, msg->id, &error))
		g_warning("message/%u: %s", msg->id, error->message);
	g_message("message/%u deleted", msg->id);
	omacp_objects_forget_message(self, msg);
}

/* ---- profiles ---- */

static void
save_profile(OmacpDaemonProfile *profile, OmacpObjects *self)
{
	g_autoptr(GError) error = NULL;

	if (!omacp_message_store_save_profile(self->store, profile, &error))
		g_warning("profile/%u: %s", profile->id, error->message);
}

void
omacp_objects_add_profile(OmacpObjects *self, OmacpDaemonProfile *profile)
{
	g_hash_table_insert(self->profiles, GUINT_TO_POINTER(profile->id), profile);
	g_signal_connect(profile, "changed", G_CALLBACK(save_profile), self);
	g_signal_emit(self, signals[SIGNAL_PROFILE_ADDED], 0, profile);
}

OmacpDaemonProfile *
omacp_objects_new_profile(OmacpObjects *self, GError **error)
{
	guint id;
	OmacpDaemonProfile *profile;

	if (!omacp_store_next_profile_id(self->store, &id, error))
		return NULL;
	profile = omacp_daemon_profile_new(id, self->authority);
	omacp_objects_add_profile(self, profile);
	return profile;
}

void
omacp_objects_export_profile(OmacpObjects *self, OmacpDaemonProfile *profile)
{
	omacp_daemon_profile_export(profile, self->server);
}

void
omacp_objects_delete_profile(OmacpObjects *self, OmacpDaemonProfile *profile)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_strdup(profile->path);
	GHashTableIter iter;
	gpointer value;

	if (!omacp_store_delete_profile(self->store, profile->id, &error))
		g_warning("profile/%u: %s", profile->id, error->message);
	g_signal_handlers_disconnect_by_data(profile, self);
	omacp_daemon_profile_withdraw(profile);
	g_hash_table_remove(self->profiles, GUINT_TO_POINTER(profile->id));
	/* and from every message's Profiles */
	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *msg = value;

		if (omacp_daemon_message_drop_profile(msg, path))
			omacp_daemon_message_changed(msg);
	}
}

static void
disconnect_all(GHashTable *table, gpointer data)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, table);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_signal_handlers_disconnect_by_data(value, data);
}

void
omacp_objects_disconnect(OmacpObjects *self, gpointer data)
{
	g_signal_handlers_disconnect_by_data(self, data);
	disconnect_all(self->messages, data);
	disconnect_all(self->profiles, data);
}

/* ---- life cycle ---- */

OmacpObjectServer *
omacp_objects_server_new(void)
{
	/* OMACP_DBUS_MESSAGE_PREFIX and OMACP_DBUS_PROFILE_PREFIX */
	static const char *const folders[] = { "message", "profile", NULL };

	G_STATIC_ASSERT(sizeof(OMACP_DBUS_MESSAGE_PREFIX) == sizeof(OMACP_DBUS_PATH "/message/"));
	G_STATIC_ASSERT(sizeof(OMACP_DBUS_PROFILE_PREFIX) == sizeof(OMACP_DBUS_PATH "/profile/"));
	return omacp_object_server_new(OMACP_DBUS_PATH, folders);
}

OmacpObjects *
omacp_objects_new(OmacpStore *store, OmacpAuthority *authority, OmacpObjectServer *server)
{
	OmacpObjects *self = g_object_new(OMACP_TYPE_OBJECTS, NULL);

	self->store = store;
	self->authority = authority;
	self->server = g_object_ref(server);
	return self;
}

/* ---- memory handed back after a GetManagedObjects answer ----
 *
 * Answering GetManagedObjects at thousands of objects makes and frees a few
 * megabytes of small GVariants; malloc keeps them resident (9 MB at 1,000
 * messages) unless told to give them back. */

static gint trim_scheduled; /* atomic: a trim waits to run */
static guint trim_serial;   /* atomic: the serial of the last GetManagedObjects call */

static gboolean
trim_cb(gpointer user_data)
{
	g_atomic_int_set(&trim_scheduled, 0);
	malloc_trim(0);
	return G_SOURCE_REMOVE;
}

/* The answer was written and let go of, its body included (in GDBus's
 * worker thread, from the message's finalization). */
static void
answer_gone(gpointer data)
{
	if (g_atomic_int_compare_and_exchange(&trim_scheduled, 0, 1))
		g_idle_add_full(G_PRIORITY_LOW, trim_cb, NULL, NULL);
}

/* Runs in GDBus's worker thread, for every message in and out: touches
 * nothing but the atomics and, once the answer to a GetManagedObjects call
 * is gone, the default main context. */
static GDBusMessage *
trim_filter(GDBusConnection *bus, GDBusMessage *message, gboolean incoming, gpointer user_data)
{
	GDBusMessageType type = g_dbus_message_get_message_type(message);

	if (incoming && type == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
	    g_strcmp0(g_dbus_message_get_member(message), "GetManagedObjects") == 0)
		g_atomic_int_set(&trim_serial, g_dbus_message_get_serial(message));
	else if (!incoming && type == G_DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	         g_dbus_message_get_reply_serial(message) != 0 &&
	         g_dbus_message_get_reply_serial(message) == (guint) g_atomic_int_get(&trim_serial))
		/* qdata goes after the message's own finalization: a weak
		 * reference would run before the body is freed */
		g_object_set_data_full(G_OBJECT(message), "omacp-trim", GUINT_TO_POINTER(1),
		                       answer_gone);
	return message;
}

void
omacp_objects_trim_after_answers(OmacpObjects *self, GDBusConnection *bus)
{
	if (self->bus != NULL)
		return;
	self->bus = g_object_ref(bus);
	self->filter_id = g_dbus_connection_add_filter(bus, trim_filter, NULL, NULL);
	/* what the restore read and let go of */
	malloc_trim(0);
}

static void
omacp_objects_init(OmacpObjects *self)
{
	self->messages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_object_unref);
	self->profiles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_object_unref);
}

static void
omacp_objects_dispose(GObject *object)
{
	OmacpObjects *self = OMACP_OBJECTS(object);
	GHashTableIter iter;
	gpointer value;

	if (self->messages != NULL) {
		disconnect_all(self->messages, self);
		g_hash_table_iter_init(&iter, self->messages);
		while (g_hash_table_iter_next(&iter, NULL, &value))
			omacp_daemon_message_withdraw(value);
	}
	if (self->profiles != NULL) {
		disconnect_all(self->profiles, self);
		g_hash_table_iter_init(&iter, self->profiles);
		while (g_hash_table_iter_next(&iter, NULL, &value))
			omacp_daemon_profile_withdraw(value);
	}
	g_clear_pointer(&self->messages, g_hash_table_unref);
	g_clear_pointer(&self->profiles, g_hash_table_unref);
	g_clear_object(&self->server);
	g_clear_handle_id(&self->settled_source, g_source_remove);
	g_clear_pointer(&self->settled, g_ptr_array_unref);
	if (self->bus != NULL)
		g_dbus_connection_remove_filter(self->bus, self->filter_id);
	g_clear_object(&self->bus);
	G_OBJECT_CLASS(omacp_objects_parent_class)->dispose(object);
}

static void
omacp_objects_class_init(OmacpObjectsClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = omacp_objects_dispose;

	signals[SIGNAL_MESSAGE_ADDED] =
	        g_signal_new("message-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                     NULL, NULL, G_TYPE_NONE, 1, OMACP_TYPE_DAEMON_MESSAGE);
	signals[SIGNAL_MESSAGE_REMOVED] =
	        g_signal_new("message-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
	                     NULL, NULL, NULL, G_TYPE_NONE, 1, OMACP_TYPE_DAEMON_MESSAGE);
	signals[SIGNAL_PROFILE_ADDED] =
	        g_signal_new("profile-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                     NULL, NULL, G_TYPE_NONE, 1, OMACP_TYPE_DAEMON_PROFILE);
}
