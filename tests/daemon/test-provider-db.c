/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provider-db.c: the daemon's one copy of mobile-broadband-provider-info,
 * read where $OMACP_MBPI_DATABASE (or the caller) says, once, at its first
 * use, and the same instance handed to the backends. */
#include "config.h"

#include <glib/gstdio.h>

#include "provider-db.h"

static const char database[] =
        "<serviceproviders><country code=\"xx\"><provider><name>Test</name><gsm>"
        "<network-id mcc=\"364\" mnc=\"390\"/><apn value=\"test.apn\"/></gsm></provider>"
        "</country></serviceproviders>";

typedef struct {
	char *dir;
	char *path;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("omacp-provider-db-XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "serviceproviders.xml", NULL);
	g_assert_true(g_file_set_contents(f->path, database, -1, &error));
	g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_unlink(f->path);
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

/* $OMACP_MBPI_DATABASE names the file; it is read at the first get, once:
 * a file changed afterwards is not read again. */
static void
test_environment_and_once(Fixture *f, gconstpointer data)
{
	g_autofree char *saved = g_strdup(g_getenv("OMACP_MBPI_DATABASE"));
	g_autoptr(OmacpProviderDb) db = NULL;
	g_autoptr(GError) error = NULL;
	const OmacpMbpi *first;

	g_setenv("OMACP_MBPI_DATABASE", f->path, TRUE);
	db = omacp_provider_db_new(NULL);
	if (saved != NULL)
		g_setenv("OMACP_MBPI_DATABASE", saved, TRUE);
	else
		g_unsetenv("OMACP_MBPI_DATABASE");

	first = omacp_provider_db_get(db);
	g_assert_nonnull(first);
	g_assert_true(omacp_mbpi_has_network(first, "364", "390"));
	g_assert_false(omacp_mbpi_has_network(first, "364", "39"));
	g_assert_true(g_file_set_contents(f->path, "<serviceproviders/>", -1, &error));
	g_assert_no_error(error);
	g_assert_true(omacp_provider_db_get(db) == first);
	g_assert_true(omacp_mbpi_has_network(omacp_provider_db_get(db), "364", "390"));
}

/* The backends' way to it gives the same instance; an operator id comes
 * from it. */
static void
test_source(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpProviderDb) db = omacp_provider_db_new(f->path);
	OmacpMbpiSource source = omacp_provider_db_source(db);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;

	g_assert_nonnull(source.get);
	g_assert_true(source.get(source.data) == omacp_provider_db_get(db));
	g_assert_true(omacp_backend_operator_id_from_imsi("364390123456789",
	                                                  source.get(source.data), &id, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, "364390");
}

/* A missing or broken file is no database: NULL, and asking again does not
 * read again. */
static void
test_unreadable(Fixture *f, gconstpointer data)
{
	g_autofree char *missing = g_build_filename(f->dir, "missing.xml", NULL);
	g_autoptr(OmacpProviderDb) none = omacp_provider_db_new(missing);
	g_autoptr(OmacpProviderDb) broken = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_null(omacp_provider_db_get(none));
	g_assert_true(g_file_set_contents(missing, database, -1, &error));
	g_assert_no_error(error);
	g_assert_null(omacp_provider_db_get(none));
	g_unlink(missing);

	g_assert_true(g_file_set_contents(f->path, "<serviceproviders", -1, &error));
	g_assert_no_error(error);
	broken = omacp_provider_db_new(f->path);
	g_assert_null(omacp_provider_db_get(broken));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/provider-db/environment-and-once", Fixture, NULL, fixture_set_up,
	           test_environment_and_once, fixture_tear_down);
	g_test_add("/provider-db/source", Fixture, NULL, fixture_set_up, test_source,
	           fixture_tear_down);
	g_test_add("/provider-db/unreadable", Fixture, NULL, fixture_set_up, test_unreadable,
	           fixture_tear_down);
	return g_test_run();
}
