/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "message-store.h"

#include "vardict.h"

#define MESSAGE_GROUP "Message"
#define PROFILE_GROUP "Profile"

/* Calls @setter with the string @key of @group, when there is one. */
#define KF_SET_STRING(kf, group, key, object, setter)                                              \
	do {                                                                                       \
		g_autofree char *value_ = g_key_file_get_string(kf, group, key, NULL);             \
		if (value_ != NULL)                                                                \
			setter(object, value_);                                                    \
	} while (0)

/* ---- messages: records of the store ----
 *
 * A message's records hold (later keys replace earlier ones):
 *   "meta"      a{sv}: what the daemon decided, see meta_of()
 *   "input-K"   (xay): the received time and octets of input K (from 1)
 *   "complete"  ay: the complete push (wsp) or document
 *   "document"  s: the document GetDocument answers (written once, with the first
 *               meta that has one; older stores lack it and are decoded)
 * every GVariant in binary form; nothing is parsed from text. */

/* One {sv} entry of @b: without a format string to parse (a record is
 * written on every change of a message). */
static void
add_sv(GVariantBuilder *b, const char *key, GVariant *value)
{
	g_variant_builder_add_value(b, g_variant_new_dict_entry(g_variant_new_string(key),
	                                                        g_variant_new_variant(value)));
}

/* The "meta" record of @msg, written straight into one buffer in normal
 * form (vardict.h): a GVariant per value cost a fifth of a Deliver. */
static GVariant *
meta_of(OmacpDaemonMessage *msg)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	const char *const *profiles = omacp_dbus_message_get_profiles(m);
	const char *const *warnings = omacp_dbus_message_get_warnings(m);
	const char *const empty[] = { NULL };
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint32));
	OmacpVardictBuilder b;

	for (guint i = 0; profiles != NULL && profiles[i] != NULL; i++) {
		guint id;

		if (omacp_id_from_path(profiles[i], OMACP_DBUS_PROFILE_PREFIX, &id))
			g_array_append_val(ids, id);
	}
	omacp_vardict_builder_init(&b);
	omacp_vardict_add_uint32(&b, "Id", msg->id);
	omacp_vardict_add_string(&b, "State", omacp_message_state_to_string(msg->state));
	omacp_vardict_add_string(&b, "Format", omacp_format_to_string(msg->format));
	omacp_vardict_add_string(&b, "Security", omacp_dbus_message_get_security(m));
	omacp_vardict_add_string(&b, "Sender", omacp_dbus_message_get_sender(m));
	omacp_vardict_add_string(&b, "Imsi", msg->imsi);
	omacp_vardict_add_string(&b, "Iccid", msg->iccid);
	omacp_vardict_add_string(&b, "Modem", omacp_dbus_message_get_modem(m));
	omacp_vardict_add_string(&b, "ContentType", omacp_dbus_message_get_content_type(m));
	omacp_vardict_add_string(&b, "Error", omacp_dbus_message_get_error(m));
	omacp_vardict_add_boolean(&b, "Authenticated", omacp_dbus_message_get_authenticated(m));
	omacp_vardict_add_uint64(&b, "ReceivedAt", omacp_dbus_message_get_received_at(m));
	omacp_vardict_add_uint32(&b, "PinAttemptsLeft",
	                         omacp_dbus_message_get_pin_attempts_left(m));
	omacp_vardict_add_uint32(&b, "SegmentsReceived",
	                         omacp_dbus_message_get_segments_received(m));
	omacp_vardict_add_uint32(&b, "SegmentsTotal", omacp_dbus_message_get_segments_total(m));
	omacp_vardict_add_value(&b, "Profiles",
	                        g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, ids->data,
	                                                  ids->len, sizeof(guint32)));
	omacp_vardict_add_value(&b, "Changes", omacp_daemon_message_get_changes(msg));
	omacp_vardict_add_value(&b, "Warnings",
	                        g_variant_new_strv(warnings ? warnings : empty, -1));
	if (msg->fingerprint != NULL)
		omacp_vardict_add_string(&b, "Fingerprint", msg->fingerprint);
	if (msg->undo != NULL)
		omacp_vardict_add_value(&b, "Undo", msg->undo);
	/* the user's choice on accepting, for an apply resumed later */
	omacp_vardict_add_boolean(&b, "MakeDefault", msg->accept_default);
	omacp_vardict_add_boolean(&b, "ActivateNow", msg->accept_activate);
	return omacp_vardict_builder_end(&b);
}

static gboolean
put(OmacpStore *store, guint id, const char *key, GVariant *value, GError **error)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	add_sv(&b, key, value);
	return omacp_store_put_message(store, id, g_variant_builder_end(&b), error);
}

gboolean
omacp_message_store_save_message(OmacpStore *store, OmacpDaemonMessage *msg, GError **error)
{
	GVariantBuilder b;

	if (msg->document_stored || msg->document == NULL)
		return put(store, msg->id, "meta", meta_of(msg), error);
	/* the document once, beside the first meta that has it: read back, it
	 * spares a decode of the stored octets; from then on it is read from
	 * the store when GetDocument asks, not kept in memory */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "meta", meta_of(msg));
	g_variant_builder_add(&b, "{sv}", "document", g_variant_new_string(msg->document));
	if (!omacp_store_put_message(store, msg->id, g_variant_builder_end(&b), error))
		return FALSE;
	msg->document_stored = TRUE;
	g_clear_pointer(&msg->document, g_free);
	return TRUE;
}

char *
omacp_message_store_read_document(OmacpStore *store, OmacpDaemonMessage *msg, GError **error)
{
	g_autoptr(GVariant) record = omacp_store_get_message(store, msg->id, error);
	g_autoptr(GVariant) document = NULL;

	if (record == NULL)
		return NULL;
	document = g_variant_lookup_value(record, "document", G_VARIANT_TYPE_STRING);
	if (document == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "store: message/%u has no document", msg->id);
		return NULL;
	}
	/* untrusted: a string not in normal form reads as "" */
	return g_variant_dup_string(document, NULL);
}

static char *
input_key(guint index)
{
	return g_strdup_printf("input-%u", index + 1);
}

/* What a message's "meta" record says, gathered before the object is made
 * with all its D-Bus properties at once. */
typedef struct {
	const char *names[24];
	GValue values[24];
	guint n;
	OmacpMessageState state;
	gboolean have_state;
	const char *imsi;
	const char *iccid;
	const char *fingerprint;
	const char *format;
	GVariant *changes;
	GVariant *undo;
	gboolean make_default;
	gboolean activate_now;
} Meta;

static GValue *
meta_value(Meta *meta, const char *name, GType type)
{
	GValue *v;

	/* a key twice (a record written by hand): the first one counts */
	for (guint i = 0; i < meta->n; i++) {
		if (strcmp(meta->names[i], name) == 0)
			return NULL;
	}
	if (meta->n == G_N_ELEMENTS(meta->names))
		return NULL;
	v = &meta->values[meta->n];
	meta->names[meta->n++] = name;
	g_value_init(v, type);
	return v;
}

/* Whether the value @s of the property @name is one of a few that many
 * messages share (an empty one, a state, a SEC method, a modem, a SIM, the
 * provisioning media types): interned, the objects share one copy (the
 * skeleton's GValue keeps an interned string as it is). Never what a
 * sender chooses freely, which would grow the table for ever. */
static gboolean
shared_value(const char *name, const char *s)
{
	return s[0] == '\0' || strcmp(name, "state") == 0 || strcmp(name, "security") == 0 ||
	       strcmp(name, "modem") == 0 || strcmp(name, "imsi") == 0 ||
	       (strcmp(name, "content-type") == 0 &&
	        g_str_has_prefix(s, "application/vnd.wap.connectivity-") && strlen(s) < 48);
}

static void
meta_string(Meta *meta, const char *name, const char *s)
{
	GValue *v = meta_value(meta, name, G_TYPE_STRING);

	if (v == NULL)
		return;
	if (shared_value(name, s))
		g_value_set_interned_string(v, g_intern_string(s));
	else
		g_value_set_string(v, s);
}

static void
meta_clear(Meta *meta)
{
	/* what the message was made with was moved out */
	for (guint i = 0; i < meta->n; i++) {
		if (G_IS_VALUE(&meta->values[i]))
			g_value_unset(&meta->values[i]);
	}
	g_clear_pointer(&meta->undo, g_variant_unref);
	g_clear_pointer(&meta->changes, g_variant_unref);
}

/* The D-Bus property (GObject name) of a plain string key of "meta". */
static const char *
string_property(const char *key)
{
	static const char *const map[][2] = {
		{ "Security", "security" },        { "Sender", "sender" }, { "Modem", "modem" },
		{ "ContentType", "content-type" }, { "Error", "error" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
		if (strcmp(key, map[i][0]) == 0)
			return map[i][1];
	}
	return NULL;
}

/* A copy of the serialised value @data of @type in memory of its own
 * (full reference), as untrusted as the record it comes from. */
static GVariant *
value_copy(const GVariantType *type, const guint8 *data, gsize size)
{
	g_autoptr(GBytes) bytes = g_bytes_new(data, size);

	return g_variant_ref_sink(g_variant_new_from_bytes(type, bytes, FALSE));
}

#define TYPE_IS(t) omacp_vardict_entry_is(e, t)

/* One key of a message's "meta" record: @type and @data are its value's
 * (serialised, borrowed from the record, which outlives @meta's strings).
 * A value of another type, or not in normal form, is left out. */
static void
gather_meta_value(guint id, Meta *meta, const OmacpVardictEntry *e)
{
	const char *key = e->key;
	const guint8 *data = e->value;
	gsize size = e->size;
	const char *s = TYPE_IS("s") ? omacp_vardict_string(data, size) : NULL;
	const char *property;
	guint32 u = 0;
	guint64 t = 0;
	gboolean b = FALSE;
	GValue *v;

	if (s != NULL && (property = string_property(key)) != NULL) {
		meta_string(meta, property, s);
	} else if (s != NULL && strcmp(key, "State") == 0) {
		if (!omacp_message_state_from_string(s, &meta->state)) {
			g_warning("message/%u: stored state '%s' unknown, read as failed", id, s);
			meta->state = OMACP_MESSAGE_STATE_FAILED;
		}
		meta->have_state = TRUE;
	} else if (s != NULL && strcmp(key, "Imsi") == 0) {
		meta->imsi = s;
	} else if (s != NULL && strcmp(key, "Iccid") == 0) {
		meta->iccid = s;
	} else if (s != NULL && strcmp(key, "Fingerprint") == 0) {
		meta->fingerprint = s;
	} else if (s != NULL && strcmp(key, "Format") == 0) {
		meta->format = s;
	} else if (TYPE_IS("b") && omacp_vardict_boolean(data, size, &b)) {
		if (strcmp(key, "Authenticated") == 0) {
			if ((v = meta_value(meta, "authenticated", G_TYPE_BOOLEAN)) != NULL)
				g_value_set_boolean(v, b);
		} else if (strcmp(key, "MakeDefault") == 0) {
			meta->make_default = b;
		} else if (strcmp(key, "ActivateNow") == 0) {
			meta->activate_now = b;
		}
	} else if (TYPE_IS("t") && strcmp(key, "ReceivedAt") == 0 &&
	           omacp_vardict_uint64(data, size, &t)) {
		if ((v = meta_value(meta, "received-at", G_TYPE_UINT64)) != NULL)
			g_value_set_uint64(v, t);
	} else if (TYPE_IS("u") && omacp_vardict_uint32(data, size, &u) &&
	           (strcmp(key, "PinAttemptsLeft") == 0 || strcmp(key, "SegmentsReceived") == 0 ||
	            strcmp(key, "SegmentsTotal") == 0)) {
		const char *name = key[0] == 'P'   ? "pin-attempts-left"
		                   : key[8] == 'R' ? "segments-received"
		                                   : "segments-total";

		if ((v = meta_value(meta, name, G_TYPE_UINT)) != NULL)
			g_value_set_uint(v, u);
	} else if (TYPE_IS("au") && strcmp(key, "Profiles") == 0) {
		/* fixed-size elements: a size that is no multiple reads as none */
		gsize n = size % sizeof(guint32) == 0 ? size / sizeof(guint32) : 0;
		char **paths = g_new0(char *, n + 1);
		guint k = 0;

		for (gsize i = 0; i < n; i++) {
			guint32 pid;

			memcpy(&pid, data + i * sizeof(guint32), sizeof(guint32));
			if (pid > 0)
				paths[k++] = g_strdup_printf(OMACP_DBUS_PROFILE_PREFIX "%u", pid);
		}
		if ((v = meta_value(meta, "profiles", G_TYPE_STRV)) != NULL)
			g_value_take_boxed(v, paths);
		else
			g_strfreev(paths);
	} else if (TYPE_IS("aa{sv}") && strcmp(key, "Changes") == 0) {
		/* kept serialised, read where it is used */
		g_clear_pointer(&meta->changes, g_variant_unref);
		meta->changes = value_copy(G_VARIANT_TYPE("aa{sv}"), data, size);
	} else if (TYPE_IS("as") && strcmp(key, "Warnings") == 0) {
		if ((v = meta_value(meta, "warnings", G_TYPE_STRV)) != NULL)
			g_value_take_boxed(v, omacp_vardict_strv(data, size));
	} else if (TYPE_IS("aa{sv}") && strcmp(key, "Undo") == 0) {
		g_clear_pointer(&meta->undo, g_variant_unref);
		meta->undo = value_copy(G_VARIANT_TYPE("aa{sv}"), data, size);
	}
}

/* What the records of a message hold for its object, the newest value of
 * each key (a later record's replaces an earlier one's), borrowed from
 * the records. */
typedef struct {
	const guint8 *meta;
	gsize meta_size;
	gboolean document_stored;
	GArray *input_times; /* gint64, input K at K - 1 */
} Records;

static void
records_clear(Records *rec)
{
	g_clear_pointer(&rec->input_times, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Records, records_clear)

static void
gather_records(GPtrArray *records, Records *out)
{
	out->input_times = g_array_new(FALSE, TRUE, sizeof(gint64));
	for (guint r = 0; r < records->len; r++) {
		GVariant *record = g_ptr_array_index(records, r);
		OmacpVardictIter iter;
		OmacpVardictEntry entry;
		const OmacpVardictEntry *e = &entry;

		omacp_vardict_iter_init(&iter, g_variant_get_data(record),
		                        g_variant_get_size(record));
		while (omacp_vardict_iter_next(&iter, &entry)) {
			const char *key = e->key;
			guint64 k = 0;

			if (strcmp(key, "meta") == 0) {
				/* another type: as if it were not there */
				out->meta = TYPE_IS("a{sv}") ? e->value : NULL;
				out->meta_size = e->size;
			} else if (strcmp(key, "document") == 0) {
				/* read when GetDocument asks */
				out->document_stored = TYPE_IS("s");
			} else if (TYPE_IS("(xay)") && g_str_has_prefix(key, "input-") &&
			           g_ascii_string_to_unsigned(key + 6, 10, 1, 4096, &k, NULL)) {
				gint64 when = 0;

				/* (xay): the time in the first 8 octets */
				if (e->size >= sizeof(gint64))
					memcpy(&when, e->value, sizeof(gint64));
				if (k > out->input_times->len)
					g_array_set_size(out->input_times, (guint) k);
				g_array_index(out->input_times, gint64, k - 1) = when;
			}
		}
	}
}

#undef TYPE_IS

/* The message @id of @records (what gather_records() found in them):
 * made with its properties at once, one pass over each dictionary, no
 * GVariant made per value (vardict.h). */
static OmacpDaemonMessage *
message_from_records(guint id, Records *rec, OmacpAuthority *authority)
{
	OmacpFormat format = OMACP_FORMAT_WSP;
	OmacpDaemonMessage *msg;
	g_autofree char *masked = NULL;
	Meta meta = { .n = 0 };
	OmacpVardictIter iter;
	OmacpVardictEntry entry;

	omacp_vardict_iter_init(&iter, rec->meta, rec->meta_size);
	while (omacp_vardict_iter_next(&iter, &entry))
		gather_meta_value(id, &meta, &entry);
	if (meta.format != NULL && !omacp_format_from_string(meta.format, &format))
		g_warning("message/%u: stored format '%s' unknown, read as wsp", id, meta.format);
	meta_string(&meta, "state",
	            omacp_message_state_to_string(meta.have_state ? meta.state
	                                                          : OMACP_MESSAGE_STATE_RECEIVING));
	masked = omacp_mask_imsi(omacp_str_or_null(meta.imsi));
	meta_string(&meta, "imsi", masked);
	msg = omacp_daemon_message_new_with_properties(id, format, authority, meta.n, meta.names,
	                                               meta.values);
	msg->state = meta.have_state ? meta.state : OMACP_MESSAGE_STATE_RECEIVING;
	msg->imsi = g_strdup(omacp_str_or_null(meta.imsi));
	msg->iccid = g_strdup(omacp_str_or_null(meta.iccid));
	msg->fingerprint = g_strdup(meta.fingerprint);
	msg->undo = g_steal_pointer(&meta.undo);
	msg->changes = g_steal_pointer(&meta.changes);
	msg->accept_default = meta.make_default;
	msg->accept_activate = meta.activate_now;
	msg->document_stored = rec->document_stored;
	meta_clear(&meta);
	/* the inputs: "input-1", "input-2", ... in any order in the records */
	g_array_append_vals(msg->input_times, rec->input_times->data, rec->input_times->len);
	msg->n_inputs = msg->input_times->len;
	return msg;
}

/* ---- the layout of older versions: text, converted once ---- */

/* A GVariant of @type printed at @key, NULL when absent or unparsable. */
static GVariant *
parse_variant(GKeyFile *kf, const char *group, const char *key, const char *type)
{
	g_autofree char *text = g_key_file_get_string(kf, group, key, NULL);

	if (text == NULL)
		return NULL;
	/* a full reference: g_variant_parse() never returns a floating one */
	return g_variant_parse(G_VARIANT_TYPE(type), text, NULL, NULL, NULL);
}

static void
add_legacy_string(GVariantBuilder *b, GKeyFile *kf, const char *key)
{
	g_autofree char *value = g_key_file_get_string(kf, MESSAGE_GROUP, key, NULL);

	if (value != NULL)
		g_variant_builder_add(b, "{sv}", key, g_variant_new_string(value));
}

/* The record of legacy message @id: meta.ini read as older versions wrote
 * it, its input files and its complete message. */
static GVariant *
legacy_record(OmacpStore *store, guint id, GError **error)
{
	g_autoptr(GKeyFile) kf = omacp_store_load_message_meta(store, id, error);
	static const char *const strings[] = { "State", "Format",     "Security", "Sender",
		                               "Imsi",  "Iccid",      "Modem",    "ContentType",
		                               "Error", "Fingerprint" };
	static const char *const counts[] = { "PinAttemptsLeft", "SegmentsReceived",
		                              "SegmentsTotal" };
	GVariantBuilder meta;
	GVariantBuilder record;
	GVariantBuilder ids;
	g_autofree gint *profile_ids = NULL;
	g_auto(GStrv) warnings = NULL;
	g_auto(GStrv) times = NULL;
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) undo = NULL;
	g_autoptr(GBytes) complete = NULL;
	gsize n_profiles = 0;
	guint n_inputs;

	if (kf == NULL)
		return NULL;
	g_variant_builder_init(&meta, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < G_N_ELEMENTS(strings); i++)
		add_legacy_string(&meta, kf, strings[i]);
	for (guint i = 0; i < G_N_ELEMENTS(counts); i++)
		g_variant_builder_add(&meta, "{sv}", counts[i],
		                      g_variant_new_uint32((guint32) g_key_file_get_uint64(
		                              kf, MESSAGE_GROUP, counts[i], NULL)));
	g_variant_builder_add(&meta, "{sv}", "Authenticated",
	                      g_variant_new_boolean(g_key_file_get_boolean(kf, MESSAGE_GROUP,
	                                                                   "Authenticated", NULL)));
	g_variant_builder_add(
	        &meta, "{sv}", "ReceivedAt",
	        g_variant_new_uint64(g_key_file_get_uint64(kf, MESSAGE_GROUP, "ReceivedAt", NULL)));
	g_variant_builder_init(&ids, G_VARIANT_TYPE("au"));
	profile_ids = g_key_file_get_integer_list(kf, MESSAGE_GROUP, "Profiles", &n_profiles, NULL);
	for (gsize i = 0; profile_ids != NULL && i < n_profiles; i++) {
		if (profile_ids[i] > 0)
			g_variant_builder_add(&ids, "u", (guint32) profile_ids[i]);
	}
	g_variant_builder_add(&meta, "{sv}", "Profiles", g_variant_builder_end(&ids));
	changes = parse_variant(kf, MESSAGE_GROUP, "Changes", "aa{sv}");
	if (changes != NULL)
		g_variant_builder_add(&meta, "{sv}", "Changes", changes);
	warnings = g_key_file_get_string_list(kf, MESSAGE_GROUP, "Warnings", NULL, NULL);
	if (warnings != NULL)
		g_variant_builder_add(&meta, "{sv}", "Warnings",
		                      g_variant_new_strv((const char *const *) warnings, -1));
	undo = parse_variant(kf, MESSAGE_GROUP, "Undo", "aa{sv}");
	if (undo != NULL)
		g_variant_builder_add(&meta, "{sv}", "Undo", undo);

	g_variant_builder_init(&record, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&record, "{sv}", "meta", g_variant_builder_end(&meta));
	n_inputs = (guint) g_key_file_get_uint64(kf, MESSAGE_GROUP, "Inputs", NULL);
	times = g_key_file_get_string_list(kf, MESSAGE_GROUP, "InputTimes", NULL, NULL);
	for (guint i = 0; i < n_inputs; i++) {
		g_autofree char *key = input_key(i);
		g_autoptr(GError) local = NULL;
		g_autoptr(GBytes) input = omacp_store_read_message_file(store, id, key, &local);
		gint64 when = times != NULL && i < g_strv_length(times)
		                      ? g_ascii_strtoll(times[i], NULL, 10)
		                      : 0;

		if (input == NULL) {
			g_warning("message/%u: %s", id, local->message);
			break;
		}
		g_variant_builder_add(
		        &record, "{sv}", key,
		        g_variant_new(
		                "(x@ay)", when,
		                g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, input, TRUE)));
	}
	complete = omacp_store_read_message_file(store, id, "message", NULL);
	if (complete != NULL)
		g_variant_builder_add(
		        &record, "{sv}", "complete",
		        g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, complete, TRUE));
	return g_variant_ref_sink(g_variant_builder_end(&record));
}

OmacpDaemonMessage *
omacp_message_store_load_message(OmacpStore *store, guint id, OmacpAuthority *authority,
                                 GError **error)
{
	g_autoptr(GPtrArray) records = NULL;
	g_auto(Records) rec = { NULL };

	if (omacp_store_message_is_legacy(store, id)) {
		g_autoptr(GError) local = NULL;
		GVariant *record = legacy_record(store, id, error);

		if (record == NULL)
			return NULL;
		records = g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
		g_ptr_array_add(records, record);
		/* written as records once; the directory goes when they are durable */
		if (!omacp_store_put_message(store, id, record, &local))
			g_warning("message/%u: not converted: %s", id, local->message);
		else
			g_debug("message/%u: converted to the record format", id);
	} else {
		/* not folded: the few keys read here are looked up newest first */
		records = omacp_store_get_message_records(store, id, error);
		if (records == NULL)
			return NULL;
	}
	gather_records(records, &rec);
	if (rec.meta == NULL) {
		/* meta is written before a message is announced: a crash cut
		 * its creation short, nothing about it was acknowledged */
		g_message("store: removing message %u, whose creation was cut short", id);
		omacp_store_delete_message(store, id, NULL);
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "store: message/%u was never complete", id);
		return NULL;
	}
	return message_from_records(id, &rec, authority);
}

gboolean
omacp_message_store_add_input(OmacpStore *store, OmacpDaemonMessage *msg, GBytes *input, gint64 now,
                              GError **error)
{
	g_autofree char *key = input_key(msg->n_inputs);
	GVariant *value = g_variant_new(
	        "(x@ay)", now, g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, input, TRUE));

	if (!put(store, msg->id, key, value, error))
		return FALSE;
	msg->n_inputs++;
	g_array_append_val(msg->input_times, now);
	msg->last_input_us = now;
	return TRUE;
}

/* The octets of the ay @v (or of the ay in the (xay) @v), a copy. */
static GBytes *
bytes_of(GVariant *v)
{
	g_autoptr(GVariant) array = g_variant_is_of_type(v, G_VARIANT_TYPE_BYTESTRING)
	                                    ? g_variant_ref(v)
	                                    : g_variant_get_child_value(v, 1);

	return g_bytes_new(g_variant_get_data(array), g_variant_get_size(array));
}

static GBytes *
read_value(OmacpStore *store, OmacpDaemonMessage *msg, const char *key, const GVariantType *type,
           GError **error)
{
	g_autoptr(GVariant) record = omacp_store_get_message(store, msg->id, error);
	g_autoptr(GVariant) value = NULL;

	if (record == NULL)
		return NULL;
	value = g_variant_lookup_value(record, key, type);
	if (value == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "store: message/%u has no %s", msg->id, key);
		return NULL;
	}
	return bytes_of(value);
}

GBytes *
omacp_message_store_read_input(OmacpStore *store, OmacpDaemonMessage *msg, guint index,
                               GError **error)
{
	g_autofree char *key = input_key(index);

	return read_value(store, msg, key, G_VARIANT_TYPE("(xay)"), error);
}

gboolean
omacp_message_store_write_complete(OmacpStore *store, OmacpDaemonMessage *msg, GBytes *data,
                                   GError **error)
{
	return put(store, msg->id, "complete",
	           g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, data, TRUE), error);
}

GBytes *
omacp_message_store_read_complete(OmacpStore *store, OmacpDaemonMessage *msg, GError **error)
{
	return read_value(store, msg, "complete", G_VARIANT_TYPE_BYTESTRING, error);
}

/* Who and how last set @profile, when known (an update by another sender
 * or a weaker SEC is a risk, also once that message is gone): a record
 * without these keys (written before them) restores an unknown maker. */
static void
save_maker(GKeyFile *kf, OmacpDaemonProfile *profile)
{
	if (profile->maker_sec == NULL)
		return;
	g_key_file_set_string(kf, PROFILE_GROUP, "MakerSender", profile->maker_sender);
	g_key_file_set_string(kf, PROFILE_GROUP, "MakerSec", profile->maker_sec);
}

static void
load_maker(GKeyFile *kf, OmacpDaemonProfile *profile)
{
	g_autofree char *sender = g_key_file_get_string(kf, PROFILE_GROUP, "MakerSender", NULL);
	g_autofree char *sec = g_key_file_get_string(kf, PROFILE_GROUP, "MakerSec", NULL);

	omacp_daemon_profile_set_maker(profile, sender, sec);
}

gboolean
omacp_message_store_save_profile(OmacpStore *store, OmacpDaemonProfile *profile, GError **error)
{
	OmacpDBusProfile *i = OMACP_DBUS_PROFILE(profile);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *settings = g_variant_print(omacp_dbus_profile_get_settings(i), TRUE);
	g_autofree char *targets = g_variant_print(omacp_dbus_profile_get_targets(i), TRUE);
	const char *const *risks = omacp_dbus_profile_get_risks(i);

	g_key_file_set_uint64(kf, PROFILE_GROUP, "Id", profile->id);
	g_key_file_set_string(kf, PROFILE_GROUP, "Kind", omacp_dbus_profile_get_kind(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Identity", omacp_dbus_profile_get_identity(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Name", omacp_dbus_profile_get_name(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Imsi", profile->imsi ? profile->imsi : "");
	g_key_file_set_string(kf, PROFILE_GROUP, "Settings", settings);
	g_key_file_set_string_list(kf, PROFILE_GROUP, "Risks", risks,
	                           risks ? g_strv_length((char **) risks) : 0);
	g_key_file_set_string(kf, PROFILE_GROUP, "Message", omacp_dbus_profile_get_message(i));
	g_key_file_set_string(kf, PROFILE_GROUP, "Targets", targets);
	g_key_file_set_uint64(kf, PROFILE_GROUP, "CreatedAt", omacp_dbus_profile_get_created_at(i));
	g_key_file_set_uint64(kf, PROFILE_GROUP, "UpdatedAt", omacp_dbus_profile_get_updated_at(i));
	save_maker(kf, profile);
	return omacp_store_save_profile(store, profile->id, kf, error);
}

OmacpDaemonProfile *
omacp_message_store_load_profile(OmacpStore *store, guint id, OmacpAuthority *authority,
                                 GError **error)
{
	g_autoptr(GKeyFile) kf = omacp_store_load_profile(store, id, error);
	g_autofree char *imsi = NULL;
	g_autofree char *message = NULL;
	g_autoptr(GVariant) settings = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_auto(GStrv) risks = NULL;
	const char *empty[] = { NULL };
	OmacpDaemonProfile *profile;
	OmacpDBusProfile *p;

	if (kf == NULL)
		return NULL;
	profile = omacp_daemon_profile_new(id, authority);
	p = OMACP_DBUS_PROFILE(profile);
	KF_SET_STRING(kf, PROFILE_GROUP, "Kind", p, omacp_dbus_profile_set_kind);
	KF_SET_STRING(kf, PROFILE_GROUP, "Identity", p, omacp_dbus_profile_set_identity);
	KF_SET_STRING(kf, PROFILE_GROUP, "Name", p, omacp_dbus_profile_set_name);
	imsi = g_key_file_get_string(kf, PROFILE_GROUP, "Imsi", NULL);
	omacp_daemon_profile_set_imsi(profile, imsi);
	message = g_key_file_get_string(kf, PROFILE_GROUP, "Message", NULL);
	if (message != NULL && g_variant_is_object_path(message))
		omacp_dbus_profile_set_message(p, message);
	settings = parse_variant(kf, PROFILE_GROUP, "Settings", "a{sv}");
	if (settings != NULL)
		omacp_dbus_profile_set_settings(p, settings);
	targets = parse_variant(kf, PROFILE_GROUP, "Targets", "a(ss)");
	if (targets != NULL)
		omacp_dbus_profile_set_targets(p, targets);
	risks = g_key_file_get_string_list(kf, PROFILE_GROUP, "Risks", NULL, NULL);
	omacp_dbus_profile_set_risks(p, risks ? (const char *const *) risks : empty);
	omacp_dbus_profile_set_created_at(
	        p, g_key_file_get_uint64(kf, PROFILE_GROUP, "CreatedAt", NULL));
	omacp_dbus_profile_set_updated_at(
	        p, g_key_file_get_uint64(kf, PROFILE_GROUP, "UpdatedAt", NULL));
	load_maker(kf, profile);
	return profile;
}

GVariant *
omacp_profile_snapshot(OmacpDaemonProfile *profile)
{
	OmacpDBusProfile *i = OMACP_DBUS_PROFILE(profile);
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "Kind", "s", omacp_dbus_profile_get_kind(i));
	g_variant_dict_insert(&d, "Identity", "s", omacp_dbus_profile_get_identity(i));
	g_variant_dict_insert(&d, "Name", "s", omacp_dbus_profile_get_name(i));
	g_variant_dict_insert(&d, "Imsi", "s", profile->imsi ? profile->imsi : "");
	g_variant_dict_insert_value(&d, "Settings", omacp_dbus_profile_get_settings(i));
	g_variant_dict_insert_value(&d, "Risks",
	                            g_variant_new_strv(omacp_dbus_profile_get_risks(i), -1));
	g_variant_dict_insert(&d, "Message", "o", omacp_dbus_profile_get_message(i));
	g_variant_dict_insert_value(&d, "Targets", omacp_dbus_profile_get_targets(i));
	g_variant_dict_insert(&d, "CreatedAt", "t", omacp_dbus_profile_get_created_at(i));
	g_variant_dict_insert(&d, "UpdatedAt", "t", omacp_dbus_profile_get_updated_at(i));
	if (profile->maker_sec != NULL) {
		g_variant_dict_insert(&d, "MakerSender", "s", profile->maker_sender);
		g_variant_dict_insert(&d, "MakerSec", "s", profile->maker_sec);
	}
	return g_variant_dict_end(&d);
}

void
omacp_profile_set_from_snapshot(OmacpDaemonProfile *profile, GVariant *snapshot)
{
	OmacpDBusProfile *p = OMACP_DBUS_PROFILE(profile);
	GVariantDict d;
	const char *s = NULL;
	guint64 t = 0;
	g_autoptr(GVariant) settings = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_autofree const char **risks = NULL;

	g_variant_dict_init(&d, snapshot);
	if (g_variant_dict_lookup(&d, "Kind", "&s", &s))
		omacp_dbus_profile_set_kind(p, s);
	if (g_variant_dict_lookup(&d, "Identity", "&s", &s))
		omacp_dbus_profile_set_identity(p, s);
	if (g_variant_dict_lookup(&d, "Name", "&s", &s))
		omacp_dbus_profile_set_name(p, s);
	if (g_variant_dict_lookup(&d, "Imsi", "&s", &s))
		omacp_daemon_profile_set_imsi(profile, s);
	settings = g_variant_dict_lookup_value(&d, "Settings", G_VARIANT_TYPE("a{sv}"));
	if (settings != NULL)
		omacp_dbus_profile_set_settings(p, settings);
	if (g_variant_dict_lookup(&d, "Risks", "^a&s", &risks))
		omacp_dbus_profile_set_risks(p, risks);
	if (g_variant_dict_lookup(&d, "Message", "&o", &s))
		omacp_dbus_profile_set_message(p, s);
	targets = g_variant_dict_lookup_value(&d, "Targets", G_VARIANT_TYPE("a(ss)"));
	if (targets != NULL)
		omacp_dbus_profile_set_targets(p, targets);
	if (g_variant_dict_lookup(&d, "CreatedAt", "t", &t))
		omacp_dbus_profile_set_created_at(p, t);
	if (g_variant_dict_lookup(&d, "UpdatedAt", "t", &t))
		omacp_dbus_profile_set_updated_at(p, t);
	{
		const char *sender = NULL;
		const char *sec = NULL;

		/* the maker as it was: unknown when the snapshot has none */
		g_variant_dict_lookup(&d, "MakerSender", "&s", &sender);
		g_variant_dict_lookup(&d, "MakerSec", "&s", &sec);
		omacp_daemon_profile_set_maker(profile, sender, sec);
	}
	g_variant_dict_clear(&d);
}
