/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The Changes a user confirms (aa{sv}: profile, kind, field, old, new,
 * risk) and the rules on risk: which messages are never applied without a
 * look, which changes only a forced apply carries out. Pure: GVariants in,
 * GVariants out, no D-Bus and no daemon state. */

#include "omacp.h"

G_BEGIN_DECLS

/* @text with every control character (C0 but, with @keep_newlines, LF and
 * TAB; DEL; C1 such as CSI U+009B) written as "\\xNN" or "\\u{NNNN}": what
 * an SMS put in a string never reaches a terminal raw (issue 13, L2).
 * Invalid UTF-8 is written byte by byte. */
char *omacp_changes_escape(const char *text, gboolean keep_newlines);

/* @settings (a{sv}, may be NULL) with every string, string-list element
 * and key escaped as above (a new floating a{sv}): Profile.Settings on the
 * bus (issue 13, L2). */
GVariant *omacp_changes_escape_settings(GVariant *settings);

/* Adds one entry about @profile to @b (aa{sv}); the values are escaped.
 * @risk_code (NULL: none) is the risk's stable code followed by its
 * arguments (OmacpProfile.risk_codes), published as "risk-code" (s) and
 * "risk-args" (as); an entry without a risk has "" and []. */
void omacp_changes_add_coded(GVariantBuilder *b, const OmacpProfile *profile, const char *field,
                             const char *old_value, const char *new_value, const char *risk,
                             const char *const *risk_code);
void omacp_changes_add(GVariantBuilder *b, const OmacpProfile *profile, const char *field,
                       const char *old_value, const char *new_value, const char *risk);

/* Adds what @profile changes to @b (aa{sv}): its name and every setting
 * that differs from @old_settings (a{sv}, NULL: none), each with the first
 * risk that names the field, every other risk in an entry of its own
 * (field ""), then the backends' @preview (aa{sv}, may be NULL). @exists: omacp
 * holds the profile already, named @old_name. */
void omacp_changes_add_profile(GVariantBuilder *b, const OmacpProfile *profile, gboolean exists,
                               const char *old_name, GVariant *old_settings, GVariant *preview);

/* TRUE when @decoded has profiles never applied without a user looking at
 * them, whoever sent it: risks, DM or bootstrap profiles, proxies,
 * certificates, removals, Wi-Fi networks, MMSC and MMS proxy settings. */
gboolean omacp_changes_need_a_look(const OmacpMessage *decoded);

/* TRUE when @changes (aa{sv}, may be NULL) overwrite objects edited by
 * hand or interrupt an active connection: only a forced apply, after a
 * user saw them, carries them out. */
gboolean omacp_changes_need_force(GVariant *changes);

/* TRUE when @error (from a backend's apply) is one a user may still want
 * to overwrite: a hand edit, an active context. */
gboolean omacp_changes_is_forcing_error(const GError *error);

/* @changes (may be NULL) plus the entry that makes Accept force the apply
 * of @profile: "edited-by-hand", or "ofono:Active" when the apply failed on
 * a context in use (@why is the apply's error). */
GVariant *omacp_changes_add_forcing(GVariant *changes, const OmacpProfile *profile,
                                    const char *why);

G_END_DECLS
