/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's one copy of mobile-broadband-provider-info
 * (serviceproviders.xml): read from $OMACP_MBPI_DATABASE, else the build's
 * default, at its first use (the first message that names a SIM, or the
 * first apply that binds a connection to one), and then handed to those who
 * compare with it (intake) or look networks up in it (the backends, through
 * OmacpBackendSetup). The core library only parses the octets read here. */

#include "backend.h"
#include "omacp.h"

G_BEGIN_DECLS

typedef struct _OmacpProviderDb OmacpProviderDb;

/* @path NULL: $OMACP_MBPI_DATABASE, else the build's default. Reads
 * nothing yet. */
OmacpProviderDb *omacp_provider_db_new(const char *path);
void omacp_provider_db_free(OmacpProviderDb *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpProviderDb, omacp_provider_db_free)

/* The database, read at the first call; NULL when the file is missing or
 * not XML (the callers then decide without it). Lives as long as @self. */
const OmacpMbpi *omacp_provider_db_get(OmacpProviderDb *self);

/* The way backends reach it (OmacpBackendSetup.mbpi). */
OmacpMbpiSource omacp_provider_db_source(OmacpProviderDb *self);

G_END_DECLS
