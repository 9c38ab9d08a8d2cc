/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "Install and use now" choice of the review page: with
 * omacpd's Activate policy "ask", a message that sets up mobile internet
 * can be accepted with Message.AcceptAndActivate, so that the modem
 * switches to the new connection at once instead of on its next connect. */
#pragma once

#include <gio/gio.h>

/* Whether the review page offers the choice: @policy is the Manager's
 * Activate property (NULL while unknown, or from an omacpd without it: no
 * offer), @changes the message's Changes (aa{sv}, may be NULL): one of
 * its entries is of kind "internet". */
gboolean omacp_agent_offers_activate(const char *policy, GVariant *changes);

/* Reads the Manager's Activate property of omacpd (@name on @bus) into
 * what omacp_agent_activate_policy() returns; until the answer is in,
 * and when it fails, the policy is unknown (NULL). */
void omacp_agent_activate_fetch(GDBusConnection *bus, const char *name, const char *path);
const char *omacp_agent_activate_policy(void);

/* The Message method that accepts: "AcceptAndActivate" when the user
 * chose to use the settings now, "Accept" otherwise. */
const char *omacp_agent_accept_method(gboolean activate);
