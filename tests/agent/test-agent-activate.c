/* SPDX-License-Identifier: GPL-2.0-or-later */
/* When the review page offers "Install and use now" (agent-activate.c). */
#include "config.h"

#include "agent-activate.h"

static GVariant *
changes_of(const char *const *kinds)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; kinds[i] != NULL; i++) {
		g_variant_builder_open(&b, G_VARIANT_TYPE("a{sv}"));
		g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string(kinds[i]));
		g_variant_builder_add(&b, "{sv}", "field", g_variant_new_string("apn"));
		g_variant_builder_close(&b);
	}
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
test_offer(void)
{
	g_autoptr(GVariant) internet = changes_of((const char *const[]){ "mms", "internet", NULL });
	g_autoptr(GVariant) mms_only = changes_of((const char *const[]){ "mms", "wlan", NULL });
	g_autoptr(GVariant) none = changes_of((const char *const[]){ NULL });
	g_autoptr(GVariant) wrong_type = g_variant_ref_sink(g_variant_new_string("internet"));

	g_assert_true(omacp_agent_offers_activate("ask", internet));
	/* the daemon decides by itself, or never switches */
	g_assert_false(omacp_agent_offers_activate("always", internet));
	g_assert_false(omacp_agent_offers_activate("never", internet));
	/* an omacpd without the property, or not answered yet */
	g_assert_false(omacp_agent_offers_activate(NULL, internet));
	g_assert_false(omacp_agent_offers_activate("Ask", internet));
	/* MMS-only and Wi-Fi messages are not switched to */
	g_assert_false(omacp_agent_offers_activate("ask", mms_only));
	g_assert_false(omacp_agent_offers_activate("ask", none));
	g_assert_false(omacp_agent_offers_activate("ask", NULL));
	g_assert_false(omacp_agent_offers_activate("ask", wrong_type));
}

static void
test_method(void)
{
	g_assert_cmpstr(omacp_agent_accept_method(TRUE), ==, "AcceptAndActivate");
	g_assert_cmpstr(omacp_agent_accept_method(FALSE), ==, "Accept");
	g_assert_null(omacp_agent_activate_policy());
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/agent-activate/offer", test_offer);
	g_test_add_func("/agent-activate/method", test_method);
	return g_test_run();
}
