/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A test plugin for the real ofonod: gives phonesim modems the SystemPath
 * that ofonod's udevng plugin gives a modem it found in sysfs, so that
 * test-agent-seat.py can put the fake AT modem on a device of its fake
 * sysfs tree. udevng itself cannot be used there: it enumerates the real
 * /sys and udev database with libudev and opens the device's real nodes.
 *
 * OMACP_TEST_SYSTEM_PATHS="MODEM=SYSFSPATH;...": the modem at object path
 * MODEM gets the string SystemPath SYSFSPATH, as udevng sets it
 * (ofono_modem_set_string). Its priority is below phonesim's, so the
 * modems of the phonesim configuration exist when it starts. */

#include <glib.h>
#include <string.h>

#define OFONO_API_SUBJECT_TO_CHANGE
#include <ofono/log.h>
#include <ofono/modem.h>
#include <ofono/plugin.h>
#include <ofono/types.h>

static ofono_bool_t
set_system_path(struct ofono_modem *modem, void *user_data)
{
	GHashTable *paths = user_data;
	const char *syspath = g_hash_table_lookup(paths, ofono_modem_get_path(modem));

	if (syspath != NULL) {
		ofono_modem_set_string(modem, "SystemPath", syspath);
		ofono_info("test: %s: SystemPath %s", ofono_modem_get_path(modem), syspath);
	}
	return FALSE; /* on to the next modem */
}

static int
system_path_init(void)
{
	const char *spec = g_getenv("OMACP_TEST_SYSTEM_PATHS");
	g_autoptr(GHashTable) paths =
	        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_auto(GStrv) entries = g_strsplit(spec != NULL ? spec : "", ";", -1);

	for (guint i = 0; entries[i] != NULL; i++) {
		char *eq = strchr(entries[i], '=');

		if (eq != NULL)
			g_hash_table_insert(paths, g_strndup(entries[i], eq - entries[i]),
			                    g_strdup(eq + 1));
	}
	ofono_modem_find(set_system_path, paths);
	return 0;
}

static void
system_path_exit(void)
{
}

OFONO_PLUGIN_DEFINE(omacp_test_system_path, "SystemPath for phonesim modems (tests)", OFONO_VERSION,
                    OFONO_PLUGIN_PRIORITY_LOW, system_path_init, system_path_exit)
