/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A decoded message as JSON (json-glib), for omacpctl decode and the fuzz
 * targets. */

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "omacp.h"

G_BEGIN_DECLS

JsonNode *omacp_message_to_json(const OmacpMessage *message, gboolean show_secrets);
JsonNode *omacp_profile_to_json(const OmacpProfile *profile, gboolean show_secrets);
char *omacp_json_to_string(JsonNode *node, gboolean pretty);

G_END_DECLS
