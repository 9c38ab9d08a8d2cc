/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "omacp-error.h"

#include <gio/gio.h>

#include "omacp-dbus-names.h"

static const char *const error_nicks[OMACP_ERROR_N_CODES] = {
	[OMACP_ERROR_FAILED] = "Failed",
	[OMACP_ERROR_TRUNCATED] = "Truncated",
	[OMACP_ERROR_MALFORMED] = "Malformed",
	[OMACP_ERROR_UNSUPPORTED] = "Unsupported",
	[OMACP_ERROR_TOO_LARGE] = "TooLarge",
	[OMACP_ERROR_NOT_PUSH] = "NotPush",
	[OMACP_ERROR_INCOMPLETE] = "Incomplete",
	[OMACP_ERROR_AUTH_FAILED] = "AuthFailed",
	[OMACP_ERROR_BAD_PIN] = "BadPin",
	[OMACP_ERROR_NO_KEY] = "NoKey",
	[OMACP_ERROR_INVALID_DOCUMENT] = "InvalidDocument",
	[OMACP_ERROR_NOT_FOUND] = "NotFound",
	[OMACP_ERROR_INVALID_ARGS] = "InvalidArgs",
	[OMACP_ERROR_INVALID_STATE] = "InvalidState",
	[OMACP_ERROR_PERMISSION_DENIED] = "PermissionDenied",
	[OMACP_ERROR_RATE_LIMITED] = "RateLimited",
	[OMACP_ERROR_BACKEND] = "Backend",
	[OMACP_ERROR_BACKEND_UNAVAILABLE] = "BackendUnavailable",
	[OMACP_ERROR_STORE] = "Store",
	[OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED] = "InteractiveAuthorizationRequired",
};

G_DEFINE_QUARK(omacp - error - quark, omacp_error)

const char *
omacp_error_nick(OmacpError code)
{
	if ((guint) code >= OMACP_ERROR_N_CODES)
		return "Failed";
	return error_nicks[code];
}

/* Registers every code as org.omacp.Provisioning1.Error.<Nick>, so that a
 * GError crossing the bus keeps its code on the client side. */
void
omacp_error_register(void)
{
	static gsize once = 0;

	if (g_once_init_enter(&once)) {
		for (guint i = 0; i < OMACP_ERROR_N_CODES; i++) {
			const char *prefix = i == OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED
			                             ? "org.freedesktop.DBus.Error."
			                             : OMACP_DBUS_ERROR_PREFIX;
			g_autofree char *name = g_strconcat(prefix, error_nicks[i], NULL);
			g_dbus_error_register_error(OMACP_ERROR, (gint) i, name);
		}
		g_once_init_leave(&once, 1);
	}
}
