/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backend.h"
OmacpBackend *
omacp_backend_ofono_new(GDBusConnection *bus)
{
	return NULL;
}
