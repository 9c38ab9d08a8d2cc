/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "provider-db.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

struct _OmacpProviderDb {
	char *path;
	OmacpMbpi *mbpi; /* NULL until read, or when unreadable */
	gboolean loaded;
};

OmacpProviderDb *
omacp_provider_db_new(const char *path)
{
	OmacpProviderDb *self = g_new0(OmacpProviderDb, 1);

	if (path == NULL)
		path = g_getenv("OMACP_MBPI_DATABASE");
	if (path == NULL)
		path = OMACP_MBPI_DATABASE;
	self->path = g_strdup(path);
	return self;
}

void
omacp_provider_db_free(OmacpProviderDb *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->mbpi, omacp_mbpi_free);
	g_free(self->path);
	g_free(self);
}

const OmacpMbpi *
omacp_provider_db_get(OmacpProviderDb *self)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	g_return_val_if_fail(self != NULL, NULL);
	if (self->loaded)
		return self->mbpi;
	self->loaded = TRUE;
	if (!g_file_get_contents(self->path, &data, &len, &error)) {
		g_debug("provider database: %s", error->message);
		return NULL;
	}
	self->mbpi = omacp_mbpi_new_from_data(data, len, &error);
	if (self->mbpi == NULL)
		g_debug("provider database %s: %s", self->path, error->message);
	g_clear_pointer(&data, g_free);
	/* The parse builds a DOM of several megabytes of which the index
	 * keeps about one: the rest goes back to the system rather than
	 * staying in the daemon's heap for its life. */
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	return self->mbpi;
}

static const OmacpMbpi *
source_get(gpointer data)
{
	return omacp_provider_db_get(data);
}

OmacpMbpiSource
omacp_provider_db_source(OmacpProviderDb *self)
{
	return (OmacpMbpiSource){ .get = source_get, .data = self };
}
