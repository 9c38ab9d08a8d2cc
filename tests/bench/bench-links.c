/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-bench-links: the cost per item of resolving application links when
 * a document has N applications with TO-NAPID=INTERNET and N NAPDEFs flagged
 * INTERNET (it used to grow with N, 62 k instructions per item at
 * N=10 and 334 k at N=300; the goal is at most 70 k at N=900).
 *
 *   omacp-bench-links [--rounds R] [--no-callgrind] [N ...]
 *
 * For each N (default 10 100 300 900) it prints the time of
 * omacp_profiles_from_doc() per item (best of R rounds; an item is one
 * application and its NAPDEF, which give two profiles), and, when valgrind
 * is installed, the instructions per item: the program runs itself under
 * callgrind with the collection switched on inside omacp_profiles_from_doc
 * only, once with N and once with no item, and divides the difference by N.
 * A program, not a test: it asserts nothing. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omacp.h"
#include "testutil.h"

#define DEFAULT_ROUNDS 5

static OmacpProvDoc *
make_document(guint n)
{
	g_autofree char *text = omacp_test_internet_links_xml(n);
	g_autoptr(GError) error = NULL;
	OmacpProvDoc *doc = NULL;
	xmlDoc *xml;

	xml = xmlReadMemory(text, (int) strlen(text), "links.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_HUGE);
	if (xml == NULL || !omacp_provdoc_from_xml(xml, &doc, &error)) {
		fprintf(stderr, "omacp-bench-links: the N=%u document: %s\n", n,
		        error != NULL ? error->message : "not well-formed");
		exit(1);
	}
	xmlFreeDoc(xml);
	return doc;
}

/* The function callgrind counts (by name, --toggle-collect): it must stay a
 * real call. */
G_GNUC_NO_INLINE static guint
resolve(const OmacpProvDoc *doc)
{
	g_autoptr(GPtrArray) profiles = omacp_profiles_from_doc(doc, NULL);

	return profiles->len;
}

/* One run of resolve() under callgrind, in this same program (--once N). */
static guint64
callgrind_run(const char *self, guint n, const char *dir)
{
	g_autofree char *out = g_strdup_printf("%s/callgrind.%u", dir, n);
	g_autofree char *out_arg = g_strdup_printf("--callgrind-out-file=%s", out);
	g_autofree char *n_arg = g_strdup_printf("%u", n);
	const char *argv[] = { "valgrind",
		               "--tool=callgrind",
		               "--quiet",
		               "--collect-atstart=no",
		               "--toggle-collect=resolve",
		               out_arg,
		               self,
		               "--once",
		               n_arg,
		               NULL };
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **) argv, NULL,
	                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
	                  &status, &error) ||
	    !g_spawn_check_wait_status(status, &error) ||
	    !g_file_get_contents(out, &text, NULL, &error)) {
		fprintf(stderr, "omacp-bench-links: callgrind at N=%u: %s\n", n, error->message);
		return 0;
	}
	for (char *line = text; line != NULL && *line != '\0';) {
		char *end = strchr(line, '\n');

		if (g_str_has_prefix(line, "summary:") || g_str_has_prefix(line, "totals:"))
			return g_ascii_strtoull(strchr(line, ':') + 1, NULL, 10);
		line = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	gint rounds = DEFAULT_ROUNDS;
	gint once = -1;
	gboolean no_callgrind = FALSE;
	g_auto(GStrv) rest = NULL;
	const GOptionEntry entries[] = {
		{ "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds per N (best is printed)",
		  "R" },
		{ "no-callgrind", 0, 0, G_OPTION_ARG_NONE, &no_callgrind, "Times only", NULL },
		{ "once", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &once, NULL, NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[N ...]" },
		{ NULL }
	};
	g_autoptr(GOptionContext) context = g_option_context_new("[N ...]");
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autofree char *valgrind = NULL;
	g_autofree char *dir = NULL;

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error) || rounds < 1) {
		fprintf(stderr, "omacp-bench-links: %s\n",
		        error != NULL ? error->message : "--rounds must be at least 1");
		return 2;
	}

	if (once >= 0) {
		g_autoptr(OmacpProvDoc) doc = make_document((guint) once);

		return resolve(doc) == 2u * (guint) once ? 0 : 1;
	}

	for (guint i = 0; rest != NULL && rest[i] != NULL; i++) {
		guint64 n = 0;

		if (!g_ascii_string_to_unsigned(rest[i], 10, 1, 100000, &n, &error)) {
			fprintf(stderr, "omacp-bench-links: N %s: %s\n", rest[i], error->message);
			return 2;
		}
		g_array_append_val(sizes, (guint){ (guint) n });
	}
	if (sizes->len == 0) {
		static const guint defaults[] = { 10, 100, 300, 900 };

		g_array_append_vals(sizes, defaults, G_N_ELEMENTS(defaults));
	}

	if (!no_callgrind) {
		valgrind = g_find_program_in_path("valgrind");
		if (valgrind != NULL)
			dir = g_dir_make_tmp("omacp-bench-links-XXXXXX", &error);
		if (valgrind != NULL && dir == NULL) {
			fprintf(stderr, "omacp-bench-links: %s\n", error->message);
			return 1;
		}
	}

	printf("omacp-bench-links: N applications with TO-NAPID=INTERNET and N INTERNET NAPDEFs;\n"
	       "omacp_profiles_from_doc() per item (one application and its NAPDEF), best of "
	       "%d\n\n",
	       rounds);
	printf("%8s %10s %14s %18s\n", "N", "profiles", "us per item",
	       valgrind != NULL ? "instr. per item" : "");
	{
		guint64 base = valgrind != NULL ? callgrind_run(argv[0], 0, dir) : 0;

		for (guint i = 0; i < sizes->len; i++) {
			guint n = g_array_index(sizes, guint, i);
			g_autoptr(OmacpProvDoc) doc = make_document(n);
			gdouble best = G_MAXDOUBLE;
			guint made = 0;

			for (gint r = 0; r < rounds; r++) {
				gint64 t0 = g_get_monotonic_time();

				made = resolve(doc);
				best = MIN(best, (gdouble) (g_get_monotonic_time() - t0));
			}
			printf("%8u %10u %14.2f", n, made, best / n);
			if (valgrind != NULL) {
				guint64 with = callgrind_run(argv[0], n, dir);

				if (with > base)
					printf(" %18.1f k", (gdouble) (with - base) / n / 1000.0);
				else
					printf(" %18s", "(no figure)");
			}
			printf("\n");
		}
	}

	if (dir != NULL) {
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		const char *name;

		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree char *path = g_build_filename(dir, name, NULL);

			g_unlink(path);
		}
		g_rmdir(dir);
	}
	return 0;
}
