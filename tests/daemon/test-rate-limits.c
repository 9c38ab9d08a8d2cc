/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rate-limits.c: the hourly limits per sender and per modem, counted apart
 * for authenticated and unauthenticated messages. */
#include "config.h"

#include "rate-limits.h"

#include <string.h>

#define HOUR_US (G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)
#define T0      (G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC)

static OmacpConfig *
config_with(guint per_sender, guint per_modem)
{
	OmacpConfig *c = omacp_config_new_default();

	c->max_per_sender_per_hour = per_sender;
	c->max_per_modem_per_hour = per_modem;
	return c;
}

/* Takes one message of @sender on @modem at @now when the limits let it. */
static gboolean
take(OmacpRateLimits *r, gboolean authenticated, const char *sender, const char *modem, gint64 now,
     GError **error)
{
	if (!omacp_rate_limits_check(r, authenticated, sender, modem, now, error))
		return FALSE;
	omacp_rate_limits_record(r, authenticated, sender, modem, now);
	return TRUE;
}

static void
test_sender_limit(void)
{
	g_autoptr(OmacpConfig) c = config_with(3, 0);
	g_autoptr(OmacpRateLimits) r = omacp_rate_limits_new(c);
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < 3; i++)
		g_assert_true(take(r, FALSE, "+4912345", NULL, T0 + i, NULL));
	g_assert_false(take(r, FALSE, "+4912345", NULL, T0 + 10, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED);
	/* the number is masked in the message */
	g_assert_null(strstr(error->message, "+4912345"));
	g_assert_nonnull(strstr(error->message, "MaxMessagesPerSenderPerHour"));
	g_clear_error(&error);
	/* another sender is counted on its own */
	g_assert_true(take(r, FALSE, "+4999999", NULL, T0 + 11, NULL));
	/* an hour after the first, one more is let in (and only one) */
	g_assert_true(take(r, FALSE, "+4912345", NULL, T0 + HOUR_US, NULL));
	g_assert_false(take(r, FALSE, "+4912345", NULL, T0 + HOUR_US, NULL));
}

static void
test_modem_limit(void)
{
	g_autoptr(OmacpConfig) c = config_with(0, 2);
	g_autoptr(OmacpRateLimits) r = omacp_rate_limits_new(c);
	g_autoptr(GError) error = NULL;

	g_assert_true(take(r, FALSE, "a", "/modem/0", T0, NULL));
	g_assert_true(take(r, FALSE, "b", "/modem/0", T0 + 1, NULL));
	g_assert_false(take(r, FALSE, "c", "/modem/0", T0 + 2, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED);
	g_assert_nonnull(strstr(error->message, "MaxMessagesPerModemPerHour"));
	g_assert_true(take(r, FALSE, "c", "/modem/1", T0 + 3, NULL));
	/* no modem: only the sender's limit, which is off */
	g_assert_true(take(r, FALSE, "c", NULL, T0 + 4, NULL));
}

/* Forged messages never use up what authenticated ones may. */
static void
test_authenticated_apart(void)
{
	g_autoptr(OmacpConfig) c = config_with(2, 2);
	g_autoptr(OmacpRateLimits) r = omacp_rate_limits_new(c);

	g_assert_true(take(r, FALSE, "op", "/modem/0", T0, NULL));
	g_assert_true(take(r, FALSE, "op", "/modem/0", T0 + 1, NULL));
	g_assert_false(take(r, FALSE, "op", "/modem/0", T0 + 2, NULL));
	g_assert_true(take(r, TRUE, "op", "/modem/0", T0 + 3, NULL));
	g_assert_true(take(r, TRUE, "op", "/modem/0", T0 + 4, NULL));
	g_assert_false(take(r, TRUE, "op", "/modem/0", T0 + 5, NULL));
}

static void
test_unlimited(void)
{
	g_autoptr(OmacpConfig) c = config_with(0, 0);
	g_autoptr(OmacpRateLimits) r = omacp_rate_limits_new(c);

	for (guint i = 0; i < 1000; i++)
		g_assert_true(take(r, FALSE, "s", "m", T0 + i, NULL));
}

/* At OMACP_RATE_LIMITS_MAX_KEYS senders, the one silent longest is
 * forgotten (its count restarts); the others keep theirs. */
static void
test_key_cap(void)
{
	g_autoptr(OmacpConfig) c = config_with(1, 0);
	g_autoptr(OmacpRateLimits) r = omacp_rate_limits_new(c);

	for (guint i = 0; i < OMACP_RATE_LIMITS_MAX_KEYS; i++) {
		g_autofree char *sender = g_strdup_printf("s%u", i);

		g_assert_true(take(r, FALSE, sender, NULL, T0 + i, NULL));
	}
	g_assert_false(take(r, FALSE, "s0", NULL, T0 + 100000, NULL));
	/* one more sender: s0, the oldest, makes room */
	g_assert_true(take(r, FALSE, "new", NULL, T0 + 100001, NULL));
	/* s0 counts from 0 again; coming back, it pushes out s1, the
	 * oldest now, and s1 in turn s2 */
	g_assert_true(take(r, FALSE, "s0", NULL, T0 + 100002, NULL));
	g_assert_true(take(r, FALSE, "s1", NULL, T0 + 100003, NULL));
	/* the others keep their counts */
	g_assert_false(take(r, FALSE, "s3", NULL, T0 + 100004, NULL));
	g_assert_false(take(r, FALSE, "s4095", NULL, T0 + 100005, NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rate-limits/sender", test_sender_limit);
	g_test_add_func("/rate-limits/modem", test_modem_limit);
	g_test_add_func("/rate-limits/authenticated-apart", test_authenticated_apart);
	g_test_add_func("/rate-limits/unlimited", test_unlimited);
	g_test_add_func("/rate-limits/key-cap", test_key_cap);
	return g_test_run();
}
