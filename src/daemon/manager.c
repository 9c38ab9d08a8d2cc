/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "manager.h"

#include "mask.h"
#include "omacp-dbus-generated.h"
#include "omacp.h"
#include "polkit.h"

#define STATE_RECEIVING            "receiving"
#define STATE_PENDING_PIN          "pending-pin"
#define STATE_PENDING_CONFIRMATION "pending-confirmation"
#define STATE_QUARANTINED          "quarantined"
#define STATE_ACCEPTED             "accepted"
#define STATE_APPLIED              "applied"
#define STATE_REJECTED             "rejected"
#define STATE_FAILED               "failed"
#define STATE_UNDONE               "undone"

#define RATE_WINDOW_US (G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)
#define META_GROUP     "Message"
#define PROFILE_GROUP  "Profile"

typedef struct _Msg Msg;
typedef struct _Prof Prof;
typedef struct _Agent Agent;

struct _OmacpManager {
	GDBusConnection *bus;
	gboolean session_mode;
	OmacpConfig *config;
	OmacpStore *store;
	GCancellable *cancellable;

	GDBusObjectManagerServer *server;
	OmacpDBusManager *iface;

	GHashTable *messages;  /* guint id → Msg * */
	GHashTable *profiles;  /* guint id → Prof * */
	GHashTable *receiving; /* guint64 reassembly message id → Msg * (not owned) */
	OmacpReassembler *reassembler;
	guint expiry_source;

	GHashTable *rate_senders; /* char * → GArray of gint64 */
	GHashTable *rate_modems;

	/* the Statistics property: counters since the start */
	guint64 n_delivered;          /* inputs that returned a message */
	guint64 n_refused;            /* inputs that failed, any error */
	guint64 n_rate_limited;       /* of those: RateLimited */
	guint64 n_incomplete_evicted; /* incomplete messages dropped for the reassembly caps */
	guint64 n_incomplete_expired; /* incomplete messages that timed out (→ failed) */
	guint64 n_store_evicted;      /* stored messages dropped for MaxStoredMessages */

	GPtrArray *agents; /* Agent *, the most recent last */

	OmacpApplier *applier;
	OmacpAdapters *adapters;

	/* applying profiles on backends that appeared after them, one at a time */
	gboolean catch_up_running;
	GHashTable *catch_up_failed; /* profile ids not retried until a backend appears */

	/* QueuedApply *: messages whose profiles another apply holds (one apply
	 * per profile at a time), in the order they were accepted */
	GQueue apply_queue;
};

struct _Msg {
	OmacpManager *mgr;
	guint id;
	char *path;
	gboolean exported;
	OmacpDBusObjectSkeleton *object;
	OmacpDBusMessage *iface;

	char *format; /* the input format: "sms", "tpdu", "ud", "wsp", "wbxml", "xml" */
	guint n_inputs;
	GArray *input_times; /* gint64, one per stored input */
	gint64 last_input_us;
	char *fingerprint; /* replay fingerprint, NULL while receiving */
	char *imsi;        /* the SIM, NULL when unknown; D-Bus shows it masked */
	GVariant *undo;    /* aa{sv}, NULL when nothing to undo */

	gboolean receiving;
	guint64 reassembly_id;

	OmacpMessage *decoded;     /* NULL while receiving or when undecodable */
	gboolean busy;             /* applying or undoing, or queued to apply */
	gboolean backend_appeared; /* a backend appeared while it was applying */
	gboolean agent_declined;
	GCancellable *agent_request; /* an agent is being asked */
};

struct _Prof {
	OmacpManager *mgr;
	guint id;
	char *path;
	OmacpDBusObjectSkeleton *object;
	OmacpDBusProfile *iface;
	char *imsi;    /* the SIM, NULL when unknown; D-Bus shows it masked */
	gboolean busy; /* an apply or a catch-up is writing it to the backends */
};

struct _Agent {
	OmacpManager *mgr;
	char *owner;
	char *path;
	guint watch;
	gboolean busy;
};

static void settle_message(OmacpManager *self, Msg *msg, OmacpMessage *decoded);
static void start_apply(OmacpManager *self, Msg *msg, GDBusMethodInvocation *invocation,
                        gboolean user_confirmed);
static void catch_up(OmacpManager *self);
static void run_apply_queue(OmacpManager *self);
static gint compare_msg_id(gconstpointer a, gconstpointer b);
static void provision_ofono(OmacpManager *self, const char *imsi);
static void agents_kick(OmacpManager *self);
static void publish_statistics(OmacpManager *self);
static void cancel_agent_request(OmacpManager *self, Msg *msg);

/* ---- helpers ---- */

static GError *
to_omacp_error(const GError *error)
{
	if (error->domain == OMACP_ERROR)
		return g_error_copy(error);
	return g_error_new(OMACP_ERROR, OMACP_ERROR_FAILED, "%s", error->message);
}

static void
return_error(GDBusMethodInvocation *invocation, const GError *error)
{
	g_autoptr(GError) e = to_omacp_error(error);

	g_dbus_method_invocation_return_gerror(invocation, e);
}

static GVariant *
empty_changes(void)
{
	return g_variant_new("aa{sv}", NULL);
}

static const char *
str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static char *
variant_to_text(GVariant *v)
{
	if (v == NULL)
		return g_strdup("");
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(v);

		return variant_to_text(inner);
	}
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
	    g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH))
		return g_variant_dup_string(v, NULL);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(v) ? "true" : "false");
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const char **strv = g_variant_get_strv(v, NULL);

		return g_strjoinv(", ", (char **) strv);
	}
	return g_variant_print(v, FALSE);
}

static char *
fingerprint_of(GBytes *body, const char *imsi)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(body, &len);

	g_checksum_update(sum, data, len);
	g_checksum_update(sum, (const guchar *) "", 1);
	if (imsi != NULL)
		g_checksum_update(sum, (const guchar *) imsi, strlen(imsi));
	return g_strdup(g_checksum_get_string(sum));
}

static gboolean
state_is(Msg *msg, const char *state)
{
	return g_strcmp0(omacp_dbus_message_get_state(msg->iface), state) == 0;
}

static gboolean
id_from_path(const char *path, const char *prefix, guint *out)
{
	guint64 value = 0;

	if (path == NULL || !g_str_has_prefix(path, prefix))
		return FALSE;
	if (!g_ascii_string_to_unsigned(path + strlen(prefix), 10, 1, G_MAXUINT, &value, NULL))
		return FALSE;
	*out = (guint) value;
	return TRUE;
}

/* ---- objects ---- */

/* Keeps @imsi ("" counts as unknown) in *@slot and returns what D-Bus shows
 * of it: the IMSI is the NETWPIN key and every local user may read the
 * objects, so only the operator (MCC+MNC) and the last two digits. */
static char *
keep_imsi(char **slot, const char *imsi)
{
	if (imsi != NULL && imsi[0] == '\0')
		imsi = NULL;
	if (g_strcmp0(*slot, imsi) != 0) {
		g_free(*slot);
		*slot = g_strdup(imsi);
	}
	return omacp_mask_imsi(imsi);
}

static void
msg_set_imsi(Msg *msg, const char *imsi)
{
	g_autofree char *shown = keep_imsi(&msg->imsi, imsi);

	omacp_dbus_message_set_imsi(msg->iface, shown);
}

static void
prof_set_imsi(Prof *p, const char *imsi)
{
	g_autofree char *shown = keep_imsi(&p->imsi, imsi);

	omacp_dbus_profile_set_imsi(p->iface, shown);
}

static void
msg_free(Msg *msg)
{
	if (msg->agent_request != NULL)
		g_cancellable_cancel(msg->agent_request);
	g_clear_object(&msg->agent_request);
	if (msg->exported)
		g_dbus_object_manager_server_unexport(msg->mgr->server, msg->path);
	g_signal_handlers_disconnect_by_data(msg->iface, msg);
	g_clear_object(&msg->iface);
	g_clear_object(&msg->object);
	g_free(msg->path);
	g_free(msg->format);
	g_clear_pointer(&msg->input_times, g_array_unref);
	g_free(msg->fingerprint);
	g_free(msg->imsi);
	g_clear_pointer(&msg->undo, g_variant_unref);
	g_clear_pointer(&msg->decoded, omacp_message_free);
	g_free(msg);
}

static void
prof_free(Prof *prof)
{
	g_dbus_object_manager_server_unexport(prof->mgr->server, prof->path);
	g_signal_handlers_disconnect_by_data(prof->iface, prof);
	g_clear_object(&prof->iface);
	g_clear_object(&prof->object);
	g_free(prof->path);
	g_free(prof->imsi);
	g_free(prof);
}

static void
agent_free(Agent *agent)
{
	if (agent->watch != 0)
		g_bus_unwatch_name(agent->watch);
	g_free(agent->owner);
	g_free(agent->path);
	g_free(agent);
}

static Msg *
lookup_message(OmacpManager *self, guint id)
{
	return g_hash_table_lookup(self->messages, GUINT_TO_POINTER(id));
}

static Prof *
lookup_profile(OmacpManager *self, guint id)
{
	return g_hash_table_lookup(self->profiles, GUINT_TO_POINTER(id));
}

static Prof *
find_profile(OmacpManager *self, const char *identity, const char *imsi)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->profiles);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Prof *p = value;

		if (g_strcmp0(omacp_dbus_profile_get_identity(p->iface), identity) == 0 &&
		    g_strcmp0(p->imsi, str_or_null(imsi)) == 0)
			return p;
	}
	return NULL;
}

/* ---- persistence ---- */

static void
save_message(OmacpManager *self, Msg *msg)
{
	OmacpDBusMessage *m = msg->iface;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint));
	const char *const *profiles = omacp_dbus_message_get_profiles(m);
	const char *const *warnings = omacp_dbus_message_get_warnings(m);
	g_autofree char *changes = g_variant_print(omacp_dbus_message_get_changes(m), TRUE);

	g_key_file_set_uint64(kf, META_GROUP, "Id", msg->id);
	g_key_file_set_string(kf, META_GROUP, "State", omacp_dbus_message_get_state(m));
	g_key_file_set_string(kf, META_GROUP, "Format", msg->format);
	g_key_file_set_string(kf, META_GROUP, "Security", omacp_dbus_message_get_security(m));
	g_key_file_set_boolean(kf, META_GROUP, "Authenticated",
	                       omacp_dbus_message_get_authenticated(m));
	g_key_file_set_string(kf, META_GROUP, "Sender", omacp_dbus_message_get_sender(m));
	g_key_file_set_string(kf, META_GROUP, "Imsi", msg->imsi ? msg->imsi : "");
	g_key_file_set_string(kf, META_GROUP, "Modem", omacp_dbus_message_get_modem(m));
	g_key_file_set_uint64(kf, META_GROUP, "ReceivedAt", omacp_dbus_message_get_received_at(m));
	g_key_file_set_string(kf, META_GROUP, "ContentType",
	                      omacp_dbus_message_get_content_type(m));
	g_key_file_set_string(kf, META_GROUP, "Error", omacp_dbus_message_get_error(m));
	g_key_file_set_uint64(kf, META_GROUP, "PinAttemptsLeft",
	                      omacp_dbus_message_get_pin_attempts_left(m));
	g_key_file_set_uint64(kf, META_GROUP, "SegmentsReceived",
	                      omacp_dbus_message_get_segments_received(m));
	g_key_file_set_uint64(kf, META_GROUP, "SegmentsTotal",
	                      omacp_dbus_message_get_segments_total(m));
	for (guint i = 0; profiles != NULL && profiles[i] != NULL; i++) {
		guint id;

		if (id_from_path(profiles[i], OMACP_DBUS_PROFILE_PREFIX, &id)) {
			gint v = (gint) id;

			g_array_append_val(ids, v);
		}
	}
	if (ids->len > 0)
		g_key_file_set_integer_list(kf, META_GROUP, "Profiles", (gint *) ids->data,
		                            ids->len);
	g_key_file_set_string(kf, META_GROUP, "Changes", changes);
	g_key_file_set_string_list(kf, META_GROUP, "Warnings", warnings,
	                           warnings ? g_strv_length((char **) warnings) : 0);
	g_key_file_set_uint64(kf, META_GROUP, "Inputs", msg->n_inputs);
	if (msg->input_times->len > 0) {
		g_autoptr(GPtrArray) times = g_ptr_array_new_with_free_func(g_free);

		for (guint i = 0; i < msg->input_times->len; i++)
			g_ptr_array_add(
			        times, g_strdup_printf("%" G_GINT64_FORMAT,
			                               g_array_index(msg->input_times, gint64, i)));
		g_key_file_set_string_list(kf, META_GROUP, "InputTimes",
		                           (const char *const *) times->pdata, times->len);
	}
	if (msg->fingerprint != NULL)
		g_key_file_set_string(kf, META_GROUP, "Fingerprint", msg->fingerprint);
	if (msg->undo != NULL) {
		g_autofree char *undo = g_variant_print(msg->undo, TRUE);

		g_key_file_set_string(kf, META_GROUP, "Undo", undo);
	}
	if (!omacp_store_save_message_meta(self->store, msg->id, kf, &error))
		g_warning("message/%u: %s", msg->id, error->message);
}

static GVariant *
profile_snapshot(Prof *p)
{
	OmacpDBusProfile *i = p->iface;
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "Kind", "s", omacp_dbus_profile_get_kind(i));
	g_variant_dict_insert(&d, "Identity", "s", omacp_dbus_profile_get_identity(i));
	g_variant_dict_insert(&d, "Name", "s", omacp_dbus_profile_get_name(i));
	g_variant_dict_insert(&d, "Imsi", "s", p->imsi ? p->imsi : "");
	g_variant_dict_insert_value(&d, "Settings", omacp_dbus_profile_get_settings(i));
	g_variant_dict_insert_value(&d, "Risks",
	                            g_variant_new_strv(omacp_dbus_profile_get_risks(i), -1));
	g_variant_dict_insert(&d, "Message", "o", omacp_dbus_profile_get_message(i));
	g_variant_dict_insert_value(&d, "Targets", omacp_dbus_profile_get_targets(i));
	g_variant_dict_insert(&d, "CreatedAt", "t", omacp_dbus_profile_get_created_at(i));
	g_variant_dict_insert(&d, "UpdatedAt", "t", omacp_dbus_profile_get_updated_at(i));
	return g_variant_dict_end(&d);
}

static void
save_profile(OmacpManager *self, Prof *p)
{
	OmacpDBusProfile *i = p->iface;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *settings = g_variant_print(omacp_dbus_profile_get_settings(i), TRUE);
	g_autofree char *targets = g_variant_print(omacp_dbus_profile_get_targets(i), TRUE);
	const char *const *risks = omacp_dbus_profile_get_risks(i);

	g_key_file_set_uint64(kf, PROFILE_GROUP, "Id", p->id);
	g_key_file_set_string(kf, PROFILE_GROUP, "Kind", omacp_dbus_profile_get_kind(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Identity", omacp_dbus_profile_get_identity(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Name", omacp_dbus_profile_get_name(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Imsi", p->imsi ? p->imsi : "");
	g_key_file_set_string(kf, PROFILE_GROUP, "Settings", settings);
	g_key_file_set_string_list(kf, PROFILE_GROUP, "Risks", risks,
	                           risks ? g_strv_length((char **) risks) : 0);
	g_key_file_set_string(kf, PROFILE_GROUP, "Message", omacp_dbus_profile_get_message(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Targets", targets);
	g_key_file_set_uint64(kf, PROFILE_GROUP, "CreatedAt", omacp_dbus_profile_get_created_at(i));
	g_key_file_set_uint64(kf, PROFILE_GROUP, "UpdatedAt", omacp_dbus_profile_get_updated_at(i));
	if (!omacp_store_save_profile(self->store, p->id, kf, &error))
		g_warning("profile/%u: %s", p->id, error->message);
}

/* ---- message objects ---- */

static gboolean handle_accept(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation,
                              const char *pin, Msg *msg);
static gboolean handle_reject(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, Msg *msg);
static gboolean handle_delete(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, Msg *msg);
static gboolean handle_undo(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, Msg *msg);
static gboolean handle_remove(OmacpDBusProfile *iface, GDBusMethodInvocation *invocation,
                              Prof *prof);

static Msg *
msg_new(OmacpManager *self, guint id, const char *format)
{
	Msg *msg = g_new0(Msg, 1);
	const char *empty[] = { NULL };

	msg->mgr = self;
	msg->id = id;
	msg->path = g_strdup_printf(OMACP_DBUS_MESSAGE_PREFIX "%u", id);
	msg->format = g_strdup(format);
	msg->input_times = g_array_new(FALSE, FALSE, sizeof(gint64));
	msg->object = omacp_dbus_object_skeleton_new(msg->path);
	msg->iface = omacp_dbus_message_skeleton_new();
	omacp_dbus_message_set_state(msg->iface, STATE_RECEIVING);
	omacp_dbus_message_set_security(msg->iface, "");
	omacp_dbus_message_set_sender(msg->iface, "");
	msg_set_imsi(msg, NULL);
	omacp_dbus_message_set_modem(msg->iface, "");
	omacp_dbus_message_set_content_type(msg->iface, "");
	omacp_dbus_message_set_document(msg->iface, "");
	omacp_dbus_message_set_changes(msg->iface, empty_changes());
	omacp_dbus_message_set_warnings(msg->iface, empty);
	omacp_dbus_message_set_error(msg->iface, "");
	omacp_dbus_message_set_profiles(msg->iface, empty);
	g_signal_connect(msg->iface, "handle-accept", G_CALLBACK(handle_accept), msg);
	g_signal_connect(msg->iface, "handle-reject", G_CALLBACK(handle_reject), msg);
	g_signal_connect(msg->iface, "handle-delete", G_CALLBACK(handle_delete), msg);
	g_signal_connect(msg->iface, "handle-undo", G_CALLBACK(handle_undo), msg);
	omacp_dbus_object_skeleton_set_message(msg->object, msg->iface);
	g_hash_table_insert(self->messages, GUINT_TO_POINTER(id), msg);
	return msg;
}

static void
msg_export(OmacpManager *self, Msg *msg)
{
	if (msg->exported)
		return;
	g_dbus_object_manager_server_export(self->server, G_DBUS_OBJECT_SKELETON(msg->object));
	msg->exported = TRUE;
}

static void
msg_forget(OmacpManager *self, Msg *msg)
{
	if (msg->receiving)
		g_hash_table_remove(self->receiving, &msg->reassembly_id);
	g_hash_table_remove(self->messages, GUINT_TO_POINTER(msg->id));
}

static Prof *
prof_new(OmacpManager *self, guint id)
{
	Prof *p = g_new0(Prof, 1);
	const char *empty[] = { NULL };

	p->mgr = self;
	p->id = id;
	p->path = g_strdup_printf(OMACP_DBUS_PROFILE_PREFIX "%u", id);
	p->object = omacp_dbus_object_skeleton_new(p->path);
	p->iface = omacp_dbus_profile_skeleton_new();
	omacp_dbus_profile_set_kind(p->iface, "");
	omacp_dbus_profile_set_identity(p->iface, "");
	omacp_dbus_profile_set_name(p->iface, "");
	prof_set_imsi(p, NULL);
	omacp_dbus_profile_set_settings(p->iface, g_variant_new("a{sv}", NULL));
	omacp_dbus_profile_set_risks(p->iface, empty);
	omacp_dbus_profile_set_message(p->iface, "/");
	omacp_dbus_profile_set_targets(p->iface, g_variant_new("a(ss)", NULL));
	g_signal_connect(p->iface, "handle-remove", G_CALLBACK(handle_remove), p);
	omacp_dbus_object_skeleton_set_profile(p->object, p->iface);
	g_hash_table_insert(self->profiles, GUINT_TO_POINTER(id), p);
	return p;
}

static void
prof_export(OmacpManager *self, Prof *p)
{
	g_dbus_object_manager_server_export(self->server, G_DBUS_OBJECT_SKELETON(p->object));
}

static void
prof_set_from_snapshot(Prof *p, GVariant *snapshot)
{
	GVariantDict d;
	const char *s = NULL;
	guint64 t = 0;
	g_autoptr(GVariant) settings = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_autofree const char **risks = NULL;

	g_variant_dict_init(&d, snapshot);
	if (g_variant_dict_lookup(&d, "Kind", "&s", &s))
		omacp_dbus_profile_set_kind(p->iface, s);
	if (g_variant_dict_lookup(&d, "Identity", "&s", &s))
		omacp_dbus_profile_set_identity(p->iface, s);
	if (g_variant_dict_lookup(&d, "Name", "&s", &s))
		omacp_dbus_profile_set_name(p->iface, s);
	if (g_variant_dict_lookup(&d, "Imsi", "&s", &s))
		prof_set_imsi(p, s);
	settings = g_variant_dict_lookup_value(&d, "Settings", G_VARIANT_TYPE("a{sv}"));
	if (settings != NULL)
		omacp_dbus_profile_set_settings(p->iface, settings);
	if (g_variant_dict_lookup(&d, "Risks", "^a&s", &risks))
		omacp_dbus_profile_set_risks(p->iface, risks);
	if (g_variant_dict_lookup(&d, "Message", "&o", &s))
		omacp_dbus_profile_set_message(p->iface, s);
	targets = g_variant_dict_lookup_value(&d, "Targets", G_VARIANT_TYPE("a(ss)"));
	if (targets != NULL)
		omacp_dbus_profile_set_targets(p->iface, targets);
	if (g_variant_dict_lookup(&d, "CreatedAt", "t", &t))
		omacp_dbus_profile_set_created_at(p->iface, t);
	if (g_variant_dict_lookup(&d, "UpdatedAt", "t", &t))
		omacp_dbus_profile_set_updated_at(p->iface, t);
	g_variant_dict_clear(&d);
}

static void
msg_set_profiles(Msg *msg, GPtrArray *paths)
{
	g_ptr_array_add(paths, NULL);
	omacp_dbus_message_set_profiles(msg->iface, (const char *const *) paths->pdata);
	g_ptr_array_remove_index(paths, paths->len - 1);
}

static void
msg_add_profile(Msg *msg, const char *path)
{
	const char *const *cur = omacp_dbus_message_get_profiles(msg->iface);
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; cur != NULL && cur[i] != NULL; i++) {
		if (g_strcmp0(cur[i], path) == 0)
			return;
		g_ptr_array_add(paths, g_strdup(cur[i]));
	}
	g_ptr_array_add(paths, g_strdup(path));
	msg_set_profiles(msg, paths);
}

/* Drops @path from every message's Profiles and points profiles of a deleted
 * message to "/". */
static void
forget_profile_everywhere(OmacpManager *self, const char *path)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *msg = value;
		const char *const *cur = omacp_dbus_message_get_profiles(msg->iface);
		g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
		gboolean found = FALSE;

		for (guint i = 0; cur != NULL && cur[i] != NULL; i++) {
			if (g_strcmp0(cur[i], path) == 0)
				found = TRUE;
			else
				g_ptr_array_add(paths, g_strdup(cur[i]));
		}
		if (!found)
			continue;
		msg_set_profiles(msg, paths);
		save_message(self, msg);
	}
}

static void
set_state(OmacpManager *self, Msg *msg, const char *state, const char *error)
{
	g_autofree char *sender = omacp_mask_number(omacp_dbus_message_get_sender(msg->iface));

	if (!state_is(msg, state))
		g_message("message/%u from %s: %s → %s%s%s", msg->id, sender,
		          omacp_dbus_message_get_state(msg->iface), state, error ? ": " : "",
		          error ? error : "");
	omacp_dbus_message_set_state(msg->iface, state);
	if (error != NULL)
		omacp_dbus_message_set_error(msg->iface, error);
	save_message(self, msg);
}

/* ---- decoding ---- */

static gboolean
decode_complete(OmacpManager *self, const char *format, GBytes *data, const char *imsi,
                OmacpMessage **out, GError **error)
{
	g_autoptr(GPtrArray) imsis = NULL;
	g_autoptr(GPtrArray) inputs = g_ptr_array_new();
	OmacpKeys keys = { NULL, NULL };
	OmacpFormat f;

	if (imsi != NULL) {
		imsis = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(imsis, g_strdup(imsi));
	} else if (self->adapters != NULL) {
		imsis = omacp_adapters_get_imsis(self->adapters);
	}
	keys.imsis = imsis;
	if (!omacp_format_from_string(format, &f)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: unknown format '%s'",
		            format);
		return FALSE;
	}
	if (omacp_format_is_segmented(f) || f == OMACP_FORMAT_WSP)
		return omacp_message_decode_push(data, &keys, out, error);
	g_ptr_array_add(inputs, data);
	return omacp_message_decode(f, inputs, &keys, out, error);
}

static gboolean
check_provisioning(OmacpMessage *decoded, GError **error)
{
	if (decoded->doc != NULL)
		return TRUE;
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_PUSH,
	            "deliver: a %s push (%s) is not a provisioning document",
	            omacp_push_kind_to_string(decoded->kind),
	            decoded->content_type ? decoded->content_type : "no content type");
	return FALSE;
}

/* ---- changes ---- */

static void
add_change(GVariantBuilder *b, const OmacpProfile *p, const char *field, const char *old_value,
           const char *new_value, const char *risk)
{
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "profile", "s", p->identity);
	g_variant_dict_insert(&d, "kind", "s", omacp_profile_kind_to_string(p->kind));
	g_variant_dict_insert(&d, "field", "s", field);
	g_variant_dict_insert(&d, "old", "s", old_value);
	g_variant_dict_insert(&d, "new", "s", new_value);
	g_variant_dict_insert(&d, "risk", "s", risk);
	g_variant_builder_add_value(b, g_variant_dict_end(&d));
}

static char *
risks_for_field(const OmacpProfile *p, const char *field, GHashTable *used)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *needle = g_ascii_strdown(field, -1);

	for (guint i = 0; p->risks != NULL && i < p->risks->len; i++) {
		const char *risk = g_ptr_array_index(p->risks, i);
		g_autofree char *lower = g_ascii_strdown(risk, -1);

		if (strstr(lower, needle) == NULL)
			continue;
		g_string_append_printf(s, "%s%s", s->len ? "; " : "", risk);
		g_hash_table_add(used, (gpointer) risk);
	}
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
profile_changes(OmacpManager *self, const OmacpProfile *p, GVariantBuilder *b)
{
	Prof *existing = find_profile(self, p->identity, p->imsi);
	g_autoptr(GHashTable) keys = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	GVariant *old_settings = existing ? omacp_dbus_profile_get_settings(existing->iface) : NULL;
	GVariantDict old_d;
	GVariantDict new_d;
	GVariantIter iter;
	const char *key;
	guint before = 0;
	g_autoptr(GString) unused = g_string_new(NULL);
	gboolean removing = p->op == OMACP_OP_REMOVE;
	gboolean any = FALSE;

	g_variant_dict_init(&old_d, old_settings);
	g_variant_dict_init(&new_d, removing ? NULL : p->settings);
	if (!removing && p->settings != NULL) {
		g_variant_iter_init(&iter, p->settings);
		while (g_variant_iter_next(&iter, "{&sv}", &key, NULL)) {
			if (g_hash_table_add(keys, (gpointer) key))
				g_ptr_array_add(order, (gpointer) key);
		}
	}
	if (old_settings != NULL) {
		g_variant_iter_init(&iter, old_settings);
		while (g_variant_iter_next(&iter, "{&sv}", &key, NULL)) {
			if (g_hash_table_add(keys, (gpointer) key))
				g_ptr_array_add(order, (gpointer) key);
		}
	}
	(void) before;
	if (!removing) {
		const char *old_name = existing ? omacp_dbus_profile_get_name(existing->iface) : "";

		if (g_strcmp0(old_name, p->name) != 0) {
			g_autofree char *risk = risks_for_field(p, "name", used);

			add_change(b, p, "name", old_name, p->name ? p->name : "", risk);
			any = TRUE;
		}
	}
	for (guint i = 0; i < order->len; i++) {
		const char *field = g_ptr_array_index(order, i);
		g_autoptr(GVariant) o = g_variant_dict_lookup_value(&old_d, field, NULL);
		g_autoptr(GVariant) n = g_variant_dict_lookup_value(&new_d, field, NULL);
		g_autofree char *old_text = variant_to_text(o);
		g_autofree char *new_text = variant_to_text(n);
		g_autofree char *risk = NULL;

		if (o != NULL && n != NULL && g_variant_equal(o, n))
			continue;
		risk = risks_for_field(p, field, used);
		add_change(b, p, field, old_text, new_text, risk);
		any = TRUE;
	}
	/* risks that name no field go with the profile as a whole */
	for (guint i = 0; p->risks != NULL && i < p->risks->len; i++) {
		const char *risk = g_ptr_array_index(p->risks, i);

		if (!g_hash_table_contains(used, risk))
			g_string_append_printf(unused, "%s%s", unused->len ? "; " : "", risk);
	}
	if (unused->len > 0 && (any || existing == NULL || !removing))
		add_change(b, p, "", "", "", unused->str);
	g_variant_dict_clear(&old_d);
	g_variant_dict_clear(&new_d);

	if (!removing && self->applier != NULL) {
		g_autoptr(GVariant) preview = omacp_applier_preview(
		        self->applier, p,
		        existing ? omacp_dbus_profile_get_targets(existing->iface) : NULL);

		if (preview != NULL) {
			GVariant *entry;

			g_variant_iter_init(&iter, preview);
			while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
				GVariantDict d;
				const char *field = "";
				const char *o = "";
				const char *n = "";
				const char *risk = "";

				g_variant_dict_init(&d, entry);
				g_variant_dict_lookup(&d, "field", "&s", &field);
				g_variant_dict_lookup(&d, "old", "&s", &o);
				g_variant_dict_lookup(&d, "new", "&s", &n);
				g_variant_dict_lookup(&d, "risk", "&s", &risk);
				add_change(b, p, field, o, n, risk);
				g_variant_dict_clear(&d);
				g_variant_unref(entry);
			}
		}
	}
}

static void
update_changes(OmacpManager *self, Msg *msg)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; msg->decoded != NULL && i < msg->decoded->profiles->len; i++)
		profile_changes(self, g_ptr_array_index(msg->decoded->profiles, i), &b);
	omacp_dbus_message_set_changes(msg->iface, g_variant_builder_end(&b));
}

/* Profiles that are never applied without a user looking at them. */
static gboolean
needs_a_look(OmacpMessage *decoded)
{
	for (guint i = 0; i < decoded->profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(decoded->profiles, i);
		GVariantDict d;
		gboolean proxy;

		if (p->risks != NULL && p->risks->len > 0)
			return TRUE;
		switch (p->kind) {
		case OMACP_PROFILE_DM:
		case OMACP_PROFILE_BOOTSTRAP:
			return TRUE;
		case OMACP_PROFILE_INTERNET:
		case OMACP_PROFILE_MMS:
		case OMACP_PROFILE_WLAN:
		case OMACP_PROFILE_BROWSER:
		case OMACP_PROFILE_EMAIL:
		case OMACP_PROFILE_DS:
		case OMACP_PROFILE_OTHER:
			break;
		}
		g_variant_dict_init(&d, p->settings);
		proxy = g_variant_dict_contains(&d, "proxy") ||
		        g_variant_dict_contains(&d, "certificate") ||
		        g_variant_dict_contains(&d, "ca-certificate");
		g_variant_dict_clear(&d);
		if (proxy)
			return TRUE;
	}
	return FALSE;
}

/* ---- rate limits and store capacity ---- */

static guint
rate_count(GHashTable *table, const char *key, gint64 now)
{
	GArray *times = g_hash_table_lookup(table, key);
	guint kept = 0;

	if (times == NULL)
		return 0;
	for (guint i = 0; i < times->len; i++) {
		gint64 t = g_array_index(times, gint64, i);

		if (t > now - RATE_WINDOW_US)
			g_array_index(times, gint64, kept++) = t;
	}
	g_array_set_size(times, kept);
	return kept;
}

/* Makes room for one more key in a rate table: forgets every key with no
 * time left in the window, and when all are recent, the key whose latest
 * message is oldest. Its count restarts, which costs nothing that a sender
 * could not get by changing its (spoofable) address anyway; the per-modem
 * limit stays the real bound. */
static void
rate_make_room(GHashTable *table, gint64 now)
{
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	char *oldest = NULL;
	gint64 oldest_time = G_MAXINT64;

	g_hash_table_iter_init(&iter, table);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		GArray *times = value;
		gint64 last = times->len > 0 ? g_array_index(times, gint64, times->len - 1) : 0;

		if (last <= now - RATE_WINDOW_US) {
			g_hash_table_iter_remove(&iter);
			continue;
		}
		if (last < oldest_time) {
			oldest_time = last;
			oldest = key;
		}
	}
	if (g_hash_table_size(table) >= OMACP_MANAGER_MAX_RATE_KEYS && oldest != NULL)
		g_hash_table_remove(table, oldest);
}

static void
rate_record(GHashTable *table, const char *key, guint limit, gint64 now)
{
	GArray *times;

	if (limit == 0)
		return;
	times = g_hash_table_lookup(table, key);
	if (times == NULL) {
		if (g_hash_table_size(table) >= OMACP_MANAGER_MAX_RATE_KEYS)
			rate_make_room(table, now);
		times = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(table, g_strdup(key), times);
	}
	g_array_append_val(times, now);
}

static void delete_message(OmacpManager *self, Msg *msg);

static gint
evict_rank(Msg *msg)
{
	const char *state = omacp_dbus_message_get_state(msg->iface);

	if (msg->busy || msg->receiving)
		return -1;
	if (g_str_equal(state, STATE_REJECTED) || g_str_equal(state, STATE_FAILED) ||
	    g_str_equal(state, STATE_UNDONE) || g_str_equal(state, STATE_APPLIED))
		return 0;
	if (g_str_equal(state, STATE_QUARANTINED))
		return 1;
	return -1;
}

static gboolean
make_room(OmacpManager *self, GError **error)
{
	while (g_hash_table_size(self->messages) >= self->config->max_stored_messages) {
		GHashTableIter iter;
		gpointer value;
		Msg *victim = NULL;
		gint victim_rank = G_MAXINT;

		g_hash_table_iter_init(&iter, self->messages);
		while (g_hash_table_iter_next(&iter, NULL, &value)) {
			Msg *m = value;
			gint rank = evict_rank(m);

			if (rank < 0)
				continue;
			if (victim == NULL || rank < victim_rank ||
			    (rank == victim_rank && m->id < victim->id)) {
				victim = m;
				victim_rank = rank;
			}
		}
		if (victim == NULL) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
			            "deliver: the store holds %u messages (MaxStoredMessages) "
			            "and all of them wait for a decision",
			            g_hash_table_size(self->messages));
			return FALSE;
		}
		g_message("store full: dropping message/%u (%s)", victim->id,
		          omacp_dbus_message_get_state(victim->iface));
		self->n_store_evicted++;
		delete_message(self, victim);
	}
	return TRUE;
}

/* Whether @sender and @modem (either may be NULL) are under their hourly
 * limits; records nothing. */
static gboolean
rate_check(OmacpManager *self, const char *sender, const char *modem, gint64 now, GError **error)
{
	OmacpConfig *c = self->config;

	if (sender != NULL && c->max_per_sender_per_hour > 0 &&
	    rate_count(self->rate_senders, sender, now) >= c->max_per_sender_per_hour) {
		g_autofree char *masked = omacp_mask_number(sender);

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED,
		            "deliver: sender %s sent %u messages in the last hour "
		            "(MaxMessagesPerSenderPerHour)",
		            masked, c->max_per_sender_per_hour);
		g_message("%s", (*error)->message);
		return FALSE;
	}
	if (modem != NULL && c->max_per_modem_per_hour > 0 &&
	    rate_count(self->rate_modems, modem, now) >= c->max_per_modem_per_hour) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED,
		            "deliver: modem %s received %u messages in the last hour "
		            "(MaxMessagesPerModemPerHour)",
		            modem, c->max_per_modem_per_hour);
		g_message("%s", (*error)->message);
		return FALSE;
	}
	return TRUE;
}

/* Admits one more message from @sender on @modem (either may be NULL). */
static gboolean
admit(OmacpManager *self, const char *sender, const char *modem, gint64 now, GError **error)
{
	OmacpConfig *c = self->config;

	if (!rate_check(self, sender, modem, now, error) || !make_room(self, error))
		return FALSE;
	if (sender != NULL)
		rate_record(self->rate_senders, sender, c->max_per_sender_per_hour, now);
	if (modem != NULL)
		rate_record(self->rate_modems, modem, c->max_per_modem_per_hour, now);
	return TRUE;
}

/* ---- creating messages ---- */

static Msg *
create_message(OmacpManager *self, const char *format, const char *sender, const char *imsi,
               const char *modem, gint64 now, GError **error)
{
	guint id;
	Msg *msg;

	if (!omacp_store_next_message_id(self->store, &id, error))
		return NULL;
	msg = msg_new(self, id, format);
	omacp_dbus_message_set_sender(msg->iface, sender ? sender : "");
	msg_set_imsi(msg, imsi);
	omacp_dbus_message_set_modem(msg->iface, modem ? modem : "");
	omacp_dbus_message_set_received_at(msg->iface, (guint64) now);
	return msg;
}

static gboolean
store_input(OmacpManager *self, Msg *msg, GBytes *input, gint64 now, GError **error)
{
	g_autofree char *name = g_strdup_printf("input-%u", msg->n_inputs + 1);
	gsize len = 0;
	const void *data = g_bytes_get_data(input, &len);

	if (!omacp_store_write_message_file(self->store, msg->id, name, data, len, error))
		return FALSE;
	msg->n_inputs++;
	g_array_append_val(msg->input_times, now);
	msg->last_input_us = now;
	return TRUE;
}

static gboolean
store_complete(OmacpManager *self, Msg *msg, GBytes *data, GError **error)
{
	gsize len = 0;
	const void *p = g_bytes_get_data(data, &len);

	return omacp_store_write_message_file(self->store, msg->id, "message", p, len, error);
}

static Msg *
find_by_fingerprint(OmacpManager *self, const char *fingerprint, Msg *except)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *m = value;

		if (m != except && g_strcmp0(m->fingerprint, fingerprint) == 0)
			return m;
	}
	return NULL;
}

static const char *
decoded_imsi(OmacpMessage *decoded, const char *imsi)
{
	if (imsi != NULL)
		return imsi;
	return decoded->auth_imsi;
}

/* A complete message for which no object exists yet: replay check, object,
 * store, decision. */
static Msg *
new_complete_message(OmacpManager *self, const char *format, OmacpMessage *decoded,
                     GBytes *complete, GBytes *segment, const char *sender, const char *imsi,
                     const char *modem, gint64 now, GError **error)
{
	g_autoptr(OmacpMessage) owned = decoded;
	const char *sim = decoded_imsi(decoded, imsi);
	g_autofree char *fingerprint = fingerprint_of(decoded->body, sim);
	Msg *existing = find_by_fingerprint(self, fingerprint, NULL);
	Msg *msg;

	if (existing != NULL) {
		g_message("replay of message/%u (same document, same SIM): nothing new stored",
		          existing->id);
		return existing;
	}
	if (!admit(self, sender, modem, now, error))
		return NULL;
	msg = create_message(self, format, sender, sim, modem, now, error);
	if (msg == NULL)
		return NULL;
	msg->fingerprint = g_steal_pointer(&fingerprint);
	if ((segment != NULL && !store_input(self, msg, segment, now, error)) ||
	    !store_complete(self, msg, complete, error)) {
		omacp_store_delete_message(self->store, msg->id, NULL);
		msg_forget(self, msg);
		return NULL;
	}
	if (segment != NULL) {
		omacp_dbus_message_set_segments_received(msg->iface, 1);
		omacp_dbus_message_set_segments_total(msg->iface, 1);
	}
	settle_message(self, msg, g_steal_pointer(&owned));
	return msg;
}

static void
fail_receiving(OmacpManager *self, Msg *msg, const char *why)
{
	g_autofree char *error =
	        g_strdup_printf("sms: only %u of %u segments arrived: %s",
	                        omacp_dbus_message_get_segments_received(msg->iface),
	                        omacp_dbus_message_get_segments_total(msg->iface), why);

	g_hash_table_remove(self->receiving, &msg->reassembly_id);
	msg->receiving = FALSE;
	set_state(self, msg, STATE_FAILED, error);
}

/* Brings the objects in step with the reassembler after it dropped
 * incomplete messages. One that timed out becomes failed (its sender gets
 * to see that it never completed). One evicted to keep the reassembly caps
 * (OMACP_REASSEMBLY_MAX_PENDING, _MAX_BYTES) is dropped with its object and
 * files: otherwise a flood of first segments would turn the cap on memory
 * into an unbounded number of failed objects, and push the user's real
 * messages out of the store; the Statistics property counts them.
 * @keep (may be NULL) is the message of the segment just added, which the
 * reassembler may have completed and released already. */
static void
sync_reassembly_drops(OmacpManager *self, gint64 now, Msg *keep)
{
	g_autoptr(GPtrArray) gone = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->receiving);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *m = value;

		if (m != keep && !omacp_reassembler_holds(self->reassembler, m->reassembly_id))
			g_ptr_array_add(gone, m);
	}
	for (guint i = 0; i < gone->len; i++) {
		Msg *m = g_ptr_array_index(gone, i);

		if (m->last_input_us + OMACP_REASSEMBLY_TIMEOUT_US <= now) {
			self->n_incomplete_expired++;
			fail_receiving(self, m, "the others did not come in time");
			continue;
		}
		self->n_incomplete_evicted++;
		g_message("message/%u: incomplete (%u of %u segments), dropped to make room "
		          "for newer messages",
		          m->id, omacp_dbus_message_get_segments_received(m->iface),
		          omacp_dbus_message_get_segments_total(m->iface));
		delete_message(self, m);
	}
}

static gboolean expiry_cb(gpointer user_data);

static void
schedule_expiry(OmacpManager *self)
{
	gint64 next = omacp_reassembler_next_expiry(self->reassembler);
	gint64 now = g_get_real_time();
	guint seconds;

	g_clear_handle_id(&self->expiry_source, g_source_remove);
	if (next < 0)
		return;
	seconds = next <= now ? 0 : (guint) ((next - now) / G_USEC_PER_SEC + 1);
	self->expiry_source = g_timeout_add_seconds(seconds, expiry_cb, self);
}

static gboolean
expiry_cb(gpointer user_data)
{
	OmacpManager *self = user_data;
	gint64 now = g_get_real_time();

	self->expiry_source = 0;
	omacp_reassembler_expire(self->reassembler, now);
	sync_reassembly_drops(self, now, NULL);
	schedule_expiry(self);
	publish_statistics(self);
	return G_SOURCE_REMOVE;
}

/* The datagram of a message whose object exists: decode and settle, or
 * fail the object. */
static gboolean
complete_receiving(OmacpManager *self, Msg *msg, GBytes *datagram, const char *imsi, GError **error)
{
	g_autoptr(OmacpMessage) decoded = NULL;
	g_autoptr(GError) local = NULL;
	const char *sim;
	g_autofree char *fingerprint = NULL;
	Msg *existing;

	g_hash_table_remove(self->receiving, &msg->reassembly_id);
	msg->receiving = FALSE;
	if (!store_complete(self, msg, datagram, &local) ||
	    !decode_complete(self, "wsp", datagram, imsi, &decoded, &local) ||
	    !check_provisioning(decoded, &local)) {
		set_state(self, msg, STATE_FAILED, local->message);
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	sim = decoded_imsi(decoded, imsi);
	fingerprint = fingerprint_of(decoded->body, sim);
	existing = find_by_fingerprint(self, fingerprint, msg);
	if (sim != NULL)
		msg_set_imsi(msg, sim);
	if (existing != NULL) {
		g_autofree char *why = g_strdup_printf(
		        "replay of message/%u (same document, same SIM)", existing->id);

		msg->decoded = g_steal_pointer(&decoded);
		msg->fingerprint = g_steal_pointer(&fingerprint);
		/* show what it is, but never apply it twice */
		omacp_dbus_message_set_security(msg->iface, omacp_sec_to_string(msg->decoded->sec));
		omacp_dbus_message_set_content_type(
		        msg->iface, msg->decoded->content_type ? msg->decoded->content_type : "");
		{
			g_autofree char *document = omacp_xml_to_string(msg->decoded->xml, TRUE);

			omacp_dbus_message_set_document(msg->iface, document);
		}
		set_state(self, msg, STATE_REJECTED, why);
		omacp_dbus_manager_emit_message_received(self->iface, msg->path);
		return TRUE;
	}
	msg->fingerprint = g_steal_pointer(&fingerprint);
	settle_message(self, msg, g_steal_pointer(&decoded));
	return TRUE;
}

/* The sender option overrides the SMS's own address, also in the
 * reassembly key: segments of different senders must never mix, also with
 * the ud format, which carries no address (restore_segments() does the
 * same with the stored Sender). */
static void
set_sender(OmacpSms *sms, const char *sender)
{
	if (sender == NULL || g_strcmp0(sms->sender, sender) == 0)
		return;
	g_free(sms->sender);
	sms->sender = g_strdup(sender);
}

static Msg *
deliver_segment(OmacpManager *self, OmacpFormat format, GBytes *input, const char *sender,
                const char *imsi, const char *modem, gint64 now, GError **error)
{
	g_autoptr(OmacpSms) sms = NULL;
	g_autoptr(GBytes) datagram = NULL;
	OmacpReassemblyResult r = { 0 };
	const char *from;
	Msg *msg;

	/* a segment for another application never reaches the reassembler */
	if (!omacp_message_parse_segment(format, input, &sms, error) ||
	    !omacp_message_check_ports(sms, error))
		return NULL;
	from = sender != NULL ? sender : str_or_null(sms->sender);
	set_sender(sms, from);
	/* a segment that would start a new message is refused before the
	 * reassembler evicts another message to make room for it */
	if (!omacp_reassembler_lookup(self->reassembler, modem, sms, now, NULL) &&
	    !rate_check(self, from, modem, now, error))
		return NULL;
	if (!omacp_reassembler_add(self->reassembler, modem, sms, now, &r, &datagram, error))
		return NULL;
	msg = g_hash_table_lookup(self->receiving, &r.message_id);
	sync_reassembly_drops(self, now, msg);
	schedule_expiry(self);

	switch (r.state) {
	case OMACP_REASSEMBLY_DUPLICATE:
		omacp_reassembly_result_clear(&r);
		if (msg != NULL) {
			g_debug("message/%u: duplicate segment ignored", msg->id);
			return msg;
		}
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		            "deliver: duplicate segment of a message that was refused before");
		return NULL;
	case OMACP_REASSEMBLY_PENDING:
		if (msg == NULL) {
			if (!admit(self, from, modem, now, error)) {
				omacp_reassembly_result_clear(&r);
				return NULL;
			}
			msg = create_message(self, omacp_format_to_string(format), from, imsi,
			                     modem, now, error);
			if (msg == NULL) {
				omacp_reassembly_result_clear(&r);
				return NULL;
			}
			msg->receiving = TRUE;
			msg->reassembly_id = r.message_id;
			g_hash_table_insert(self->receiving, &msg->reassembly_id, msg);
			omacp_dbus_message_set_segments_total(msg->iface, r.total);
			if (!store_input(self, msg, input, now, error)) {
				omacp_reassembly_result_clear(&r);
				msg_forget(self, msg);
				return NULL;
			}
			omacp_dbus_message_set_segments_received(msg->iface, r.received);
			save_message(self, msg);
			msg_export(self, msg);
			g_message("message/%u: segment %u of %u", msg->id, r.received, r.total);
			omacp_reassembly_result_clear(&r);
			return msg;
		}
		if (!store_input(self, msg, input, now, error)) {
			omacp_reassembly_result_clear(&r);
			return NULL;
		}
		omacp_dbus_message_set_segments_received(msg->iface, r.received);
		save_message(self, msg);
		omacp_reassembly_result_clear(&r);
		return msg;
	case OMACP_REASSEMBLY_COMPLETE:
		break;
	}

	if (msg == NULL) {
		g_autoptr(OmacpMessage) decoded = NULL;
		guint total = r.total;

		omacp_reassembly_result_clear(&r);
		/* a single-segment message (or the rest of one refused before) */
		if (!decode_complete(self, "wsp", datagram, imsi, &decoded, error) ||
		    !check_provisioning(decoded, error))
			return NULL;
		msg = new_complete_message(self, omacp_format_to_string(format),
		                           g_steal_pointer(&decoded), datagram, input, from, imsi,
		                           modem, now, error);
		if (msg != NULL && total > 1)
			omacp_dbus_message_set_segments_total(msg->iface, total);
		return msg;
	}
	if (!store_input(self, msg, input, now, error)) {
		omacp_reassembly_result_clear(&r);
		return NULL;
	}
	omacp_dbus_message_set_segments_received(msg->iface, r.received);
	omacp_reassembly_result_clear(&r);
	if (!complete_receiving(self, msg, datagram, imsi, error))
		return NULL;
	return msg;
}

static void
publish_statistics(OmacpManager *self)
{
	OmacpReassemblyStats rs;
	GVariantBuilder b;

	omacp_reassembler_get_stats(self->reassembler, &rs);
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
	g_variant_builder_add(&b, "{st}", "delivered", self->n_delivered);
	g_variant_builder_add(&b, "{st}", "refused", self->n_refused);
	g_variant_builder_add(&b, "{st}", "rate-limited", self->n_rate_limited);
	g_variant_builder_add(&b, "{st}", "duplicate-segments", rs.duplicates);
	g_variant_builder_add(&b, "{st}", "incomplete-evicted", self->n_incomplete_evicted);
	g_variant_builder_add(&b, "{st}", "incomplete-expired", self->n_incomplete_expired);
	g_variant_builder_add(&b, "{st}", "store-evicted", self->n_store_evicted);
	g_variant_builder_add(&b, "{st}", "receiving",
	                      (guint64) g_hash_table_size(self->receiving));
	g_variant_builder_add(&b, "{st}", "reassembly-octets", (guint64) rs.bytes);
	omacp_dbus_manager_set_statistics(self->iface, g_variant_builder_end(&b));
}

static Msg *deliver_inner(OmacpManager *self, OmacpFormat format, GBytes *input, const char *sender,
                          const char *imsi, const char *modem, gint64 now, GError **error);

/* Every input, from Deliver or a modem stack, goes through here. */
static Msg *
deliver(OmacpManager *self, OmacpFormat format, GBytes *input, const char *sender, const char *imsi,
        const char *modem, gint64 now, GError **error)
{
	g_autoptr(GError) local = NULL;
	Msg *msg = deliver_inner(self, format, input, sender, imsi, modem, now, &local);

	if (msg != NULL) {
		self->n_delivered++;
	} else {
		self->n_refused++;
		if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED))
			self->n_rate_limited++;
		g_propagate_error(error, g_steal_pointer(&local));
	}
	publish_statistics(self);
	return msg;
}

static Msg *
deliver_inner(OmacpManager *self, OmacpFormat format, GBytes *input, const char *sender,
              const char *imsi, const char *modem, gint64 now, GError **error)
{
	gsize len = g_bytes_get_size(input);
	g_autoptr(OmacpMessage) decoded = NULL;

	if (len == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "deliver: empty input");
		return NULL;
	}
	if (len > self->config->max_message_bytes) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "deliver: %zu octets is more than MaxMessageBytes (%" G_GUINT64_FORMAT
		            ")",
		            len, self->config->max_message_bytes);
		return NULL;
	}
	if (omacp_format_is_segmented(format))
		return deliver_segment(self, format, input, sender, imsi, modem, now, error);
	if (!decode_complete(self, omacp_format_to_string(format), input, imsi, &decoded, error) ||
	    !check_provisioning(decoded, error))
		return NULL;
	return new_complete_message(self, omacp_format_to_string(format), g_steal_pointer(&decoded),
	                            input, NULL, sender, imsi, modem, now, error);
}

/* ---- the decision ---- */

static void
show_decoded(Msg *msg)
{
	OmacpMessage *d = msg->decoded;
	g_autofree char *document = omacp_xml_to_string(d->xml, TRUE);
	g_autoptr(GPtrArray) warnings = g_ptr_array_new();
	g_autoptr(GPtrArray) own = g_ptr_array_new_with_free_func(g_free);

	omacp_dbus_message_set_security(msg->iface, omacp_sec_to_string(d->sec));
	omacp_dbus_message_set_content_type(msg->iface, d->content_type ? d->content_type : "");
	omacp_dbus_message_set_document(msg->iface, document);
	for (guint i = 0; i < d->warnings->len; i++)
		g_ptr_array_add(warnings, g_ptr_array_index(d->warnings, i));
	/* an MSPROV removal of something omacp never made removes nothing:
	 * say so rather than succeed silently */
	for (guint i = 0; i < d->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(d->profiles, i);

		if (p->op == OMACP_OP_REMOVE &&
		    find_profile(msg->mgr, p->identity, p->imsi) == NULL)
			g_ptr_array_add(own,
			                g_strdup_printf("profiles: nothing to remove for %s: "
			                                "no such profile was provisioned by omacp",
			                                p->identity));
	}
	for (guint i = 0; i < own->len; i++)
		g_ptr_array_add(warnings, g_ptr_array_index(own, i));
	g_ptr_array_add(warnings, NULL);
	omacp_dbus_message_set_warnings(msg->iface, (const char *const *) warnings->pdata);
}

static void
settle_message(OmacpManager *self, Msg *msg, OmacpMessage *decoded)
{
	OmacpConfig *c = self->config;
	const char *sender = str_or_null(omacp_dbus_message_get_sender(msg->iface));
	const char *imsi = msg->imsi;
	g_autofree char *masked_sender = omacp_mask_number(sender);
	g_autofree char *masked_imsi = omacp_mask_number(imsi);
	OmacpAction action;
	gboolean replayed;

	msg->decoded = decoded;
	show_decoded(msg);
	omacp_dbus_message_set_authenticated(msg->iface, decoded->auth == OMACP_AUTH_VALID);
	update_changes(self, msg);
	replayed = omacp_store_replay_contains(self->store, msg->fingerprint);
	action = replayed ? OMACP_ACTION_REJECT
	                  : omacp_config_decide(c, decoded->sec, decoded->auth, sender,
	                                        imsi != NULL);
	if (action == OMACP_ACTION_APPLY && needs_a_look(decoded)) {
		g_message("message/%u: has proxies, DM servers, certificates or other risks: "
		          "asking instead of applying",
		          msg->id);
		action = OMACP_ACTION_CONFIRM;
	}
	g_message("message/%u: %s from %s for SIM %s, %s, %u profile(s): %s", msg->id,
	          omacp_sec_to_string(decoded->sec), masked_sender, masked_imsi,
	          omacp_auth_state_to_string(decoded->auth), decoded->profiles->len,
	          omacp_action_to_string(action));

	switch (action) {
	case OMACP_ACTION_PIN:
		omacp_dbus_message_set_pin_attempts_left(msg->iface, c->pin_attempts);
		omacp_dbus_message_set_state(msg->iface, STATE_PENDING_PIN);
		break;
	case OMACP_ACTION_CONFIRM:
		omacp_dbus_message_set_state(msg->iface, STATE_PENDING_CONFIRMATION);
		break;
	case OMACP_ACTION_QUARANTINE:
		omacp_dbus_message_set_state(msg->iface, STATE_QUARANTINED);
		if (decoded->auth_detail != NULL)
			omacp_dbus_message_set_error(msg->iface, decoded->auth_detail);
		break;
	case OMACP_ACTION_REJECT:
		omacp_dbus_message_set_state(msg->iface, STATE_REJECTED);
		if (replayed)
			omacp_dbus_message_set_error(
			        msg->iface,
			        "replay: this document was applied before for this SIM");
		else if (decoded->auth_detail != NULL)
			omacp_dbus_message_set_error(msg->iface, decoded->auth_detail);
		else
			omacp_dbus_message_set_error(msg->iface, "rejected by the policy");
		break;
	case OMACP_ACTION_APPLY:
		/* start_apply moves it on; it is "accepted" on the bus first */
		omacp_dbus_message_set_state(msg->iface, STATE_ACCEPTED);
		break;
	}
	save_message(self, msg);
	msg_export(self, msg);
	omacp_dbus_manager_emit_message_received(self->iface, msg->path);
	if (action == OMACP_ACTION_APPLY)
		start_apply(self, msg, NULL, FALSE);
	agents_kick(self);
}

/* ---- applying ---- */

typedef struct {
	const OmacpProfile *profile; /* owned by msg->decoded */
	guint prof_id;
	gboolean created;
	gboolean removing;
	GVariant *previous; /* a{sv} snapshot, NULL when created */
} Work;

static void
work_free(Work *w)
{
	g_clear_pointer(&w->previous, g_variant_unref);
	g_free(w);
}

typedef struct {
	OmacpManager *self;
	guint msg_id;
	GDBusMethodInvocation *invocation; /* may be NULL */
	GPtrArray *work;                   /* Work * */
	guint index;
	GPtrArray *undo; /* GVariant a{sv} */
	OmacpApplyFlags flags;
	guint n_taken;    /* profiles applied (or with nothing to apply them on) */
	GString *waiting; /* profiles no backend could take now */
	const OmacpProfile
	        *edited; /* a profile only a forced apply takes (hand edit, active context) */
} ApplyJob;

static void
apply_job_free(ApplyJob *job)
{
	g_clear_object(&job->invocation);
	g_clear_pointer(&job->work, g_ptr_array_unref);
	g_clear_pointer(&job->undo, g_ptr_array_unref);
	g_string_free(job->waiting, TRUE);
	g_free(job);
}

static void apply_job_next(ApplyJob *job);

/* Changes that only a forced apply carries out, so only after a user saw
 * them: "<backend>:edited-by-hand" entries come from the backends' previews,
 * plain "edited-by-hand" ones from an apply that found such an object;
 * "ofono:Active" says the context must be deactivated to be changed. */
static gboolean
is_forcing_field(const char *field)
{
	return field != NULL &&
	       (g_str_has_suffix(field, "edited-by-hand") || g_str_equal(field, "ofono:Active"));
}

/* TRUE when the Changes of @msg (what a user confirming it sees) say that
 * applying overwrites objects edited by hand or interrupts an active
 * connection. */
static gboolean
changes_need_force(Msg *msg)
{
	GVariant *changes = omacp_dbus_message_get_changes(msg->iface);
	GVariantIter iter;
	GVariant *entry;
	gboolean found = FALSE;

	if (changes == NULL)
		return FALSE;
	g_variant_iter_init(&iter, changes);
	while (!found && (entry = g_variant_iter_next_value(&iter)) != NULL) {
		const char *field = NULL;

		found = g_variant_lookup(entry, "field", "&s", &field) && is_forcing_field(field);
		g_variant_unref(entry);
	}
	return found;
}

/* Adds the entry that makes Accept force the apply of @profile to the
 * Changes of @msg: "edited-by-hand", or "ofono:Active" when the apply failed
 * on a context in use (@why is the apply's error). */
static void
add_forcing_change(Msg *msg, const OmacpProfile *profile, const char *why)
{
	GVariant *changes = omacp_dbus_message_get_changes(msg->iface);
	GVariantBuilder b;
	GVariantIter iter;
	GVariant *entry;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	if (changes != NULL) {
		g_variant_iter_init(&iter, changes);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
			g_variant_builder_add_value(&b, entry);
			g_variant_unref(entry);
		}
	}
	if (strstr(why, "in use (active)") != NULL)
		add_change(&b, profile, "ofono:Active", "true", "true", why);
	else
		add_change(&b, profile, "edited-by-hand", "true", "overwritten", why);
	omacp_dbus_message_set_changes(msg->iface, g_variant_builder_end(&b));
}

static guint
undo_entry_profile(GVariant *entry)
{
	guint id = 0;

	g_variant_lookup(entry, "profile", "u", &id);
	return id;
}

/* @old's backend entries (a(ssv)) plus those of @more for backends @old has
 * none of: the earliest snapshot of a backend's object is the one to go
 * back to. */
static GVariant *
merge_backend_undo(GVariant *old, GVariant *more)
{
	GVariantBuilder b;
	GVariantIter iter;
	GVariant *item;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ssv)"));
	for (guint pass = 0; pass < 2; pass++) {
		GVariant *list = pass == 0 ? old : more;

		if (list == NULL)
			continue;
		g_variant_iter_init(&iter, list);
		while ((item = g_variant_iter_next_value(&iter)) != NULL) {
			char *name = NULL;

			g_variant_get_child(item, 0, "s", &name);
			if (g_hash_table_add(seen, name))
				g_variant_builder_add_value(&b, item);
			g_variant_unref(item);
		}
	}
	return g_variant_builder_end(&b);
}

/* The undo record of a message (aa{sv}, one entry per profile) after more
 * work on it: @old (may be NULL) from an earlier run (applied partly before a
 * confirmation, or before a backend appeared), @more new entries (GVariant
 * a{sv}). Per profile the earliest entry wins; backends first seen in @more
 * are added to it. */
static GVariant *
merge_undo(GVariant *old, GPtrArray *more)
{
	g_autoptr(GPtrArray) merged =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
	GVariantIter iter;
	GVariant *entry;

	if (old != NULL) {
		g_variant_iter_init(&iter, old);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL)
			g_ptr_array_add(merged, entry);
	}
	for (guint i = 0; i < more->len; i++) {
		GVariant *add = g_ptr_array_index(more, i);
		guint id = undo_entry_profile(add);
		gboolean found = FALSE;

		for (guint j = 0; j < merged->len && !found; j++) {
			GVariant *have = g_ptr_array_index(merged, j);
			g_autoptr(GVariant) have_bu = NULL;
			g_autoptr(GVariant) add_bu = NULL;
			GVariantDict d;

			if (undo_entry_profile(have) != id)
				continue;
			found = TRUE;
			have_bu = g_variant_lookup_value(have, "backend-undo",
			                                 G_VARIANT_TYPE("a(ssv)"));
			add_bu = g_variant_lookup_value(add, "backend-undo",
			                                G_VARIANT_TYPE("a(ssv)"));
			g_variant_dict_init(&d, have);
			g_variant_dict_insert_value(&d, "backend-undo",
			                            merge_backend_undo(have_bu, add_bu));
			g_ptr_array_index(merged, j) = g_variant_ref_sink(g_variant_dict_end(&d));
			g_variant_unref(have);
		}
		if (!found)
			g_ptr_array_add(merged, g_variant_ref(add));
	}
	return g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("a{sv}"),
	                                              (GVariant **) merged->pdata, merged->len));
}

/* TRUE when @msg sets or removes internet or MMS settings (what the oFono
 * plugin's file holds). */
static gboolean
has_connectivity_profile(Msg *msg)
{
	for (guint i = 0; msg->decoded != NULL && i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);

		if (p->kind == OMACP_PROFILE_INTERNET || p->kind == OMACP_PROFILE_MMS)
			return TRUE;
	}
	return FALSE;
}

static void
apply_job_finish(ApplyJob *job, const GError *error)
{
	OmacpManager *self = job->self;
	Msg *msg = lookup_message(self, job->msg_id);
	gboolean edited = error != NULL && job->edited != NULL;
	gboolean again = FALSE;

	for (guint i = 0; job->work != NULL && i < job->work->len; i++) {
		Work *w = g_ptr_array_index(job->work, i);
		Prof *p = lookup_profile(self, w->prof_id);

		if (p != NULL)
			p->busy = FALSE;
	}
	if (msg != NULL) {
		GVariant *undo = merge_undo(msg->undo, job->undo);

		msg->busy = FALSE;
		g_clear_pointer(&msg->undo, g_variant_unref);
		msg->undo = undo;
		if (error == NULL && job->n_taken == 0 && job->waiting->len > 0) {
			g_autofree char *why = g_strdup_printf("waiting for a backend to apply %s",
			                                       job->waiting->str);

			g_message("message/%u: %s", msg->id, why);
			omacp_dbus_message_set_error(msg->iface, why);
			set_state(self, msg, STATE_ACCEPTED, NULL);
			/* the backend went and came back while this ran:
			 * applier_ready() skipped the message then */
			again = msg->backend_appeared;
		} else if (error == NULL) {
			g_autoptr(GError) local = NULL;

			if (msg->fingerprint != NULL &&
			    !omacp_store_replay_add(self->store, msg->fingerprint, &local))
				g_warning("message/%u: %s", msg->id, local->message);
			if (job->waiting->len > 0)
				g_message("message/%u: %s wait(s) for a backend", msg->id,
				          job->waiting->str);
			omacp_dbus_message_set_error(msg->iface, "");
			set_state(self, msg, STATE_APPLIED, NULL);
			if (has_connectivity_profile(msg))
				provision_ofono(self, msg->imsi);
		} else if (edited) {
			/* the user decides: Accept applies with force */
			add_forcing_change(msg, job->edited, error->message);
			set_state(self, msg, STATE_PENDING_CONFIRMATION, error->message);
		} else {
			set_state(self, msg, STATE_FAILED, error->message);
		}
	}
	if (job->invocation != NULL) {
		if (msg == NULL || error == NULL)
			g_dbus_method_invocation_return_value(job->invocation, NULL);
		else
			return_error(job->invocation, error);
	}
	apply_job_free(job);
	if (edited)
		agents_kick(self);
	if (again)
		start_apply(self, msg, NULL, FALSE);
	run_apply_queue(self);
	/* a backend may have appeared while this ran */
	catch_up(self);
}

static GVariant *
undo_entry(Work *w, GVariant *backend_undo)
{
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "profile", "u", w->prof_id);
	g_variant_dict_insert(&d, "created", "b", w->created);
	g_variant_dict_insert(&d, "removed", "b", w->removing);
	if (w->previous != NULL)
		g_variant_dict_insert_value(&d, "previous", w->previous);
	g_variant_dict_insert_value(&d, "backend-undo",
	                            backend_undo ? backend_undo : g_variant_new("a(ssv)", NULL));
	return g_variant_ref_sink(g_variant_dict_end(&d));
}

static void
delete_profile(OmacpManager *self, Prof *p)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_strdup(p->path);

	if (!omacp_store_delete_profile(self->store, p->id, &error))
		g_warning("profile/%u: %s", p->id, error->message);
	g_hash_table_remove(self->profiles, GUINT_TO_POINTER(p->id));
	forget_profile_everywhere(self, path);
}

static void
apply_one_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ApplyJob *job = user_data;
	OmacpManager *self = job->self;
	Work *w = g_ptr_array_index(job->work, job->index);
	Prof *p = lookup_profile(self, w->prof_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_autoptr(GVariant) backend_undo = NULL;

	if (!omacp_applier_apply_finish(self->applier, result, &targets, &backend_undo, &error)) {
		g_ptr_array_add(job->undo, undo_entry(w, NULL));
		if (g_error_matches(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE)) {
			/* recorded; applied when a backend for it appears (catch_up) */
			g_message("message/%u: %s", job->msg_id, error->message);
			g_string_append_printf(job->waiting, "%s%s", job->waiting->len ? ", " : "",
			                       w->profile->identity);
			job->index++;
			apply_job_next(job);
			return;
		}
		/* what a user may still want: Accept then forces it */
		if (g_error_matches(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE) &&
		    (strstr(error->message, "edited by hand") != NULL ||
		     strstr(error->message, "in use (active)") != NULL))
			job->edited = w->profile;
		g_prefix_error(&error, "%s: ", w->profile->identity);
		apply_job_finish(job, error);
		return;
	}
	if (p != NULL) {
		omacp_dbus_profile_set_targets(p->iface, targets);
		save_profile(self, p);
	}
	g_ptr_array_add(job->undo, undo_entry(w, backend_undo));
	job->n_taken++;
	job->index++;
	apply_job_next(job);
}

static void
remove_one_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ApplyJob *job = user_data;
	OmacpManager *self = job->self;
	Work *w = g_ptr_array_index(job->work, job->index);
	Prof *p = lookup_profile(self, w->prof_id);
	g_autoptr(GError) error = NULL;

	if (!omacp_applier_remove_finish(self->applier, result, &error)) {
		g_prefix_error(&error, "%s: ", w->profile->identity);
		apply_job_finish(job, error);
		return;
	}
	if (p != NULL)
		delete_profile(self, p);
	g_ptr_array_add(job->undo, undo_entry(w, NULL));
	job->n_taken++;
	job->index++;
	apply_job_next(job);
}

static void
apply_job_next(ApplyJob *job)
{
	OmacpManager *self = job->self;
	Msg *msg = lookup_message(self, job->msg_id);

	if (msg == NULL) {
		g_autoptr(GError) error = g_error_new(OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		                                      "the message was deleted while applying");

		apply_job_finish(job, error);
		return;
	}
	if (job->index >= job->work->len) {
		apply_job_finish(job, NULL);
		return;
	}
	{
		Work *w = g_ptr_array_index(job->work, job->index);
		Prof *p = lookup_profile(self, w->prof_id);
		GVariant *targets = p ? omacp_dbus_profile_get_targets(p->iface) : NULL;

		if (w->removing)
			omacp_applier_remove_async(self->applier, targets, NULL, remove_one_done,
			                           job);
		else
			omacp_applier_apply_async(self->applier, w->profile, targets, msg->path,
			                          job->flags, NULL, apply_one_done, job);
	}
}

/* Records the profiles of @msg (creating or updating profile objects) and
 * says what the backends must do. */
static GPtrArray *
record_profiles(OmacpManager *self, Msg *msg, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) work = g_ptr_array_new_with_free_func((GDestroyNotify) work_free);

	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *profile = g_ptr_array_index(msg->decoded->profiles, i);
		Prof *p = find_profile(self, profile->identity, profile->imsi);
		Work *w;
		const char *empty[] = { NULL };
		g_autoptr(GPtrArray) risks = g_ptr_array_new();

		if (profile->op == OMACP_OP_QUERY)
			continue;
		if (profile->op == OMACP_OP_REMOVE) {
			if (p == NULL)
				continue;
			w = g_new0(Work, 1);
			w->profile = profile;
			w->prof_id = p->id;
			w->removing = TRUE;
			w->previous = g_variant_ref_sink(profile_snapshot(p));
			g_ptr_array_add(work, w);
			continue;
		}
		w = g_new0(Work, 1);
		w->profile = profile;
		if (p == NULL) {
			guint id;

			if (!omacp_store_next_profile_id(self->store, &id, error)) {
				work_free(w);
				return NULL;
			}
			p = prof_new(self, id);
			omacp_dbus_profile_set_created_at(p->iface, (guint64) now);
			w->created = TRUE;
		} else {
			w->previous = g_variant_ref_sink(profile_snapshot(p));
		}
		w->prof_id = p->id;
		omacp_dbus_profile_set_kind(p->iface, omacp_profile_kind_to_string(profile->kind));
		omacp_dbus_profile_set_identity(p->iface, profile->identity);
		omacp_dbus_profile_set_name(p->iface, profile->name ? profile->name : "");
		prof_set_imsi(p, profile->imsi);
		omacp_dbus_profile_set_settings(p->iface, profile->settings
		                                                  ? profile->settings
		                                                  : g_variant_new("a{sv}", NULL));
		for (guint j = 0; profile->risks != NULL && j < profile->risks->len; j++)
			g_ptr_array_add(risks, g_ptr_array_index(profile->risks, j));
		g_ptr_array_add(risks, NULL);
		omacp_dbus_profile_set_risks(
		        p->iface, risks->len > 1 ? (const char *const *) risks->pdata : empty);
		omacp_dbus_profile_set_message(p->iface, msg->path);
		omacp_dbus_profile_set_updated_at(p->iface, (guint64) now);
		save_profile(self, p);
		if (w->created)
			prof_export(self, p);
		msg_add_profile(msg, p->path);
		g_ptr_array_add(work, w);
	}
	return g_steal_pointer(&work);
}

typedef struct {
	guint msg_id;
	GDBusMethodInvocation *invocation; /* may be NULL */
	gboolean user_confirmed;
} QueuedApply;

static void
queued_apply_free(QueuedApply *q)
{
	g_clear_object(&q->invocation);
	g_free(q);
}

/* Whether an apply or a catch-up is writing a profile @msg sets or removes. */
static gboolean
profiles_busy(OmacpManager *self, Msg *msg)
{
	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *profile = g_ptr_array_index(msg->decoded->profiles, i);
		Prof *p;

		if (profile->op == OMACP_OP_QUERY)
			continue;
		p = find_profile(self, profile->identity, profile->imsi);
		if (p != NULL && p->busy)
			return TRUE;
	}
	return FALSE;
}

/* Starts the first queued message whose profiles are free, until none is. */
static void
run_apply_queue(OmacpManager *self)
{
	gboolean started = TRUE;

	while (started) {
		started = FALSE;
		for (GList *l = self->apply_queue.head; l != NULL; l = l->next) {
			QueuedApply *q = l->data;
			Msg *msg = lookup_message(self, q->msg_id);

			if (msg != NULL && profiles_busy(self, msg))
				continue;
			g_queue_delete_link(&self->apply_queue, l);
			if (msg != NULL) {
				msg->busy = FALSE;
				start_apply(self, msg, g_steal_pointer(&q->invocation),
				            q->user_confirmed);
			} else if (q->invocation != NULL) {
				g_dbus_method_invocation_return_error(
				        g_steal_pointer(&q->invocation), OMACP_ERROR,
				        OMACP_ERROR_NOT_FOUND,
				        "message/%u was deleted while it waited to be applied",
				        q->msg_id);
			}
			queued_apply_free(q);
			/* start_apply may have changed the queue: from the top */
			started = TRUE;
			break;
		}
	}
}

static void
start_apply(OmacpManager *self, Msg *msg, GDBusMethodInvocation *invocation,
            gboolean user_confirmed)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) waiting = g_string_new(NULL);
	gboolean any_set = FALSE;
	gboolean any_ready = FALSE;
	gboolean force;
	ApplyJob *job;

	cancel_agent_request(self, msg);
	/* overwriting hand edits or cutting a connection needs a user who was
	 * shown it */
	force = user_confirmed && changes_need_force(msg);
	if (!state_is(msg, STATE_ACCEPTED))
		set_state(self, msg, STATE_ACCEPTED, NULL);
	if (msg->decoded == NULL) {
		error = g_error_new(OMACP_ERROR, OMACP_ERROR_FAILED,
		                    "the stored message could not be decoded again");
		set_state(self, msg, STATE_FAILED, error->message);
		if (invocation != NULL)
			return_error(invocation, error);
		return;
	}
	/* one apply per profile at a time: two messages for one identity
	 * applied at once would both add a backend object, or leave the
	 * older settings on the backend and the newer in the profile */
	if (profiles_busy(self, msg)) {
		QueuedApply *q = g_new0(QueuedApply, 1);

		g_message("message/%u: another apply holds its profiles; queued", msg->id);
		q->msg_id = msg->id;
		q->invocation = invocation;
		q->user_confirmed = user_confirmed;
		msg->busy = TRUE;
		g_queue_push_tail(&self->apply_queue, q);
		return;
	}
	/* apply what can be applied now; wait only when nothing can */
	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);
		g_autofree char *waiting_for = NULL;

		if (p->op != OMACP_OP_SET)
			continue;
		any_set = TRUE;
		if (omacp_applier_can_apply(self->applier, p, &waiting_for))
			any_ready = TRUE;
		else
			g_string_append_printf(waiting, "%s%s for %s", waiting->len ? "; " : "",
			                       waiting_for, p->identity);
	}
	if (any_set && !any_ready) {
		g_autofree char *why = g_strdup_printf("waiting for %s", waiting->str);

		g_message("message/%u: %s", msg->id, why);
		omacp_dbus_message_set_error(msg->iface, why);
		save_message(self, msg);
		if (invocation != NULL)
			g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	/* after a partial run the Changes shown before it stay: the profiles
	 * already hold the new values */
	if (msg->undo == NULL)
		update_changes(self, msg);
	if (!force && changes_need_force(msg)) {
		error = g_error_new(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		                    "message/%u would overwrite settings edited by hand or "
		                    "interrupt an active connection (see its Changes); accept it "
		                    "to go ahead",
		                    msg->id);
		set_state(self, msg, STATE_PENDING_CONFIRMATION, error->message);
		if (invocation != NULL)
			return_error(invocation, error);
		agents_kick(self);
		return;
	}
	if (force)
		g_message("message/%u: the user confirmed overwriting settings edited by hand",
		          msg->id);
	msg->busy = TRUE;
	msg->backend_appeared = FALSE;
	job = g_new0(ApplyJob, 1);
	job->self = self;
	job->msg_id = msg->id;
	job->invocation = invocation ? g_object_ref(invocation) : NULL;
	job->undo = g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
	job->flags = force ? OMACP_APPLY_FORCE : OMACP_APPLY_FLAGS_NONE;
	job->waiting = g_string_new(NULL);
	job->work = record_profiles(self, msg, g_get_real_time(), &error);
	save_message(self, msg);
	if (job->work == NULL) {
		apply_job_finish(job, error);
		return;
	}
	for (guint i = 0; i < job->work->len; i++) {
		Work *w = g_ptr_array_index(job->work, i);

		lookup_profile(self, w->prof_id)->busy = TRUE;
	}
	apply_job_next(job);
}

static void
applier_ready(gpointer user_data)
{
	OmacpManager *self = user_data;
	GHashTableIter iter;
	gpointer value;
	g_autoptr(GPtrArray) waiting = g_ptr_array_new();

	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *msg = value;

		if (!msg->busy && state_is(msg, STATE_ACCEPTED))
			g_ptr_array_add(waiting, msg);
		else if (msg->busy)
			msg->backend_appeared = TRUE;
	}
	g_ptr_array_sort(waiting, compare_msg_id);
	for (guint i = 0; i < waiting->len; i++)
		start_apply(self, g_ptr_array_index(waiting, i), NULL, FALSE);
	/* a backend appeared: profiles applied before it existed go there too */
	g_hash_table_remove_all(self->catch_up_failed);
	catch_up(self);
}

/* ---- profiles on backends that appeared after them ---- */

static Msg *
message_of_profile(OmacpManager *self, Prof *p)
{
	guint id;

	if (!id_from_path(omacp_dbus_profile_get_message(p->iface), OMACP_DBUS_MESSAGE_PREFIX, &id))
		return NULL;
	return lookup_message(self, id);
}

/* The profile of @msg's document that @p holds now (with its secrets). */
static const OmacpProfile *
decoded_profile_of(Msg *msg, Prof *p)
{
	if (msg->decoded == NULL)
		return NULL;
	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *profile = g_ptr_array_index(msg->decoded->profiles, i);

		if (profile->op == OMACP_OP_SET &&
		    g_strcmp0(profile->identity, omacp_dbus_profile_get_identity(p->iface)) == 0 &&
		    g_strcmp0(str_or_null(profile->imsi), p->imsi) == 0)
			return profile;
	}
	return NULL;
}

typedef struct {
	OmacpManager *self;
	guint prof_id;
	guint msg_id;
} CatchUp;

static void
catch_up_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CatchUp *c = user_data;
	OmacpManager *self = c->self;
	Prof *p = lookup_profile(self, c->prof_id);
	Msg *msg = lookup_message(self, c->msg_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_autoptr(GVariant) backend_undo = NULL;

	self->catch_up_running = FALSE;
	if (p != NULL)
		p->busy = FALSE;
	if (msg != NULL)
		msg->busy = FALSE;
	if (!omacp_applier_apply_finish(self->applier, result, &targets, &backend_undo, &error)) {
		/* not retried until another backend appears; the message stays
		 * applied (what it did elsewhere holds) */
		g_message("profile/%u: not applied on the backend that appeared: %s", c->prof_id,
		          error->message);
		g_hash_table_add(self->catch_up_failed, GUINT_TO_POINTER(c->prof_id));
	} else {
		if (p != NULL) {
			omacp_dbus_profile_set_targets(p->iface, targets);
			save_profile(self, p);
			g_message("profile/%u (%s) applied on the backend that appeared", p->id,
			          omacp_dbus_profile_get_identity(p->iface));
		}
		if (msg != NULL && g_variant_n_children(backend_undo) > 0) {
			/* Undo of the message takes this back too */
			g_autoptr(GPtrArray) more =
			        g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
			GVariantDict d;
			GVariant *undo;

			g_variant_dict_init(&d, NULL);
			g_variant_dict_insert(&d, "profile", "u", c->prof_id);
			g_variant_dict_insert_value(&d, "backend-undo", backend_undo);
			g_ptr_array_add(more, g_variant_ref_sink(g_variant_dict_end(&d)));
			undo = merge_undo(msg->undo, more);
			g_clear_pointer(&msg->undo, g_variant_unref);
			msg->undo = undo;
			save_message(self, msg);
		}
	}
	g_free(c);
	run_apply_queue(self);
	catch_up(self);
}

/* Applies, one at a time, every profile of an applied message on the
 * handling backends that are available now and do not have it yet. */
static void
catch_up(OmacpManager *self)
{
	GHashTableIter iter;
	gpointer value;

	if (self->catch_up_running || self->applier == NULL)
		return;
	g_hash_table_iter_init(&iter, self->profiles);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Prof *p = value;
		Msg *msg;
		const OmacpProfile *profile;
		CatchUp *c;

		if (p->busy ||
		    g_hash_table_contains(self->catch_up_failed, GUINT_TO_POINTER(p->id)))
			continue;
		msg = message_of_profile(self, p);
		if (msg == NULL || msg->busy || !state_is(msg, STATE_APPLIED))
			continue;
		profile = decoded_profile_of(msg, p);
		if (profile == NULL ||
		    !omacp_applier_has_missing(self->applier, profile,
		                               omacp_dbus_profile_get_targets(p->iface)))
			continue;
		g_message("profile/%u (%s): applying it on the backend that appeared", p->id,
		          profile->identity);
		self->catch_up_running = TRUE;
		p->busy = TRUE;
		msg->busy = TRUE;
		c = g_new0(CatchUp, 1);
		c->self = self;
		c->prof_id = p->id;
		c->msg_id = msg->id;
		omacp_applier_apply_async(self->applier, profile,
		                          omacp_dbus_profile_get_targets(p->iface), msg->path,
		                          OMACP_APPLY_MISSING_ONLY, NULL, catch_up_done, c);
		return;
	}
}

/* ---- the omacp-provision oFono plugin's file ---- */

static gint
compare_prof_updated_desc(gconstpointer a, gconstpointer b)
{
	guint64 x = omacp_dbus_profile_get_updated_at((*(Prof *const *) a)->iface);
	guint64 y = omacp_dbus_profile_get_updated_at((*(Prof *const *) b)->iface);

	return x > y ? -1 : x < y ? 1 : 0;
}

/* Writes the internet and MMS settings omacp holds for the SIM @imsi (the
 * most recently updated profile of each kind) for the plugin, which answers
 * with them when oFono provisions that SIM afresh. Profiles whose message
 * is gone (no secrets left) are not written. */
static void
provision_ofono(OmacpManager *self, const char *imsi)
{
	g_autoptr(GPtrArray) profs = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *note = NULL;
	g_autofree char *masked = NULL;
	GHashTableIter iter;
	gpointer value;

	if (self->adapters == NULL || imsi == NULL)
		return;
	g_hash_table_iter_init(&iter, self->profiles);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Prof *p = value;
		const char *kind = omacp_dbus_profile_get_kind(p->iface);

		if (g_strcmp0(p->imsi, imsi) == 0 &&
		    (g_strcmp0(kind, "internet") == 0 || g_strcmp0(kind, "mms") == 0))
			g_ptr_array_add(profs, p);
	}
	g_ptr_array_sort(profs, compare_prof_updated_desc);
	for (guint i = 0; i < profs->len; i++) {
		Prof *p = g_ptr_array_index(profs, i);
		Msg *msg = message_of_profile(self, p);
		const OmacpProfile *profile = NULL;

		if (msg != NULL && state_is(msg, STATE_APPLIED))
			profile = decoded_profile_of(msg, p);
		if (profile != NULL)
			g_ptr_array_add(profiles, (gpointer) profile);
	}
	masked = omacp_mask_number(imsi);
	if (!omacp_applier_write_sim_settings(self->applier, imsi, profiles, &note, &error))
		g_warning("SIM %s: oFono provisioning file not written: %s", masked,
		          error->message);
	else if (note != NULL)
		g_message("SIM %s: %s", masked, note);
}

/* ---- authorization ---- */

typedef void (*AuthorizedFunc)(OmacpManager *self, GDBusMethodInvocation *invocation, guint id);

typedef struct {
	OmacpManager *self;
	GDBusMethodInvocation *invocation;
	guint id;
	AuthorizedFunc func;
} AuthData;

static void
authorize_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	AuthData *d = user_data;
	g_autoptr(GError) error = NULL;

	if (!omacp_polkit_check_finish(result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return_error(d->invocation, error);
	} else {
		d->func(d->self, d->invocation, d->id);
	}
	g_object_unref(d->invocation);
	g_free(d);
}

static void
authorize(OmacpManager *self, GDBusMethodInvocation *invocation, const char *action, guint id,
          AuthorizedFunc func)
{
	AuthData *d = g_new0(AuthData, 1);

	d->self = self;
	d->invocation = g_object_ref(invocation);
	d->id = id;
	d->func = func;
	omacp_polkit_check_async(self->bus, self->session_mode, invocation, action,
	                         self->cancellable, authorize_done, d);
}

/* ---- Message methods ---- */

static Msg *
message_for_call(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	Msg *msg = lookup_message(self, id);

	if (msg == NULL) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_NOT_FOUND,
		                                      "message/%u does not exist (any more)", id);
		return NULL;
	}
	if (msg->busy) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_INVALID_STATE,
		                                      "message/%u is being applied", id);
		return NULL;
	}
	return msg;
}

/* Checks @pin for a pending-pin message. TRUE: verified (the caller applies).
 * FALSE with @error: wrong (an attempt is used up; at 0 the message is
 * rejected) or impossible. */
static gboolean
check_pin(OmacpManager *self, Msg *msg, const char *pin, GError **error)
{
	g_autoptr(GError) local = NULL;
	const char *imsi = msg->imsi;
	guint left = omacp_dbus_message_get_pin_attempts_left(msg->iface);

	if (pin == NULL || pin[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "message/%u needs the PIN the sender gave you", msg->id);
		return FALSE;
	}
	if (msg->decoded == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
		            "message/%u could not be decoded again", msg->id);
		return FALSE;
	}
	if (omacp_message_check_pin(msg->decoded, imsi, pin, &local)) {
		g_message("message/%u: PIN verified", msg->id);
		omacp_dbus_message_set_authenticated(msg->iface, TRUE);
		return TRUE;
	}
	if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_NO_KEY) ||
	    g_error_matches(local, OMACP_ERROR, OMACP_ERROR_BAD_PIN) ||
	    g_error_matches(local, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED)) {
		/* not a guess at the PIN: costs no attempt */
		g_set_error(error, OMACP_ERROR,
		            local->code == OMACP_ERROR_NO_KEY ? OMACP_ERROR_NO_KEY
		                                              : OMACP_ERROR_BAD_PIN,
		            "message/%u: %s", msg->id, local->message);
		return FALSE;
	}
	left = left > 0 ? left - 1 : 0;
	omacp_dbus_message_set_pin_attempts_left(msg->iface, left);
	g_message("message/%u: wrong PIN, %u attempt(s) left", msg->id, left);
	if (left == 0) {
		set_state(self, msg, STATE_REJECTED, "the PIN was wrong too many times");
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "wrong PIN for message/%u: no attempts left, the message is rejected",
		            msg->id);
		return FALSE;
	}
	save_message(self, msg);
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
	            "wrong PIN for message/%u: %u attempt(s) left", msg->id, left);
	return FALSE;
}

static void
accept_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	Msg *msg = message_for_call(self, invocation, id);
	const char *pin = NULL;
	g_autoptr(GError) error = NULL;
	gboolean confirmed;

	if (msg == NULL)
		return;
	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&s)", &pin);
	/* the user saw the Changes (a PIN entry alone does not show them) */
	confirmed = state_is(msg, STATE_PENDING_CONFIRMATION) || state_is(msg, STATE_QUARANTINED);
	if (state_is(msg, STATE_PENDING_PIN)) {
		if (!check_pin(self, msg, pin, &error)) {
			return_error(invocation, error);
			return;
		}
	} else if (state_is(msg, STATE_QUARANTINED)) {
		g_message("message/%u: the user accepts an unauthenticated message", msg->id);
	} else if (!state_is(msg, STATE_PENDING_CONFIRMATION)) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		        "message/%u is %s: only pending or quarantined messages can be accepted",
		        msg->id, omacp_dbus_message_get_state(msg->iface));
		return;
	}
	start_apply(self, msg, invocation, confirmed);
}

static gboolean
handle_accept(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, const char *pin, Msg *msg)
{
	authorize(msg->mgr, invocation, OMACP_ACTION_ID_ACCEPT, msg->id, accept_authorized);
	return TRUE;
}

static gboolean
reject_message(OmacpManager *self, Msg *msg, const char *why, GError **error)
{
	if (!state_is(msg, STATE_RECEIVING) && !state_is(msg, STATE_PENDING_PIN) &&
	    !state_is(msg, STATE_PENDING_CONFIRMATION) && !state_is(msg, STATE_QUARANTINED)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		            "message/%u is %s: only receiving, pending or quarantined messages "
		            "can be rejected",
		            msg->id, omacp_dbus_message_get_state(msg->iface));
		return FALSE;
	}
	cancel_agent_request(self, msg);
	if (msg->receiving) {
		g_hash_table_remove(self->receiving, &msg->reassembly_id);
		msg->receiving = FALSE;
	}
	set_state(self, msg, STATE_REJECTED, why);
	return TRUE;
}

static void
reject_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	Msg *msg = message_for_call(self, invocation, id);
	g_autoptr(GError) error = NULL;

	if (msg == NULL)
		return;
	if (!reject_message(self, msg, "rejected by the user", &error)) {
		return_error(invocation, error);
		return;
	}
	publish_statistics(self);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static gboolean
handle_reject(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, Msg *msg)
{
	authorize(msg->mgr, invocation, OMACP_ACTION_ID_ACCEPT, msg->id, reject_authorized);
	return TRUE;
}

static void
delete_message(OmacpManager *self, Msg *msg)
{
	g_autoptr(GError) error = NULL;
	GHashTableIter iter;
	gpointer value;

	cancel_agent_request(self, msg);
	g_hash_table_iter_init(&iter, self->profiles);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Prof *p = value;

		if (g_strcmp0(omacp_dbus_profile_get_message(p->iface), msg->path) == 0) {
			omacp_dbus_profile_set_message(p->iface, "/");
			save_profile(self, p);
		}
	}
	if (!omacp_store_delete_message(self->store, msg->id, &error))
		g_warning("message/%u: %s", msg->id, error->message);
	g_message("message/%u deleted", msg->id);
	msg_forget(self, msg);
}

static void
delete_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	Msg *msg = message_for_call(self, invocation, id);

	if (msg == NULL)
		return;
	delete_message(self, msg);
	publish_statistics(self);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static gboolean
handle_delete(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, Msg *msg)
{
	authorize(msg->mgr, invocation, OMACP_ACTION_ID_ACCEPT, msg->id, delete_authorized);
	return TRUE;
}

/* ---- Undo ---- */

typedef struct {
	OmacpManager *self;
	guint msg_id;
	GDBusMethodInvocation *invocation;
	GVariant *entries; /* aa{sv}, walked from the end */
	gsize left;
	GString *errors;
} UndoJob;

static void undo_job_next(UndoJob *job);

static void
undo_job_free(UndoJob *job)
{
	g_clear_object(&job->invocation);
	g_clear_pointer(&job->entries, g_variant_unref);
	g_string_free(job->errors, TRUE);
	g_free(job);
}

static void
undo_step_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	UndoJob *job = user_data;
	OmacpManager *self = job->self;
	g_autoptr(GVariant) entry = g_variant_get_child_value(job->entries, job->left);
	g_autoptr(GError) error = NULL;
	GVariantDict d;
	guint prof_id = 0;
	gboolean created = FALSE;
	gboolean removed = FALSE;
	g_autoptr(GVariant) previous = NULL;
	Prof *p;
	gboolean ok;

	g_variant_dict_init(&d, entry);
	g_variant_dict_lookup(&d, "profile", "u", &prof_id);
	g_variant_dict_lookup(&d, "created", "b", &created);
	g_variant_dict_lookup(&d, "removed", "b", &removed);
	previous = g_variant_dict_lookup_value(&d, "previous", G_VARIANT_TYPE("a{sv}"));
	g_variant_dict_clear(&d);

	ok = created ? omacp_applier_remove_finish(self->applier, result, &error)
	             : omacp_applier_undo_finish(self->applier, result, &error);
	p = lookup_profile(self, prof_id);
	if (!ok) {
		g_string_append_printf(job->errors, "%sprofile/%u: %s",
		                       job->errors->len ? "; " : "", prof_id, error->message);
	} else if (created) {
		if (p != NULL)
			delete_profile(self, p);
	} else if (previous != NULL) {
		if (p == NULL) {
			/* a profile the message removed comes back */
			p = prof_new(self, prof_id);
			prof_set_from_snapshot(p, previous);
			save_profile(self, p);
			prof_export(self, p);
		} else {
			prof_set_from_snapshot(p, previous);
			save_profile(self, p);
		}
		(void) removed;
	}
	undo_job_next(job);
}

static void
undo_job_next(UndoJob *job)
{
	OmacpManager *self = job->self;
	Msg *msg = lookup_message(self, job->msg_id);

	while (job->left > 0) {
		g_autoptr(GVariant) entry = NULL;
		GVariantDict d;
		guint prof_id = 0;
		gboolean created = FALSE;
		g_autoptr(GVariant) backend_undo = NULL;
		Prof *p;

		job->left--;
		entry = g_variant_get_child_value(job->entries, job->left);
		g_variant_dict_init(&d, entry);
		g_variant_dict_lookup(&d, "profile", "u", &prof_id);
		g_variant_dict_lookup(&d, "created", "b", &created);
		backend_undo =
		        g_variant_dict_lookup_value(&d, "backend-undo", G_VARIANT_TYPE("a(ssv)"));
		g_variant_dict_clear(&d);
		p = lookup_profile(self, prof_id);
		if (created && p == NULL)
			continue; /* removed since */
		if (created)
			omacp_applier_remove_async(self->applier,
			                           omacp_dbus_profile_get_targets(p->iface), NULL,
			                           undo_step_done, job);
		else
			omacp_applier_undo_async(self->applier, backend_undo, NULL, undo_step_done,
			                         job);
		return;
	}
	if (msg != NULL) {
		msg->busy = FALSE;
		if (job->errors->len == 0) {
			g_clear_pointer(&msg->undo, g_variant_unref);
			omacp_dbus_message_set_error(msg->iface, "");
			set_state(self, msg, STATE_UNDONE, NULL);
			provision_ofono(self, msg->imsi);
		} else {
			save_message(self, msg);
		}
	}
	if (job->errors->len == 0)
		g_dbus_method_invocation_return_value(job->invocation, NULL);
	else
		g_dbus_method_invocation_return_error(job->invocation, OMACP_ERROR,
		                                      OMACP_ERROR_BACKEND, "undo: %s",
		                                      job->errors->str);
	undo_job_free(job);
}

static void
undo_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	Msg *msg = message_for_call(self, invocation, id);
	UndoJob *job;

	if (msg == NULL)
		return;
	if (!state_is(msg, STATE_APPLIED)) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		        "message/%u is %s: only applied messages can be undone", msg->id,
		        omacp_dbus_message_get_state(msg->iface));
		return;
	}
	msg->busy = TRUE;
	job = g_new0(UndoJob, 1);
	job->self = self;
	job->msg_id = id;
	job->invocation = g_object_ref(invocation);
	job->entries = msg->undo ? g_variant_ref(msg->undo)
	                         : g_variant_ref_sink(g_variant_new("aa{sv}", NULL));
	job->left = g_variant_n_children(job->entries);
	job->errors = g_string_new(NULL);
	g_message("message/%u: undoing %zu change(s)", id, job->left);
	undo_job_next(job);
}

static gboolean
handle_undo(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, Msg *msg)
{
	authorize(msg->mgr, invocation, OMACP_ACTION_ID_REMOVE, msg->id, undo_authorized);
	return TRUE;
}

/* ---- Profile.Remove ---- */

typedef struct {
	OmacpManager *self;
	guint prof_id;
	GDBusMethodInvocation *invocation;
} RemoveJob;

static void
remove_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemoveJob *job = user_data;
	OmacpManager *self = job->self;
	Prof *p = lookup_profile(self, job->prof_id);
	g_autoptr(GError) error = NULL;

	if (!omacp_applier_remove_finish(self->applier, result, &error)) {
		if (p != NULL)
			p->busy = FALSE;
		return_error(job->invocation, error);
	} else {
		if (p != NULL) {
			g_autofree char *imsi = g_strdup(p->imsi);

			g_message("profile/%u (%s) removed", p->id,
			          omacp_dbus_profile_get_identity(p->iface));
			delete_profile(self, p);
			provision_ofono(self, str_or_null(imsi));
		}
		g_dbus_method_invocation_return_value(job->invocation, NULL);
	}
	g_object_unref(job->invocation);
	g_free(job);
}

static void
remove_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	Prof *p = lookup_profile(self, id);
	RemoveJob *job;

	if (p == NULL) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_NOT_FOUND,
		                                      "profile/%u does not exist (any more)", id);
		return;
	}
	if (p->busy) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_INVALID_STATE,
		                                      "profile/%u is being removed", id);
		return;
	}
	p->busy = TRUE;
	job = g_new0(RemoveJob, 1);
	job->self = self;
	job->prof_id = id;
	job->invocation = g_object_ref(invocation);
	omacp_applier_remove_async(self->applier, omacp_dbus_profile_get_targets(p->iface), NULL,
	                           remove_done, job);
}

static gboolean
handle_remove(OmacpDBusProfile *iface, GDBusMethodInvocation *invocation, Prof *prof)
{
	authorize(prof->mgr, invocation, OMACP_ACTION_ID_REMOVE, prof->id, remove_authorized);
	return TRUE;
}

/* ---- Manager methods ---- */

static gboolean
option_string(GVariantDict *options, const char *key, char **out, GError **error)
{
	g_autoptr(GVariant) v = g_variant_dict_lookup_value(options, key, NULL);
	const char *s;

	if (v == NULL)
		return TRUE;
	if (!g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option %s must be a string, not %s", key,
		            g_variant_get_type_string(v));
		return FALSE;
	}
	s = g_variant_get_string(v, NULL);
	if (strlen(s) > OMACP_DELIVER_MAX_OPTION_LEN) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option %s is longer than %d characters", key,
		            OMACP_DELIVER_MAX_OPTION_LEN);
		return FALSE;
	}
	if (s[0] != '\0')
		*out = g_strdup(s);
	return TRUE;
}

static gboolean
valid_imsi(const char *imsi, GError **error)
{
	gsize len = strlen(imsi);

	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(imsi[i])) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "deliver: option imsi has a non-digit at position %zu", i + 1);
			return FALSE;
		}
	}
	if (len < 6 || len > 15) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option imsi has %zu digits, an IMSI has 6 to 15", len);
		return FALSE;
	}
	return TRUE;
}

static void
deliver_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	GVariant *params = g_dbus_method_invocation_get_parameters(invocation);
	g_autoptr(GVariant) data = NULL;
	g_autoptr(GVariant) options = NULL;
	g_autoptr(GBytes) input = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *imsi = NULL;
	g_autofree char *sender = NULL;
	g_autofree char *modem = NULL;
	const char *format_text = NULL;
	GVariantDict dict;
	OmacpFormat format;
	gboolean ok;
	Msg *msg;

	g_variant_get(params, "(@ay&s@a{sv})", &data, &format_text, &options);
	g_variant_dict_init(&dict, options);
	ok = option_string(&dict, "imsi", &imsi, &error) &&
	     option_string(&dict, "sender", &sender, &error) &&
	     option_string(&dict, "modem", &modem, &error);
	g_variant_dict_clear(&dict);
	if (!ok || (imsi != NULL && !valid_imsi(imsi, &error))) {
		return_error(invocation, error);
		return;
	}
	if (!omacp_format_from_string(format_text, &format)) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		        "deliver: unknown format '%s' (sms-pdu, sms-tpdu, ud, wsp, wbxml, xml)",
		        format_text);
		return;
	}
	input = g_bytes_new(g_variant_get_data(data), g_variant_get_size(data));
	msg = deliver(self, format, input, sender, imsi, modem, g_get_real_time(), &error);
	if (msg == NULL) {
		g_message("deliver (%s, %zu octets) refused: %s", format_text,
		          g_bytes_get_size(input), error->message);
		return_error(invocation, error);
		return;
	}
	omacp_dbus_manager_complete_deliver(self->iface, invocation, msg->path);
}

static gboolean
handle_deliver(OmacpDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *data,
               const char *format, GVariant *options, OmacpManager *self)
{
	authorize(self, invocation, OMACP_ACTION_ID_DELIVER, 0, deliver_authorized);
	return TRUE;
}

gboolean
omacp_manager_push(const OmacpPushEvent *event, gpointer user_data, GError **error)
{
	OmacpManager *self = user_data;
	Msg *msg;

	msg = deliver(self, OMACP_FORMAT_WSP, event->datagram, str_or_null(event->sender),
	              str_or_null(event->imsi), str_or_null(event->modem),
	              event->received_us > 0 ? event->received_us : g_get_real_time(), error);
	return msg != NULL;
}

/* ---- agents ---- */

static Agent *
current_agent(OmacpManager *self)
{
	if (self->agents->len == 0)
		return NULL;
	return g_ptr_array_index(self->agents, self->agents->len - 1);
}

static void
cancel_agent_request(OmacpManager *self, Msg *msg)
{
	if (msg->agent_request == NULL)
		return;
	g_cancellable_cancel(msg->agent_request);
}

typedef struct {
	OmacpManager *self;
	guint msg_id;
	Agent *agent; /* compared by pointer only; may be gone */
	char *owner;
	char *path;
	gboolean pin;
	GCancellable *cancellable;
} AgentCall;

static void
agent_call_free(AgentCall *call)
{
	g_free(call->owner);
	g_free(call->path);
	g_clear_object(&call->cancellable);
	g_free(call);
}

static gboolean
agent_alive(OmacpManager *self, Agent *agent)
{
	for (guint i = 0; i < self->agents->len; i++) {
		if (g_ptr_array_index(self->agents, i) == agent)
			return TRUE;
	}
	return FALSE;
}

static void
agent_send(OmacpManager *self, const char *owner, const char *path, const char *method,
           GVariant *args)
{
	g_dbus_connection_call(self->bus, owner, path, OMACP_DBUS_AGENT_INTERFACE, method, args,
	                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static void
agent_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
	AgentCall *call = user_data;
	OmacpManager *self = call->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	Msg *msg;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
	    g_cancellable_is_cancelled(self->cancellable)) {
		agent_call_free(call);
		return; /* shutting down */
	}
	if (agent_alive(self, call->agent))
		call->agent->busy = FALSE;
	msg = lookup_message(self, call->msg_id);
	if (msg != NULL && msg->agent_request == call->cancellable)
		g_clear_object(&msg->agent_request);

	if (reply == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			/* answered elsewhere: close the agent's prompt */
			agent_send(self, call->owner, call->path, "Cancel",
			           g_variant_new("(o)", msg ? msg->path : "/"));
		} else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
			g_message("message/%u: the agent did not answer in %u s", call->msg_id,
			          self->config->agent_timeout_s);
			if (msg != NULL) {
				msg->agent_declined = TRUE;
				agent_send(self, call->owner, call->path, "Cancel",
				           g_variant_new("(o)", msg->path));
			}
		} else {
			g_message("message/%u: the agent declined: %s", call->msg_id,
			          error->message);
			if (msg != NULL)
				msg->agent_declined = TRUE;
		}
	} else if (msg != NULL && call->pin && state_is(msg, STATE_PENDING_PIN) && !msg->busy) {
		const char *pin = NULL;
		g_autoptr(GError) local = NULL;

		g_variant_get(reply, "(&s)", &pin);
		if (pin[0] == '\0') {
			msg->agent_declined = TRUE;
		} else if (check_pin(self, msg, pin, &local)) {
			start_apply(self, msg, NULL, FALSE);
		} else {
			g_message("message/%u: PIN from the agent: %s", msg->id, local->message);
			if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_NO_KEY))
				msg->agent_declined = TRUE;
		}
	} else if (msg != NULL && !call->pin && state_is(msg, STATE_PENDING_CONFIRMATION) &&
	           !msg->busy) {
		gboolean confirmed = FALSE;

		g_variant_get(reply, "(b)", &confirmed);
		if (confirmed) {
			g_message("message/%u: confirmed by the agent", msg->id);
			start_apply(self, msg, NULL, TRUE);
		} else {
			reject_message(self, msg, "rejected by the user", NULL);
		}
	}
	agent_call_free(call);
	agents_kick(self);
}

static gint
compare_msg_id(gconstpointer a, gconstpointer b)
{
	const Msg *x = *(Msg *const *) a;
	const Msg *y = *(Msg *const *) b;

	return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

/* Offers the oldest message waiting for a PIN or a confirmation to the
 * current agent, when it is not busy. */
static void
agents_kick(OmacpManager *self)
{
	Agent *agent = current_agent(self);
	g_autoptr(GPtrArray) waiting = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;
	AgentCall *call;
	Msg *msg;

	if (agent == NULL || agent->busy)
		return;
	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *m = value;

		if (m->busy || m->agent_declined || m->agent_request != NULL)
			continue;
		if (state_is(m, STATE_PENDING_PIN) || state_is(m, STATE_PENDING_CONFIRMATION))
			g_ptr_array_add(waiting, m);
	}
	if (waiting->len == 0)
		return;
	g_ptr_array_sort(waiting, compare_msg_id);
	msg = g_ptr_array_index(waiting, 0);

	call = g_new0(AgentCall, 1);
	call->self = self;
	call->msg_id = msg->id;
	call->agent = agent;
	call->owner = g_strdup(agent->owner);
	call->path = g_strdup(agent->path);
	call->pin = state_is(msg, STATE_PENDING_PIN);
	call->cancellable = g_cancellable_new();
	msg->agent_request = g_object_ref(call->cancellable);
	agent->busy = TRUE;
	g_message("message/%u: asking the agent for %s", msg->id,
	          call->pin ? "the PIN" : "a confirmation");
	g_dbus_connection_call(
	        self->bus, agent->owner, agent->path, OMACP_DBUS_AGENT_INTERFACE,
	        call->pin ? "RequestPin" : "RequestConfirmation", g_variant_new("(o)", msg->path),
	        call->pin ? G_VARIANT_TYPE("(s)") : G_VARIANT_TYPE("(b)"),
	        G_DBUS_CALL_FLAGS_NO_AUTO_START, (gint) self->config->agent_timeout_s * 1000,
	        call->cancellable, agent_reply, call);
}

static void
remove_agent(OmacpManager *self, Agent *agent)
{
	g_message("agent %s%s unregistered", agent->owner, agent->path);
	g_ptr_array_remove(self->agents, agent);
}

static void
agent_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	OmacpManager *self = user_data;

	for (guint i = self->agents->len; i > 0; i--) {
		Agent *agent = g_ptr_array_index(self->agents, i - 1);

		if (g_strcmp0(agent->owner, name) == 0)
			remove_agent(self, agent);
	}
	agents_kick(self);
}

static void
reset_agent_declines(OmacpManager *self)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		((Msg *) value)->agent_declined = FALSE;
}

static void
register_agent_authorized(OmacpManager *self, GDBusMethodInvocation *invocation, guint id)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	const char *path = NULL;
	Agent *agent;

	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&o)", &path);
	for (guint i = 0; i < self->agents->len; i++) {
		Agent *a = g_ptr_array_index(self->agents, i);

		if (g_strcmp0(a->owner, sender) == 0 && g_strcmp0(a->path, path) == 0) {
			g_dbus_method_invocation_return_error(
			        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			        "an agent is registered at %s already", path);
			return;
		}
	}
	if (self->agents->len >= OMACP_MANAGER_MAX_AGENTS) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		        "%d agents are registered already", OMACP_MANAGER_MAX_AGENTS);
		return;
	}
	agent = g_new0(Agent, 1);
	agent->mgr = self;
	agent->owner = g_strdup(sender);
	agent->path = g_strdup(path);
	agent->watch = g_bus_watch_name_on_connection(
	        self->bus, sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, agent_vanished, self, NULL);
	g_ptr_array_add(self->agents, agent);
	g_message("agent %s%s registered", sender, path);
	omacp_dbus_manager_complete_register_agent(self->iface, invocation);
	reset_agent_declines(self);
	agents_kick(self);
}

static gboolean
handle_register_agent(OmacpDBusManager *iface, GDBusMethodInvocation *invocation, const char *path,
                      OmacpManager *self)
{
	authorize(self, invocation, OMACP_ACTION_ID_AGENT, 0, register_agent_authorized);
	return TRUE;
}

static gboolean
handle_unregister_agent(OmacpDBusManager *iface, GDBusMethodInvocation *invocation,
                        const char *path, OmacpManager *self)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);

	for (guint i = 0; i < self->agents->len; i++) {
		Agent *a = g_ptr_array_index(self->agents, i);

		if (g_strcmp0(a->owner, sender) == 0 && g_strcmp0(a->path, path) == 0) {
			remove_agent(self, a);
			omacp_dbus_manager_complete_unregister_agent(iface, invocation);
			agents_kick(self);
			return TRUE;
		}
	}
	g_dbus_method_invocation_return_error(invocation, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
	                                      "no agent of yours is registered at %s", path);
	return TRUE;
}

/* ---- restoring from the store ---- */

static void
restore_profile(OmacpManager *self, guint id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = omacp_store_load_profile(self->store, id, &error);
	g_autofree char *settings_text = NULL;
	g_autofree char *targets_text = NULL;
	g_autoptr(GVariant) settings = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_auto(GStrv) risks = NULL;
	const char *empty[] = { NULL };
	Prof *p;

	if (kf == NULL) {
		g_warning("profile/%u not restored: %s", id, error->message);
		return;
	}
	p = prof_new(self, id);
#define GET_STR(key, setter)                                                                       \
	do {                                                                                       \
		g_autofree char *v = g_key_file_get_string(kf, PROFILE_GROUP, key, NULL);          \
		if (v != NULL)                                                                     \
			setter(p->iface, v);                                                       \
	} while (0)
	GET_STR("Kind", omacp_dbus_profile_set_kind);
	GET_STR("Identity", omacp_dbus_profile_set_identity);
	GET_STR("Name", omacp_dbus_profile_set_name);
#undef GET_STR
	{
		g_autofree char *imsi = g_key_file_get_string(kf, PROFILE_GROUP, "Imsi", NULL);

		prof_set_imsi(p, imsi);
	}
	{
		g_autofree char *message =
		        g_key_file_get_string(kf, PROFILE_GROUP, "Message", NULL);

		if (message != NULL && g_variant_is_object_path(message))
			omacp_dbus_profile_set_message(p->iface, message);
	}
	settings_text = g_key_file_get_string(kf, PROFILE_GROUP, "Settings", NULL);
	if (settings_text != NULL)
		settings =
		        g_variant_parse(G_VARIANT_TYPE("a{sv}"), settings_text, NULL, NULL, NULL);
	if (settings != NULL)
		omacp_dbus_profile_set_settings(p->iface, settings);
	targets_text = g_key_file_get_string(kf, PROFILE_GROUP, "Targets", NULL);
	if (targets_text != NULL)
		targets = g_variant_parse(G_VARIANT_TYPE("a(ss)"), targets_text, NULL, NULL, NULL);
	if (targets != NULL)
		omacp_dbus_profile_set_targets(p->iface, targets);
	risks = g_key_file_get_string_list(kf, PROFILE_GROUP, "Risks", NULL, NULL);
	omacp_dbus_profile_set_risks(p->iface, risks ? (const char *const *) risks : empty);
	omacp_dbus_profile_set_created_at(
	        p->iface, g_key_file_get_uint64(kf, PROFILE_GROUP, "CreatedAt", NULL));
	omacp_dbus_profile_set_updated_at(
	        p->iface, g_key_file_get_uint64(kf, PROFILE_GROUP, "UpdatedAt", NULL));
	prof_export(self, p);
}

static void
restore_segments(OmacpManager *self, Msg *msg)
{
	OmacpFormat format;

	if (!omacp_format_from_string(msg->format, &format) || !omacp_format_is_segmented(format)) {
		fail_receiving(self, msg, "the stored segments are of an unknown format");
		return;
	}
	for (guint i = 0; i < msg->n_inputs; i++) {
		g_autofree char *name = g_strdup_printf("input-%u", i + 1);
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) input =
		        omacp_store_read_message_file(self->store, msg->id, name, &error);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GBytes) datagram = NULL;
		OmacpReassemblyResult r = { 0 };
		gint64 when = i < msg->input_times->len
		                      ? g_array_index(msg->input_times, gint64, i)
		                      : (gint64) omacp_dbus_message_get_received_at(msg->iface);
		const char *modem = str_or_null(omacp_dbus_message_get_modem(msg->iface));

		if (input != NULL && omacp_message_parse_segment(format, input, &sms, &error))
			set_sender(sms, str_or_null(omacp_dbus_message_get_sender(msg->iface)));
		if (sms == NULL || !omacp_reassembler_add(self->reassembler, modem, sms, when, &r,
		                                          &datagram, &error)) {
			g_warning("message/%u: segment %u not restored: %s", msg->id, i + 1,
			          error->message);
			continue;
		}
		msg->last_input_us = when;
		if (r.state == OMACP_REASSEMBLY_COMPLETE) {
			omacp_reassembly_result_clear(&r);
			msg->receiving = TRUE;
			complete_receiving(self, msg, datagram, msg->imsi, NULL);
			return;
		}
		if (!msg->receiving) {
			msg->receiving = TRUE;
			msg->reassembly_id = r.message_id;
			g_hash_table_insert(self->receiving, &msg->reassembly_id, msg);
		}
		omacp_reassembly_result_clear(&r);
	}
}

static void
restore_message(OmacpManager *self, guint id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = omacp_store_load_message_meta(self->store, id, &error);
	g_autofree char *format = NULL;
	g_autofree char *changes_text = NULL;
	g_autofree char *undo_text = NULL;
	g_autoptr(GVariant) changes = NULL;
	g_autofree gint *profile_ids = NULL;
	g_auto(GStrv) warnings = NULL;
	g_auto(GStrv) times = NULL;
	gsize n_profiles = 0;
	const char *empty[] = { NULL };
	Msg *msg;

	if (kf == NULL) {
		g_warning("message/%u not restored: %s", id, error->message);
		return;
	}
	format = g_key_file_get_string(kf, META_GROUP, "Format", NULL);
	msg = msg_new(self, id, format ? format : "wsp");
#define GET_STR(key, setter)                                                                       \
	do {                                                                                       \
		g_autofree char *v = g_key_file_get_string(kf, META_GROUP, key, NULL);             \
		if (v != NULL)                                                                     \
			setter(msg->iface, v);                                                     \
	} while (0)
	GET_STR("State", omacp_dbus_message_set_state);
	GET_STR("Security", omacp_dbus_message_set_security);
	GET_STR("Sender", omacp_dbus_message_set_sender);
	GET_STR("Modem", omacp_dbus_message_set_modem);
	GET_STR("ContentType", omacp_dbus_message_set_content_type);
	GET_STR("Error", omacp_dbus_message_set_error);
#undef GET_STR
	{
		g_autofree char *imsi = g_key_file_get_string(kf, META_GROUP, "Imsi", NULL);

		msg_set_imsi(msg, imsi);
	}
	omacp_dbus_message_set_authenticated(
	        msg->iface, g_key_file_get_boolean(kf, META_GROUP, "Authenticated", NULL));
	omacp_dbus_message_set_received_at(
	        msg->iface, g_key_file_get_uint64(kf, META_GROUP, "ReceivedAt", NULL));
	omacp_dbus_message_set_pin_attempts_left(
	        msg->iface, (guint) g_key_file_get_uint64(kf, META_GROUP, "PinAttemptsLeft", NULL));
	omacp_dbus_message_set_segments_received(
	        msg->iface,
	        (guint) g_key_file_get_uint64(kf, META_GROUP, "SegmentsReceived", NULL));
	omacp_dbus_message_set_segments_total(
	        msg->iface, (guint) g_key_file_get_uint64(kf, META_GROUP, "SegmentsTotal", NULL));
	profile_ids = g_key_file_get_integer_list(kf, META_GROUP, "Profiles", &n_profiles, NULL);
	{
		g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

		for (gsize i = 0; profile_ids != NULL && i < n_profiles; i++) {
			if (profile_ids[i] > 0)
				g_ptr_array_add(paths,
				                g_strdup_printf(OMACP_DBUS_PROFILE_PREFIX "%d",
				                                profile_ids[i]));
		}
		msg_set_profiles(msg, paths);
	}
	changes_text = g_key_file_get_string(kf, META_GROUP, "Changes", NULL);
	if (changes_text != NULL)
		changes = g_variant_parse(G_VARIANT_TYPE("aa{sv}"), changes_text, NULL, NULL, NULL);
	if (changes != NULL)
		omacp_dbus_message_set_changes(msg->iface, changes);
	warnings = g_key_file_get_string_list(kf, META_GROUP, "Warnings", NULL, NULL);
	omacp_dbus_message_set_warnings(msg->iface,
	                                warnings ? (const char *const *) warnings : empty);
	msg->n_inputs = (guint) g_key_file_get_uint64(kf, META_GROUP, "Inputs", NULL);
	times = g_key_file_get_string_list(kf, META_GROUP, "InputTimes", NULL, NULL);
	for (guint i = 0; times != NULL && times[i] != NULL; i++) {
		gint64 t = g_ascii_strtoll(times[i], NULL, 10);

		g_array_append_val(msg->input_times, t);
	}
	msg->fingerprint = g_key_file_get_string(kf, META_GROUP, "Fingerprint", NULL);
	undo_text = g_key_file_get_string(kf, META_GROUP, "Undo", NULL);
	if (undo_text != NULL)
		/* a full reference already: g_variant_parse() never returns a floating one */
		msg->undo = g_variant_parse(G_VARIANT_TYPE("aa{sv}"), undo_text, NULL, NULL, NULL);

	if (state_is(msg, STATE_RECEIVING)) {
		msg_export(self, msg);
		restore_segments(self, msg);
		return;
	}
	/* re-derive the decoded message from the stored octets */
	{
		g_autoptr(GBytes) complete =
		        omacp_store_read_message_file(self->store, id, "message", &error);
		g_autoptr(OmacpMessage) decoded = NULL;

		if (complete == NULL ||
		    !decode_complete(self, msg->format, complete, msg->imsi, &decoded, &error)) {
			if (error != NULL)
				g_message("message/%u: stored message does not decode: %s", id,
				          error->message);
		} else {
			g_autofree char *document = omacp_xml_to_string(decoded->xml, TRUE);

			omacp_dbus_message_set_document(msg->iface, document);
			msg->decoded = g_steal_pointer(&decoded);
		}
	}
	msg_export(self, msg);
}

static void
restore(OmacpManager *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) profiles = omacp_store_list_profiles(self->store, &error);
	g_autoptr(GArray) messages = NULL;
	g_autoptr(GPtrArray) accepted = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_real_time();

	for (guint i = 0; profiles != NULL && i < profiles->len; i++)
		restore_profile(self, g_array_index(profiles, guint, i));
	messages = omacp_store_list_messages(self->store, &error);
	for (guint i = 0; messages != NULL && i < messages->len; i++)
		restore_message(self, g_array_index(messages, guint, i));
	if (error != NULL)
		g_warning("%s", error->message);

	/* segments that were too old by now */
	omacp_reassembler_expire(self->reassembler, now);
	sync_reassembly_drops(self, now, NULL);
	schedule_expiry(self);

	g_hash_table_iter_init(&iter, self->messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *msg = value;

		if (state_is(msg, STATE_ACCEPTED))
			g_ptr_array_add(accepted, msg);
	}
	for (guint i = 0; i < accepted->len; i++)
		start_apply(self, g_ptr_array_index(accepted, i), NULL, FALSE);
	g_message("restored %u message(s) and %u profile(s) from %s",
	          g_hash_table_size(self->messages), g_hash_table_size(self->profiles),
	          omacp_store_get_dir(self->store));
}

/* ---- life cycle ---- */

gboolean
omacp_manager_new(GDBusConnection *bus, gboolean session_mode, OmacpConfig *config,
                  OmacpStore *store, OmacpManager **out, GError **error)
{
	g_autoptr(OmacpManager) self = g_new0(OmacpManager, 1);
	g_autofree char *backends = NULL;

	self->bus = g_object_ref(bus);
	self->session_mode = session_mode;
	self->config = config;
	self->store = store;
	self->cancellable = g_cancellable_new();
	self->messages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	                                       (GDestroyNotify) msg_free);
	self->profiles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	                                       (GDestroyNotify) prof_free);
	self->receiving = g_hash_table_new(g_int64_hash, g_int64_equal);
	self->reassembler = omacp_reassembler_new();
	self->rate_senders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                           (GDestroyNotify) g_array_unref);
	self->rate_modems = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                          (GDestroyNotify) g_array_unref);
	self->agents = g_ptr_array_new_with_free_func((GDestroyNotify) agent_free);
	self->catch_up_failed = g_hash_table_new(g_direct_hash, g_direct_equal);

	self->applier = omacp_applier_new(config, bus);
	omacp_applier_set_ready_func(self->applier, applier_ready, self);
	backends = omacp_applier_describe(self->applier);
	g_message("apply backends: %s", backends);

	self->server = g_dbus_object_manager_server_new(OMACP_DBUS_PATH);
	self->iface = omacp_dbus_manager_skeleton_new();
	g_signal_connect(self->iface, "handle-deliver", G_CALLBACK(handle_deliver), self);
	g_signal_connect(self->iface, "handle-register-agent", G_CALLBACK(handle_register_agent),
	                 self);
	g_signal_connect(self->iface, "handle-unregister-agent",
	                 G_CALLBACK(handle_unregister_agent), self);

	restore(self);
	publish_statistics(self);
	g_dbus_object_manager_server_set_connection(self->server, bus);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->iface), bus,
	                                      OMACP_DBUS_PATH, error))
		return FALSE;
	self->adapters = omacp_adapters_new(config, bus, omacp_manager_push, self);
	omacp_applier_set_sim_networks(self->applier, omacp_adapters_sim_network, self->adapters);
	*out = g_steal_pointer(&self);
	return TRUE;
}

void
omacp_manager_free(OmacpManager *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	for (guint i = 0; self->agents != NULL && i < self->agents->len; i++) {
		Agent *a = g_ptr_array_index(self->agents, i);

		agent_send(self, a->owner, a->path, "Release", NULL);
	}
	if (self->bus != NULL)
		g_dbus_connection_flush_sync(self->bus, NULL, NULL);
	g_clear_pointer(&self->adapters, omacp_adapters_free);
	g_clear_handle_id(&self->expiry_source, g_source_remove);
	if (self->iface != NULL) {
		if (g_dbus_interface_skeleton_get_connection(
		            G_DBUS_INTERFACE_SKELETON(self->iface)))
			g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->iface));
		g_signal_handlers_disconnect_by_data(self->iface, self);
	}
	g_clear_pointer(&self->agents, g_ptr_array_unref);
	g_clear_pointer(&self->receiving, g_hash_table_unref);
	g_clear_pointer(&self->messages, g_hash_table_unref);
	g_clear_pointer(&self->profiles, g_hash_table_unref);
	g_clear_object(&self->server);
	g_clear_object(&self->iface);
	g_clear_pointer(&self->applier, omacp_applier_free);
	g_clear_pointer(&self->catch_up_failed, g_hash_table_unref);
	g_queue_clear_full(&self->apply_queue, (GDestroyNotify) queued_apply_free);
	g_clear_pointer(&self->reassembler, omacp_reassembler_free);
	g_clear_pointer(&self->rate_senders, g_hash_table_unref);
	g_clear_pointer(&self->rate_modems, g_hash_table_unref);
	g_clear_pointer(&self->store, omacp_store_free);
	g_clear_pointer(&self->config, omacp_config_free);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->bus);
	g_free(self);
}
