/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>

#include "manager.h"
#include "omacp-dbus-names.h"
#include "omacp.h"

typedef struct {
	GMainLoop *loop;
	int status;
} Daemon;

static gboolean
quit_on_signal(gpointer user_data)
{
	Daemon *d = user_data;

	g_message("signal received, exiting");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

static void
name_acquired(GDBusConnection *bus, const char *name, gpointer user_data)
{
	g_message("omacpd %s ready on the bus as %s", OMACP_VERSION, name);
}

static void
name_lost(GDBusConnection *bus, const char *name, gpointer user_data)
{
	Daemon *d = user_data;

	if (bus == NULL)
		g_printerr("omacpd: the bus connection is gone\n");
	else
		g_printerr("omacpd: could not own %s (is another omacpd running? is the bus "
		           "policy installed?)\n",
		           name);
	d->status = 1;
	g_main_loop_quit(d->loop);
}

static char *
default_state_dir(void)
{
	const char *systemd = g_getenv("STATE_DIRECTORY"); /* StateDirectory= */

	if (systemd != NULL && systemd[0] != '\0') {
		g_auto(GStrv) dirs = g_strsplit(systemd, ":", 2);

		return g_strdup(dirs[0]);
	}
	return g_build_filename(OMACP_LOCALSTATEDIR, "lib", "omacp", NULL);
}

int
main(int argc, char **argv)
{
	gboolean session = FALSE;
	gboolean verbose = FALSE;
	gboolean version = FALSE;
	g_autofree char *state_dir = NULL;
	g_autofree char *config_path = NULL;
	GOptionEntry entries[] = {
		{ "session", 0, 0, G_OPTION_ARG_NONE, &session,
		  "Use the session bus and do not ask polkit (for tests)", NULL },
		{ "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
		  "Where messages and profiles are stored (default: $STATE_DIRECTORY "
		  "or " OMACP_LOCALSTATEDIR "/lib/omacp)",
		  "DIR" },
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
		  "Configuration file (default: " OMACP_SYSCONFDIR "/omacp/omacpd.conf); "
		  "FILE.d/*.conf are read after it",
		  "FILE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit",
		  NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(OmacpManager) manager = NULL;
	g_autoptr(OmacpConfig) config = NULL;
	g_autoptr(OmacpStore) store = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	Daemon d = { NULL, 0 };
	guint owner;

	setlocale(LC_ALL, "");
	/* everything omacpd writes is for root alone */
	umask(0077);

	g_option_context_set_summary(
	        context, "The omacp provisioning daemon: receives OMA Client "
	                 "Provisioning messages and exports them on D-Bus as " OMACP_DBUS_NAME ".");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("omacpd: %s\n", error->message);
		return 2;
	}
	if (version) {
		printf("omacpd %s\n", OMACP_VERSION);
		return 0;
	}
	if (verbose)
		g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
	omacp_error_register();

	if (config_path == NULL)
		config_path = g_build_filename(OMACP_SYSCONFDIR, "omacp", "omacpd.conf", NULL);
	if (state_dir == NULL)
		state_dir = default_state_dir();
	if (!omacp_config_load(config_path, &config, &error)) {
		g_printerr("omacpd: %s\n", error->message);
		return 1;
	}
	for (guint i = 0; i < config->files->len; i++)
		g_message("configuration read from %s",
		          (const char *) g_ptr_array_index(config->files, i));
	if (!omacp_store_open(state_dir, &store, &error)) {
		g_printerr("omacpd: %s\n", error->message);
		return 1;
	}

	bus = g_bus_get_sync(session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, &error);
	if (bus == NULL) {
		g_printerr("omacpd: cannot connect to the %s bus: %s\n",
		           session ? "session" : "system", error->message);
		return 1;
	}
	g_dbus_connection_set_exit_on_close(bus, FALSE);

	if (!omacp_manager_new(bus, session, g_steal_pointer(&config), g_steal_pointer(&store),
	                       &manager, &error)) {
		g_printerr("omacpd: %s\n", error->message);
		return 1;
	}

	loop = g_main_loop_new(NULL, FALSE);
	d.loop = loop;
	g_unix_signal_add(SIGTERM, quit_on_signal, &d);
	g_unix_signal_add(SIGINT, quit_on_signal, &d);
	owner = g_bus_own_name_on_connection(bus, OMACP_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
	                                     name_acquired, name_lost, &d, NULL);
	g_main_loop_run(loop);
	g_bus_unown_name(owner);
	g_clear_pointer(&manager, omacp_manager_free);
	return d.status;
}
