/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The D-Bus Deliver path of omacpd, in process: a manager (session mode, so
 * polkit is not asked; no backends, no modem adapters) on one end of a
 * peer-to-peer D-Bus connection, and the calls sent from the other end, so
 * that the option parsing of the method handler, the daemon's reassembler,
 * the policy decision and the store all see the input. Every input gets a
 * fresh manager and an empty state directory (inside one temporary
 * directory made once), so that a run depends on its input only.
 *
 * Input layout:
 *   octet 0: the policy: bits 0-2 the action for unsigned messages
 *            (value % 5), bits 3-4 the action for USERPIN, bit 5 a store of
 *            4 messages (MaxStoredMessages) instead of the default, bit 6
 *            rate limits of 2 per sender and 3 per modem, bit 7 the sender
 *            +447785016005 is trusted
 *   then records: 1 header octet, 2-octet big-endian length, that many
 *   octets (a short last record takes what is left):
 *     header bits 0-2: 0 sms-pdu, 1 sms-tpdu, 2 ud, 3 wsp, 4 wbxml, 5 xml
 *                      Deliver; 6 Deliver with an unknown format; 7 Accept
 *                      on the message of the last Deliver that gave one,
 *                      with the octets as the PIN
 *     bits 3-4: option sender: none, +447785016005, 20170097, an int32
 *     bits 5-6: option imsi: none, 466923103145252, 123456789012345,
 *               "12a45" (not an IMSI)
 *     bit 7:    option modem /modem/0 (else none)
 * Every call gives a message path or an OMACP_ERROR; after every call each
 * stored message has its meta record, at most MaxStoredMessages are stored and
 * at most OMACP_REASSEMBLY_MAX_PENDING are receiving.
 *
 * Speed: a fresh manager reads mobile-broadband-provider-info at the first
 * message that names a SIM. The whole database (360 kB of XML) took 70 ms a
 * run under the sanitizers, eight times the rest of a one-message run, so
 * the target points the daemon at a copy cut down to the operator of the
 * IMSIs above (MCC 466, MNC 92; 123 45 is in neither copy): the daemon
 * decides the same as with the whole database, and fuzz-provdoc covers
 * the parser on the whole one. The store check reads a record file again
 * only when it changed. */
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "manager.h"
#include "omacp.h"

#define MAX_RECORDS    64
#define SMALL_STORE    4
#define MANAGER_IFACE  "org.omacp.Provisioning1.Manager"
#define MESSAGE_IFACE  "org.omacp.Provisioning1.Message"
#define TRUSTED_SENDER "+447785016005"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static const char *const formats[] = { "sms-pdu", "sms-tpdu", "ud", "wsp", "wbxml", "xml" };
static const char *const imsis[] = { NULL, "466923103145252", "123456789012345", "12a45" };

/* The entry of mobile-broadband-provider-info for the operator of
 * imsis[1], as the full database has it (internet and MMS APNs). */
static const char small_mbpi[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                 "<serviceproviders format=\"2.0\">\n"
                                 "<country code=\"tw\">\n"
                                 "  <provider>\n"
                                 "    <name>Chunghwa Telecom (emome)</name>\n"
                                 "    <gsm>\n"
                                 "      <network-id mcc=\"466\" mnc=\"92\"/>\n"
                                 "      <apn value=\"emome\">\n"
                                 "        <plan type=\"postpaid\"/>\n"
                                 "        <usage type=\"internet\"/>\n"
                                 "        <username>web</username>\n"
                                 "        <password>web</password>\n"
                                 "      </apn>\n"
                                 "      <apn value=\"internet\">\n"
                                 "        <plan type=\"postpaid\"/>\n"
                                 "        <usage type=\"internet\"/>\n"
                                 "      </apn>\n"
                                 "      <apn value=\"emome\">\n"
                                 "        <usage type=\"mms\"/>\n"
                                 "        <name>CHT MMS</name>\n"
                                 "        <mmsc>http://mms.emome.net:8002</mmsc>\n"
                                 "        <mmsproxy>10.1.1.1:8080</mmsproxy>\n"
                                 "      </apn>\n"
                                 "    </gsm>\n"
                                 "  </provider>\n"
                                 "</country>\n"
                                 "</serviceproviders>\n";

static char *base_dir;
/* record file name → "size:mtime" of the version checked last */
static GHashTable *checked;
static GDBusConnection *server_conn;
static GDBusConnection *client_conn;

static GLogWriterOutput
quiet_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	/* the daemon's g_message() chatter would slow the fuzzer down; anything
	 * from g_warning() up is a finding */
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) {
		g_log_writer_standard_streams(level, fields, n_fields, user_data);
		g_abort();
	}
	return G_LOG_WRITER_HANDLED;
}

static void
connection_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GDBusConnection **out = user_data;
	g_autoptr(GError) error = NULL;

	*out = g_dbus_connection_new_finish(result, &error);
	if (*out == NULL)
		g_error("fuzz-deliver: %s", error->message);
}

static GIOStream *
stream_from_fd(int fd)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket = g_socket_new_from_fd(fd, &error);

	if (socket == NULL)
		g_error("fuzz-deliver: %s", error->message);
	return G_IO_STREAM(g_socket_connection_factory_create_connection(socket));
}

static void remove_tree(const char *path);

static void
cleanup(void)
{
	remove_tree(base_dir);
	g_clear_pointer(&checked, g_hash_table_unref);
}

static void
init_once(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GIOStream) server_stream = NULL;
	g_autoptr(GIOStream) client_stream = NULL;
	g_autofree char *guid = g_dbus_generate_guid();
	g_autofree char *mbpi = NULL;
	int fds[2];

	if (base_dir != NULL)
		return;
	g_log_set_writer_func(quiet_writer, NULL, NULL);
	omacp_error_register();
	base_dir = g_dir_make_tmp("omacp-fuzz-deliver-XXXXXX", &error);
	if (base_dir == NULL)
		g_error("fuzz-deliver: %s", error->message);
	atexit(cleanup);
	mbpi = g_build_filename(base_dir, "serviceproviders.xml", NULL);
	if (!g_file_set_contents(mbpi, small_mbpi, -1, &error))
		g_error("fuzz-deliver: %s", error->message);
	g_setenv("OMACP_MBPI_DATABASE", mbpi, TRUE);
	checked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
		g_error("fuzz-deliver: socketpair: %s", g_strerror(errno));
	server_stream = stream_from_fd(fds[0]);
	client_stream = stream_from_fd(fds[1]);
	g_dbus_connection_new(server_stream, guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER,
	                      NULL, NULL, connection_ready, &server_conn);
	g_dbus_connection_new(client_stream, NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
	                      NULL, NULL, connection_ready, &client_conn);
	while (server_conn == NULL || client_conn == NULL)
		g_main_context_iteration(NULL, TRUE);
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

/* Runs what is ready on the main context (idle callbacks of the apply
 * path) without waiting for timers. */
static void
drain(void)
{
	for (guint i = 0; i < 1000 && g_main_context_iteration(NULL, FALSE); i++)
		;
}

static void
call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **out = user_data;

	*out = g_object_ref(result);
}

/* Sends one method call from the client end and runs the main context until
 * the reply is in. */
static GVariant *
call(const char *path, const char *iface, const char *method, GVariant *params,
     const GVariantType *reply_type, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	g_dbus_connection_call(client_conn, NULL, path, iface, method, params, reply_type,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, call_done, &result);
	while (result == NULL)
		g_main_context_iteration(NULL, TRUE);
	return g_dbus_connection_call_finish(client_conn, result, error);
}

static void
check_error(const GError *error, gboolean object_may_be_gone)
{
	g_assert(error != NULL);
	/* a message deleted to make room is no longer on the bus */
	if (object_may_be_gone &&
	    (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
	     g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)))
		return;
	if (error->domain != OMACP_ERROR)
		g_error("fuzz-deliver: an error that is not OMACP_ERROR: %s", error->message);
}

/* Every stored message has its meta record with a state; the store and the
 * reassembly stay within their caps. */
static void
check_store(const char *state_dir, guint max_stored)
{
	g_autofree char *messages = g_build_filename(state_dir, "messages", NULL);
	g_autoptr(GDir) dir = g_dir_open(messages, 0, NULL);
	const char *name;
	guint stored = 0;
	guint receiving = 0;

	g_assert(dir != NULL);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *path = g_build_filename(messages, name, NULL);
		g_autoptr(GVariant) record = NULL;
		g_autoptr(GVariant) meta = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree char *version = NULL;
		const char *state = NULL;
		const char *seen;
		GStatBuf st;

		if (!g_str_has_suffix(name, ".rec"))
			g_error("fuzz-deliver: %s in the message store", name);
		if (g_stat(path, &st) != 0)
			g_error("fuzz-deliver: message %s: %s", name, g_strerror(errno));
		/* the value stored for a file checked before is its state */
		version = g_strdup_printf("%" G_GINT64_FORMAT ":%ld.%09ld:%lu", (gint64) st.st_size,
		                          (long) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec,
		                          (unsigned long) st.st_ino);
		seen = g_hash_table_lookup(checked, name);
		if (seen != NULL && g_str_has_prefix(seen, version) &&
		    seen[strlen(version)] == ' ') {
			state = seen + strlen(version) + 1;
		} else {
			record = omacp_store_read_record_file(path, &error);
			if (record == NULL)
				g_error("fuzz-deliver: message %s: %s", name, error->message);
			meta = g_variant_lookup_value(record, "meta", G_VARIANT_TYPE_VARDICT);
			if (meta == NULL)
				g_error("fuzz-deliver: message %s is stored without its meta "
				        "record",
				        name);
			g_assert(g_variant_lookup(meta, "State", "&s", &state));
			g_hash_table_insert(checked, g_strdup(name),
			                    g_strdup_printf("%s %s", version, state));
		}
		if (g_str_equal(state, "receiving"))
			receiving++;
		stored++;
	}
	g_assert(stored <= max_stored);
	g_assert(receiving <= OMACP_REASSEMBLY_MAX_PENDING);
}

static OmacpConfig *
config_for(guint8 policy)
{
	OmacpConfig *c = omacp_config_new_default();

	c->backend_networkmanager = FALSE;
	c->backend_ofono = FALSE;
	c->backend_mmsd = FALSE;
	c->adapter_ofono = FALSE;
	c->adapter_modemmanager = FALSE;
	g_clear_pointer(&c->push_forward_dir, g_free);
	c->none = (OmacpAction) ((policy & 7) % 5);
	c->userpin = (OmacpAction) ((policy >> 3) & 3);
	if (policy & 0x20)
		c->max_stored_messages = SMALL_STORE;
	if (policy & 0x40) {
		c->max_per_sender_per_hour = 2;
		c->max_per_modem_per_hour = 3;
	}
	if (policy & 0x80) {
		const char *trusted[] = { TRUSTED_SENDER, NULL };

		g_strfreev(c->trusted_senders);
		c->trusted_senders = g_strdupv((char **) trusted);
	}
	return c;
}

static GVariant *
deliver_params(guint8 header, const guint8 *data, gsize len)
{
	GVariantBuilder options;
	guint op = header & 7;
	const char *imsi = imsis[(header >> 5) & 3];

	g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
	switch ((header >> 3) & 3) {
	case 1:
		g_variant_builder_add(&options, "{sv}", "sender",
		                      g_variant_new_string(TRUSTED_SENDER));
		break;
	case 2:
		g_variant_builder_add(&options, "{sv}", "sender", g_variant_new_string("20170097"));
		break;
	case 3:
		g_variant_builder_add(&options, "{sv}", "sender", g_variant_new_int32(42));
		break;
	}
	if (imsi != NULL)
		g_variant_builder_add(&options, "{sv}", "imsi", g_variant_new_string(imsi));
	if (header & 0x80)
		g_variant_builder_add(&options, "{sv}", "modem", g_variant_new_string("/modem/0"));
	return g_variant_new(
	        "(@ays@a{sv})",
	        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, sizeof(guint8)),
	        op < G_N_ELEMENTS(formats) ? formats[op] : "sms-fax",
	        g_variant_builder_end(&options));
}

static void
run_records(const guint8 *data, size_t size, guint max_stored, const char *state_dir)
{
	g_autofree char *last_message = NULL;
	size_t pos = 1;

	for (guint n = 0; n < MAX_RECORDS && size - pos >= 3; n++) {
		guint8 header = data[pos];
		size_t len = ((size_t) data[pos + 1] << 8) | data[pos + 2];
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) reply = NULL;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if ((header & 7) == 7) {
			g_autofree char *raw = g_strndup((const char *) data + pos, len);
			g_autofree char *pin = g_utf8_make_valid(raw, -1);

			if (last_message != NULL) {
				reply = call(last_message, MESSAGE_IFACE, "Accept",
				             g_variant_new("(s)", pin), G_VARIANT_TYPE_UNIT,
				             &error);
				if (reply == NULL)
					check_error(error, TRUE);
			}
		} else {
			reply = call(OMACP_DBUS_PATH, MANAGER_IFACE, "Deliver",
			             deliver_params(header, data + pos, len), G_VARIANT_TYPE("(o)"),
			             &error);
			if (reply != NULL) {
				const char *path = NULL;

				g_variant_get(reply, "(&o)", &path);
				g_assert(g_str_has_prefix(path, OMACP_DBUS_MESSAGE_PREFIX));
				g_free(last_message);
				last_message = g_strdup(path);
			} else {
				check_error(error, FALSE);
			}
		}
		pos += len;
		drain();
		check_store(state_dir, max_stored);
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *state_dir = NULL;
	OmacpManager *manager = NULL;
	OmacpStore *store = NULL;
	OmacpConfig *config;
	guint max_stored;

	if (size < 1)
		return 0;
	init_once();
	state_dir = g_build_filename(base_dir, "state", NULL);
	remove_tree(state_dir);
	g_hash_table_remove_all(checked);
	if (!omacp_store_open(state_dir, &store, &error))
		g_error("fuzz-deliver: %s", error->message);
	config = config_for(data[0]);
	max_stored = config->max_stored_messages;
	if (!omacp_manager_new(server_conn, TRUE, config, store, &manager, &error))
		g_error("fuzz-deliver: %s", error->message);

	run_records(data, size, max_stored, state_dir);

	drain();
	omacp_manager_free(manager);
	drain();
	remove_tree(state_dir);
	return 0;
}
