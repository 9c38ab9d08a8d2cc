/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs the oFono or ModemManager adapter on the system bus
 * ($DBUS_SYSTEM_BUS_ADDRESS) with the daemon's router (and the push.d
 * consumers of --push-dir), and prints what reaches the router's deliver
 * function as JSON lines on stdout, for the integration tests:
 *   {"event":"modem","source":...,"modem":...,"imsi":...,"listening":true,"imsis":[...]}
 *   {"event":"push","source":...,"modem":...,"imsi":...,"iccid":...,"sender":...,
 *    "received_us":...,"length":N,"sha256":"...","hex":"..."}
 * Stops on SIGTERM/SIGINT. */

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "omacp.h"
#include "router.h"

typedef struct {
	GMainLoop *loop;
	const OmacpAdapterInfo *info;
	OmacpAdapter *adapter;
	OmacpRouter *router;
	gboolean reject;
} App;

static void
emit(JsonBuilder *builder)
{
	g_autoptr(JsonNode) root = json_builder_get_root(builder);
	g_autofree char *text = json_to_string(root, FALSE);

	printf("%s\n", text);
	fflush(stdout);
}

static void
add_string(JsonBuilder *builder, const char *name, const char *value)
{
	json_builder_set_member_name(builder, name);
	if (value != NULL)
		json_builder_add_string_value(builder, value);
	else
		json_builder_add_null_value(builder);
}

static gboolean
on_push(const OmacpPushEvent *event, gpointer user_data, GError **error)
{
	App *app = user_data;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree char *sha = NULL;
	g_autoptr(GString) hex = g_string_new(NULL);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(event->datagram, &len);

	sha = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, event->datagram);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(hex, "%02X", data[i]);

	json_builder_begin_object(builder);
	add_string(builder, "event", "push");
	add_string(builder, "source", event->adapter);
	add_string(builder, "modem", event->modem);
	add_string(builder, "imsi", event->imsi);
	add_string(builder, "iccid", event->iccid);
	add_string(builder, "sender", event->sender);
	json_builder_set_member_name(builder, "received_us");
	json_builder_add_int_value(builder, event->received_us);
	json_builder_set_member_name(builder, "length");
	json_builder_add_int_value(builder, (gint64) len);
	add_string(builder, "sha256", sha);
	add_string(builder, "hex", hex->str);
	json_builder_set_member_name(builder, "accepted");
	json_builder_add_boolean_value(builder, !app->reject);
	json_builder_end_object(builder);
	emit(builder);

	if (app->reject) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "test: refusing the push");
		return FALSE;
	}
	return TRUE;
}

static void
on_modem(const char *source, const char *modem, const char *imsi, gboolean listening,
         gpointer user_data)
{
	App *app = user_data;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(GPtrArray) imsis = NULL;

	imsis = app->info->get_imsis(app->adapter);

	json_builder_begin_object(builder);
	add_string(builder, "event", "modem");
	add_string(builder, "source", source);
	add_string(builder, "modem", modem);
	add_string(builder, "imsi", imsi);
	json_builder_set_member_name(builder, "listening");
	json_builder_add_boolean_value(builder, listening);
	json_builder_set_member_name(builder, "imsis");
	json_builder_begin_array(builder);
	for (guint i = 0; i < imsis->len; i++)
		json_builder_add_string_value(builder, imsis->pdata[i]);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	emit(builder);
}

static gboolean
on_signal(gpointer user_data)
{
	App *app = user_data;

	g_main_loop_quit(app->loop);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	g_autofree char *stack = NULL;
	g_autofree char *push_dir = NULL;
	gboolean reject = FALSE;
	GOptionEntry entries[] = {
		{ "stack", 0, 0, G_OPTION_ARG_STRING, &stack, "ofono or mm", "STACK" },
		{ "push-dir", 0, 0, G_OPTION_ARG_FILENAME, &push_dir, "push.d directory", "DIR" },
		{ "reject", 0, 0, G_OPTION_ARG_NONE, &reject, "refuse every push", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new("- print modem pushes");
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	App app = { 0 };
	OmacpAdapterOptions options = { .push = omacp_router_push, .modem_state = on_modem };

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (bus == NULL) {
		g_printerr("system bus: %s\n", error->message);
		return 1;
	}
	app.loop = g_main_loop_new(NULL, FALSE);
	app.reject = reject;
	app.router = omacp_router_new(bus, push_dir, on_push, &app);
	options.push_data = app.router;
	options.modem_state_data = &app;
	if (g_strcmp0(stack, "mm") == 0) {
		app.info = omacp_adapter_info_lookup("modemmanager");
	} else if (stack == NULL || g_strcmp0(stack, "ofono") == 0) {
		app.info = omacp_adapter_info_lookup("ofono");
	} else {
		g_printerr("--stack: ofono or mm, not %s\n", stack);
		return 2;
	}
	if (app.info == NULL) {
		g_printerr("this build has no %s adapter\n", stack != NULL ? stack : "ofono");
		return 2;
	}
	app.adapter = app.info->create(bus, &options);
	g_unix_signal_add(SIGTERM, on_signal, &app);
	g_unix_signal_add(SIGINT, on_signal, &app);
	printf("{\"event\":\"started\"}\n");
	fflush(stdout);
	g_main_loop_run(app.loop);

	app.info->free(app.adapter);
	omacp_router_free(app.router);
	/* let the UnregisterAgent calls out */
	g_dbus_connection_flush_sync(bus, NULL, NULL);
	g_main_loop_unref(app.loop);
	return 0;
}
