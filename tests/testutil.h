/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

/* Absolute path of a file under tests/data/. */
char *omacp_test_path(const char *relative);
/* Hex vector (".hex"): one GBytes per non-comment line. Aborts the test on error. */
GPtrArray *omacp_test_load_hex_lines(const char *relative);
/* A document: a ".hex" file joined into one GBytes, anything else read raw. */
GBytes *omacp_test_load_document(const char *relative);
/* Reads a text file under tests/data/ (expected outputs). */
char *omacp_test_load_text(const char *relative);
/* A copy of @array (of GBytes) in a permutation given by @seed. */
GPtrArray *omacp_test_shuffled(GPtrArray *array, guint32 seed);

/* The names of the files in tests/data/@relative/ that end in @suffix,
 * sorted (table-driven tests add one case a file). */
GPtrArray *omacp_test_list_data_files(const char *relative, const char *suffix);

/* Every non-empty parm value below @characteristics (OmacpCharacteristic *),
 * into @secrets when omacp_parm_is_secret() says so, else @public_values
 * (neither owns the strings). */
void omacp_test_collect_parm_values(GPtrArray *characteristics, GPtrArray *secrets,
                                    GPtrArray *public_values);

/* A provisioning document (XML text) with @n NAPDEFs flagged INTERNET
 * (NAPID "N<i>") and @n applications (APPID w2, NAME "b<i>") with
 * TO-NAPID=INTERNET: the link resolution's case. */
char *omacp_test_internet_links_xml(guint n);
