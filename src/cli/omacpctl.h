/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

/* Exit statuses of omacpctl. */
#define OMACPCTL_EXIT_OK        0
#define OMACPCTL_EXIT_FAILURE   1 /* usage, I/O, daemon errors */
#define OMACPCTL_EXIT_MALFORMED 2 /* malformed input */
#define OMACPCTL_EXIT_AUTH      3 /* MAC present and no key matches */

/* Each verb gets argv with argv[0] = the verb name. */
int omacpctl_decode_main(int argc, char **argv);
int omacpctl_encode_main(int argc, char **argv);
int omacpctl_campaign_main(int argc, char **argv);
/* Client verbs talking to omacpd: list, show, accept, reject, delete, remove,
 * undo, deliver, monitor, agent. Returns -1 when @verb is not one of them. */
int omacpctl_client_main(const char *verb, int argc, char **argv);
