/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The states of a message object (org.omacp.Provisioning1.Message.State):
 * one enum and one string table, for the daemon, omacpctl and the tests.
 *
 *   receiving → pending-pin | pending-confirmation | quarantined | accepted
 *             | rejected | failed
 *   pending-* | quarantined → accepted (Accept) | rejected (Reject)
 *   accepted → applied | failed | pending-confirmation (a hand edit found)
 *   applied → undone (Undo) */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	OMACP_MESSAGE_STATE_RECEIVING,
	OMACP_MESSAGE_STATE_PENDING_PIN,
	OMACP_MESSAGE_STATE_PENDING_CONFIRMATION,
	OMACP_MESSAGE_STATE_QUARANTINED,
	OMACP_MESSAGE_STATE_ACCEPTED,
	OMACP_MESSAGE_STATE_APPLIED,
	OMACP_MESSAGE_STATE_REJECTED,
	OMACP_MESSAGE_STATE_FAILED,
	OMACP_MESSAGE_STATE_UNDONE,
} OmacpMessageState;

#define OMACP_MESSAGE_STATE_LAST OMACP_MESSAGE_STATE_UNDONE

/* "receiving", "pending-pin", ... as the State property shows it. */
const char *omacp_message_state_to_string(OmacpMessageState state);
/* FALSE (and *@out untouched) for a name that is no state. */
gboolean omacp_message_state_from_string(const char *text, OmacpMessageState *out);

/* pending-pin or pending-confirmation: what an agent is asked about. */
gboolean omacp_message_state_is_pending(OmacpMessageState state);
/* pending-* or quarantined: a user's answer (Accept or Reject) decides
 * what becomes of the message. */
gboolean omacp_message_state_waits_for_user(OmacpMessageState state);

G_END_DECLS
