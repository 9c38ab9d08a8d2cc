/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-agent: the words a user reads, made from omacpd's D-Bus properties.
 * Pure functions (no GTK, no D-Bus connection), unit-tested. */
#pragma once

#include <glib.h>

#include "omacp-state.h"

G_BEGIN_DECLS

/* One entry of Message.GetChanges(), borrowed from the a{sv} it came from. */
typedef struct {
	const char *profile;
	const char *kind;
	const char *field;
	const char *old_value;
	const char *new_value;
	const char *risk;
	/* the risk's stable code (its arguments are "risk-args", as),
	 * rendered in the user's language by agent-risk.c */
	const char *risk_code; /* NULL when absent */
} OmacpAgentChange;

/* Parses one Changes entry (a{sv}); the strings point into @entry. */
void omacp_agent_change_parse(GVariant *entry, OmacpAgentChange *out);

/* "Access point (APN)" for "apn"; NULL for backend details
 * ("networkmanager:gsm.apn") and settings a user need not see. */
const char *omacp_agent_field_label(const char *field);

/* A value as shown: "Set"/"Not set" for flags, "(secret)" as "Hidden". */
char *omacp_agent_value_text(const char *field, const char *value);

/* "Mobile internet" for "internet", ... */
const char *omacp_agent_kind_label(const char *kind);

/* How the message is protected. @title gets the short line
 * ("Signed with your SIM's network key"), @detail the explanation. */
void omacp_agent_security_text(const char *security, gboolean authenticated, const char **title,
                               const char **detail);

/* "Waiting for your PIN", "Installed", ... for a Message.State; "Unknown"
 * for a value outside the enum. */
const char *omacp_agent_state_label(OmacpMessageState state);

/* The plain-words summary of Message.GetChanges() (aa{sv}) and Imsi:
 * "Sets up mobile internet (APN internet.example) and MMS for SIM ••89". */
char *omacp_agent_summary(GVariant *changes, const char *imsi);

/* The risks of Message.GetChanges(), each once, in the user's language when a
 * code is known, else the daemon's sentence (agent-risk.c). */
GPtrArray *omacp_agent_risks(GVariant *changes);

/* A risk rendered from its code and arguments (as, may be NULL); NULL for
 * unknown codes. */
char *omacp_agent_risk_from_code(const char *code, GVariant *args);

/* "Wrong PIN — 2 attempts left" and friends. */
char *omacp_agent_attempts_text(guint left);
char *omacp_agent_wrong_pin_text(guint left);

/* "SIM ••89" from a masked IMSI ("26201********89"), NULL when empty. */
char *omacp_agent_sim_text(const char *imsi);

G_END_DECLS
