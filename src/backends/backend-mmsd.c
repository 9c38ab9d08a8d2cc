/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backend.h"
OmacpBackend *
omacp_backend_mmsd_new(GDBusConnection *b, const char *f)
{
	return NULL;
}
