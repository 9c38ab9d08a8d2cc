/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* omacpd's configuration: omacpd.conf and omacpd.conf.d/\*.conf (keyfile
 * format; later files override earlier ones key by key). Every default is
 * compiled in, so a missing file means "defaults". */

#include <glib.h>

#include "omacp.h"

G_BEGIN_DECLS

/* Policy defaults (DESIGN.md "Policy defaults"). */
#define OMACP_CONFIG_DEFAULT_PIN_ATTEMPTS            3
#define OMACP_CONFIG_MAX_PIN_ATTEMPTS                10 /* PinAttempts above this is refused */
#define OMACP_CONFIG_DEFAULT_MAX_MESSAGE_BYTES       (64 * 1024)
#define OMACP_CONFIG_DEFAULT_MAX_PER_SENDER_PER_HOUR 10
#define OMACP_CONFIG_DEFAULT_MAX_PER_MODEM_PER_HOUR  30
#define OMACP_CONFIG_DEFAULT_MAX_STORED_MESSAGES     100
#define OMACP_CONFIG_DEFAULT_AGENT_TIMEOUT_S         120
#define OMACP_CONFIG_DEFAULT_AGENT_RETRY_AFTER_S     300
/* Unauthenticated messages that wait for a user this long are rejected as
 * expired (and so are the first evicted when the store is full). */
#define OMACP_CONFIG_DEFAULT_UNAUTHENTICATED_EXPIRY_S (7 * 24 * 3600)
/* Files read from omacpd.conf.d at most; the rest are ignored with a warning. */
#define OMACP_CONFIG_MAX_DROPINS 64

typedef enum {
	OMACP_ACTION_APPLY,      /* apply at once (still confirm when a profile is risky) */
	OMACP_ACTION_CONFIRM,    /* pending-confirmation */
	OMACP_ACTION_PIN,        /* pending-pin: the PIN entry is the confirmation */
	OMACP_ACTION_QUARANTINE, /* quarantined */
	OMACP_ACTION_REJECT,     /* rejected */
} OmacpAction;

const char *omacp_action_to_string(OmacpAction action);
gboolean omacp_action_from_string(const char *text, OmacpAction *out);

/* Whether an accepted internet profile that became its SIM's default is
 * also activated at once, when the modem is connected through another
 * connection of that SIM (Activate= in [Policy]). */
typedef enum {
	OMACP_ACTIVATE_ASK,    /* when the user said so on accepting */
	OMACP_ACTIVATE_ALWAYS, /* every time */
	OMACP_ACTIVATE_NEVER,  /* never: it takes effect on the next connect */
} OmacpActivate;

/* "ask", "always", "never": omacpd.conf's values, and the Manager's
 * Activate property that tells agents whether to offer the choice. */
const char *omacp_activate_to_string(OmacpActivate activate);
gboolean omacp_activate_from_string(const char *text, OmacpActivate *out);

typedef struct {
	/* [Policy] */
	OmacpAction none;        /* no SEC parameter */
	OmacpAction netwpin;     /* NETWPIN verified */
	OmacpAction userpin;     /* USERPIN */
	OmacpAction usernetwpin; /* USERNETWPIN */
	OmacpAction userpinmac;  /* USERPINMAC */
	OmacpAction invalid;     /* a MAC that does not verify, unknown SEC */
	OmacpAction unchecked;   /* signed, but no IMSI known to check it */
	guint pin_attempts;
	/* NULL-terminated, never NULL. An SMS's originating address is set by
	 * whoever sends it (alphanumeric names included): it is not
	 * authentication, only a hint that lifts NETWPIN messages to
	 * netwpin_trusted_action; risky profiles still wait for a user. */
	char **trusted_senders;
	OmacpAction netwpin_trusted_action;
	OmacpActivate activate;

	/* [Backends] */
	gboolean backend_networkmanager;
	gboolean backend_ofono;
	gboolean backend_mmsd;
	char *mmsd_settings_file; /* NULL: the backend's default */

	/* [Adapters] (read under its old name [Sources] too) */
	gboolean adapter_ofono;
	gboolean adapter_modemmanager;
	char *push_forward_dir; /* NULL: no forwarding of other pushes */

	/* [Limits] */
	guint64 max_message_bytes;
	guint max_per_sender_per_hour; /* 0 = unlimited */
	guint max_per_modem_per_hour;  /* 0 = unlimited */
	guint max_stored_messages;
	guint unauthenticated_expiry_s; /* 0 = never */

	/* [Agent] */
	guint agent_timeout_s;
	guint agent_retry_after_s; /* a request that timed out is made again after */

	/* the files that were read, in order */
	GPtrArray *files;
} OmacpConfig;

void omacp_config_free(OmacpConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpConfig, omacp_config_free)

/* The compiled-in defaults. */
OmacpConfig *omacp_config_new_default(void);

/* Reads @path (a missing file is fine) and then every "*.conf" of
 * "<path>.d/" (sorted by name) over the defaults. A value that cannot be
 * parsed fails with OMACP_ERROR_INVALID_ARGS naming file, group and key. */
gboolean omacp_config_load(const char *path, OmacpConfig **out, GError **error);

/* The action for a message with SEC @sec whose authentication came out as
 * @auth, from @sender, with or without a known IMSI. */
OmacpAction omacp_config_decide(const OmacpConfig *config, OmacpSec sec, OmacpAuthState auth,
                                const char *sender, gboolean have_imsi);

gboolean omacp_config_sender_trusted(const OmacpConfig *config, const char *sender);

G_END_DECLS
