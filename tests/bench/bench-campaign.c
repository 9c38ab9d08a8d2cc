/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-bench-campaign: what `omacpctl campaign` costs per subscriber
 * without the network: sign the (once encoded) document with the
 * subscriber's key, frame the WSP push, cut it into TP-User-Data and
 * SMS-SUBMIT segments and format the JSON line (written to a memory
 * buffer that is flushed to /dev/null, as a file would be). Prints
 * subscribers per second for each SEC method on one core: from the
 * thread's CPU time (robust on a shared machine) and from the wall clock.
 *
 *   omacp-bench-campaign [--subscribers N] [--rounds R]
 *
 * Each figure is the best of R rounds, so that other processes on a
 * shared machine disturb it as little as possible. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "campaign.h"
#include "omacp.h"

static void
hex_into(GString *out, GBytes *bytes)
{
	static const char digits[] = "0123456789ABCDEF";
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(bytes, &len);

	for (gsize i = 0; i < len; i++) {
		g_string_append_c(out, digits[d[i] >> 4]);
		g_string_append_c(out, digits[d[i] & 0xf]);
	}
}

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Returns the wall-clock seconds; *cpu gets the thread's CPU seconds (what
 * one core spent, whatever else the machine runs). */
static double
run(const OmacpEncoder *encoder, OmacpSec sec, GPtrArray *subs, FILE *sink, guint *segments,
    double *cpu)
{
	g_autoptr(GString) buf = g_string_sized_new(1 << 16);
	gint64 start = g_get_monotonic_time();
	double cpu_start = cpu_seconds();

	*segments = 0;
	for (guint i = 0; i < subs->len; i++) {
		const OmacpCampaignSubscriber *s = g_ptr_array_index(subs, i);
		g_auto(OmacpCampaignMessage) m = { 0 };
		g_autoptr(GError) error = NULL;

		if (!omacp_campaign_wrap(encoder, sec, s, &m, &error))
			g_error("bench: %s", error->message);
		*segments += m.n_segments;
		g_string_append_printf(buf, "{\"msisdn\":\"%s\",\"segments\":%u,\"ud\":[",
		                       s->msisdn, m.n_segments);
		for (guint k = 0; k < m.n_segments; k++) {
			g_string_append(buf, k ? ",\"" : "\"");
			hex_into(buf, m.ud[k]);
			g_string_append_c(buf, '"');
		}
		g_string_append(buf, "],\"submit\":[");
		for (guint k = 0; k < m.n_segments; k++) {
			g_string_append(buf, k ? ",\"" : "\"");
			hex_into(buf, m.submit[k]);
			g_string_append_c(buf, '"');
		}
		g_string_append(buf, "]}\n");
		if (buf->len > (1 << 16) - 4096) {
			fwrite(buf->str, 1, buf->len, sink);
			g_string_truncate(buf, 0);
		}
	}
	fwrite(buf->str, 1, buf->len, sink);
	*cpu = cpu_seconds() - cpu_start;
	return (double) (g_get_monotonic_time() - start) / G_USEC_PER_SEC;
}

int
main(int argc, char **argv)
{
	gint n = 100000;
	gint rounds = 3;
	GOptionEntry entries[] = {
		{ "subscribers", 'n', 0, G_OPTION_ARG_INT, &n, "Subscribers per round", "N" },
		{ "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds (the best counts)", "R" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("— campaign sign-and-wrap bench");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) subs =
	        g_ptr_array_new_with_free_func((GDestroyNotify) omacp_campaign_subscriber_free);
	g_autoptr(OmacpEncoder) encoder = NULL;
	g_autofree char *xml = NULL;
	static const OmacpSec secs[] = { OMACP_SEC_NETWPIN, OMACP_SEC_USERPIN,
		                         OMACP_SEC_USERNETWPIN, OMACP_SEC_USERPINMAC };
	OmacpTemplateOptions t = {
		.kind = OMACP_TEMPLATE_INTERNET,
		.apn = "internet.example",
		.username = "web",
		.password = "web-secret",
	};
	FILE *sink;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || n < 1 || rounds < 1) {
		fprintf(stderr, "omacp-bench-campaign: %s\n",
		        error ? error->message : "bad option");
		return 1;
	}
	xml = omacp_template_build(&t, &error);
	if (xml == NULL ||
	    (encoder = omacp_encoder_new(xml, strlen(xml), FALSE, NULL, &error)) == NULL)
		g_error("bench: %s", error->message);
	for (gint i = 0; i < n; i++) {
		OmacpCampaignSubscriber *s = g_new0(OmacpCampaignSubscriber, 1);

		s->msisdn = g_strdup_printf("+35840%07d", i);
		s->imsi = g_strdup_printf("24407%010d", i);
		/* 5 digits: what USERPINMAC takes as the first half */
		s->pin = g_strdup_printf("%05d", (i * 7919) % 100000);
		g_ptr_array_add(subs, s);
	}
	sink = fopen("/dev/null", "we");
	if (sink == NULL)
		g_error("bench: /dev/null: %s", g_strerror(errno));
	printf("document: %zu octets of WBXML\n",
	       g_bytes_get_size(omacp_encoder_get_wbxml(encoder)));
	for (guint k = 0; k < G_N_ELEMENTS(secs); k++) {
		double best = 0, best_cpu = 0;
		guint segments = 0;

		for (gint r = 0; r < rounds; r++) {
			double cpu = 0;
			double t_round = run(encoder, secs[k], subs, sink, &segments, &cpu);

			if (r == 0 || t_round < best)
				best = t_round;
			if (r == 0 || cpu < best_cpu)
				best_cpu = cpu;
		}
		printf("%-12s %7d subscribers %7u SMS  cpu %5.2f us/subscriber = %7.0f "
		       "subscribers/s on one core  (wall %7.0f/s)\n",
		       omacp_sec_to_string(secs[k]), n, segments, best_cpu * 1e6 / n, n / best_cpu,
		       n / best);
	}
	fclose(sink);
	return 0;
}
