/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vardict.c: a serialised a{sv} read in place, against what GLib reads,
 * and broken ones read safely. */
#include "config.h"

#include "vardict.h"

#include <gio/gio.h>

static GVariant *
sample(void)
{
	return g_variant_ref_sink(g_variant_new_parsed(
	        "{'Id': <uint32 7>, 'State': <'applied'>, 'Sender': <'+49 123 ü'>, "
	        "'ReceivedAt': <uint64 1700000000123456>, 'Authenticated': <true>, "
	        "'Warnings': <['one', '', 'three']>, 'Profiles': <[uint32 1, 9]>, "
	        "'Changes': <[{'field': <'apn'>}]>, 'Input': <(int64 5, b'abc')>, "
	        "'Empty': <''>, 'Off': <false>}"));
}

/* Every entry as GLib reads it, in order. */
static void
test_read(void)
{
	g_autoptr(GVariant) dict = sample();
	OmacpVardictIter iter;
	OmacpVardictEntry e;
	guint n = 0;

	omacp_vardict_iter_init(&iter, g_variant_get_data(dict), g_variant_get_size(dict));
	while (omacp_vardict_iter_next(&iter, &e)) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(dict, n++);
		g_autoptr(GVariant) k = g_variant_get_child_value(entry, 0);
		g_autoptr(GVariant) boxed = g_variant_get_child_value(entry, 1);
		g_autoptr(GVariant) v = g_variant_get_variant(boxed);

		g_assert_cmpstr(e.key, ==, g_variant_get_string(k, NULL));
		g_assert_true(omacp_vardict_entry_is(&e, g_variant_get_type_string(v)));
		g_assert_cmpmem(e.value, e.size, g_variant_get_data(v), g_variant_get_size(v));
		if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
			g_assert_cmpstr(omacp_vardict_string(e.value, e.size), ==,
			                g_variant_get_string(v, NULL));
		} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32)) {
			guint32 u = 0;

			g_assert_true(omacp_vardict_uint32(e.value, e.size, &u));
			g_assert_cmpuint(u, ==, g_variant_get_uint32(v));
		} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
			guint64 t = 0;

			g_assert_true(omacp_vardict_uint64(e.value, e.size, &t));
			g_assert_cmpuint(t, ==, g_variant_get_uint64(v));
		} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
			gboolean b = 2;

			g_assert_true(omacp_vardict_boolean(e.value, e.size, &b));
			g_assert_cmpint(b, ==, g_variant_get_boolean(v));
		} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY)) {
			g_auto(GStrv) ours = omacp_vardict_strv(e.value, e.size);
			g_autofree const char **theirs = g_variant_get_strv(v, NULL);

			g_assert_true(g_strv_equal((const char *const *) ours, theirs));
		}
	}
	g_assert_cmpuint(n, ==, g_variant_n_children(dict));
	/* the type compared whole, not as a prefix either way */
	g_assert_false(
	        omacp_vardict_entry_is(&(OmacpVardictEntry){ .type = "as", .type_len = 2 }, "a"));
	g_assert_false(
	        omacp_vardict_entry_is(&(OmacpVardictEntry){ .type = "as", .type_len = 1 }, "as"));
	g_assert_true(
	        omacp_vardict_entry_is(&(OmacpVardictEntry){ .type = "as", .type_len = 2 }, "as"));
}

/* Values not in normal form are not taken. */
static void
test_values(void)
{
	guint32 u;
	guint64 t;
	gboolean b;
	g_auto(GStrv) broken = NULL;
	/* "a", "b", "c" with the second end offset before the first: the
	 * second is skipped, the third then holds a NUL inside */
	static const guint8 strv[] = { 'a', 0, 'b', 0, 'c', 0, 2, 1, 6 };

	g_assert_null(omacp_vardict_string((const guint8 *) "ab", 2));
	g_assert_null(omacp_vardict_string((const guint8 *) "a\0b", 4));
	g_assert_null(omacp_vardict_string((const guint8 *) "\xff\xfe", 3));
	g_assert_null(omacp_vardict_string((const guint8 *) "", 0));
	g_assert_cmpstr(omacp_vardict_string((const guint8 *) "", 1), ==, "");
	g_assert_false(omacp_vardict_uint32((const guint8 *) "abc", 3, &u));
	g_assert_false(omacp_vardict_uint64((const guint8 *) "abcd", 4, &t));
	g_assert_false(omacp_vardict_boolean((const guint8 *) "\2", 1, &b));
	g_assert_false(omacp_vardict_boolean((const guint8 *) "", 0, &b));
	broken = omacp_vardict_strv(strv, sizeof(strv));
	g_assert_cmpuint(g_strv_length(broken), ==, 1);
	g_assert_cmpstr(broken[0], ==, "a");
}

/* Cut short and with octets changed, the dictionary is read without a
 * read out of bounds (the sanitizer runs see it), and what is read is
 * within the data. */
static void
test_broken(void)
{
	g_autoptr(GVariant) dict = sample();
	gsize len = g_variant_get_size(dict);
	g_autoptr(GRand) rand = g_rand_new_with_seed(16);

	for (guint round = 0; round < 4000; round++) {
		/* a copy of its own, exactly as long, so that a read past it is
		 * seen */
		g_autofree guint8 *copy = g_memdup2(g_variant_get_data(dict), len);
		gsize cut = round < len ? round : len;
		OmacpVardictIter iter;
		OmacpVardictEntry e;

		if (round >= len) {
			for (guint k = 0; k < 1 + round % 4; k++)
				copy[g_rand_int_range(rand, 0, (gint32) len)] =
				        (guint8) g_rand_int_range(rand, 0, 256);
			cut = len;
		}
		omacp_vardict_iter_init(&iter, copy, cut);
		while (omacp_vardict_iter_next(&iter, &e)) {
			g_assert_true((const guint8 *) e.key >= copy &&
			              (const guint8 *) e.key + strlen(e.key) < copy + cut);
			g_assert_true(e.value >= copy && e.value + e.size <= copy + cut);
			g_assert_true((const guint8 *) e.type + e.type_len <= copy + cut);
			if (omacp_vardict_entry_is(&e, "as"))
				g_strfreev(omacp_vardict_strv(e.value, e.size));
			else if (omacp_vardict_entry_is(&e, "s"))
				(void) omacp_vardict_string(e.value, e.size);
		}
	}
	/* nothing at all */
	{
		OmacpVardictIter iter;
		OmacpVardictEntry e;

		omacp_vardict_iter_init(&iter, NULL, 0);
		g_assert_false(omacp_vardict_iter_next(&iter, &e));
	}
}

/* What the builder writes is what GLib writes, octet for octet (both in
 * normal form), for small and large dictionaries (1, 2 and 4-octet
 * framing offsets), and a value not in normal form is written in it. */
static void
test_write(void)
{
	for (guint round = 0; round < 3; round++) {
		gsize big = round == 0 ? 3 : round == 1 ? 300 : 70000;
		g_autofree char *long_text = g_strnfill(big, 'x');
		g_autoptr(GVariant) changes = g_variant_ref_sink(
		        g_variant_new_parsed("[{'field': <'apn'>, 'n': <uint32 4>}]"));
		/* "aa{sv}" octets GLib reads as not in normal form (a stray
		 * padding octet): written as its normal form */
		g_autoptr(GBytes) odd_bytes = g_bytes_new_static("\1", 1);
		g_autoptr(GVariant) odd = g_variant_ref_sink(
		        g_variant_new_from_bytes(G_VARIANT_TYPE("aa{sv}"), odd_bytes, FALSE));
		/* a new reference, not floating: "v" refs it and does not take it */
		g_autoptr(GVariant) odd_normal = g_variant_get_normal_form(odd);
		GVariantBuilder glib;
		OmacpVardictBuilder ours;
		g_autoptr(GVariant) a = NULL;
		g_autoptr(GVariant) b = NULL;

		g_variant_builder_init(&glib, G_VARIANT_TYPE_VARDICT);
		omacp_vardict_builder_init(&ours);
		g_variant_builder_add(&glib, "{sv}", "Id", g_variant_new_uint32(7));
		omacp_vardict_add_uint32(&ours, "Id", 7);
		g_variant_builder_add(&glib, "{sv}", "Text", g_variant_new_string(long_text));
		omacp_vardict_add_string(&ours, "Text", long_text);
		g_variant_builder_add(&glib, "{sv}", "Empty", g_variant_new_string(""));
		omacp_vardict_add_string(&ours, "Empty", NULL);
		g_variant_builder_add(&glib, "{sv}", "Bad", g_variant_new_string(""));
		omacp_vardict_add_string(&ours, "Bad", "\xff");
		g_variant_builder_add(&glib, "{sv}", "At", g_variant_new_uint64(G_MAXUINT64 - 1));
		omacp_vardict_add_uint64(&ours, "At", G_MAXUINT64 - 1);
		g_variant_builder_add(&glib, "{sv}", "B", g_variant_new_boolean(TRUE));
		omacp_vardict_add_boolean(&ours, "B", TRUE);
		g_variant_builder_add(&glib, "{sv}", "Changes", changes);
		omacp_vardict_add_value(&ours, "Changes", changes);
		g_variant_builder_add(&glib, "{sv}", "Odd", odd_normal);
		omacp_vardict_add_value(&ours, "Odd", odd);
		{
			const char *const strv[] = { "a", "", "ü", long_text, NULL };
			const char *const objv[] = { "/org/x/1", "/", NULL };
			const char *const bad[] = { "\xff", "no path", NULL };
			const char *const fixed[] = { "", "no path", NULL };
			const char *const root[] = { "/", NULL };

			g_variant_builder_add(&glib, "{sv}", "W", g_variant_new_strv(strv, -1));
			omacp_vardict_add_strv(&ours, "W", "as", strv);
			g_variant_builder_add(&glib, "{sv}", "P", g_variant_new_objv(objv, -1));
			omacp_vardict_add_strv(&ours, "P", "ao", objv);
			g_variant_builder_add(&glib, "{sv}", "E", g_variant_new_objv(NULL, 0));
			omacp_vardict_add_strv(&ours, "E", "ao", NULL);
			g_variant_builder_add(&glib, "{sv}", "B1", g_variant_new_strv(fixed, -1));
			omacp_vardict_add_strv(&ours, "B1", "as", bad);
			g_variant_builder_add(&glib, "{sv}", "B2", g_variant_new_objv(root, -1));
			omacp_vardict_add_strv(&ours, "B2", "ao", bad + 1);
		}
		g_variant_builder_add(&glib, "{sv}", "None", g_variant_new("as", NULL));
		omacp_vardict_add_value(&ours, "None", g_variant_new("as", NULL));
		a = g_variant_ref_sink(g_variant_builder_end(&glib));
		b = g_variant_ref_sink(omacp_vardict_builder_end(&ours));
		g_assert_cmpmem(g_variant_get_data(b), g_variant_get_size(b), g_variant_get_data(a),
		                g_variant_get_size(a));
		g_assert_true(g_variant_equal(a, b));
	}
	/* nothing at all */
	{
		OmacpVardictBuilder ours;
		g_autoptr(GVariant) v = NULL;

		omacp_vardict_builder_init(&ours);
		v = g_variant_ref_sink(omacp_vardict_builder_end(&ours));
		g_assert_cmpuint(g_variant_get_size(v), ==, 0);
		g_assert_cmpuint(g_variant_n_children(v), ==, 0);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vardict/read", test_read);
	g_test_add_func("/vardict/values", test_values);
	g_test_add_func("/vardict/broken", test_broken);
	g_test_add_func("/vardict/write", test_write);
	return g_test_run();
}
