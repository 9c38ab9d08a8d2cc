/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "testutil.h"

#include "hexinput.h"
#include "omacp.h"

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

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
omacp_test_list_data_files(const char *relative, const char *suffix)
{
	g_autofree char *path = omacp_test_path(relative);
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		if (g_str_has_suffix(name, suffix))
			g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, compare_names);
	g_assert_cmpuint(names->len, >, 0);
	return names;
}

void
omacp_test_collect_parm_values(GPtrArray *characteristics, GPtrArray *secrets,
                               GPtrArray *public_values)
{
	for (guint i = 0; i < characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(characteristics, i);

		for (guint j = 0; j < c->parms->len; j++) {
			OmacpParm *parm = g_ptr_array_index(c->parms, j);

			if (parm->value == NULL || *parm->value == '\0')
				continue;
			g_ptr_array_add(omacp_parm_is_secret(parm->name, c->type) ? secrets
			                                                          : public_values,
			                parm->value);
		}
		omacp_test_collect_parm_values(c->children, secrets, public_values);
	}
}

char *
omacp_test_internet_links_xml(guint n)
{
	GString *text = g_string_new("<wap-provisioningdoc>");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(text,
		                       "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" "
		                       "value=\"N%u\"/><parm name=\"NAME\" value=\"n%u\"/><parm "
		                       "name=\"NAP-ADDRESS\" value=\"apn%u\"/><parm "
		                       "name=\"INTERNET\"/></characteristic>",
		                       i, i, i);
	for (guint i = 0; i < n; i++)
		g_string_append_printf(text,
		                       "<characteristic type=\"APPLICATION\"><parm name=\"APPID\" "
		                       "value=\"w2\"/><parm name=\"NAME\" value=\"b%u\"/><parm "
		                       "name=\"TO-NAPID\" value=\"INTERNET\"/></characteristic>",
		                       i);
	g_string_append(text, "</wap-provisioningdoc>");
	return g_string_free(text, FALSE);
}
