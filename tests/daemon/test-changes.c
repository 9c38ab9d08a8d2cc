/* SPDX-License-Identifier: GPL-2.0-or-later */
/* changes.c: the Changes a user confirms and the risk rules, and the
 * masks and state names they are shown with. */
#include "config.h"

#include "changes.h"
#include "omacp-state.h"

#include <string.h>

static OmacpProfile *
profile_new(OmacpProfileKind kind, const char *identity, const char *name, GVariant *settings)
{
	OmacpProfile *p = g_new0(OmacpProfile, 1);

	p->kind = kind;
	p->op = OMACP_OP_SET;
	p->identity = g_strdup(identity);
	p->name = g_strdup(name);
	p->settings = g_variant_ref_sink(settings);
	p->risks = g_ptr_array_new_with_free_func(g_free);
	return p;
}

static GVariant *
settings_of(const char *apn, const char *user)
{
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "apn", "s", apn);
	if (user != NULL)
		g_variant_dict_insert(&d, "username", "s", user);
	return g_variant_dict_end(&d);
}

/* The entry of @changes for @field, NULL when there is none. */
static GVariant *
entry_for(GVariant *changes, const char *field)
{
	for (gsize i = 0; i < g_variant_n_children(changes); i++) {
		g_autoptr(GVariant) e = g_variant_get_child_value(changes, i);
		const char *f = NULL;

		if (g_variant_lookup(e, "field", "&s", &f) && g_str_equal(f, field))
			return g_steal_pointer(&e);
	}
	return NULL;
}

static gboolean
has_entry(GVariant *changes, const char *field)
{
	g_autoptr(GVariant) e = entry_for(changes, field);

	return e != NULL;
}

static char *
entry_string(GVariant *entry, const char *key)
{
	const char *s = NULL;

	g_assert_true(g_variant_lookup(entry, key, "&s", &s));
	return g_strdup(s);
}

static GVariant *
changes_of(const OmacpProfile *p, gboolean exists, const char *old_name, GVariant *old_settings,
           GVariant *preview)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	omacp_changes_add_profile(&b, p, exists, old_name, old_settings, preview);
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
test_new_profile(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", "u"));
	g_autoptr(GVariant) changes = changes_of(p, FALSE, NULL, NULL, NULL);
	g_autoptr(GVariant) name = entry_for(changes, "name");
	g_autoptr(GVariant) apn = entry_for(changes, "apn");
	g_autofree char *old = NULL;
	g_autofree char *new = NULL;
	g_autofree char *profile = NULL;
	g_autofree char *kind = NULL;

	/* the name and every setting, each from "" */
	g_assert_cmpuint(g_variant_n_children(changes), ==, 3);
	g_assert_nonnull(name);
	g_assert_nonnull(apn);
	old = entry_string(apn, "old");
	new = entry_string(apn, "new");
	profile = entry_string(apn, "profile");
	kind = entry_string(apn, "kind");
	g_assert_cmpstr(old, ==, "");
	g_assert_cmpstr(new, ==, "web");
	g_assert_cmpstr(profile, ==, "internet:N1");
	g_assert_cmpstr(kind, ==, "internet");
}

static void
test_same_settings_no_change(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", "u"));
	g_autoptr(GVariant) old = g_variant_ref_sink(settings_of("web", "u"));
	g_autoptr(GVariant) changes = changes_of(p, TRUE, "Web", old, NULL);

	g_assert_cmpuint(g_variant_n_children(changes), ==, 0);
}

static void
test_changed_and_dropped_settings(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("new", NULL));
	g_autoptr(GVariant) old = g_variant_ref_sink(settings_of("old", "u"));
	g_autoptr(GVariant) changes = changes_of(p, TRUE, "Web", old, NULL);
	g_autoptr(GVariant) apn = entry_for(changes, "apn");
	g_autoptr(GVariant) user = entry_for(changes, "username");
	g_autofree char *apn_old = entry_string(apn, "old");
	g_autofree char *user_new = entry_string(user, "new");

	g_assert_cmpuint(g_variant_n_children(changes), ==, 2);
	g_assert_cmpstr(apn_old, ==, "old");
	g_assert_cmpstr(user_new, ==, "");
}

static void
test_risks_go_with_fields(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", NULL));
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) apn = NULL;
	g_autoptr(GVariant) whole = NULL;
	g_autofree char *apn_risk = NULL;
	g_autofree char *whole_risk = NULL;

	g_ptr_array_add(p->risks, g_strdup("the APN points to a foreign network"));
	g_ptr_array_add(p->risks, g_strdup("sent by an unknown sender"));
	changes = changes_of(p, FALSE, NULL, NULL, NULL);
	apn = entry_for(changes, "apn");
	whole = entry_for(changes, "");
	apn_risk = entry_string(apn, "risk");
	whole_risk = entry_string(whole, "risk");
	g_assert_cmpstr(apn_risk, ==, "the APN points to a foreign network");
	/* a risk naming no field: one entry for the profile as a whole */
	g_assert_cmpstr(whole_risk, ==, "sent by an unknown sender");
}

static void
test_removal_and_preview(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", NULL));
	g_autoptr(GVariant) old = g_variant_ref_sink(settings_of("web", NULL));
	g_autoptr(GVariant) removal = NULL;
	g_autoptr(GVariant) apn = NULL;
	g_autoptr(GVariant) preview = NULL;
	g_autoptr(GVariant) with_preview = NULL;
	g_autoptr(GVariant) backend = NULL;
	g_autofree char *apn_new = NULL;
	GVariantBuilder b;

	p->op = OMACP_OP_REMOVE;
	removal = changes_of(p, TRUE, "Web", old, NULL);
	apn = entry_for(removal, "apn");
	apn_new = entry_string(apn, "new");
	g_assert_cmpstr(apn_new, ==, "");
	g_assert_false(has_entry(removal, "name"));

	p->op = OMACP_OP_SET;
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	g_variant_builder_add_parsed(&b, "{'field': <'ofono:Active'>, 'old': <'true'>, "
	                                 "'new': <'true'>, 'risk': <'in use'>}");
	preview = g_variant_ref_sink(g_variant_builder_end(&b));
	with_preview = changes_of(p, TRUE, "Web", old, preview);
	backend = entry_for(with_preview, "ofono:Active");
	g_assert_nonnull(backend);
	g_assert_true(omacp_changes_need_force(with_preview));
	g_assert_false(omacp_changes_need_force(removal));
	g_assert_false(omacp_changes_need_force(NULL));
}

static void
test_need_a_look(void)
{
	g_autoptr(OmacpMessage) decoded = g_new0(OmacpMessage, 1);
	GVariantDict d;

	decoded->profiles = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	g_ptr_array_add(decoded->profiles, profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web",
	                                               settings_of("web", NULL)));
	g_assert_false(omacp_changes_need_a_look(decoded));

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "proxy", "s", "10.0.0.1:8080");
	g_ptr_array_add(decoded->profiles, profile_new(OMACP_PROFILE_BROWSER, "browser:B1", "Home",
	                                               g_variant_dict_end(&d)));
	g_assert_true(omacp_changes_need_a_look(decoded));
	g_ptr_array_remove_index(decoded->profiles, 1);

	g_ptr_array_add(decoded->profiles,
	                profile_new(OMACP_PROFILE_DM, "dm:S1", "DM", g_variant_new("a{sv}", NULL)));
	g_assert_true(omacp_changes_need_a_look(decoded));
	g_ptr_array_remove_index(decoded->profiles, 1);

	g_ptr_array_add(((OmacpProfile *) g_ptr_array_index(decoded->profiles, 0))->risks,
	                g_strdup("a risk"));
	g_assert_true(omacp_changes_need_a_look(decoded));
}

/* The one entry of @changes with risk code @code (NULL: none). */
static GVariant *
entry_with_code(GVariant *changes, const char *code)
{
	GVariant *found = NULL;

	for (gsize i = 0; i < g_variant_n_children(changes); i++) {
		g_autoptr(GVariant) e = g_variant_get_child_value(changes, i);
		const char *c = NULL;

		if (g_variant_lookup(e, "risk-code", "&s", &c) && g_str_equal(c, code)) {
			g_assert_null(found);
			found = g_steal_pointer(&e);
		}
	}
	return found;
}

static void
assert_args(GVariant *entry, const char *const *expected)
{
	g_autoptr(GVariant) args =
	        g_variant_lookup_value(entry, "risk-args", G_VARIANT_TYPE_STRING_ARRAY);
	g_autofree const char **strv = g_variant_get_strv(args, NULL);

	g_assert_cmpstrv(strv, expected);
}

static void
test_update_sec_rank(void)
{
	/* USERNETWPIN > NETWPIN = USERPINMAC > USERPIN > none, unknown */
	g_assert_cmpuint(omacp_changes_sec_rank("usernetwpin"), >,
	                 omacp_changes_sec_rank("netwpin"));
	g_assert_cmpuint(omacp_changes_sec_rank("netwpin"), ==,
	                 omacp_changes_sec_rank("userpinmac"));
	g_assert_cmpuint(omacp_changes_sec_rank("userpinmac"), >,
	                 omacp_changes_sec_rank("userpin"));
	g_assert_cmpuint(omacp_changes_sec_rank("userpin"), >, omacp_changes_sec_rank("none"));
	g_assert_cmpuint(omacp_changes_sec_rank("unknown"), ==, omacp_changes_sec_rank("none"));
	g_assert_cmpuint(omacp_changes_sec_rank(NULL), ==, omacp_changes_sec_rank("none"));
}

static void
test_update_no_risk(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", NULL));

	/* the same sender with the same, an equal or a stronger SEC */
	g_assert_false(omacp_changes_flag_update(p, "+4912345", "netwpin", "+4912345", "netwpin"));
	g_assert_false(
	        omacp_changes_flag_update(p, "+4912345", "userpinmac", "+4912345", "netwpin"));
	g_assert_false(
	        omacp_changes_flag_update(p, "+4912345", "usernetwpin", "+4912345", "userpin"));
	g_assert_false(omacp_changes_flag_update(p, "+4912345", "userpin", "+4912345", "none"));
	/* no sender on either side is the same (unknown) sender */
	g_assert_false(omacp_changes_flag_update(p, NULL, "none", "", "none"));
	g_assert_cmpuint(p->risks->len, ==, 0);
	g_assert_null(p->risk_codes);
}

static void
test_update_from_other_sender(void)
{
	g_autoptr(OmacpMessage) decoded = g_new0(OmacpMessage, 1);
	OmacpProfile *p = profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web",
	                              settings_of("evil", NULL));
	g_autoptr(GVariant) old = g_variant_ref_sink(settings_of("web", NULL));
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) e = NULL;
	g_autoptr(GVariant) plain = NULL;
	g_autofree char *risk = NULL;
	g_autofree char *field = NULL;

	decoded->profiles = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	g_ptr_array_add(decoded->profiles, p);
	/* a risk without a code first: the codes still match the risks */
	g_ptr_array_add(p->risks, g_strdup("an older risk"));
	g_assert_true(omacp_changes_need_a_look(decoded));
	g_ptr_array_remove_index(p->risks, 0);
	g_assert_false(omacp_changes_need_a_look(decoded));

	/* another sender, even with a stronger SEC: the sender wins */
	g_assert_true(
	        omacp_changes_flag_update(p, "+4400001", "usernetwpin", "+4912345", "netwpin"));
	g_assert_true(omacp_changes_need_a_look(decoded));
	g_assert_cmpuint(p->risks->len, ==, 1);
	g_assert_cmpuint(p->risk_codes->len, ==, 1);
	changes = changes_of(p, TRUE, "Web", old, NULL);
	e = entry_with_code(changes, "update-from-other-sender");
	g_assert_nonnull(e);
	assert_args(e, (const char *const[]){ "+4912345", "netwpin", "+4400001", NULL });
	risk = entry_string(e, "risk");
	field = entry_string(e, "field");
	g_assert_nonnull(strstr(risk, "+4912345"));
	g_assert_nonnull(strstr(risk, "netwpin"));
	g_assert_nonnull(strstr(risk, "internet:N1"));
	g_assert_cmpstr(field, ==, "");
	/* the setting's own entry carries no risk */
	plain = entry_for(changes, "apn");
	g_assert_nonnull(plain);
	g_free(risk);
	risk = entry_string(plain, "risk-code");
	g_assert_cmpstr(risk, ==, "");
}

/* Removals, Wi-Fi networks and MMS routes each carry a
 * risk with its own code, on the entry of the setting it is about. */
static void
test_consent_codes(void)
{
	g_autoptr(OmacpProfile) web =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", NULL));
	g_autoptr(OmacpProfile) gone =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N2", "Old", settings_of("old", NULL));
	g_autoptr(OmacpProfile) wlan =
	        profile_new(OMACP_PROFILE_WLAN, "wlan:W1", "Free",
	                    g_variant_new_parsed("{'ssid': <%s>}", "free\x1b"));
	g_autoptr(OmacpProfile) mms = profile_new(
	        OMACP_PROFILE_MMS, "mms:M1", "MMS",
	        g_variant_new_parsed("{'apn': <'mms'>, 'mms-proxy': <'10.0.0.1:8080'>}"));
	g_autoptr(OmacpProfile) mms_apn = profile_new(OMACP_PROFILE_MMS, "mms:M2", "MMS",
	                                              g_variant_new_parsed("{'apn': <'mms'>}"));
	g_autoptr(GVariant) old = g_variant_ref_sink(settings_of("old", NULL));
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) e = NULL;
	g_autofree char *field = NULL;

	/* no such risk: an internet APN, MMS settings without MMSC or proxy */
	g_assert_false(omacp_changes_flag_consent(web));
	g_assert_false(omacp_changes_flag_consent(mms_apn));
	g_assert_cmpuint(web->risks->len, ==, 0);
	g_assert_cmpuint(mms_apn->risks->len, ==, 0);

	gone->op = OMACP_OP_REMOVE;
	g_assert_true(omacp_changes_flag_consent(gone));
	changes = changes_of(gone, TRUE, "Old", old, NULL);
	e = entry_with_code(changes, "removal");
	g_assert_nonnull(e);
	assert_args(e, (const char *const[]){ "internet:N2", NULL });
	field = entry_string(e, "field");
	g_assert_cmpstr(field, ==, "");
	g_clear_pointer(&changes, g_variant_unref);
	g_clear_pointer(&e, g_variant_unref);
	g_clear_pointer(&field, g_free);

	/* on the ssid entry, the SMS's control character escaped */
	g_assert_true(omacp_changes_flag_consent(wlan));
	changes = changes_of(wlan, FALSE, NULL, NULL, NULL);
	e = entry_with_code(changes, "wifi-network");
	g_assert_nonnull(e);
	assert_args(e, (const char *const[]){ "free\\x1B", NULL });
	field = entry_string(e, "field");
	g_assert_cmpstr(field, ==, "ssid");
	g_clear_pointer(&changes, g_variant_unref);
	g_clear_pointer(&e, g_variant_unref);
	g_clear_pointer(&field, g_free);

	/* a proxy without an MMSC: its own entry, the MMSC argument empty */
	g_assert_true(omacp_changes_flag_consent(mms));
	g_assert_cmpuint(mms->risks->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(mms->risks, 0), "10.0.0.1:8080"));
	changes = changes_of(mms, FALSE, NULL, NULL, NULL);
	e = entry_with_code(changes, "mms-route");
	g_assert_nonnull(e);
	assert_args(e, (const char *const[]){ "", "10.0.0.1:8080", NULL });
	field = entry_string(e, "field");
	g_assert_cmpstr(field, ==, "");
	/* a query is no change */
	web->op = OMACP_OP_QUERY;
	g_assert_false(omacp_changes_flag_consent(web));
}

static void
test_update_weaker_security(void)
{
	OmacpProfile *p = profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web",
	                              settings_of("evil", NULL));
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) coded = NULL;
	g_autofree char *risk = NULL;

	/* an older risk without a code: the new one's code is at its index */
	g_ptr_array_add(p->risks, g_strdup("an older risk"));
	g_assert_true(omacp_changes_flag_update(p, "+4912345", "userpin", "+4912345", "netwpin"));
	g_assert_false(omacp_changes_flag_update(p, "+4912345", "none", "+4912345", "none"));
	g_assert_true(omacp_changes_flag_update(p, "", NULL, NULL, "userpin"));
	g_assert_cmpuint(p->risks->len, ==, 3);
	g_assert_cmpuint(p->risk_codes->len, ==, 3);
	g_assert_null(((char **) g_ptr_array_index(p->risk_codes, 0))[0]);
	changes = changes_of(p, FALSE, NULL, NULL, NULL);
	/* two entries with this code: the first netwpin → userpin */
	for (gsize i = 0; i < g_variant_n_children(changes); i++) {
		g_autoptr(GVariant) c = g_variant_get_child_value(changes, i);
		const char *code = NULL;

		if (coded == NULL && g_variant_lookup(c, "risk-code", "&s", &code) &&
		    g_str_equal(code, "update-weaker-security"))
			coded = g_steal_pointer(&c);
	}
	g_assert_nonnull(coded);
	assert_args(coded, (const char *const[]){ "netwpin", "userpin", NULL });
	risk = entry_string(coded, "risk");
	g_assert_nonnull(strstr(risk, "only secured with userpin"));
	omacp_profile_free(p);
}

static void
test_forcing(void)
{
	g_autoptr(OmacpProfile) p =
	        profile_new(OMACP_PROFILE_INTERNET, "internet:N1", "Web", settings_of("web", NULL));
	g_autoptr(GVariant) edited = NULL;
	g_autoptr(GVariant) active = NULL;
	g_autoptr(GError) hand = g_error_new(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
	                                     "networkmanager: the connection was edited by hand");
	g_autoptr(GError) in_use = g_error_new(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
	                                       "ofono: the context is in use (active)");
	g_autoptr(GError) other = g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND, "edited by hand");

	g_assert_true(omacp_changes_is_forcing_error(hand));
	g_assert_true(omacp_changes_is_forcing_error(in_use));
	g_assert_false(omacp_changes_is_forcing_error(other));

	edited = g_variant_ref_sink(omacp_changes_add_forcing(NULL, p, hand->message));
	g_assert_cmpuint(g_variant_n_children(edited), ==, 1);
	g_assert_true(has_entry(edited, "edited-by-hand"));
	g_assert_true(omacp_changes_need_force(edited));
	active = g_variant_ref_sink(omacp_changes_add_forcing(edited, p, in_use->message));
	g_assert_cmpuint(g_variant_n_children(active), ==, 2);
	g_assert_true(has_entry(active, "ofono:Active"));
}

static void
test_mask_imsi(void)
{
	struct {
		const char *imsi;
		const char *shown;
	} cases[] = {
		{ "262011234567889", "26201********89" },
		{ "26201123456789", "26201*******89" },
		{ "2620112345678", "2620*******78" },
		{ "26201234", "26****34" },
		{ "2620123", "*******" },
		{ "", "" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *masked = omacp_mask_imsi(cases[i].imsi);
		gsize shown = 0;

		g_assert_cmpstr(masked, ==, cases[i].shown);
		for (const char *c = masked; *c != '\0'; c++)
			shown += *c != '*';
		/* never more than half of the digits, never more than 5 + 2 */
		g_assert_cmpuint(shown, <=, strlen(cases[i].imsi) / 2);
		g_assert_cmpuint(shown, <=, OMACP_MASK_IMSI_HEAD + OMACP_MASK_IMSI_TAIL);
	}
	{
		g_autofree char *none = omacp_mask_imsi(NULL);

		g_assert_cmpstr(none, ==, "");
	}
}

static void
test_state_names(void)
{
	for (OmacpMessageState s = 0; s <= OMACP_MESSAGE_STATE_LAST; s++) {
		OmacpMessageState back = OMACP_MESSAGE_STATE_LAST;

		g_assert_true(
		        omacp_message_state_from_string(omacp_message_state_to_string(s), &back));
		g_assert_cmpint(back, ==, s);
	}
	g_assert_cmpstr(omacp_message_state_to_string(OMACP_MESSAGE_STATE_PENDING_CONFIRMATION), ==,
	                "pending-confirmation");
	g_assert_false(omacp_message_state_from_string("pending", &(OmacpMessageState){ 0 }));
	g_assert_false(omacp_message_state_from_string(NULL, &(OmacpMessageState){ 0 }));
	g_assert_true(omacp_message_state_is_pending(OMACP_MESSAGE_STATE_PENDING_PIN));
	g_assert_false(omacp_message_state_is_pending(OMACP_MESSAGE_STATE_QUARANTINED));
	/* a user decides: the two pending states and quarantined, no other */
	for (OmacpMessageState s = 0; s <= OMACP_MESSAGE_STATE_LAST; s++)
		g_assert_cmpint(omacp_message_state_waits_for_user(s), ==,
		                s == OMACP_MESSAGE_STATE_PENDING_PIN ||
		                        s == OMACP_MESSAGE_STATE_PENDING_CONFIRMATION ||
		                        s == OMACP_MESSAGE_STATE_QUARANTINED);
}

/* Every risk travels with a stable code and its arguments:
 * made by the real document stage, one risk per entry. */
static void
test_risk_codes(void)
{
	static const char doc[] =
	        "<wap-provisioningdoc version=\"1.1\">"
	        "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" value=\"NET\"/>"
	        "<parm name=\"NAME\" value=\"NET\"/><parm name=\"BEARER\" value=\"GSM-GPRS\"/>"
	        "<parm name=\"NAP-ADDRESS\" value=\"internet\"/>"
	        "<parm name=\"NAP-ADDRTYPE\" value=\"APN\"/><parm name=\"INTERNET\"/>"
	        "<parm name=\"DNS-ADDR\" value=\"10.1.2.3\"/></characteristic>"
	        "<characteristic type=\"APPLICATION\"><parm name=\"APPID\" value=\"w7\"/>"
	        "<parm name=\"PROVIDER-ID\" value=\"PLT\"/><parm name=\"NAME\" value=\"PLT\"/>"
	        "<parm name=\"ADDR\" value=\"http://dm.example/\"/></characteristic>"
	        "</wap-provisioningdoc>";
	g_autoptr(GPtrArray) inputs =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) msg = NULL;
	g_autoptr(GError) error = NULL;
	guint coded = 0;

	g_ptr_array_add(inputs, g_bytes_new_static(doc, sizeof doc - 1));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_XML, inputs, NULL, &msg, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < msg->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(msg->profiles, i);
		g_autoptr(GVariant) changes = changes_of(p, FALSE, NULL, NULL, NULL);

		g_assert_cmpuint(p->risk_codes->len, ==, p->risks->len);
		for (gsize j = 0; j < g_variant_n_children(changes); j++) {
			g_autoptr(GVariant) e = g_variant_get_child_value(changes, j);
			g_autofree char *risk = entry_string(e, "risk");
			g_autofree char *code = entry_string(e, "risk-code");
			g_autofree char *field = entry_string(e, "field");
			g_autoptr(GVariant) args =
			        g_variant_lookup_value(e, "risk-args", G_VARIANT_TYPE_STRING_ARRAY);
			g_autofree const char **argv = g_variant_get_strv(args, NULL);

			g_assert_nonnull(args);
			/* one risk per entry: never two sentences joined */
			g_assert_null(strstr(risk, "; "));
			if (risk[0] == '\0') {
				g_assert_cmpstr(code, ==, "");
				g_assert_cmpuint(g_variant_n_children(args), ==, 0);
				continue;
			}
			coded++;
			if (g_str_equal(code, "dns")) {
				g_assert_cmpstr(field, ==, "dns");
				g_assert_cmpuint(g_strv_length((char **) argv), ==, 1);
				g_assert_cmpstr(argv[0], ==, "10.1.2.3");
			} else {
				g_assert_cmpstr(code, ==, "dm-server");
				g_assert_cmpuint(g_strv_length((char **) argv), ==, 2);
				g_assert_cmpstr(argv[0], ==, "http://dm.example/");
				g_assert_cmpstr(argv[1], ==, "PLT");
			}
		}
	}
	g_assert_cmpuint(coded, ==, 2);
}

static void
test_risk_codes_preview(void)
{
	g_autoptr(OmacpProfile) p = profile_new(OMACP_PROFILE_INTERNET, "internet:NAP1", "Net",
	                                        settings_of("internet", NULL));
	g_autoptr(GVariant) preview = g_variant_ref_sink(g_variant_new_parsed(
	        "[{'field': <'networkmanager:edited-by-hand'>, 'old': <'true'>, "
	        "'new': <'overwritten'>, 'risk': <'edited by hand'>}]"));
	g_autoptr(GVariant) changes = changes_of(p, FALSE, NULL, NULL, preview);
	g_autoptr(GVariant) e = entry_for(changes, "networkmanager:edited-by-hand");
	g_autofree char *code = entry_string(e, "risk-code");
	g_autoptr(GVariant) args =
	        g_variant_lookup_value(e, "risk-args", G_VARIANT_TYPE_STRING_ARRAY);
	g_autoptr(GError) in_use = g_error_new(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
	                                       "the context is in use (active)");
	g_autoptr(GVariant) active =
	        g_variant_ref_sink(omacp_changes_add_forcing(NULL, p, in_use->message));
	g_autoptr(GVariant) ae = entry_for(active, "ofono:Active");
	g_autofree char *acode = entry_string(ae, "risk-code");

	g_assert_cmpstr(code, ==, "edited-by-hand");
	const char *backend = NULL;

	g_assert_cmpuint(g_variant_n_children(args), ==, 1);
	g_variant_get_child(args, 0, "&s", &backend);
	g_assert_cmpstr(backend, ==, "networkmanager");
	g_assert_cmpstr(acode, ==, "active-connection");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/changes/new-profile", test_new_profile);
	g_test_add_func("/changes/same-settings", test_same_settings_no_change);
	g_test_add_func("/changes/changed-and-dropped", test_changed_and_dropped_settings);
	g_test_add_func("/changes/risks", test_risks_go_with_fields);
	g_test_add_func("/changes/removal-and-preview", test_removal_and_preview);
	g_test_add_func("/changes/need-a-look", test_need_a_look);
	g_test_add_func("/changes/update/sec-rank", test_update_sec_rank);
	g_test_add_func("/changes/update/no-risk", test_update_no_risk);
	g_test_add_func("/changes/update/other-sender", test_update_from_other_sender);
	g_test_add_func("/changes/consent-codes", test_consent_codes);
	g_test_add_func("/changes/update/weaker-security", test_update_weaker_security);
	g_test_add_func("/changes/forcing", test_forcing);
	g_test_add_func("/changes/risk-codes", test_risk_codes);
	g_test_add_func("/changes/risk-codes-preview", test_risk_codes_preview);
	g_test_add_func("/mask/imsi", test_mask_imsi);
	g_test_add_func("/state/names", test_state_names);
	return g_test_run();
}
