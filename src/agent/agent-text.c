/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "agent-text.h"

#include <glib/gi18n.h>
#include <libintl.h>
#include <string.h>

void
omacp_agent_change_parse(GVariant *entry, OmacpAgentChange *out)
{
	memset(out, 0, sizeof(*out));
	out->profile = out->kind = out->field = "";
	out->old_value = out->new_value = out->risk = "";
	g_variant_lookup(entry, "profile", "&s", &out->profile);
	g_variant_lookup(entry, "kind", "&s", &out->kind);
	g_variant_lookup(entry, "field", "&s", &out->field);
	g_variant_lookup(entry, "old", "&s", &out->old_value);
	g_variant_lookup(entry, "new", "&s", &out->new_value);
	g_variant_lookup(entry, "risk", "&s", &out->risk);
	g_variant_lookup(entry, "risk-code", "&s", &out->risk_code);
}

static const struct {
	const char *field;
	const char *label;
} field_labels[] = {
	{ "apn", N_("Access point (APN)") },
	{ "username", N_("User name") },
	{ "password-set", N_("Password") },
	{ "auth", N_("Sign-in method") },
	{ "auth-type", N_("Sign-in method") },
	{ "ip-type", N_("IP version") },
	{ "dns", N_("Name servers (DNS)") },
	{ "bearer", N_("Network type") },
	{ "mmsc", N_("MMS server") },
	{ "mms-proxy", N_("MMS proxy") },
	{ "wap-gateway", N_("WAP gateway") },
	{ "proxy", N_("Web proxy") },
	{ "ssid", N_("Wi-Fi network") },
	{ "hidden", N_("Hidden network") },
	{ "security", N_("Security") },
	{ "psk-set", N_("Wi-Fi password") },
	{ "wep-key-set", N_("WEP key") },
	{ "eap-type", N_("Enterprise sign-in") },
	{ "startpage", N_("Start page") },
	{ "address", N_("Server address") },
	{ "host", N_("Server") },
	{ "port", N_("Port") },
	{ "protocol", N_("Protocol") },
	{ "from", N_("Sender address") },
	{ "name", N_("Name") },
	{ "provurl", N_("Provisioning server") },
	{ "server-id", N_("Server ID") },
	{ "bookmarks", N_("Bookmarks") },
};

/* identifiers, link ids and backend details say nothing to a user */
static const char *const hidden_fields[] = {
	"napid", "type",      "address-type", "mode",   "appid", "proxy-id", "context-allow",
	"init",  "nonce-set", "sync-type",    "accept", "uri",   NULL,
};

const char *
omacp_agent_field_label(const char *field)
{
	if (field == NULL || field[0] == '\0' || strchr(field, ':') != NULL)
		return NULL;
	if (g_strv_contains(hidden_fields, field))
		return NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(field_labels); i++) {
		if (strcmp(field_labels[i].field, field) == 0)
			return _(field_labels[i].label);
	}
	return NULL;
}

char *
omacp_agent_value_text(const char *field, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return g_strdup(_("(none)"));
	if (strcmp(value, "(secret)") == 0)
		return g_strdup(_("Hidden"));
	if (field != NULL && g_str_has_suffix(field, "-set")) {
		if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
			return g_strdup(_("Set"));
		if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0)
			return g_strdup(_("Not set"));
	}
	if (strcmp(value, "true") == 0)
		return g_strdup(_("Yes"));
	if (strcmp(value, "false") == 0)
		return g_strdup(_("No"));
	if (g_strcmp0(field, "auth") == 0 || g_strcmp0(field, "auth-type") == 0)
		return g_ascii_strup(value, -1);
	if (g_strcmp0(field, "ip-type") == 0) {
		if (strcmp(value, "ipv4v6") == 0)
			return g_strdup(_("IPv4 and IPv6"));
	}
	return g_strdup(value);
}

const char *
omacp_agent_kind_label(const char *kind)
{
	if (g_strcmp0(kind, "internet") == 0)
		return _("Mobile internet");
	if (g_strcmp0(kind, "mms") == 0)
		return _("MMS");
	if (g_strcmp0(kind, "wlan") == 0)
		return _("Wi-Fi");
	if (g_strcmp0(kind, "browser") == 0)
		return _("Browser");
	if (g_strcmp0(kind, "email") == 0)
		return _("E-mail");
	if (g_strcmp0(kind, "ds") == 0)
		return _("Data sync");
	if (g_strcmp0(kind, "dm") == 0)
		return _("Device management");
	if (g_strcmp0(kind, "bootstrap") == 0)
		return _("Provisioning server");
	return _("Other settings");
}

void
omacp_agent_security_text(const char *security, gboolean authenticated, const char **title,
                          const char **detail)
{
	if (g_strcmp0(security, "netwpin") == 0 && authenticated) {
		*title = _("Signed with your SIM's network key");
		*detail = _("Only someone who knows your SIM's number could have made this "
		            "signature, usually your mobile operator.");
	} else if (g_strcmp0(security, "userpin") == 0 || g_strcmp0(security, "userpinmac") == 0 ||
	           g_strcmp0(security, "usernetwpin") == 0) {
		*title = authenticated ? _("Protected by a PIN you were given — PIN verified")
		                       : _("Protected by a PIN you were given");
		*detail = _("A PIN proves only that the sender knew it, not who the sender "
		            "is. Type it only if you expected these settings.");
	} else if (g_strcmp0(security, "netwpin") == 0) {
		*title = _("Signature not verified");
		*detail = _("The message claims to be signed with your SIM's network key, but "
		            "the signature could not be checked.");
	} else {
		*title = _("Not signed — anyone can send this");
		*detail = _("Nothing shows who sent these settings. Install them only if you "
		            "asked for them.");
	}
}

const char *
omacp_agent_state_label(OmacpMessageState state)
{
	switch (state) {
	case OMACP_MESSAGE_STATE_RECEIVING:
		return _("Still arriving");
	case OMACP_MESSAGE_STATE_PENDING_PIN:
		return _("Waiting for your PIN");
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
		return _("Waiting for your confirmation");
	case OMACP_MESSAGE_STATE_QUARANTINED:
		return _("Not signed, held back");
	case OMACP_MESSAGE_STATE_ACCEPTED:
		return _("Installing");
	case OMACP_MESSAGE_STATE_APPLIED:
		return _("Installed");
	case OMACP_MESSAGE_STATE_REJECTED:
		return _("Rejected");
	case OMACP_MESSAGE_STATE_FAILED:
		return _("Failed");
	case OMACP_MESSAGE_STATE_UNDONE:
		return _("Undone");
	default:
		return _("Unknown");
	}
}

char *
omacp_agent_sim_text(const char *imsi)
{
	gsize n = imsi != NULL ? strlen(imsi) : 0;

	if (n < 2)
		return NULL;
	/* TRANSLATORS: the last two digits of the SIM's IMSI */
	return g_strdup_printf(_("SIM ••%s"), imsi + n - 2);
}

/* "internet:NAP1" → what the profile is, in words */
static char *
profile_phrase(const char *kind, GVariant *changes, const char *profile)
{
	const char *apn = NULL;
	const char *ssid = NULL;
	GVariantIter iter;
	GVariant *entry;

	g_variant_iter_init(&iter, changes);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		OmacpAgentChange c;

		omacp_agent_change_parse(entry, &c);
		if (strcmp(c.profile, profile) == 0 && c.new_value[0] != '\0') {
			if (strcmp(c.field, "apn") == 0)
				apn = c.new_value;
			else if (strcmp(c.field, "ssid") == 0)
				ssid = c.new_value;
		}
		g_variant_unref(entry); /* the strings stay valid: @changes holds them */
	}
	if (g_strcmp0(kind, "internet") == 0 && apn != NULL)
		return g_strdup_printf(_("mobile internet (APN %s)"), apn);
	if (g_strcmp0(kind, "internet") == 0)
		return g_strdup(_("mobile internet"));
	if (g_strcmp0(kind, "mms") == 0)
		return g_strdup(_("MMS"));
	if (g_strcmp0(kind, "wlan") == 0 && ssid != NULL)
		return g_strdup_printf(_("the Wi-Fi network %s"), ssid);
	if (g_strcmp0(kind, "wlan") == 0)
		return g_strdup(_("a Wi-Fi network"));
	if (g_strcmp0(kind, "browser") == 0)
		return g_strdup(_("browser settings"));
	if (g_strcmp0(kind, "email") == 0)
		return g_strdup(_("an e-mail account"));
	if (g_strcmp0(kind, "ds") == 0)
		return g_strdup(_("data synchronisation"));
	if (g_strcmp0(kind, "dm") == 0)
		return g_strdup(_("remote device management"));
	if (g_strcmp0(kind, "bootstrap") == 0)
		return g_strdup(_("a provisioning server"));
	return g_strdup(_("other settings"));
}

char *
omacp_agent_summary(GVariant *changes, const char *imsi)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new();
	g_autoptr(GPtrArray) phrases = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *list = NULL;
	g_autofree char *sim = omacp_agent_sim_text(imsi);
	GVariantIter iter;
	GVariant *entry;

	if (changes != NULL) {
		g_variant_iter_init(&iter, changes);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
			OmacpAgentChange c;
			gboolean known = FALSE;

			omacp_agent_change_parse(entry, &c);
			for (guint i = 0; i < seen->len; i++)
				known = known || strcmp(g_ptr_array_index(seen, i), c.profile) == 0;
			if (!known && c.profile[0] != '\0') {
				g_ptr_array_add(seen, (gpointer) c.profile);
				g_ptr_array_add(phrases,
				                profile_phrase(c.kind, changes, c.profile));
			}
			g_variant_unref(entry);
		}
	}
	if (phrases->len == 0)
		list = g_strdup(_("settings"));
	else if (phrases->len == 1)
		list = g_strdup(g_ptr_array_index(phrases, 0));
	else {
		g_autoptr(GString) s = g_string_new(g_ptr_array_index(phrases, 0));

		for (guint i = 1; i + 1 < phrases->len; i++) {
			/* TRANSLATORS: joins items of a list: "A, B" */
			g_autofree char *tmp = g_strdup_printf(
			        _("%s, %s"), s->str, (char *) g_ptr_array_index(phrases, i));
			g_string_assign(s, tmp);
		}
		{
			/* TRANSLATORS: joins the last item of a list: "A, B and C" */
			g_autofree char *tmp = g_strdup_printf(
			        _("%s and %s"), s->str,
			        (char *) g_ptr_array_index(phrases, phrases->len - 1));
			g_string_assign(s, tmp);
		}
		list = g_string_free(g_steal_pointer(&s), FALSE);
	}
	if (sim != NULL)
		/* TRANSLATORS: "Sets up mobile internet (APN x) and MMS for SIM ••89" */
		return g_strdup_printf(_("Sets up %s for %s"), list, sim);
	return g_strdup_printf(_("Sets up %s"), list);
}

char *
omacp_agent_attempts_text(guint left)
{
	return g_strdup_printf(ngettext("%u attempt left", "%u attempts left", left), left);
}

char *
omacp_agent_wrong_pin_text(guint left)
{
	return g_strdup_printf(
	        ngettext("Wrong PIN — %u attempt left", "Wrong PIN — %u attempts left", left),
	        left);
}
