/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs a fuzz target over every file of the given directories (or files), so
 * that committed corpora and past crashes are replayed by the ordinary test
 * suite without libFuzzer. Prints a TAP-like summary line and fails when a
 * directory is empty (a replay that runs nothing proves nothing). */
#include <glib.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static guint
replay_path(const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *contents = NULL;
	gsize len = 0;
	guint count = 0;

	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) dir = g_dir_open(path, 0, &error);
		const char *name;
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

		if (dir == NULL)
			g_error("replay: %s", error->message);
		while ((name = g_dir_read_name(dir)) != NULL)
			g_ptr_array_add(names, g_build_filename(path, name, NULL));
		g_ptr_array_sort(names, (GCompareFunc) g_strcmp0);
		for (guint i = 0; i < names->len; i++)
			count += replay_path(g_ptr_array_index(names, i));
		return count;
	}
	if (!g_file_get_contents(path, &contents, &len, &error))
		g_error("replay: %s", error->message);
	LLVMFuzzerTestOneInput((const guint8 *) contents, len);
	return 1;
}

int
main(int argc, char **argv)
{
	guint total = 0;

	for (int i = 1; i < argc; i++) {
		guint n = replay_path(argv[i]);

		if (n == 0) {
			fprintf(stderr, "replay: no inputs in %s\n", argv[i]);
			return 1;
		}
		total += n;
	}
	printf("replayed %u inputs\n", total);
	return total > 0 ? 0 : 1;
}
