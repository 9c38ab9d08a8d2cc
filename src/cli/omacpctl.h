/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

/* Exit statuses of omacpctl, each one reason (documented in omacpctl(1);
 * 8 is nmcli's "NetworkManager is not running"). */
#define OMACPCTL_EXIT_OK          0
#define OMACPCTL_EXIT_FAILURE     1 /* usage, I/O, any other error */
#define OMACPCTL_EXIT_MALFORMED   2 /* malformed input */
#define OMACPCTL_EXIT_AUTH        3 /* authentication failed: MAC present, no key matches */
#define OMACPCTL_EXIT_BAD_PIN     4 /* omacpd refused the PIN */
#define OMACPCTL_EXIT_DENIED      5 /* permission denied (polkit, bus policy) */
#define OMACPCTL_EXIT_NOT_FOUND   6 /* no such message or profile */
#define OMACPCTL_EXIT_DECLINED    7 /* not confirmed (answered no; --force missing) */
#define OMACPCTL_EXIT_NOT_RUNNING 8 /* omacpd is not running, or no system bus */

/* The --template value options of encode and campaign (--name ... --psk),
 * and the document they describe for the template @kind (internet, mms,
 * wlan); NULL with an error for an unknown kind. */
void omacpctl_template_add_options(GOptionContext *ctx);
char *omacpctl_template_build(const char *kind, GError **error);

/* Each verb gets argv with argv[0] = the verb name. */
int omacpctl_decode_main(int argc, char **argv);
int omacpctl_encode_main(int argc, char **argv);
int omacpctl_campaign_main(int argc, char **argv);
/* Client verbs talking to omacpd: list, show, accept, reject, delete, remove,
 * undo, deliver, monitor, agent. Returns -1 when @verb is not one of them. */
int omacpctl_client_main(const char *verb, int argc, char **argv);
