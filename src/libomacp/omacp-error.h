/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OMACP_ERROR: the one public error domain of omacp.
 *
 * Every code maps to the D-Bus error name
 * `org.omacp.Provisioning1.Error.<Nick>` (see omacp_error_register()).
 * Messages always say what was wrong and where (layer, octet offset or
 * element path), e.g. "wsp: HeadersLen 47 runs past the end (12 octets
 * left) at octet 2".
 */
#define OMACP_ERROR (omacp_error_quark())

typedef enum {
	OMACP_ERROR_FAILED,            /* Failed: anything not listed below */
	OMACP_ERROR_TRUNCATED,         /* Truncated: input ends inside a field it announces */
	OMACP_ERROR_MALFORMED,         /* Malformed: a field holds an impossible value */
	OMACP_ERROR_UNSUPPORTED,       /* Unsupported: valid, but not something omacp handles */
	OMACP_ERROR_TOO_LARGE,         /* TooLarge: a named cap was exceeded */
	OMACP_ERROR_NOT_PUSH,          /* NotPush: not a WAP push / not provisioning */
	OMACP_ERROR_INCOMPLETE,        /* Incomplete: segments of the message are missing */
	OMACP_ERROR_AUTH_FAILED,       /* AuthFailed: the MAC does not match any key */
	OMACP_ERROR_BAD_PIN,           /* BadPin: the PIN has the wrong form or is wrong */
	OMACP_ERROR_NO_KEY,            /* NoKey: the IMSI or PIN the SEC method needs is missing */
	OMACP_ERROR_INVALID_DOCUMENT,  /* InvalidDocument: WBXML/XML document rejected */
	OMACP_ERROR_NOT_FOUND,         /* NotFound: no such message or profile */
	OMACP_ERROR_INVALID_ARGS,      /* InvalidArgs: a caller passed a bad argument */
	OMACP_ERROR_INVALID_STATE,     /* InvalidState: the object is not in a state for this */
	OMACP_ERROR_PERMISSION_DENIED, /* PermissionDenied: polkit or the bus policy said no */
	OMACP_ERROR_RATE_LIMITED,      /* RateLimited: a sender or modem sent too much */
	OMACP_ERROR_BACKEND,           /* Backend: NetworkManager, oFono or mmsd-tng failed */
	OMACP_ERROR_BACKEND_UNAVAILABLE, /* BackendUnavailable: the backend is not running */
	OMACP_ERROR_STORE,               /* Store: the message store could not be read or written */
	/* polkit would ask for a password, but the caller did not set the
	 * ALLOW_INTERACTIVE_AUTHORIZATION flag: the standard
	 * org.freedesktop.DBus.Error.InteractiveAuthorizationRequired */
	OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
} OmacpError;

#define OMACP_ERROR_N_CODES (OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED + 1)

GQuark omacp_error_quark(void);
const char *omacp_error_nick(OmacpError code);
void omacp_error_register(void);

G_END_DECLS
