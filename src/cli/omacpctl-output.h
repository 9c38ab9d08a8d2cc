/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* How omacpctl prints, shared by every verb, following nmcli's conventions:
 * human output (aligned, labelled, coloured on a terminal unless NO_COLOR),
 * -t/--terse (values separated by ':', no headers), -f/--fields (select
 * fields), -j/--json (one JSON object carrying "version"). */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "omacp-state.h"

G_BEGIN_DECLS

/* Version of omacpctl's JSON output: every object printed with --json (and
 * every line of monitor --json and agent --json) carries it as "version".
 * Raised only when a key changes meaning or disappears; new keys keep it. */
#define OMACPCTL_JSON_VERSION 1

typedef struct {
	gboolean terse;
	gboolean json;
	gboolean details;
	char *fields;     /* -f value, or NULL for the default fields */
	char *color_when; /* --color: auto (default), always, never */
	gboolean color;   /* resolved by omacpctl_output_setup() */
} OmacpctlOutput;

extern OmacpctlOutput omacpctl_output;

/* The output options, for each verb's GOptionContext. */
extern const GOptionEntry omacpctl_output_entries[];
/* The same without --details (decode, encode). */
extern const GOptionEntry omacpctl_output_entries_brief[];

/* Clears the options (before a verb parses its own). */
void omacpctl_output_reset(void);
/* Parses the global output options given before the verb ("omacpctl -t
 * list"), removing them from argv. FALSE with @error on a bad option. */
gboolean omacpctl_output_parse_global(int *argc, char ***argv, GError **error);
/* Checks the option values and resolves colours for @out. */
gboolean omacpctl_output_setup(FILE *out, GError **error);

/* ANSI colour names: "bold", "red", "green", "yellow", "dim"; "" when
 * colours are off. omacpctl_color_off() ends one. */
const char *omacpctl_color(const char *name);
const char *omacpctl_color_off(void);
/* The colour a message state is shown in (NULL: none). */
const char *omacpctl_state_color(OmacpMessageState state);

/* TRUE when -f selects @field (case-insensitive; "a" selects "a.b" too; no
 * -f, "all" and "common" select everything). */
gboolean omacpctl_field_wanted(const char *field);

/* A table (list): one column per field, shown with headers, or terse. */
typedef struct OmacpctlTable OmacpctlTable;
OmacpctlTable *omacpctl_table_new(const char *const *fields, const char *const *headers);
void omacpctl_table_add(OmacpctlTable *table, const char *const *values, const char *const *colors);
/* FALSE with @error when -f names a field the table does not have. */
gboolean omacpctl_table_print(OmacpctlTable *table, FILE *out, GError **error);
void omacpctl_table_free(OmacpctlTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpctlTable, omacpctl_table_free)

/* A record (show, decode, agent requests): labelled lines, each with a field
 * name for -f and -t; nested values become indented lines. */
typedef struct OmacpctlRecord OmacpctlRecord;
OmacpctlRecord *omacpctl_record_new(void);
void omacpctl_record_add(OmacpctlRecord *record, const char *field, const char *label,
                         const char *value, const char *color);
/* The same for a text of several lines (a document): LF stays. */
void omacpctl_record_add_text(OmacpctlRecord *record, const char *field, const char *label,
                              const char *value, const char *color);
/* A heading line (human output only), e.g. "Profile 1". */
void omacpctl_record_heading(OmacpctlRecord *record, const char *text);
/* @value rendered readably: strings as they are, booleans yes/no, string
 * lists joined, dictionaries as "label: value" parts, lists of dictionaries
 * one line each. */
void omacpctl_record_add_variant(OmacpctlRecord *record, const char *field, const char *label,
                                 GVariant *value);
/* The same text alone: lines separated by '\n'. */
char *omacpctl_render_variant(GVariant *value);
/* Number of lines -f selected. */
guint omacpctl_record_print(OmacpctlRecord *record, FILE *out);
void omacpctl_record_free(OmacpctlRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpctlRecord, omacpctl_record_free)

/* @text with every control character (C0, DEL, C1; with @keep_newlines
 * not LF) and every invalid UTF-8 octet written out as \xHH or \u{HHHH}:
 * strings from an SMS never reach a terminal raw. */
char *omacpctl_escape(const char *text, gboolean keep_newlines);
/* g_strdup_printf() then omacpctl_escape() on one line. */
char *omacpctl_escape_printf(const char *format, ...) G_GNUC_PRINTF(1, 2);
/* "userpin (PIN verified)", "netwpin (authenticated)", "none (not
 * authenticated)": a right USERPIN or USERPINMAC PIN says nothing about
 * the sender, so it is never called authenticated. */
char *omacpctl_security_label(const char *security, gboolean authenticated);
const char *omacpctl_security_label_text(const char *security, gboolean authenticated);
/* Green only for a MAC that proves the sender knew the SIM's IMSI. */
const char *omacpctl_security_color(const char *security, gboolean authenticated);

/* A "risks" line near the top of a record, one line per risk ("profile:
 * risk"), "(none)" without: in a message of many profiles the few risky
 * ones come first, not thousands of lines down. From a
 * message's changes (Message.GetChanges(), aa{sv}, may be NULL), or from
 * decoded profiles (OmacpProfile *). */
void omacpctl_add_risk_summary(OmacpctlRecord *record, GVariant *changes);
void omacpctl_add_risk_summary_profiles(OmacpctlRecord *record, GPtrArray *profiles);

/* A settings key ("apn", "mms-proxy") as a user reads it. */
const char *omacpctl_setting_label(const char *key);
/* A message state (pending-pin) as a user reads it. */
const char *omacpctl_state_label(OmacpMessageState state);

/* A GVariant as JSON, dictionary keys in kebab-case ("ReceivedAt" becomes
 * "received-at"), "t" timestamps named *At as ISO 8601 text. */
JsonNode *omacpctl_variant_to_json(GVariant *value, gboolean kebab_keys);
char *omacpctl_kebab(const char *camel);
/* Prints @node (an object, given "version" first) pretty or, for streams,
 * on one line. Takes @node. */
void omacpctl_print_json(JsonNode *node, gboolean one_line);
/* A new JSON object node holding "version". */
JsonNode *omacpctl_json_object_new(JsonObject **object);

G_END_DECLS
