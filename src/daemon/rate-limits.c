/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "rate-limits.h"

#define RATE_WINDOW_US (G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)

struct _OmacpRateLimits {
	const OmacpConfig *config;
	/* char * → GArray of gint64: the times of the last hour's messages */
	GHashTable *senders;
	GHashTable *modems;
	GHashTable *senders_auth;
	GHashTable *modems_auth;
};

static GHashTable *
new_table(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                             (GDestroyNotify) g_array_unref);
}

OmacpRateLimits *
omacp_rate_limits_new(const OmacpConfig *config)
{
	OmacpRateLimits *self = g_new0(OmacpRateLimits, 1);

	self->config = config;
	self->senders = new_table();
	self->modems = new_table();
	self->senders_auth = new_table();
	self->modems_auth = new_table();
	return self;
}

void
omacp_rate_limits_free(OmacpRateLimits *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->senders, g_hash_table_unref);
	g_clear_pointer(&self->modems, g_hash_table_unref);
	g_clear_pointer(&self->senders_auth, g_hash_table_unref);
	g_clear_pointer(&self->modems_auth, g_hash_table_unref);
	g_free(self);
}

/* The messages of @key within the window before @now (older times are
 * dropped on the way). */
static guint
count(GHashTable *table, const char *key, gint64 now)
{
	GArray *times = g_hash_table_lookup(table, key);
	guint kept = 0;

	if (times == NULL)
		return 0;
	for (guint i = 0; i < times->len; i++) {
		gint64 t = g_array_index(times, gint64, i);

		if (t > now - RATE_WINDOW_US)
			g_array_index(times, gint64, kept++) = t;
	}
	g_array_set_size(times, kept);
	return kept;
}

/* Makes room for one more key in a rate table: forgets every key with no
 * time left in the window, and when all are recent, the key whose latest
 * message is oldest. Its count restarts, which costs nothing that a sender
 * could not get by changing its (spoofable) address anyway; the per-modem
 * limit stays the real bound. */
static void
make_room(GHashTable *table, gint64 now)
{
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	char *oldest = NULL;
	gint64 oldest_time = G_MAXINT64;

	g_hash_table_iter_init(&iter, table);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		GArray *times = value;
		gint64 last = times->len > 0 ? g_array_index(times, gint64, times->len - 1) : 0;

		if (last <= now - RATE_WINDOW_US) {
			g_hash_table_iter_remove(&iter);
			continue;
		}
		if (last < oldest_time) {
			oldest_time = last;
			oldest = key;
		}
	}
	if (g_hash_table_size(table) >= OMACP_RATE_LIMITS_MAX_KEYS && oldest != NULL)
		g_hash_table_remove(table, oldest);
}

static void
record(GHashTable *table, const char *key, guint limit, gint64 now)
{
	GArray *times;

	if (limit == 0)
		return;
	times = g_hash_table_lookup(table, key);
	if (times == NULL) {
		if (g_hash_table_size(table) >= OMACP_RATE_LIMITS_MAX_KEYS)
			make_room(table, now);
		times = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(table, g_strdup(key), times);
	}
	g_array_append_val(times, now);
}

gboolean
omacp_rate_limits_check(OmacpRateLimits *self, gboolean authenticated, const char *sender,
                        const char *modem, gint64 now, GError **error)
{
	const OmacpConfig *c = self->config;
	const char *kind = authenticated ? "authenticated" : "unauthenticated";
	g_autoptr(GError) local = NULL;

	if (sender != NULL && c->max_per_sender_per_hour > 0 &&
	    count(authenticated ? self->senders_auth : self->senders, sender, now) >=
	            c->max_per_sender_per_hour) {
		g_autofree char *masked = omacp_mask_number(sender);

		local = g_error_new(OMACP_ERROR, OMACP_ERROR_RATE_LIMITED,
		                    "deliver: sender %s sent %u %s messages in the last hour "
		                    "(MaxMessagesPerSenderPerHour)",
		                    masked, c->max_per_sender_per_hour, kind);
	} else if (modem != NULL && c->max_per_modem_per_hour > 0 &&
	           count(authenticated ? self->modems_auth : self->modems, modem, now) >=
	                   c->max_per_modem_per_hour) {
		local = g_error_new(OMACP_ERROR, OMACP_ERROR_RATE_LIMITED,
		                    "deliver: modem %s received %u %s messages in the last hour "
		                    "(MaxMessagesPerModemPerHour)",
		                    modem, c->max_per_modem_per_hour, kind);
	}
	if (local == NULL)
		return TRUE;
	g_message("%s", local->message);
	g_propagate_error(error, g_steal_pointer(&local));
	return FALSE;
}

void
omacp_rate_limits_record(OmacpRateLimits *self, gboolean authenticated, const char *sender,
                         const char *modem, gint64 now)
{
	const OmacpConfig *c = self->config;

	if (sender != NULL)
		record(authenticated ? self->senders_auth : self->senders, sender,
		       c->max_per_sender_per_hour, now);
	if (modem != NULL)
		record(authenticated ? self->modems_auth : self->modems, modem,
		       c->max_per_modem_per_hour, now);
}
