/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "changes.h"

#include "vardict.h"

#include <string.h>

/* Nothing to escape: printable ASCII only, with @keep_newlines LF and TAB
 * too (the common case: no copy character by character). */
static gboolean
is_plain(const char *text, gboolean keep_newlines)
{
	for (const char *p = text; *p != '\0'; p++) {
		if ((*p < 0x20 || *p > 0x7E) && !(keep_newlines && (*p == '\n' || *p == '\t')))
			return FALSE;
	}
	return TRUE;
}

char *
omacp_changes_escape(const char *text, gboolean keep_newlines)
{
	GString *out;
	const char *end = NULL;
	const char *p;

	if (text == NULL)
		return g_strdup("");
	if (is_plain(text, keep_newlines))
		return g_strdup(text);
	out = g_string_sized_new(strlen(text));
	g_utf8_validate(text, -1, &end);
	for (p = text; *p != '\0';) {
		gunichar c;

		if (p >= end) {
			/* past the valid prefix: every byte on its own */
			g_string_append_printf(out, "\\x%02X", (guint) (guchar) *p);
			p++;
			continue;
		}
		c = g_utf8_get_char(p);
		if (keep_newlines && (c == '\n' || c == '\t'))
			g_string_append_c(out, (char) c);
		else if (c < 0x20 || c == 0x7F)
			g_string_append_printf(out, "\\x%02X", c);
		else if (c >= 0x80 && c <= 0x9F)
			g_string_append_printf(out, "\\u{%04X}", c);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

GVariant *
omacp_changes_escape_settings(GVariant *settings)
{
	GVariantBuilder b;
	GVariantIter iter;
	const char *key;
	GVariant *next;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	if (settings == NULL)
		return g_variant_builder_end(&b);
	g_variant_iter_init(&iter, settings);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &next)) {
		g_autoptr(GVariant) value = next;
		g_autofree char *k = omacp_changes_escape(key, FALSE);

		if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
			g_autofree char *v =
			        omacp_changes_escape(g_variant_get_string(value, NULL), FALSE);

			g_variant_builder_add(&b, "{sv}", k, g_variant_new_string(v));
		} else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY)) {
			g_autofree const char **strv = g_variant_get_strv(value, NULL);
			g_autoptr(GPtrArray) escaped = g_ptr_array_new_with_free_func(g_free);

			for (guint i = 0; strv[i] != NULL; i++)
				g_ptr_array_add(escaped, omacp_changes_escape(strv[i], FALSE));
			g_variant_builder_add(
			        &b, "{sv}", k,
			        g_variant_new_strv((const char *const *) escaped->pdata,
			                           escaped->len));
		} else {
			g_variant_builder_add(&b, "{sv}", k, value);
		}
	}
	return g_variant_builder_end(&b);
}

/* @text escaped as omacp_changes_escape() does: @text itself when nothing
 * needs it, else a new string kept in *@owned. */
static const char *
escaped(const char *text, char **owned)
{
	*owned = NULL;
	if (text == NULL)
		return "";
	if (is_plain(text, FALSE))
		return text;
	return *owned = omacp_changes_escape(text, FALSE);
}

/* The members every entry about one profile shares: its identity
 * (escaped) and kind. */
typedef struct {
	const char *profile;
	char *profile_owned;
	const char *kind;
} ProfileMembers;

static void
profile_members_init(ProfileMembers *m, const OmacpProfile *p)
{
	m->profile = escaped(p->identity, &m->profile_owned);
	m->kind = omacp_profile_kind_to_string(p->kind);
}

static void
profile_members_clear(ProfileMembers *m)
{
	g_clear_pointer(&m->profile_owned, g_free);
}

/* One entry is an a{sv} of eight members written serialised at once
 * (vardict.h): no GVariant per member, and nothing to serialise again
 * when the Changes are kept as one buffer, stored and sent. */
static void
add_entry(GVariantBuilder *b, const ProfileMembers *pm, const char *field, const char *old_value,
          const char *new_value, const char *risk, const char *const *risk_code)
{
	gboolean coded =
	        risk != NULL && risk[0] != '\0' && risk_code != NULL && risk_code[0] != NULL;
	g_autofree char *old_owned = NULL;
	g_autofree char *new_owned = NULL;
	g_autofree char *risk_owned = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	OmacpVardictBuilder e;

	omacp_vardict_builder_init(&e);
	omacp_vardict_add_string(&e, "profile", pm->profile);
	omacp_vardict_add_string(&e, "kind", pm->kind);
	omacp_vardict_add_string(&e, "field", field);
	omacp_vardict_add_string(&e, "old", escaped(old_value, &old_owned));
	omacp_vardict_add_string(&e, "new", escaped(new_value, &new_owned));
	omacp_vardict_add_string(&e, "risk", escaped(risk, &risk_owned));
	omacp_vardict_add_string(&e, "risk-code", coded ? risk_code[0] : "");
	for (guint i = 1; coded && risk_code[i] != NULL; i++)
		g_ptr_array_add(args, omacp_changes_escape(risk_code[i], FALSE));
	g_ptr_array_add(args, NULL);
	omacp_vardict_add_strv(&e, "risk-args", "as", (const char *const *) args->pdata);
	g_variant_builder_add_value(b, omacp_vardict_builder_end(&e));
}

void
omacp_changes_add_coded(GVariantBuilder *b, const OmacpProfile *p, const char *field,
                        const char *old_value, const char *new_value, const char *risk,
                        const char *const *risk_code)
{
	ProfileMembers pm;

	profile_members_init(&pm, p);
	add_entry(b, &pm, field, old_value, new_value, risk, risk_code);
	profile_members_clear(&pm);
}

void
omacp_changes_add(GVariantBuilder *b, const OmacpProfile *p, const char *field,
                  const char *old_value, const char *new_value, const char *risk)
{
	omacp_changes_add_coded(b, p, field, old_value, new_value, risk, NULL);
}

static char *
variant_to_text(GVariant *v)
{
	if (v == NULL)
		return g_strdup("");
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(v);

		return variant_to_text(inner);
	}
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
	    g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH))
		return g_variant_dup_string(v, NULL);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(v) ? "true" : "false");
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const char **strv = g_variant_get_strv(v, NULL);

		return g_strjoinv(", ", (char **) strv);
	}
	return g_variant_print(v, FALSE);
}

/* The code of risk @i of @p (NULL when @p carries none). */
static const char *const *
risk_code(const OmacpProfile *p, guint i)
{
	if (p->risk_codes == NULL || i >= p->risk_codes->len)
		return NULL;
	return g_ptr_array_index(p->risk_codes, i);
}

/* The setting each risk code is about (dbus/README.md, "Risk codes"). */
static const char *const risk_fields[][2] = {
	{ "dns", "dns" },
	{ "proxy", "proxy" },
	{ "proxy-domains", "proxy" },
	{ "dial-up", "address" },
	{ "open-wlan", "security" },
	{ "wep", "security" },
	{ "bookmark-password", "bookmarks" },
	{ "dm-server", "address" },
	{ "ds-server", "address" },
	{ "plaintext-credentials", "address" },
	{ "plaintext-password", "security" },
	{ "bootstrap", "provurl" },
	{ "apn-unknown", "apn" },
	{ "mmsc-foreign-domain", "mmsc" },
	{ "mmsc-unknown", "mmsc" },
	{ "mmsc-invalid", "mmsc" },
	{ "mms-proxy-invalid", "mms-proxy" },
	{ "mms-route", "mmsc" },
	{ "wifi-network", "ssid" },
};

/* TRUE when risk @i of @p is about @field: by its code, else (a profile
 * without codes) when its sentence names the field. */
static gboolean
risk_names_field(const OmacpProfile *p, guint i, const char *field)
{
	const char *const *code = risk_code(p, i);
	g_autofree char *needle = NULL;
	g_autofree char *lower = NULL;

	if (code != NULL && code[0] != NULL) {
		for (guint k = 0; k < G_N_ELEMENTS(risk_fields); k++) {
			if (g_str_equal(code[0], risk_fields[k][0]))
				return g_str_equal(field, risk_fields[k][1]);
		}
		return FALSE;
	}
	needle = g_ascii_strdown(field, -1);
	lower = g_ascii_strdown(g_ptr_array_index(p->risks, i), -1);
	return strstr(lower, needle) != NULL;
}

/* The index of the first risk of @p not in @used that is about @field (and
 * marks it used), or -1. One risk per entry: its code travels with it. */
static gint
risk_for_field(const OmacpProfile *p, const char *field, GHashTable *used)
{
	for (guint i = 0; p->risks != NULL && i < p->risks->len; i++) {
		if (g_hash_table_contains(used, GUINT_TO_POINTER(i + 1)) ||
		    !risk_names_field(p, i, field))
			continue;
		g_hash_table_add(used, GUINT_TO_POINTER(i + 1));
		return (gint) i;
	}
	return -1;
}

/* Adds one entry about @field with the risk that names it, if any. */
static void
add_field_text(GVariantBuilder *b, const ProfileMembers *pm, const OmacpProfile *p,
               const char *field, const char *old_value, const char *new_value, GHashTable *used)
{
	gint r = risk_for_field(p, field, used);

	add_entry(b, pm, field, old_value, new_value, r >= 0 ? g_ptr_array_index(p->risks, r) : "",
	          r >= 0 ? risk_code(p, (guint) r) : NULL);
}

/* The risk code of a backend's preview entry: hand edits and contexts in
 * use, with the backend's name ("networkmanager:edited-by-hand"). */
static void
preview_risk_code(const char *field, const char *code[3])
{
	const char *colon = strchr(field, ':');
	const char *name = colon != NULL ? colon + 1 : field;

	code[0] = code[1] = code[2] = NULL;
	if (g_str_equal(name, "edited-by-hand"))
		code[0] = "edited-by-hand";
	else if (g_str_equal(name, "Active"))
		code[0] = "active-connection";
	else
		return;
	code[1] = colon != NULL ? g_strndup(field, (gsize) (colon - field)) : g_strdup("");
}

/* The value of @key in @settings (a{sv}, may be NULL), NULL when absent. */
static GVariant *
setting(GVariant *settings, const char *key)
{
	return settings != NULL ? g_variant_lookup_value(settings, key, NULL) : NULL;
}

/* One entry for @field when its value @o (old, may be NULL) and @n (new,
 * may be NULL) differ; TRUE when it was added. */
static gboolean
add_field(GVariantBuilder *b, const ProfileMembers *pm, const OmacpProfile *p, const char *field,
          GVariant *o, GVariant *n, GHashTable *used)
{
	g_autofree char *old_text = NULL;
	g_autofree char *new_text = NULL;

	if (o != NULL && n != NULL && g_variant_equal(o, n))
		return FALSE;
	old_text = variant_to_text(o);
	new_text = variant_to_text(n);
	add_field_text(b, pm, p, field, old_text, new_text, used);
	return TRUE;
}

static void
add_preview(GVariantBuilder *b, const ProfileMembers *pm, GVariant *preview)
{
	GVariantIter iter;
	GVariant *entry;

	g_variant_iter_init(&iter, preview);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		GVariantDict d;
		const char *field = "";
		const char *o = "";
		const char *n = "";
		const char *risk = "";
		const char *code[3];

		g_variant_dict_init(&d, entry);
		g_variant_dict_lookup(&d, "field", "&s", &field);
		g_variant_dict_lookup(&d, "old", "&s", &o);
		g_variant_dict_lookup(&d, "new", "&s", &n);
		g_variant_dict_lookup(&d, "risk", "&s", &risk);
		preview_risk_code(field, code);
		add_entry(b, pm, field, o, n, risk, code);
		g_free((char *) code[1]);
		g_variant_dict_clear(&d);
		g_variant_unref(entry);
	}
}

void
omacp_changes_add_profile(GVariantBuilder *b, const OmacpProfile *p, gboolean exists,
                          const char *old_name, GVariant *old_settings, GVariant *preview)
{
	g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
	gboolean removing = p->op == OMACP_OP_REMOVE;
	GVariant *new_settings = removing ? NULL : p->settings;
	gboolean any = FALSE;
	GVariantIter iter;
	const char *field;
	GVariant *value;
	ProfileMembers pm;

	profile_members_init(&pm, p);
	if (!removing) {
		const char *was = exists && old_name != NULL ? old_name : "";

		if (g_strcmp0(was, p->name) != 0) {
			add_field_text(b, &pm, p, "name", was, p->name ? p->name : "", used);
			any = TRUE;
		}
	}
	/* the new settings in their order, then the old ones they drop */
	if (new_settings != NULL) {
		g_variant_iter_init(&iter, new_settings);
		while (g_variant_iter_next(&iter, "{&sv}", &field, &value)) {
			g_autoptr(GVariant) n = value;
			g_autoptr(GVariant) o = setting(old_settings, field);

			any |= add_field(b, &pm, p, field, o, n, used);
		}
	}
	if (old_settings != NULL) {
		g_variant_iter_init(&iter, old_settings);
		while (g_variant_iter_next(&iter, "{&sv}", &field, &value)) {
			g_autoptr(GVariant) o = value;
			g_autoptr(GVariant) n = setting(new_settings, field);

			if (n == NULL)
				any |= add_field(b, &pm, p, field, o, NULL, used);
		}
	}
	/* the other risks go with the profile as a whole, one entry each */
	for (guint i = 0; p->risks != NULL && i < p->risks->len; i++) {
		if (g_hash_table_contains(used, GUINT_TO_POINTER(i + 1)) ||
		    !(any || !exists || !removing))
			continue;
		add_entry(b, &pm, "", "", "", g_ptr_array_index(p->risks, i), risk_code(p, i));
	}
	if (!removing && preview != NULL)
		add_preview(b, &pm, preview);
	profile_members_clear(&pm);
}

guint
omacp_changes_sec_rank(const char *sec)
{
	if (g_strcmp0(sec, "usernetwpin") == 0)
		return 3;
	if (g_strcmp0(sec, "netwpin") == 0 || g_strcmp0(sec, "userpinmac") == 0)
		return 2;
	if (g_strcmp0(sec, "userpin") == 0)
		return 1;
	return 0;
}

/* Appends risk @text with code @code to @p (whose codes, when it has
 * none yet, are made to match its risks one by one). */
static void
add_risk(OmacpProfile *p, char *text, char **code)
{
	if (p->risks == NULL)
		p->risks = g_ptr_array_new_with_free_func(g_free);
	if (p->risk_codes == NULL)
		p->risk_codes = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
	while (p->risk_codes->len < p->risks->len)
		g_ptr_array_add(p->risk_codes, g_new0(char *, 1));
	g_ptr_array_add(p->risks, text);
	g_ptr_array_add(p->risk_codes, code);
}

gboolean
omacp_changes_flag_update(OmacpProfile *p, const char *sender, const char *sec,
                          const char *maker_sender, const char *maker_sec)
{
	const char *who = maker_sender != NULL && maker_sender[0] != '\0' ? maker_sender : "";
	const char *from = sender != NULL && sender[0] != '\0' ? sender : "";
	const char *how = maker_sec != NULL && maker_sec[0] != '\0' ? maker_sec : "none";
	const char *now = sec != NULL && sec[0] != '\0' ? sec : "none";

	if (strcmp(who, from) != 0) {
		char *code[] = { g_strdup("update-from-other-sender"), g_strdup(who), g_strdup(how),
			         g_strdup(from), NULL };

		add_risk(p,
		         g_strdup_printf("%s was last set by a message from %s (%s); this one "
		                         "comes from %s, and the sender field is easily forged",
		                         p->identity, who[0] != '\0' ? who : "an unknown sender",
		                         how, from[0] != '\0' ? from : "an unknown sender"),
		         g_memdup2(code, sizeof code));
		return TRUE;
	}
	if (omacp_changes_sec_rank(now) < omacp_changes_sec_rank(how)) {
		char *code[] = { g_strdup("update-weaker-security"), g_strdup(how), g_strdup(now),
			         NULL };

		add_risk(p,
		         g_strdup_printf("%s was last set by a message secured with %s; this one "
		                         "is only secured with %s",
		                         p->identity, how, now),
		         g_memdup2(code, sizeof code));
		return TRUE;
	}
	return FALSE;
}

/* The string @key of @settings (a{sv}, may be NULL), "" when absent. */
static const char *
setting_string(GVariant *settings, const char *key)
{
	const char *v = NULL;

	if (settings == NULL || !g_variant_lookup(settings, key, "&s", &v))
		return "";
	return v;
}

/* Adds risk @code_name with two arguments (@a, @b: NULL for none) and
 * the sentence @text (taken) to @p. */
static void
add_coded(OmacpProfile *p, char *text, const char *code_name, const char *a, const char *b)
{
	char **code = g_new0(char *, 4);
	guint n = 0;

	code[n++] = g_strdup(code_name);
	if (a != NULL)
		code[n++] = g_strdup(a);
	if (b != NULL)
		code[n++] = g_strdup(b);
	add_risk(p, text, code);
}

gboolean
omacp_changes_flag_consent(OmacpProfile *p)
{
	const char *ssid;
	const char *mmsc;
	const char *proxy;

	if (p->op == OMACP_OP_QUERY)
		return FALSE;
	if (p->op == OMACP_OP_REMOVE) {
		add_coded(
		        p,
		        g_strdup_printf("removes %s; whoever can send an SMS can ask for a removal",
		                        p->identity),
		        "removal", p->identity, NULL);
		return TRUE;
	}
	switch (p->kind) {
	case OMACP_PROFILE_WLAN:
		ssid = setting_string(p->settings, "ssid");
		add_coded(p,
		          g_strdup_printf("the device would join the Wi-Fi network %s by itself, "
		                          "and whoever runs it sees the traffic",
		                          ssid),
		          "wifi-network", ssid, NULL);
		return TRUE;
	case OMACP_PROFILE_MMS:
		mmsc = setting_string(p->settings, "mmsc");
		proxy = setting_string(p->settings, "mms-proxy");
		if (mmsc[0] == '\0' && proxy[0] == '\0')
			return FALSE;
		add_coded(p,
		          g_strdup_printf("MMS would go through the MMSC %s and the MMS proxy %s",
		                          mmsc[0] != '\0' ? mmsc : "(none)",
		                          proxy[0] != '\0' ? proxy : "(none)"),
		          "mms-route", mmsc, proxy);
		return TRUE;
	case OMACP_PROFILE_INTERNET:
	case OMACP_PROFILE_BROWSER:
	case OMACP_PROFILE_EMAIL:
	case OMACP_PROFILE_DS:
	case OMACP_PROFILE_DM:
	case OMACP_PROFILE_BOOTSTRAP:
	case OMACP_PROFILE_OTHER:
		break;
	}
	return FALSE;
}

/* TRUE when MMS profile @p sets an MMSC or an MMS proxy. */
static gboolean
sets_mms_route(const OmacpProfile *p)
{
	GVariantDict d;
	gboolean route;

	if (p->settings == NULL)
		return FALSE;
	g_variant_dict_init(&d, p->settings);
	route = g_variant_dict_contains(&d, "mmsc") || g_variant_dict_contains(&d, "mms-proxy");
	g_variant_dict_clear(&d);
	return route;
}

gboolean
omacp_changes_need_a_look(const OmacpMessage *decoded)
{
	for (guint i = 0; i < decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(decoded->profiles, i);
		GVariantDict d;
		gboolean proxy;

		if (p->risks != NULL && p->risks->len > 0)
			return TRUE;
		/* removals and the settings that move traffic somewhere else:
		 * an SMS sender field is no reason to trust them */
		if (p->op == OMACP_OP_REMOVE)
			return TRUE;
		switch (p->kind) {
		case OMACP_PROFILE_DM:
		case OMACP_PROFILE_BOOTSTRAP:
		case OMACP_PROFILE_WLAN:
			return TRUE;
		case OMACP_PROFILE_MMS:
			if (sets_mms_route(p))
				return TRUE;
			break;
		case OMACP_PROFILE_INTERNET:
		case OMACP_PROFILE_BROWSER:
		case OMACP_PROFILE_EMAIL:
		case OMACP_PROFILE_DS:
		case OMACP_PROFILE_OTHER:
			break;
		}
		g_variant_dict_init(&d, p->settings);
		proxy = g_variant_dict_contains(&d, "proxy") ||
		        g_variant_dict_contains(&d, "certificate") ||
		        g_variant_dict_contains(&d, "ca-certificate");
		g_variant_dict_clear(&d);
		if (proxy)
			return TRUE;
	}
	return FALSE;
}

/* "<backend>:edited-by-hand" entries come from the backends' previews,
 * plain "edited-by-hand" ones from an apply that found such an object;
 * "ofono:Active" says the context must be deactivated to be changed. */
static gboolean
is_forcing_field(const char *field)
{
	return field != NULL &&
	       (g_str_has_suffix(field, "edited-by-hand") || g_str_equal(field, "ofono:Active"));
}

gboolean
omacp_changes_need_force(GVariant *changes)
{
	GVariantIter iter;
	GVariant *entry;
	gboolean found = FALSE;

	if (changes == NULL)
		return FALSE;
	g_variant_iter_init(&iter, changes);
	while (!found && (entry = g_variant_iter_next_value(&iter)) != NULL) {
		const char *field = NULL;

		found = g_variant_lookup(entry, "field", "&s", &field) && is_forcing_field(field);
		g_variant_unref(entry);
	}
	return found;
}

gboolean
omacp_changes_is_forcing_error(const GError *error)
{
	return g_error_matches(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE) &&
	       (strstr(error->message, "edited by hand") != NULL ||
	        strstr(error->message, "in use (active)") != NULL);
}

GVariant *
omacp_changes_add_forcing(GVariant *changes, const OmacpProfile *profile, const char *why)
{
	GVariantBuilder b;
	GVariantIter iter;
	GVariant *entry;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	if (changes != NULL) {
		g_variant_iter_init(&iter, changes);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
			g_variant_builder_add_value(&b, entry);
			g_variant_unref(entry);
		}
	}
	if (strstr(why, "in use (active)") != NULL)
		omacp_changes_add_coded(
		        &b, profile, "ofono:Active", "true", "true", why,
		        (const char *const[]){ "active-connection", "ofono", NULL });
	else
		omacp_changes_add_coded(&b, profile, "edited-by-hand", "true", "overwritten", why,
		                        (const char *const[]){ "edited-by-hand", "", NULL });
	return g_variant_builder_end(&b);
}
