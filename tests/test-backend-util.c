/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backend helpers that need no daemon: the operator id (MCC+MNC) a
 * connection is bound to, derived from the IMSI. Expectations: E.212 (MCC 3
 * digits, MNC 2 or 3), the provider database's network-id entries, and the
 * 3-digit-MNC country list for networks it lacks. */

#include <glib.h>

#include "backend.h"
#include "omacp-error.h"

#define MBPI "/usr/share/mobile-broadband-provider-info/serviceproviders.xml"

typedef struct {
	const char *imsi;
	const char *expected;
	gboolean needs_database;
} OperatorCase;

static const OperatorCase operator_cases[] = {
	/* the database lists 310/410 (AT&T) and 262/01 (Telekom) */
	{ "310410123456789", "310410", FALSE },
	{ "262011234567890", "26201", FALSE },
	/* MCC 364 mixes lengths: the database knows 364390 and 36449 */
	{ "364390123456789", "364390", TRUE },
	{ "364490123456789", "36449", TRUE },
	/* 405 (India) has both 405025 and 40505 */
	{ "405025123456789", "405025", TRUE },
	{ "405051234567890", "40505", TRUE },
	/* unknown networks: 3 digits in 3-digit countries, else 2 */
	{ "316999123456789", "316999", FALSE },
	{ "001010123456789", "00101", FALSE },
	/* the shortest an operator id can come from */
	{ "234150", "23415", FALSE },
};

static void
test_operator_id(void)
{
	gboolean have_db = g_file_test(MBPI, G_FILE_TEST_EXISTS);

	for (gsize i = 0; i < G_N_ELEMENTS(operator_cases); i++) {
		const OperatorCase *c = &operator_cases[i];
		g_autoptr(GError) error = NULL;
		g_autofree char *id = NULL;

		if (c->needs_database && !have_db)
			continue;
		g_assert_true(omacp_backend_operator_id_from_imsi(c->imsi, MBPI, &id, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(id, ==, c->expected);
	}
}

/* The build's default database path (NULL) gives the same answers. */
static void
test_operator_id_default_database(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;

	if (!g_file_test(MBPI, G_FILE_TEST_EXISTS)) {
		g_test_skip("mobile-broadband-provider-info is not installed");
		return;
	}
	g_assert_true(omacp_backend_operator_id_from_imsi("364390123456789", NULL, &id, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, "364390");
}

static void
test_operator_id_rejects(void)
{
	const char *bad[] = { "", "31041", "3104101234567890", "31041x123456789", "+310410123" };

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		char *id = (char *) "untouched";

		g_assert_false(omacp_backend_operator_id_from_imsi(bad[i], MBPI, &id, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_assert_true(g_str_has_prefix(error->message, "backend: IMSI"));
		/* output untouched on failure */
		g_assert_cmpstr(id, ==, "untouched");
	}
}

/* A missing database falls back to the country list, never fails. */
static void
test_operator_id_without_database(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;

	g_assert_true(omacp_backend_operator_id_from_imsi("364390123456789", "/nonexistent.xml",
	                                                  &id, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, "36439");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/backend-util/operator-id", test_operator_id);
	g_test_add_func("/backend-util/operator-id-default-database",
	                test_operator_id_default_database);
	g_test_add_func("/backend-util/operator-id-rejects", test_operator_id_rejects);
	g_test_add_func("/backend-util/operator-id-without-database",
	                test_operator_id_without_database);
	return g_test_run();
}
