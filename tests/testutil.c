/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "testutil.h"

#include "hexinput.h"

char *
omacp_test_path(const char *relative)
{
	return g_build_filename(OMACP_TEST_DATADIR, relative, NULL);
}

GPtrArray *
omacp_test_load_hex_lines(const char *relative)
{
	g_autofree char *path = omacp_test_path(relative);
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	GPtrArray *lines;

	g_assert_true(g_file_get_contents(path, &text, &len, &error));
	g_assert_no_error(error);
	lines = omacp_input_parse_hex_lines(text, len, &error);
	g_assert_no_error(error);
	g_assert_nonnull(lines);
	return lines;
}

GBytes *
omacp_test_load_document(const char *relative)
{
	g_autofree char *path = omacp_test_path(relative);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = omacp_input_read_file(path, TRUE, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(items->len, ==, 1);
	return g_bytes_ref(g_ptr_array_index(items, 0));
}

char *
omacp_test_load_text(const char *relative)
{
	g_autofree char *path = omacp_test_path(relative);
	g_autoptr(GError) error = NULL;
	char *text = NULL;

	g_assert_true(g_file_get_contents(path, &text, NULL, &error));
	g_assert_no_error(error);
	return text;
}

GPtrArray *
omacp_test_shuffled(GPtrArray *array, guint32 seed)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);

	for (guint i = 0; i < array->len; i++)
		g_ptr_array_add(out, g_bytes_ref(g_ptr_array_index(array, i)));
	for (guint i = out->len; i > 1; i--) {
		guint j = (guint) g_rand_int_range(rand, 0, (gint32) i);
		gpointer tmp = out->pdata[i - 1];

		out->pdata[i - 1] = out->pdata[j];
		out->pdata[j] = tmp;
	}
	return out;
}
