/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "policy.h"

#include <gio/gio.h>

#include "omacp.h"

static const char *const action_names[] = {
	[OMACP_ACTION_APPLY] = "apply",   [OMACP_ACTION_CONFIRM] = "confirm",
	[OMACP_ACTION_PIN] = "pin",       [OMACP_ACTION_QUARANTINE] = "quarantine",
	[OMACP_ACTION_REJECT] = "reject",
};

const char *
omacp_action_to_string(OmacpAction action)
{
	switch (action) {
	case OMACP_ACTION_APPLY:
	case OMACP_ACTION_CONFIRM:
	case OMACP_ACTION_PIN:
	case OMACP_ACTION_QUARANTINE:
	case OMACP_ACTION_REJECT:
		return action_names[action];
	}
	return "reject";
}

static const char *const activate_names[] = {
	[OMACP_ACTIVATE_ASK] = "ask",
	[OMACP_ACTIVATE_ALWAYS] = "always",
	[OMACP_ACTIVATE_NEVER] = "never",
};

const char *
omacp_activate_to_string(OmacpActivate activate)
{
	switch (activate) {
	case OMACP_ACTIVATE_ASK:
	case OMACP_ACTIVATE_ALWAYS:
	case OMACP_ACTIVATE_NEVER:
		return activate_names[activate];
	}
	return "never";
}

gboolean
omacp_activate_from_string(const char *text, OmacpActivate *out)
{
	for (guint i = 0; i < G_N_ELEMENTS(activate_names); i++) {
		if (g_strcmp0(text, activate_names[i]) == 0) {
			*out = (OmacpActivate) i;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
omacp_action_from_string(const char *text, OmacpAction *out)
{
	for (guint i = 0; i < G_N_ELEMENTS(action_names); i++) {
		if (g_strcmp0(text, action_names[i]) == 0) {
			*out = (OmacpAction) i;
			return TRUE;
		}
	}
	return FALSE;
}

void
omacp_config_free(OmacpConfig *config)
{
	if (config == NULL)
		return;
	g_strfreev(config->trusted_senders);
	g_free(config->mmsd_settings_file);
	g_free(config->push_forward_dir);
	g_clear_pointer(&config->files, g_ptr_array_unref);
	g_free(config);
}

OmacpConfig *
omacp_config_new_default(void)
{
	OmacpConfig *c = g_new0(OmacpConfig, 1);

	c->none = OMACP_ACTION_QUARANTINE;
	c->netwpin = OMACP_ACTION_CONFIRM;
	c->userpin = OMACP_ACTION_PIN;
	c->usernetwpin = OMACP_ACTION_PIN;
	c->userpinmac = OMACP_ACTION_PIN;
	c->invalid = OMACP_ACTION_REJECT;
	c->unchecked = OMACP_ACTION_QUARANTINE;
	c->pin_attempts = OMACP_CONFIG_DEFAULT_PIN_ATTEMPTS;
	c->trusted_senders = g_new0(char *, 1);
	/* the originating address is not authentication */
	c->netwpin_trusted_action = OMACP_ACTION_CONFIRM;
	c->backend_networkmanager = TRUE;
	c->backend_ofono = TRUE;
	c->backend_mmsd = TRUE;
	c->adapter_ofono = TRUE;
	c->adapter_modemmanager = TRUE;
	c->max_message_bytes = OMACP_CONFIG_DEFAULT_MAX_MESSAGE_BYTES;
	c->max_per_sender_per_hour = OMACP_CONFIG_DEFAULT_MAX_PER_SENDER_PER_HOUR;
	c->max_per_modem_per_hour = OMACP_CONFIG_DEFAULT_MAX_PER_MODEM_PER_HOUR;
	c->max_stored_messages = OMACP_CONFIG_DEFAULT_MAX_STORED_MESSAGES;
	c->unauthenticated_expiry_s = OMACP_CONFIG_DEFAULT_UNAUTHENTICATED_EXPIRY_S;
	c->agent_timeout_s = OMACP_CONFIG_DEFAULT_AGENT_TIMEOUT_S;
	c->agent_retry_after_s = OMACP_CONFIG_DEFAULT_AGENT_RETRY_AFTER_S;
	c->files = g_ptr_array_new_with_free_func(g_free);
	return c;
}

typedef struct {
	const char *key;
	OmacpAction *target;
	guint allowed; /* bit per OmacpAction */
} PolicyKey;

#define BIT(a) (1u << (a))

static gboolean
load_action(GKeyFile *kf, const char *file, const PolicyKey *k, GError **error)
{
	g_autofree char *value = g_key_file_get_string(kf, "Policy", k->key, NULL);
	g_autoptr(GString) allowed = g_string_new(NULL);
	OmacpAction action;

	if (value == NULL)
		return TRUE;
	g_strstrip(value);
	if (omacp_action_from_string(value, &action) && (k->allowed & BIT(action)) != 0) {
		*k->target = action;
		return TRUE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(action_names); i++) {
		if ((k->allowed & BIT(i)) == 0)
			continue;
		if (allowed->len > 0)
			g_string_append(allowed, ", ");
		g_string_append(allowed, action_names[i]);
	}
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
	            "config: %s: [Policy] %s=%s is not one of %s", file, k->key, value,
	            allowed->str);
	return FALSE;
}

static gboolean
load_bool(GKeyFile *kf, const char *file, const char *group, const char *key, gboolean *target,
          GError **error)
{
	g_autoptr(GError) local = NULL;
	gboolean value;

	if (!g_key_file_has_key(kf, group, key, NULL))
		return TRUE;
	value = g_key_file_get_boolean(kf, group, key, &local);
	if (local != NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "config: %s: [%s] %s is not true or false", file, group, key);
		return FALSE;
	}
	*target = value;
	return TRUE;
}

static gboolean
load_uint(GKeyFile *kf, const char *file, const char *group, const char *key, guint64 min,
          guint64 max, guint64 *target, GError **error)
{
	g_autofree char *text = g_key_file_get_string(kf, group, key, NULL);
	g_autoptr(GError) local = NULL;
	guint64 value = 0;

	if (text == NULL)
		return TRUE;
	g_strstrip(text);
	if (!g_ascii_string_to_unsigned(text, 10, min, max, &value, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "config: %s: [%s] %s=%s: %s", file, group, key, text, local->message);
		return FALSE;
	}
	*target = value;
	return TRUE;
}

static gboolean
load_guint(GKeyFile *kf, const char *file, const char *group, const char *key, guint64 min,
           guint64 max, guint *target, GError **error)
{
	guint64 value = *target;

	if (!load_uint(kf, file, group, key, min, max, &value, error))
		return FALSE;
	*target = (guint) value;
	return TRUE;
}

static gboolean
load_string(GKeyFile *kf, const char *group, const char *key, char **target)
{
	g_autofree char *value = g_key_file_get_string(kf, group, key, NULL);

	if (value == NULL)
		return TRUE;
	g_strstrip(value);
	g_free(*target);
	*target = value[0] != '\0' ? g_steal_pointer(&value) : NULL;
	return TRUE;
}

static gboolean
load_file(OmacpConfig *c, const char *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	const guint any_sec = BIT(OMACP_ACTION_APPLY) | BIT(OMACP_ACTION_CONFIRM) |
	                      BIT(OMACP_ACTION_QUARANTINE) | BIT(OMACP_ACTION_REJECT);
	const guint pin_sec =
	        BIT(OMACP_ACTION_PIN) | BIT(OMACP_ACTION_QUARANTINE) | BIT(OMACP_ACTION_REJECT);
	const guint unsafe =
	        BIT(OMACP_ACTION_CONFIRM) | BIT(OMACP_ACTION_QUARANTINE) | BIT(OMACP_ACTION_REJECT);
	const PolicyKey keys[] = {
		{ "none", &c->none, any_sec },
		{ "netwpin", &c->netwpin, any_sec },
		{ "userpin", &c->userpin, pin_sec },
		{ "usernetwpin", &c->usernetwpin, pin_sec },
		{ "userpinmac", &c->userpinmac, pin_sec },
		{ "invalid", &c->invalid, BIT(OMACP_ACTION_QUARANTINE) | BIT(OMACP_ACTION_REJECT) },
		{ "unchecked", &c->unchecked, unsafe },
		{ "NetwpinTrustedAction", &c->netwpin_trusted_action, any_sec },
	};
	guint64 bytes;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "config: %s: %s", path,
		            local->message);
		return FALSE;
	}
	g_ptr_array_add(c->files, g_strdup(path));

	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (!load_action(kf, path, &keys[i], error))
			return FALSE;
	}
	if (!load_guint(kf, path, "Policy", "PinAttempts", 1, OMACP_CONFIG_MAX_PIN_ATTEMPTS,
	                &c->pin_attempts, error))
		return FALSE;
	if (g_key_file_has_key(kf, "Policy", "TrustedSenders", NULL)) {
		g_auto(GStrv) list =
		        g_key_file_get_string_list(kf, "Policy", "TrustedSenders", NULL, NULL);
		g_autoptr(GPtrArray) senders = g_ptr_array_new();

		for (guint i = 0; list != NULL && list[i] != NULL; i++) {
			g_strstrip(list[i]);
			if (list[i][0] != '\0')
				g_ptr_array_add(senders, g_strdup(list[i]));
		}
		g_ptr_array_add(senders, NULL);
		g_strfreev(c->trusted_senders);
		c->trusted_senders = (char **) g_ptr_array_free(g_steal_pointer(&senders), FALSE);
	}

	if (g_key_file_has_key(kf, "Policy", "Activate", NULL)) {
		g_autofree char *text = g_key_file_get_string(kf, "Policy", "Activate", NULL);

		if (!omacp_activate_from_string(text, &c->activate)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "config: %s: [Policy] Activate is '%s' (ask, always or never)",
			            path, text != NULL ? text : "");
			return FALSE;
		}
	}

	if (!load_bool(kf, path, "Backends", "NetworkManager", &c->backend_networkmanager, error) ||
	    !load_bool(kf, path, "Backends", "oFono", &c->backend_ofono, error) ||
	    !load_bool(kf, path, "Backends", "mmsd", &c->backend_mmsd, error))
		return FALSE;
	load_string(kf, "Backends", "MmsdSettingsFile", &c->mmsd_settings_file);

	/* [Adapters]; its old name [Sources] is still read (the new one wins) */
	for (const char *const *group = (const char *const[]){ "Sources", "Adapters", NULL };
	     *group != NULL; group++) {
		if (!load_bool(kf, path, *group, "oFono", &c->adapter_ofono, error) ||
		    !load_bool(kf, path, *group, "ModemManager", &c->adapter_modemmanager, error))
			return FALSE;
		load_string(kf, *group, "PushForwardDir", &c->push_forward_dir);
	}

	bytes = c->max_message_bytes;
	if (!load_uint(kf, path, "Limits", "MaxMessageBytes", 140, 16 * 1024 * 1024, &bytes, error))
		return FALSE;
	c->max_message_bytes = bytes;
	if (!load_guint(kf, path, "Limits", "MaxMessagesPerSenderPerHour", 0, G_MAXUINT,
	                &c->max_per_sender_per_hour, error) ||
	    !load_guint(kf, path, "Limits", "MaxMessagesPerModemPerHour", 0, G_MAXUINT,
	                &c->max_per_modem_per_hour, error) ||
	    !load_guint(kf, path, "Limits", "MaxStoredMessages", 1, 100000, &c->max_stored_messages,
	                error) ||
	    !load_guint(kf, path, "Limits", "UnauthenticatedExpiry", 0, 366 * 24 * 3600,
	                &c->unauthenticated_expiry_s, error))
		return FALSE;

	if (!load_guint(kf, path, "Agent", "Timeout", 1, 3600, &c->agent_timeout_s, error) ||
	    !load_guint(kf, path, "Agent", "RetryAfter", 1, 86400, &c->agent_retry_after_s, error))
		return FALSE;
	return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

gboolean
omacp_config_load(const char *path, OmacpConfig **out, GError **error)
{
	g_autoptr(OmacpConfig) c = omacp_config_new_default();
	g_autofree char *dropin_dir = g_strconcat(path, ".d", NULL);
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!load_file(c, path, error))
		return FALSE;

	dir = g_dir_open(dropin_dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		if (!g_str_has_suffix(name, ".conf") || name[0] == '.')
			continue;
		if (names->len >= OMACP_CONFIG_MAX_DROPINS) {
			g_warning("config: more than %u files in %s; %s ignored",
			          OMACP_CONFIG_MAX_DROPINS, dropin_dir, name);
			continue;
		}
		g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *file =
		        g_build_filename(dropin_dir, g_ptr_array_index(names, i), NULL);

		if (!load_file(c, file, error))
			return FALSE;
	}
	*out = g_steal_pointer(&c);
	return TRUE;
}

gboolean
omacp_config_sender_trusted(const OmacpConfig *config, const char *sender)
{
	if (sender == NULL || sender[0] == '\0')
		return FALSE;
	return g_strv_contains((const char *const *) config->trusted_senders, sender);
}

static OmacpAction
pin_action(const OmacpConfig *config, OmacpSec sec)
{
	switch (sec) {
	case OMACP_SEC_USERPIN:
		return config->userpin;
	case OMACP_SEC_USERNETWPIN:
		return config->usernetwpin;
	case OMACP_SEC_USERPINMAC:
		return config->userpinmac;
	case OMACP_SEC_NONE:
	case OMACP_SEC_NETWPIN:
	case OMACP_SEC_UNKNOWN:
		break;
	}
	return config->unchecked;
}

OmacpAction
omacp_config_decide(const OmacpConfig *config, OmacpSec sec, OmacpAuthState auth,
                    const char *sender, gboolean have_imsi)
{
	switch (auth) {
	case OMACP_AUTH_UNSIGNED:
		return config->none;
	case OMACP_AUTH_INVALID:
		return config->invalid;
	case OMACP_AUTH_UNCHECKED:
		/* USERNETWPIN needs the IMSI as well as the PIN: without it no
		 * PIN can ever verify. */
		if (sec == OMACP_SEC_USERNETWPIN && !have_imsi)
			return config->unchecked;
		return pin_action(config, sec);
	case OMACP_AUTH_VALID:
		if (sec == OMACP_SEC_NETWPIN)
			return omacp_config_sender_trusted(config, sender)
			               ? config->netwpin_trusted_action
			               : config->netwpin;
		/* a PIN-protected message that verified already (a PIN was
		 * given with it): the PIN was the confirmation */
		return OMACP_ACTION_APPLY;
	}
	return OMACP_ACTION_REJECT;
}
