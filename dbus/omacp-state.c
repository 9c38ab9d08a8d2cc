/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "omacp-state.h"

static const char *const state_names[] = {
	[OMACP_MESSAGE_STATE_RECEIVING] = "receiving",
	[OMACP_MESSAGE_STATE_PENDING_PIN] = "pending-pin",
	[OMACP_MESSAGE_STATE_PENDING_CONFIRMATION] = "pending-confirmation",
	[OMACP_MESSAGE_STATE_QUARANTINED] = "quarantined",
	[OMACP_MESSAGE_STATE_ACCEPTED] = "accepted",
	[OMACP_MESSAGE_STATE_APPLIED] = "applied",
	[OMACP_MESSAGE_STATE_REJECTED] = "rejected",
	[OMACP_MESSAGE_STATE_FAILED] = "failed",
	[OMACP_MESSAGE_STATE_UNDONE] = "undone",
};

G_STATIC_ASSERT(G_N_ELEMENTS(state_names) == OMACP_MESSAGE_STATE_LAST + 1);

const char *
omacp_message_state_to_string(OmacpMessageState state)
{
	g_return_val_if_fail(state <= OMACP_MESSAGE_STATE_LAST, "");
	return state_names[state];
}

gboolean
omacp_message_state_from_string(const char *text, OmacpMessageState *out)
{
	for (guint i = 0; text != NULL && i < G_N_ELEMENTS(state_names); i++) {
		if (g_str_equal(text, state_names[i])) {
			*out = (OmacpMessageState) i;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
omacp_message_state_is_pending(OmacpMessageState state)
{
	return state == OMACP_MESSAGE_STATE_PENDING_PIN ||
	       state == OMACP_MESSAGE_STATE_PENDING_CONFIRMATION;
}

gboolean
omacp_message_state_waits_for_user(OmacpMessageState state)
{
	return omacp_message_state_is_pending(state) || state == OMACP_MESSAGE_STATE_QUARANTINED;
}
