/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* How omacpctl shows a decoded message: JSON (json-glib) or text. */

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "omacp.h"

G_BEGIN_DECLS

JsonNode *omacp_message_to_json(const OmacpMessage *message, gboolean show_secrets);
JsonNode *omacp_profile_to_json(const OmacpProfile *profile, gboolean show_secrets);
void omacp_message_print(FILE *out, const OmacpMessage *message, gboolean show_secrets,
                         gboolean show_document);
char *omacp_json_to_string(JsonNode *node, gboolean pretty);

G_END_DECLS
