/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "message-store.h"

#define MESSAGE_GROUP "Message"
#define PROFILE_GROUP "Profile"

gboolean
omacp_message_store_save_message(OmacpStore *store, OmacpDaemonMessage *msg, GError **error)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint));
	const char *const *profiles = omacp_dbus_message_get_profiles(m);
	const char *const *warnings = omacp_dbus_message_get_warnings(m);
	g_autofree char *changes = g_variant_print(omacp_dbus_message_get_changes(m), TRUE);

	g_key_file_set_uint64(kf, MESSAGE_GROUP, "Id", msg->id);
	g_key_file_set_string(kf, MESSAGE_GROUP, "State",
	                      omacp_message_state_to_string(msg->state));
	g_key_file_set_string(kf, MESSAGE_GROUP, "Format", omacp_format_to_string(msg->format));
	g_key_file_set_string(kf, MESSAGE_GROUP, "Security", omacp_dbus_message_get_security(m));
	g_key_file_set_boolean(kf, MESSAGE_GROUP, "Authenticated",
	                       omacp_dbus_message_get_authenticated(m));
	g_key_file_set_string(kf, MESSAGE_GROUP, "Sender", omacp_dbus_message_get_sender(m));
	g_key_file_set_string(kf, MESSAGE_GROUP, "Imsi", msg->imsi ? msg->imsi : "");
	g_key_file_set_string(kf, MESSAGE_GROUP, "Iccid", msg->iccid ? msg->iccid : "");
	g_key_file_set_string(kf, MESSAGE_GROUP, "Modem", omacp_dbus_message_get_modem(m));
	g_key_file_set_uint64(kf, MESSAGE_GROUP, "ReceivedAt",
	                      omacp_dbus_message_get_received_at(m));
	g_key_file_set_string(kf, MESSAGE_GROUP, "ContentType",
	                      omacp_dbus_message_get_content_type(m));
	g_key_file_set_string(kf, MESSAGE_GROUP, "Error", omacp_dbus_message_get_error(m));
	g_key_file_set_uint64(kf, MESSAGE_GROUP, "PinAttemptsLeft",
	                      omacp_dbus_message_get_pin_attempts_left(m));
	g_key_file_set_uint64(kf, MESSAGE_GROUP, "SegmentsReceived",
	                      omacp_dbus_message_get_segments_received(m));
	g_key_file_set_uint64(kf, MESSAGE_GROUP, "SegmentsTotal",
	                      omacp_dbus_message_get_segments_total(m));
	for (guint i = 0; profiles != NULL && profiles[i] != NULL; i++) {
		guint id;

		if (omacp_id_from_path(profiles[i], OMACP_DBUS_PROFILE_PREFIX, &id)) {
			gint v = (gint) id;

			g_array_append_val(ids, v);
		}
	}
	if (ids->len > 0)
		g_key_file_set_integer_list(kf, MESSAGE_GROUP, "Profiles", (gint *) ids->data,
		                            ids->len);
	g_key_file_set_string(kf, MESSAGE_GROUP, "Changes", changes);
	g_key_file_set_string_list(kf, MESSAGE_GROUP, "Warnings", warnings,
	                           warnings ? g_strv_length((char **) warnings) : 0);
	g_key_file_set_uint64(kf, MESSAGE_GROUP, "Inputs", msg->n_inputs);
	if (msg->input_times->len > 0) {
		g_autoptr(GPtrArray) times = g_ptr_array_new_with_free_func(g_free);

		for (guint i = 0; i < msg->input_times->len; i++)
			g_ptr_array_add(
			        times, g_strdup_printf("%" G_GINT64_FORMAT,
			                               g_array_index(msg->input_times, gint64, i)));
		g_key_file_set_string_list(kf, MESSAGE_GROUP, "InputTimes",
		                           (const char *const *) times->pdata, times->len);
	}
	if (msg->fingerprint != NULL)
		g_key_file_set_string(kf, MESSAGE_GROUP, "Fingerprint", msg->fingerprint);
	if (msg->undo != NULL) {
		g_autofree char *undo = g_variant_print(msg->undo, TRUE);

		g_key_file_set_string(kf, MESSAGE_GROUP, "Undo", undo);
	}
	return omacp_store_save_message_meta(store, msg->id, kf, error);
}

/* Calls @setter with the string @key of @group, when there is one. */
#define SET_STRING(kf, group, key, object, setter)                                                 \
	do {                                                                                       \
		g_autofree char *value_ = g_key_file_get_string(kf, group, key, NULL);             \
		if (value_ != NULL)                                                                \
			setter(object, value_);                                                    \
	} while (0)

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

OmacpDaemonMessage *
omacp_message_store_load_message(OmacpStore *store, guint id, OmacpAuthority *authority,
                                 GError **error)
{
	g_autoptr(GKeyFile) kf = omacp_store_load_message_meta(store, id, error);
	g_autofree char *format_text = NULL;
	g_autofree char *state_text = NULL;
	g_autofree char *imsi = NULL;
	g_autofree char *iccid = NULL;
	g_autoptr(GVariant) changes = NULL;
	g_autofree gint *profile_ids = NULL;
	g_auto(GStrv) warnings = NULL;
	g_auto(GStrv) times = NULL;
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	gsize n_profiles = 0;
	const char *empty[] = { NULL };
	OmacpFormat format = OMACP_FORMAT_WSP;
	OmacpDaemonMessage *msg;
	OmacpDBusMessage *m;

	if (kf == NULL)
		return NULL;
	format_text = g_key_file_get_string(kf, MESSAGE_GROUP, "Format", NULL);
	if (format_text != NULL && !omacp_format_from_string(format_text, &format))
		g_warning("message/%u: stored format '%s' unknown, read as wsp", id, format_text);
	msg = omacp_daemon_message_new(id, format, authority);
	m = OMACP_DBUS_MESSAGE(msg);
	state_text = g_key_file_get_string(kf, MESSAGE_GROUP, "State", NULL);
	if (state_text != NULL) {
		OmacpMessageState state = OMACP_MESSAGE_STATE_FAILED;

		if (!omacp_message_state_from_string(state_text, &state))
			g_warning("message/%u: stored state '%s' unknown, read as failed", id,
			          state_text);
		omacp_daemon_message_restore_state(msg, state);
	}
	SET_STRING(kf, MESSAGE_GROUP, "Security", m, omacp_dbus_message_set_security);
	SET_STRING(kf, MESSAGE_GROUP, "Sender", m, omacp_dbus_message_set_sender);
	SET_STRING(kf, MESSAGE_GROUP, "Modem", m, omacp_dbus_message_set_modem);
	SET_STRING(kf, MESSAGE_GROUP, "ContentType", m, omacp_dbus_message_set_content_type);
	SET_STRING(kf, MESSAGE_GROUP, "Error", m, omacp_dbus_message_set_error);
	imsi = g_key_file_get_string(kf, MESSAGE_GROUP, "Imsi", NULL);
	omacp_daemon_message_set_imsi(msg, imsi);
	iccid = g_key_file_get_string(kf, MESSAGE_GROUP, "Iccid", NULL);
	omacp_daemon_message_set_iccid(msg, iccid);
	omacp_dbus_message_set_authenticated(
	        m, g_key_file_get_boolean(kf, MESSAGE_GROUP, "Authenticated", NULL));
	omacp_dbus_message_set_received_at(
	        m, g_key_file_get_uint64(kf, MESSAGE_GROUP, "ReceivedAt", NULL));
	omacp_dbus_message_set_pin_attempts_left(
	        m, (guint) g_key_file_get_uint64(kf, MESSAGE_GROUP, "PinAttemptsLeft", NULL));
	omacp_dbus_message_set_segments_received(
	        m, (guint) g_key_file_get_uint64(kf, MESSAGE_GROUP, "SegmentsReceived", NULL));
	omacp_dbus_message_set_segments_total(
	        m, (guint) g_key_file_get_uint64(kf, MESSAGE_GROUP, "SegmentsTotal", NULL));
	profile_ids = g_key_file_get_integer_list(kf, MESSAGE_GROUP, "Profiles", &n_profiles, NULL);
	for (gsize i = 0; profile_ids != NULL && i < n_profiles; i++) {
		if (profile_ids[i] > 0)
			g_ptr_array_add(paths, g_strdup_printf(OMACP_DBUS_PROFILE_PREFIX "%d",
			                                       profile_ids[i]));
	}
	omacp_daemon_message_set_profiles(msg, paths);
	changes = parse_variant(kf, MESSAGE_GROUP, "Changes", "aa{sv}");
	if (changes != NULL)
		omacp_dbus_message_set_changes(m, changes);
	warnings = g_key_file_get_string_list(kf, MESSAGE_GROUP, "Warnings", NULL, NULL);
	omacp_dbus_message_set_warnings(m, warnings ? (const char *const *) warnings : empty);
	msg->n_inputs = (guint) g_key_file_get_uint64(kf, MESSAGE_GROUP, "Inputs", NULL);
	times = g_key_file_get_string_list(kf, MESSAGE_GROUP, "InputTimes", NULL, NULL);
	for (guint i = 0; times != NULL && times[i] != NULL; i++) {
		gint64 t = g_ascii_strtoll(times[i], NULL, 10);

		g_array_append_val(msg->input_times, t);
	}
	msg->fingerprint = g_key_file_get_string(kf, MESSAGE_GROUP, "Fingerprint", NULL);
	msg->undo = parse_variant(kf, MESSAGE_GROUP, "Undo", "aa{sv}");
	return msg;
}

gboolean
omacp_message_store_add_input(OmacpStore *store, OmacpDaemonMessage *msg, GBytes *input, gint64 now,
                              GError **error)
{
	g_autofree char *name = g_strdup_printf("input-%u", msg->n_inputs + 1);
	gsize len = 0;
	const void *data = g_bytes_get_data(input, &len);

	if (!omacp_store_write_message_file(store, msg->id, name, data, len, error))
		return FALSE;
	msg->n_inputs++;
	g_array_append_val(msg->input_times, now);
	msg->last_input_us = now;
	return TRUE;
}

GBytes *
omacp_message_store_read_input(OmacpStore *store, OmacpDaemonMessage *msg, guint index,
                               GError **error)
{
	g_autofree char *name = g_strdup_printf("input-%u", index + 1);

	return omacp_store_read_message_file(store, msg->id, name, error);
}

gboolean
omacp_message_store_write_complete(OmacpStore *store, OmacpDaemonMessage *msg, GBytes *data,
                                   GError **error)
{
	gsize len = 0;
	const void *p = g_bytes_get_data(data, &len);

	return omacp_store_write_message_file(store, msg->id, "message", p, len, error);
}

GBytes *
omacp_message_store_read_complete(OmacpStore *store, OmacpDaemonMessage *msg, GError **error)
{
	return omacp_store_read_message_file(store, msg->id, "message", error);
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
	SET_STRING(kf, PROFILE_GROUP, "Kind", p, omacp_dbus_profile_set_kind);
	SET_STRING(kf, PROFILE_GROUP, "Identity", p, omacp_dbus_profile_set_identity);
	SET_STRING(kf, PROFILE_GROUP, "Name", p, omacp_dbus_profile_set_name);
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
	g_variant_dict_clear(&d);
}
