/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The words of omacp-agent: labels, summaries, protection texts, risks from
 * codes, and the German catalog behind them. */
#include "config.h"

#include <glib.h>
#include <libintl.h>
#include <locale.h>

#include "agent-text.h"

static GVariant *
change(const char *profile, const char *kind, const char *field, const char *old_value,
       const char *new_value, const char *risk)
{
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "profile", "s", profile);
	g_variant_dict_insert(&d, "kind", "s", kind);
	g_variant_dict_insert(&d, "field", "s", field);
	g_variant_dict_insert(&d, "old", "s", old_value);
	g_variant_dict_insert(&d, "new", "s", new_value);
	g_variant_dict_insert(&d, "risk", "s", risk);
	return g_variant_dict_end(&d);
}

static GVariant *
sample_changes(void)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	g_variant_builder_add_value(
	        &b, change("internet:NAP1", "internet", "apn", "", "internet.example", ""));
	g_variant_builder_add_value(
	        &b, change("internet:NAP1", "internet", "password-set", "", "true", ""));
	g_variant_builder_add_value(&b, change("internet:NAP1", "internet",
	                                       "networkmanager:gsm.password-flags", "", "0", ""));
	g_variant_builder_add_value(
	        &b, change("mms:MMS1", "mms", "mmsc", "", "http://mms.example", ""));
	g_variant_builder_add_value(&b, change("mms:MMS1", "mms", "", "", "",
	                                       "HTTP proxy 10.0.0.1: pages would be loaded "
	                                       "through it"));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
test_labels(void)
{
	g_autofree char *set = omacp_agent_value_text("password-set", "true");
	g_autofree char *secret = omacp_agent_value_text("password", "(secret)");

	g_assert_cmpstr(omacp_agent_field_label("apn"), ==, "Access point (APN)");
	g_assert_cmpstr(omacp_agent_field_label("password-set"), ==, "Password");
	/* backend details and identifiers are not for the user */
	g_assert_null(omacp_agent_field_label("networkmanager:gsm.password-flags"));
	g_assert_null(omacp_agent_field_label("ofono:Active"));
	g_assert_null(omacp_agent_field_label("napid"));
	g_assert_null(omacp_agent_field_label(""));
	g_assert_cmpstr(set, ==, "Set");
	g_assert_cmpstr(secret, ==, "Hidden");
	g_assert_cmpstr(omacp_agent_kind_label("wlan"), ==, "Wi-Fi");
	g_assert_cmpstr(omacp_agent_state_label(OMACP_MESSAGE_STATE_PENDING_PIN), ==,
	                "Waiting for your PIN");
}

static void
test_summary(void)
{
	g_autoptr(GVariant) changes = sample_changes();
	g_autofree char *s = omacp_agent_summary(changes, "26201********89");
	g_autofree char *none = omacp_agent_summary(NULL, "");

	g_assert_cmpstr(s, ==,
	                "Sets up mobile internet (APN internet.example) and MMS for SIM ••89");
	g_assert_cmpstr(none, ==, "Sets up settings");
}

static void
test_security(void)
{
	const char *title;
	const char *detail;

	omacp_agent_security_text("netwpin", TRUE, &title, &detail);
	g_assert_cmpstr(title, ==, "Signed with your SIM's network key");
	omacp_agent_security_text("userpin", FALSE, &title, &detail);
	g_assert_cmpstr(title, ==, "Protected by a PIN you were given");
	omacp_agent_security_text("userpinmac", TRUE, &title, &detail);
	g_assert_cmpstr(title, ==, "Protected by a PIN you were given — PIN verified");
	/* a PIN proves nothing about the sender: never "authenticated" */
	g_assert_null(g_strstr_len(title, -1, "uthenticated"));
	omacp_agent_security_text("none", FALSE, &title, &detail);
	g_assert_cmpstr(title, ==, "Not signed — anyone can send this");
	/* a NETWPIN whose MAC was not verified is not "signed" */
	omacp_agent_security_text("netwpin", FALSE, &title, &detail);
	g_assert_cmpstr(title, ==, "Signature not verified");
}

static void
test_risks(void)
{
	g_autoptr(GVariant) changes = sample_changes();
	g_autoptr(GPtrArray) risks = omacp_agent_risks(changes);
	GVariantBuilder b;
	GVariantDict d;
	g_autoptr(GVariant) coded = NULL;
	g_autoptr(GPtrArray) coded_risks = NULL;
	g_autofree char *unknown = omacp_agent_risk_from_code("no-such-code", NULL);

	g_assert_cmpuint(risks->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(risks, 0), ==,
	                "HTTP proxy 10.0.0.1: pages would be loaded through it");
	/* with the proposed code beside the sentence, the code wins */
	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "profile", "s", "internet:NAP1");
	g_variant_dict_insert(&d, "risk", "s", "HTTP proxy 10.0.0.1: english");
	g_variant_dict_insert(&d, "risk-code", "s", "proxy");
	g_variant_dict_insert_value(&d, "risk-args",
	                            g_variant_new_parsed("['10.0.0.1:8080', 'internet']"));
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	g_variant_builder_add_value(&b, g_variant_dict_end(&d));
	coded = g_variant_ref_sink(g_variant_builder_end(&b));
	coded_risks = omacp_agent_risks(coded);
	g_assert_cmpuint(coded_risks->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(coded_risks, 0), ==,
	                "Your web traffic would go through the proxy 10.0.0.1:8080.");
	g_assert_null(unknown);
}

/* Every code of dbus/README.md "Risk codes" has words of its own, and
 * positional arguments land where they belong. */
static void
test_risk_codes(void)
{
	static const char *const codes[] = {
		"dns",
		"proxy",
		"proxy-domains",
		"dial-up",
		"open-wlan",
		"wep",
		"bookmark-password",
		"dm-server",
		"ds-server",
		"plaintext-credentials",
		"plaintext-password",
		"bootstrap",
		"apn-unknown",
		"mmsc-foreign-domain",
		"mmsc-unknown",
		"mmsc-invalid",
		"mms-proxy-invalid",
		"edited-by-hand",
		"active-connection",
		"update-from-other-sender",
		"update-weaker-security",
		"removal",
		"wifi-network",
		"mms-route",
	};
	g_autoptr(GVariant) args =
	        g_variant_ref_sink(g_variant_new_parsed("['imap', 'mail.example']"));
	g_autofree char *pw = omacp_agent_risk_from_code("plaintext-password", args);
	g_autoptr(GVariant) dom =
	        g_variant_ref_sink(g_variant_new_parsed("['proxy.example:80', 'a.example']"));
	g_autofree char *pd = omacp_agent_risk_from_code("proxy-domains", dom);
	g_autofree char *none = omacp_agent_risk_from_code("", NULL);

	for (guint i = 0; i < G_N_ELEMENTS(codes); i++) {
		g_autofree char *text = omacp_agent_risk_from_code(codes[i], NULL);

		g_assert_nonnull(text);
	}
	g_assert_cmpstr(pw, ==, "Your imap password would be sent unencrypted to mail.example.");
	g_assert_cmpstr(pd, ==,
	                "Your traffic to a.example would go through the proxy "
	                "proxy.example:80.");
	g_assert_null(none);
	{
		g_autoptr(GVariant) other =
		        g_variant_ref_sink(g_variant_new_parsed("['+4912345', 'netwpin', '']"));
		g_autoptr(GVariant) weaker =
		        g_variant_ref_sink(g_variant_new_parsed("['netwpin', 'userpin']"));
		g_autofree char *o = omacp_agent_risk_from_code("update-from-other-sender", other);
		g_autofree char *w = omacp_agent_risk_from_code("update-weaker-security", weaker);

		g_assert_cmpstr(o, ==,
		                "These settings were last set by a message from +4912345 "
		                "(netwpin); this one comes from an unknown sender. The sender "
		                "of a message is easily forged.");
		g_assert_cmpstr(w, ==,
		                "These settings were last set by a message secured with netwpin; "
		                "this one is only secured with userpin.");
	}
	{
		g_autoptr(GVariant) both = g_variant_ref_sink(
		        g_variant_new_parsed("['http://mmsc.example/', '10.0.0.1:8080']"));
		g_autoptr(GVariant) mmsc =
		        g_variant_ref_sink(g_variant_new_parsed("['http://mmsc.example/', '']"));
		g_autoptr(GVariant) proxy =
		        g_variant_ref_sink(g_variant_new_parsed("['', '10.0.0.1:8080']"));
		g_autoptr(GVariant) ssid = g_variant_ref_sink(g_variant_new_parsed("['free']"));
		g_autofree char *b = omacp_agent_risk_from_code("mms-route", both);
		g_autofree char *m = omacp_agent_risk_from_code("mms-route", mmsc);
		g_autofree char *p = omacp_agent_risk_from_code("mms-route", proxy);
		g_autofree char *w = omacp_agent_risk_from_code("wifi-network", ssid);
		g_autofree char *r = omacp_agent_risk_from_code("removal", ssid);

		g_assert_cmpstr(b, ==,
		                "Your MMS would go to the server http://mmsc.example/ through the "
		                "proxy 10.0.0.1:8080.");
		g_assert_cmpstr(m, ==, "Your MMS would go to the server http://mmsc.example/.");
		g_assert_cmpstr(p, ==, "Your MMS would go through the proxy 10.0.0.1:8080.");
		g_assert_cmpstr(
		        w, ==,
		        "The phone would join the Wi-Fi network free by itself, and whoever "
		        "runs that network sees your traffic.");
		g_assert_cmpstr(
		        r, ==,
		        "This removes the settings free. Anyone who can send an SMS can ask "
		        "for a removal.");
	}
}

static void
test_attempts(void)
{
	g_autofree char *one = omacp_agent_wrong_pin_text(1);
	g_autofree char *two = omacp_agent_wrong_pin_text(2);
	g_autofree char *left = omacp_agent_attempts_text(3);

	g_assert_cmpstr(one, ==, "Wrong PIN — 1 attempt left");
	g_assert_cmpstr(two, ==, "Wrong PIN — 2 attempts left");
	g_assert_cmpstr(left, ==, "3 attempts left");
}

static void
test_german(void)
{
	g_autoptr(GVariant) changes = sample_changes();
	g_autofree char *s = NULL;
	g_autofree char *two = NULL;
	const char *title;
	const char *detail;

	g_setenv("LANGUAGE", "de", TRUE);
	setlocale(LC_ALL, "C.UTF-8");
	s = omacp_agent_summary(changes, "26201********89");
	two = omacp_agent_wrong_pin_text(2);
	omacp_agent_security_text("none", FALSE, &title, &detail);
	g_assert_cmpstr(s, ==,
	                "Richtet mobiles Internet (APN internet.example) und MMS für SIM ••89 ein");
	g_assert_cmpstr(two, ==, "Falsche PIN — noch 2 Versuche");
	g_assert_cmpstr(title, ==, "Nicht signiert — jeder kann das senden");
	g_assert_cmpstr(omacp_agent_field_label("apn"), ==, "Zugangspunkt (APN)");
	{
		g_autoptr(GVariant) args = g_variant_ref_sink(
		        g_variant_new_parsed("['proxy.example:80', 'a.example']"));
		g_autofree char *pd = omacp_agent_risk_from_code("proxy-domains", args);
		g_autofree char *wlan = omacp_agent_risk_from_code("open-wlan", NULL);

		g_assert_cmpstr(pd, ==,
		                "Ihr Datenverkehr zu a.example würde über den Proxy "
		                "proxy.example:80 laufen.");
		g_assert_cmpstr(wlan, ==,
		                "Das WLAN  ist offen: der Datenverkehr darüber ist nicht "
		                "verschlüsselt.");
	}
	g_unsetenv("LANGUAGE");
	setlocale(LC_ALL, "C");
}

int
main(int argc, char **argv)
{
	const char *localedir = g_getenv("OMACP_LOCALEDIR");

	setlocale(LC_ALL, "C");
	g_unsetenv("LANGUAGE");
	bindtextdomain(GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/agent-text/labels", test_labels);
	g_test_add_func("/agent-text/summary", test_summary);
	g_test_add_func("/agent-text/security", test_security);
	g_test_add_func("/agent-text/risks", test_risks);
	g_test_add_func("/agent-text/risk-codes", test_risk_codes);
	g_test_add_func("/agent-text/attempts", test_attempts);
	g_test_add_func("/agent-text/german", test_german);
	return g_test_run();
}
