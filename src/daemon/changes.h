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
 * an SMS put in a string never reaches a terminal raw.
 * Invalid UTF-8 is written byte by byte. */
char *omacp_changes_escape(const char *text, gboolean keep_newlines);

/* @settings (a{sv}, may be NULL) with every string, string-list element
 * and key escaped as above (a new floating a{sv}): Profile.Settings on the
 * bus. */
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

/* How much a SEC method proves about who made a message, for comparing
 * the message that last set a profile with one that changes it: 3
 * USERNETWPIN (the SIM's IMSI and a PIN), 2 NETWPIN and USERPINMAC (a key
 * the sender cannot pick: the IMSI, or a MAC over the user's PIN shown on
 * the device), 1 USERPIN (a PIN the sender picks and may text to the
 * user), 0 none, unknown and anything else. @sec as omacp_sec_to_string()
 * writes it. */
guint omacp_changes_sec_rank(const char *sec);

/* Adds to @p, a profile of a message from @sender (as Message.Sender shows
 * it, NULL or "": unknown) secured with @sec, the risk of changing (or
 * removing) the profile that a message from @maker_sender secured with
 * @maker_sec last set: "update-from-other-sender" (maker's sender, maker's
 * SEC, this sender) when the senders differ, else
 * "update-weaker-security" (maker's SEC, this SEC) when @sec ranks below
 * @maker_sec. An unauthenticated message counts as SEC "none": pass that.
 * TRUE when a risk was added. */
gboolean omacp_changes_flag_update(OmacpProfile *p, const char *sender, const char *sec,
                                   const char *maker_sender, const char *maker_sec);

/* Adds to @p the risk no sender list excuses (an SMS sender field proves
 * nothing), if it has one, with its own code: "removal" (identity) on a
 * removal, "wifi-network" (SSID) on a Wi-Fi network, "mms-route" (MMSC, MMS
 * proxy; "" for one not set) on MMS settings with either. It is no part of
 * the document: flag each decoded profile once (the daemon flags removals of
 * profiles it holds only). TRUE when one was added. */
gboolean omacp_changes_flag_consent(OmacpProfile *p);

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
