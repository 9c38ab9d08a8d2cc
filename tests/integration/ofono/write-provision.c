/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builds internet/mms profiles from the command line and writes them with
 * omacp_ofono_provision_write_full(), as omacpd would:
 *   write-provision FILE MCCMNC [--spn SPN] internet.apn=... internet.password=...
 *                   mms.mmsc=... mms.mms-proxy=... internet.name=...
 * "password" goes into the secrets, "name" into the profile name, the rest into
 * the settings. */

#include <stdio.h>

#include "provision-file.h"
#include "omacp.h"

static OmacpProfile *
profile_new(OmacpProfileKind kind)
{
	OmacpProfile *profile = g_new0(OmacpProfile, 1);

	profile->kind = kind;
	profile->op = OMACP_OP_SET;
	profile->identity = g_strdup(kind == OMACP_PROFILE_MMS ? "mms:test" : "internet:test");
	profile->name = g_strdup(kind == OMACP_PROFILE_MMS ? "Test MMS" : "Test Internet");
	profile->risks = g_ptr_array_new_with_free_func(g_free);
	return profile;
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) profiles =
	        g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	g_autoptr(GError) error = NULL;
	GVariantBuilder settings[2], secrets[2];
	gboolean used[2] = { FALSE, FALSE };
	char *names[2] = { NULL, NULL };
	const char *spn = NULL;
	int first = 3;

	if (argc < 3) {
		g_printerr("usage: %s FILE MCCMNC [--spn SPN] kind.key=value...\n", argv[0]);
		return 2;
	}
	if (argc > 4 && g_strcmp0(argv[3], "--spn") == 0) {
		spn = argv[4];
		first = 5;
	}
	for (int k = 0; k < 2; k++) {
		g_variant_builder_init(&settings[k], G_VARIANT_TYPE_VARDICT);
		g_variant_builder_init(&secrets[k], G_VARIANT_TYPE_VARDICT);
	}
	for (int i = first; i < argc; i++) {
		g_auto(GStrv) kv = g_strsplit(argv[i], "=", 2);
		g_auto(GStrv) kk = NULL;
		int k;

		if (kv[0] == NULL || kv[1] == NULL) {
			g_printerr("bad argument %s\n", argv[i]);
			return 2;
		}
		kk = g_strsplit(kv[0], ".", 2);
		if (kk[1] == NULL) {
			g_printerr("bad key %s\n", kv[0]);
			return 2;
		}
		k = g_strcmp0(kk[0], "mms") == 0 ? 1 : 0;
		used[k] = TRUE;
		if (g_strcmp0(kk[1], "password") == 0) {
			g_variant_builder_add(&secrets[k], "{sv}", "password",
			                      g_variant_new_string(kv[1]));
			g_variant_builder_add(&settings[k], "{sv}", "password-set",
			                      g_variant_new_boolean(TRUE));
		} else if (g_strcmp0(kk[1], "name") == 0) {
			g_free(names[k]);
			names[k] = g_strdup(kv[1]);
		} else {
			g_variant_builder_add(&settings[k], "{sv}", kk[1],
			                      g_variant_new_string(kv[1]));
		}
	}
	for (int k = 0; k < 2; k++) {
		OmacpProfile *profile =
		        profile_new(k == 1 ? OMACP_PROFILE_MMS : OMACP_PROFILE_INTERNET);

		profile->settings = g_variant_ref_sink(g_variant_builder_end(&settings[k]));
		profile->secrets = g_variant_ref_sink(g_variant_builder_end(&secrets[k]));
		if (names[k] != NULL) {
			g_free(profile->name);
			profile->name = names[k];
		}
		if (used[k])
			g_ptr_array_add(profiles, profile);
		else
			omacp_profile_free(profile);
	}
	if (!omacp_ofono_provision_write_full(argv[1], argv[2], spn, profiles, &error)) {
		g_printerr("%s\n", error->message);
		return 1;
	}
	return 0;
}
