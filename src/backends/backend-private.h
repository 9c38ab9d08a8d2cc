/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the backend implementations; not part of the daemon's
 * contract (that is backend.h). */

#include "backend.h"

G_BEGIN_DECLS

/* The string under @key of the a{sv} @dict, or NULL when absent, not a
 * string, or empty. @dict may be NULL. */
const char *omacp_backend_dict_string(GVariant *dict, const char *key);
/* The boolean under @key, @fallback when absent or not a boolean. */
gboolean omacp_backend_dict_bool(GVariant *dict, const char *key, gboolean fallback);
/* The string array under @key (type as), NULL when absent. Free with g_strfreev. */
char **omacp_backend_dict_strv(GVariant *dict, const char *key);

/* "internet", "mms", ... without depending on the profiles module. */

/* One entry of a preview: a{sv} {field, old, new}, plus "risk" when not NULL. */
GVariant *omacp_backend_change_entry(const char *field, const char *old_value,
                                     const char *new_value, const char *risk);

/* Tells the daemon that is_available changed (calls availability_changed). */
void omacp_backend_notify_availability(OmacpBackend *self);

G_END_DECLS
