/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder until the daemon client verbs land */
#include "omacpctl.h"

int
omacpctl_client_main(const char *verb, int argc, char **argv)
{
	return -1;
}
