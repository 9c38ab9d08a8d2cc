/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacpctl campaign: one provisioning document for a list of subscribers,
 * each push signed with its own IMSI or PIN, written as JSON lines or
 * submitted to Kannel's sendsms HTTP interface.
 *
 * HTTP is spoken with GIO's GSocketClient and GSocketListener: sendsms is
 * one GET per segment and the delivery reports one GET each, so a small
 * HTTP/1.0 exchange on blocking sockets in worker threads is all that is
 * needed, with no new library to install, and every failure is ours to
 * classify (not queued, or sent without an answer: see send_segment()). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "campaign.h"
#include "hexinput.h"
#include "omacp.h"
#include "omacpctl.h"

/* Exit statuses beyond omacpctl's common ones. */
#define EXIT_REFUSED OMACPCTL_EXIT_MALFORMED /* 2: CSV rows refused, the rest done */
#define EXIT_FAILED  4                       /* submissions not queued: rerun */
#define EXIT_DOUBT   5                       /* segments in doubt: see README */

#define HTTP_MAX_RESPONSE (64 * 1024)
#define DLR_MAX_REQUEST   (8 * 1024)
#define RETRY_DELAY_MAX   60.0
#define DEFAULT_PIN_LEN   8
#define DEFAULT_HALF_LEN  5 /* USERPINMAC: the user types twice as many */

static char *sec_name;
static char *document_path;
static char *template_name;
static gboolean force;
static gint pin_length;
static char *pin_file;
static char *output_path;
static char *kannel_url;
static char *kannel_user;
static char *kannel_password;
static char *kannel_from;
static char *kannel_smsc;
static char *dlr_address;
static gint dlr_mask = 3;
static gdouble dlr_wait = 30;
static char *state_path;
static gdouble rate;
static gint concurrency = 4;
static gint retries = 6;
static gdouble retry_delay = 1.0;
static gdouble http_timeout = 30;
static gboolean resend_in_doubt;
static gboolean no_progress;
static char **files;

static const GOptionEntry entries[] = {
	{ "sec", 's', 0, G_OPTION_ARG_STRING, &sec_name,
	  N_("Security of every push: none, netwpin, userpin, usernetwpin or userpinmac"), "SEC" },
	{ "document", 'd', 0, G_OPTION_ARG_FILENAME, &document_path,
	  N_("The provisioning document (XML)"), "DOC.xml" },
	{ "template", 't', 0, G_OPTION_ARG_STRING, &template_name,
	  N_("Instead of --document: internet, mms or wlan with the encode template options"),
	  "KIND" },
	{ NULL },
};

/* after the template value options (omacpctl_template_add_options) */
static const GOptionEntry entries_after_template[] = {
	{ "force", 0, 0, G_OPTION_ARG_NONE, &force,
	  N_("Encode even when the document breaks the ProvCont rules"), NULL },
	{ "pin-length", 0, 0, G_OPTION_ARG_INT, &pin_length,
	  N_("Digits of generated PINs (default 8; userpinmac: of the first half, default 5)"),
	  "N" },
	{ "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file,
	  N_("Where the PINs to tell the users go (default: CSV.pins, mode 0600)"), "FILE" },
	{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
	  N_("Write JSON lines to FILE instead of standard output"), "FILE" },
	{ "kannel", 'k', 0, G_OPTION_ARG_STRING, &kannel_url,
	  N_("Submit to Kannel's sendsms URL instead of writing JSON lines"),
	  "http://HOST:PORT/cgi-bin/sendsms" },
	{ "user", 'u', 0, G_OPTION_ARG_STRING, &kannel_user, N_("Kannel sendsms-user name"),
	  "USER" },
	{ "kannel-password-file", 0, 0, G_OPTION_ARG_FILENAME, &kannel_password,
	  N_("File holding the sendsms-user password (else $OMACP_KANNEL_PASSWORD)"), "FILE" },
	{ "from", 0, 0, G_OPTION_ARG_STRING, &kannel_from,
	  N_("Sender address Kannel puts on the SMS"), "NUMBER" },
	{ "smsc-id", 0, 0, G_OPTION_ARG_STRING, &kannel_smsc,
	  N_("Kannel SMSC to route through (sendsms 'smsc')"), "ID" },
	{ "dlr", 0, 0, G_OPTION_ARG_STRING, &dlr_address,
	  N_("Listen for Kannel's delivery reports on this address and record them"), "HOST:PORT" },
	{ "dlr-mask", 0, 0, G_OPTION_ARG_INT, &dlr_mask,
	  N_("Kannel dlr-mask of the reports asked for (default 3: delivered or failed)"), "N" },
	{ "dlr-wait", 0, 0, G_OPTION_ARG_DOUBLE, &dlr_wait,
	  N_("Seconds to wait for outstanding delivery reports after the last send (default 30)"),
	  "SECONDS" },
	{ "state", 0, 0, G_OPTION_ARG_FILENAME, &state_path,
	  N_("State file that makes the campaign resumable (default: CSV.state)"), "FILE" },
	{ "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate,
	  N_("At most this many SMS per second (default: no limit)"), "N" },
	{ "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency,
	  N_("Requests in flight at once (default 4)"), "N" },
	{ "retries", 0, 0, G_OPTION_ARG_INT, &retries,
	  N_("Retries of a segment after 5xx or connection errors (default 6)"), "N" },
	{ "retry-delay", 0, 0, G_OPTION_ARG_DOUBLE, &retry_delay,
	  N_("First back-off in seconds, doubled at each retry (default 1)"), "SECONDS" },
	{ "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &http_timeout,
	  N_("Seconds to wait for Kannel to connect or answer (default 30)"), "SECONDS" },
	{ "resend-in-doubt", 0, 0, G_OPTION_ARG_NONE, &resend_in_doubt,
	  N_("Send again the segments an earlier run may have sent (at least once)"), NULL },
	{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress,
	  N_("No progress bar, even on a terminal"), NULL },
	/* no argument description: the context's parameter string names the CSV */
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
	{ NULL },
};

/* Per-subscriber outcome of this run. */
typedef enum {
	OUTCOME_PENDING,
	OUTCOME_SENT,        /* every segment accepted in this run */
	OUTCOME_SENT_BEFORE, /* every segment accepted by an earlier run */
	OUTCOME_FAILED,      /* a segment was not queued */
	OUTCOME_DOUBT,       /* a segment may or may not have been queued */
} Outcome;

typedef struct {
	OmacpSec sec;
	OmacpEncoder *encoder;
	GPtrArray *subscribers; /* OmacpCampaignSubscriber * */
	OmacpCampaignState *state;

	/* Kannel */
	GUri *uri;
	char *host_port;
	char *password;
	char *dlr_url_base; /* "http://HOST:PORT/dlr" or NULL */

	GMutex rate_lock;
	gint64 next_slot; /* monotonic µs */

	gint next_index;       /* atomic: next subscriber to take */
	gint done;             /* atomic */
	gint n_sent;           /* atomic */
	gint n_sent_before;    /* atomic */
	gint n_failed;         /* atomic */
	gint n_doubt;          /* atomic */
	gint segments_sent;    /* atomic: accepted in this run */
	gint dlr_final;        /* atomic: final reports received in this run */
	gint dlr_delivered;    /* atomic */
	gint dlr_undelivered;  /* atomic */
	gint fatal;            /* atomic: a state file error stops everyone */
	Outcome *outcomes;     /* per subscriber */
	char **failure_reason; /* per subscriber: the last refusal or error */
	GMutex report_lock;
} Campaign;

/* --------------------------------------------------------------- helpers */

static OmacpEncoder *
load_document(GPtrArray *warnings, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;

	if (template_name != NULL) {
		text = omacpctl_template_build(template_name, error);
		if (text == NULL)
			return NULL;
		len = strlen(text);
	} else if (!g_file_get_contents(document_path, &text, &len, error)) {
		return NULL;
	}
	return omacp_encoder_new(text, len, force, warnings, error);
}

static char *
campaign_id(OmacpSec sec, GBytes *wbxml)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(wbxml, &len);
	const char *name = omacp_sec_to_string(sec);

	g_checksum_update(sum, (const guchar *) name, (gssize) strlen(name));
	g_checksum_update(sum, (const guchar *) "\n", 1);
	g_checksum_update(sum, data, (gssize) len);
	return g_strdup(g_checksum_get_string(sum));
}

/* ----------------------------------------------------------------- PINs */

/* Fills in the PINs the CSV did not give: from the PIN file of an earlier
 * run of this campaign, else fresh from the CSPRNG. For USERPINMAC the file
 * holds the full PIN the user types; its first half is what signs. The PIN
 * file is written (0600, synced) before anything is sent, so a resumed
 * campaign signs with the PINs the users were told. */
static gboolean
prepare_pins(Campaign *c, gboolean has_pin_column, const char *path, GError **error)
{
	g_autoptr(GHashTable) known =
	        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GString) add = g_string_new(NULL);
	g_autofree char *text = NULL;
	gboolean exists;
	guint digits;
	int fd;

	if (!omacp_campaign_sec_needs_pin(c->sec))
		return TRUE;
	if (has_pin_column && c->sec != OMACP_SEC_USERPINMAC)
		return TRUE;
	digits = pin_length > 0
	                 ? (guint) pin_length
	                 : (c->sec == OMACP_SEC_USERPINMAC ? DEFAULT_HALF_LEN : DEFAULT_PIN_LEN);
	if (c->sec == OMACP_SEC_USERPINMAC && (digits < OMACP_USERPINMAC_MIN_DIGITS / 2 ||
	                                       digits > OMACP_USERPINMAC_MAX_DIGITS / 2)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("--pin-length for userpinmac is the first half: 5 to 20 digits"));
		return FALSE;
	}
	if (digits < 4 || digits > OMACP_PIN_MAX_LEN) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("--pin-length must be 4 to 64 digits"));
		return FALSE;
	}

	exists = g_file_test(path, G_FILE_TEST_EXISTS);
	if (exists) {
		struct stat st;
		g_auto(GStrv) lines = NULL;

		if (stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            _("the PIN file %s is readable by others (chmod 600 it)"),
			            path);
			return FALSE;
		}
		if (!g_file_get_contents(path, &text, NULL, error))
			return FALSE;
		lines = g_strsplit(text, "\n", -1);
		for (guint i = 1; lines[i] != NULL; i++) {
			char *comma = strchr(lines[i], ',');

			if (comma == NULL)
				continue;
			*comma = '\0';
			g_hash_table_insert(known, g_strdup(lines[i]), g_strdup(comma + 1));
		}
		memset(text, 0, strlen(text));
		for (guint i = 0; lines[i] != NULL; i++)
			memset(lines[i], 0, strlen(lines[i]));
	}

	for (guint i = 0; i < c->subscribers->len; i++) {
		OmacpCampaignSubscriber *s = g_ptr_array_index(c->subscribers, i);
		const char *old = g_hash_table_lookup(known, s->msisdn);
		g_autofree char *user_pin = NULL;

		if (old != NULL) {
			if (!has_pin_column) {
				g_free(s->pin);
				s->pin = c->sec == OMACP_SEC_USERPINMAC
				                 ? g_strndup(old, strlen(old) / 2)
				                 : g_strdup(old);
			}
			continue;
		}
		if (!has_pin_column) {
			s->pin = omacp_campaign_random_pin(digits, error);
			if (s->pin == NULL)
				return FALSE;
		}
		if (c->sec == OMACP_SEC_USERPINMAC) {
			GBytes *wbxml = omacp_encoder_get_wbxml(c->encoder);
			gsize len = 0;
			const guint8 *d = g_bytes_get_data(wbxml, &len);

			user_pin = omacp_auth_userpinmac_pin(s->pin, d, len, error);
			if (user_pin == NULL)
				return FALSE;
		}
		g_string_append_printf(add, "%s,%s\n", s->msisdn, user_pin ? user_pin : s->pin);
		if (user_pin != NULL)
			memset(user_pin, 0, strlen(user_pin));
	}
	if (add->len == 0)
		return TRUE;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || (!exists && write(fd, "msisdn,pin\n", 11) != 11) ||
	    write(fd, add->str, add->len) != (ssize_t) add->len || fsync(fd) < 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		memset(add->str, 0, add->len);
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
		            _("writing the PIN file %s: %s"), path, g_strerror(saved));
		return FALSE;
	}
	close(fd);
	memset(add->str, 0, add->len);
	return TRUE;
}

/* ------------------------------------------------------------ JSON lines */

static void
append_hex(GString *out, GBytes *bytes)
{
	static const char digits[] = "0123456789ABCDEF";
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(bytes, &len);
	gsize at = out->len;

	g_string_set_size(out, at + 2 * len);
	for (gsize i = 0; i < len; i++) {
		out->str[at + 2 * i] = digits[d[i] >> 4];
		out->str[at + 2 * i + 1] = digits[d[i] & 0xf];
	}
}

/* The msisdn is digits and '+' (checked when the CSV was read): no JSON
 * escaping is needed. */
static void
append_json_line(GString *out, const OmacpCampaignSubscriber *s, const OmacpCampaignMessage *m)
{
	g_string_append_printf(out, "{\"msisdn\":\"%s\",\"line\":%u,\"segments\":%u,\"ud\":[",
	                       s->msisdn, s->line, m->n_segments);
	for (guint i = 0; i < m->n_segments; i++) {
		g_string_append(out, i ? ",\"" : "\"");
		append_hex(out, m->ud[i]);
		g_string_append_c(out, '"');
	}
	g_string_append(out, "],\"submit\":[");
	for (guint i = 0; i < m->n_segments; i++) {
		g_string_append(out, i ? ",\"" : "\"");
		append_hex(out, m->submit[i]);
		g_string_append_c(out, '"');
	}
	g_string_append(out, "]}\n");
}

static int
run_json(Campaign *c)
{
	FILE *out = stdout;
	g_autoptr(GString) buf = g_string_sized_new(1 << 16);
	guint failed = 0;

	if (output_path != NULL && (out = fopen(output_path, "we")) == NULL) {
		fprintf(stderr, _("omacpctl campaign: %s: %s\n"), output_path, g_strerror(errno));
		return OMACPCTL_EXIT_FAILURE;
	}
	for (guint i = 0; i < c->subscribers->len; i++) {
		const OmacpCampaignSubscriber *s = g_ptr_array_index(c->subscribers, i);
		g_auto(OmacpCampaignMessage) m = { 0 };
		g_autoptr(GError) error = NULL;

		if (!omacp_campaign_wrap(c->encoder, c->sec, s, &m, &error)) {
			fprintf(stderr, _("omacpctl campaign: line %u (%s): %s\n"), s->line,
			        s->msisdn, error->message);
			failed++;
			continue;
		}
		append_json_line(buf, s, &m);
		if (buf->len > (1 << 16) - 4096) {
			fwrite(buf->str, 1, buf->len, out);
			g_string_truncate(buf, 0);
		}
	}
	fwrite(buf->str, 1, buf->len, out);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, _("omacpctl campaign: writing the output: %s\n"),
		        g_strerror(errno));
		return OMACPCTL_EXIT_FAILURE;
	}
	fprintf(stderr, _("omacpctl campaign: %u messages written, %u failed\n"),
	        c->subscribers->len - failed, failed);
	return failed ? EXIT_FAILED : OMACPCTL_EXIT_OK;
}

/* ----------------------------------------------------------------- HTTP */

static void
rate_wait(Campaign *c)
{
	gint64 slot;
	gint64 now;

	if (rate <= 0)
		return;
	g_mutex_lock(&c->rate_lock);
	now = g_get_monotonic_time();
	slot = MAX(now, c->next_slot);
	c->next_slot = slot + (gint64) (G_USEC_PER_SEC / rate);
	g_mutex_unlock(&c->rate_lock);
	if (slot > now)
		g_usleep((gulong) (slot - now));
}

static void
append_param(GString *q, const char *name, const guint8 *value, gsize len)
{
	g_autofree char *esc = g_uri_escape_bytes(value, len, NULL);

	if (q->len > 0)
		g_string_append_c(q, '&');
	g_string_append(q, name);
	g_string_append_c(q, '=');
	g_string_append(q, esc);
}

static void
append_param_str(GString *q, const char *name, const char *value)
{
	append_param(q, name, (const guint8 *) value, strlen(value));
}

/* The msisdn as it travels in our own delivery-report URL: Kannel expands
 * '%' escapes in dlr-url, so the '+' is spelt 'i' (international). */
static char *
dlr_token(const char *msisdn)
{
	return msisdn[0] == '+' ? g_strconcat("i", msisdn + 1, NULL) : g_strdup(msisdn);
}

static char *
build_request(Campaign *c, const OmacpCampaignSubscriber *s, const OmacpCampaignMessage *m,
              guint seg)
{
	g_autoptr(GString) q = g_string_new(g_uri_get_query(c->uri));
	gsize len = 0;
	const guint8 *ud = g_bytes_get_data(m->ud[seg], &len);
	gsize udh_len = (gsize) ud[0] + 1;
	const char *path = g_uri_get_path(c->uri);

	append_param_str(q, "username", kannel_user);
	append_param_str(q, "password", c->password);
	append_param_str(q, "to", s->msisdn);
	if (kannel_from != NULL)
		append_param_str(q, "from", kannel_from);
	if (kannel_smsc != NULL)
		append_param_str(q, "smsc", kannel_smsc);
	append_param(q, "udh", ud, udh_len);
	append_param(q, "text", ud + udh_len, len - udh_len);
	append_param_str(q, "coding", "1");
	if (c->dlr_url_base != NULL) {
		g_autofree char *token = dlr_token(s->msisdn);
		g_autofree char *url =
		        g_strdup_printf("%s?m=%s&s=%u&st=%%d", c->dlr_url_base, token, seg + 1);
		g_autofree char *mask = g_strdup_printf("%d", dlr_mask);

		append_param_str(q, "dlr-mask", mask);
		append_param_str(q, "dlr-url", url);
	}
	return g_strdup_printf("GET %s?%s HTTP/1.0\r\nHost: %s\r\nUser-Agent: omacpctl/%s\r\n"
	                       "Connection: close\r\n\r\n",
	                       path[0] ? path : "/", q->str, c->host_port, OMACP_VERSION);
}

typedef enum {
	SEND_SENT,
	SEND_RETRY, /* not queued; worth another try */
	SEND_FAILED,
	SEND_DOUBT,
} SendResult;

/* Reads a whole HTTP/1.0 response (up to EOF or Content-Length). */
static GString *
read_response(GInputStream *in, GError **error)
{
	g_autoptr(GString) r = g_string_new(NULL);
	char buf[4096];

	for (;;) {
		gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, error);
		const char *end;

		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		g_string_append_len(r, buf, n);
		if (r->len > HTTP_MAX_RESPONSE) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
			            "response larger than %u octets", HTTP_MAX_RESPONSE);
			return NULL;
		}
		end = strstr(r->str, "\r\n\r\n");
		if (end != NULL) {
			const char *cl = g_strstr_len(r->str, end - r->str, "\nContent-Length:");

			if (cl == NULL)
				cl = g_strstr_len(r->str, end - r->str, "\ncontent-length:");
			if (cl != NULL && r->len >= (gsize) (end + 4 - r->str) +
			                                    g_ascii_strtoull(cl + 16, NULL, 10))
				break;
		}
	}
	return g_steal_pointer(&r);
}

/* One attempt at one segment. The intent is recorded once the connection
 * stands, before a single octet of the request leaves; a request that
 * could not be written whole cannot have been acted on (Kannel parses
 * complete requests only), so only a missing answer puts it in doubt. */
static SendResult
send_once(Campaign *c, const OmacpCampaignSubscriber *s, guint seg, const char *request,
          char **reason, GError **fatal)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) response = NULL;
	const char *eol;
	guint status = 0;

	g_socket_client_set_timeout(client, (guint) MAX(1, http_timeout));
	conn = g_socket_client_connect_to_host(client, c->host_port, 80, NULL, &error);
	if (conn == NULL) {
		*reason = g_strdup_printf("connect: %s", error->message);
		return SEND_RETRY;
	}
	if (!omacp_campaign_state_record(c->state, OMACP_CAMPAIGN_SEG_SENDING, s->msisdn, seg, NULL,
	                                 fatal))
		return SEND_FAILED;
	if (!g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), request,
	                               strlen(request), NULL, NULL, &error)) {
		*reason = g_strdup_printf("write: %s", error->message);
		return SEND_RETRY;
	}
	response = read_response(g_io_stream_get_input_stream(G_IO_STREAM(conn)), &error);
	if (response == NULL || response->len == 0) {
		*reason = g_strdup_printf("no answer: %s",
		                          error ? error->message : "connection closed");
		return SEND_DOUBT;
	}
	if (sscanf(response->str, "HTTP/%*u.%*u %u", &status) != 1) {
		*reason = g_strdup("the answer is not HTTP");
		return SEND_DOUBT;
	}
	{
		const char *body = strstr(response->str, "\r\n\r\n");
		g_autofree char *text = g_strndup(body ? body + 4 : "", 120);

		eol = strpbrk(text, "\r\n");
		if (eol != NULL)
			text[eol - text] = '\0';
		*reason = g_strdup_printf("HTTP %u %s", status, text);
	}
	if (status >= 200 && status < 300)
		return SEND_SENT;
	if (status >= 500)
		return SEND_RETRY;
	return SEND_FAILED;
}

static SendResult
send_segment(Campaign *c, const OmacpCampaignSubscriber *s, guint index,
             const OmacpCampaignMessage *m, guint seg, GError **fatal)
{
	g_autofree char *request = build_request(c, s, m, seg);
	gdouble delay = retry_delay;

	for (gint attempt = 0;; attempt++) {
		g_autofree char *reason = NULL;
		SendResult r;
		OmacpCampaignSegState record;

		rate_wait(c);
		r = send_once(c, s, seg + 1, request, &reason, fatal);
		if (*fatal != NULL)
			return SEND_FAILED;
		record = r == SEND_SENT    ? OMACP_CAMPAIGN_SEG_SENT
		         : r == SEND_DOUBT ? OMACP_CAMPAIGN_SEG_DOUBT
		                           : OMACP_CAMPAIGN_SEG_FAILED;
		if (!omacp_campaign_state_record(c->state, record, s->msisdn, seg + 1, reason,
		                                 fatal))
			return SEND_FAILED;
		if (r != SEND_SENT) {
			g_mutex_lock(&c->report_lock);
			g_free(c->failure_reason[index]);
			c->failure_reason[index] = g_strdup(reason);
			g_mutex_unlock(&c->report_lock);
		}
		if (r != SEND_RETRY)
			return r;
		if (attempt >= retries)
			return SEND_FAILED;
		g_usleep((gulong) (delay * G_USEC_PER_SEC));
		delay = MIN(delay * 2, RETRY_DELAY_MAX);
	}
}

static gpointer
worker(gpointer data)
{
	Campaign *c = data;

	for (;;) {
		gint i = g_atomic_int_add(&c->next_index, 1);
		const OmacpCampaignSubscriber *s;
		g_auto(OmacpCampaignMessage) m = { 0 };
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) fatal = NULL;
		gboolean any_sent_now = FALSE, any_failed = FALSE, any_doubt = FALSE;
		Outcome outcome;

		if (i >= (gint) c->subscribers->len || g_atomic_int_get(&c->fatal))
			return NULL;
		s = g_ptr_array_index(c->subscribers, i);
		if (!omacp_campaign_wrap(c->encoder, c->sec, s, &m, &error)) {
			c->failure_reason[i] = g_strdup(error->message);
			c->outcomes[i] = OUTCOME_FAILED;
			g_atomic_int_inc(&c->n_failed);
			g_atomic_int_inc(&c->done);
			continue;
		}
		for (guint seg = 0; seg < m.n_segments; seg++) {
			OmacpCampaignSegState st =
			        omacp_campaign_state_get(c->state, s->msisdn, seg + 1);
			SendResult r;

			if (st == OMACP_CAMPAIGN_SEG_SENT)
				continue;
			if ((st == OMACP_CAMPAIGN_SEG_SENDING || st == OMACP_CAMPAIGN_SEG_DOUBT) &&
			    !resend_in_doubt) {
				any_doubt = TRUE;
				continue;
			}
			r = send_segment(c, s, (guint) i, &m, seg, &fatal);
			if (fatal != NULL) {
				fprintf(stderr, "\nomacpctl campaign: %s\n", fatal->message);
				g_atomic_int_set(&c->fatal, 1);
				return NULL;
			}
			if (r == SEND_SENT) {
				any_sent_now = TRUE;
				g_atomic_int_inc(&c->segments_sent);
			} else if (r == SEND_DOUBT) {
				any_doubt = TRUE;
			} else {
				/* the later segments would be of no use without this one */
				any_failed = TRUE;
				break;
			}
		}
		outcome = any_doubt      ? OUTCOME_DOUBT
		          : any_failed   ? OUTCOME_FAILED
		          : any_sent_now ? OUTCOME_SENT
		                         : OUTCOME_SENT_BEFORE;
		c->outcomes[i] = outcome;
		g_atomic_int_inc(outcome == OUTCOME_DOUBT    ? &c->n_doubt
		                 : outcome == OUTCOME_FAILED ? &c->n_failed
		                 : outcome == OUTCOME_SENT   ? &c->n_sent
		                                             : &c->n_sent_before);
		g_atomic_int_inc(&c->done);
	}
}

/* ------------------------------------------------------- delivery reports */

static char *
query_value(const char *query, const char *name)
{
	g_auto(GStrv) pairs = g_strsplit(query, "&", -1);
	gsize nl = strlen(name);

	for (guint i = 0; pairs[i] != NULL; i++) {
		if (strncmp(pairs[i], name, nl) == 0 && pairs[i][nl] == '=')
			return g_uri_unescape_string(pairs[i] + nl + 1, NULL);
	}
	return NULL;
}

static void
handle_dlr(Campaign *c, GSocketConnection *conn)
{
	g_autoptr(GString) req = g_string_new(NULL);
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
	                         "Content-Length: 3\r\nConnection: close\r\n\r\nok\n";
	static const char bad[] = "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n"
	                          "Connection: close\r\n\r\n";
	char buf[1024];
	char *q;
	char *sp;
	g_autofree char *m = NULL;
	g_autofree char *seg = NULL;
	g_autofree char *st = NULL;
	g_autofree char *msisdn = NULL;
	g_autoptr(GError) error = NULL;
	gint status;

	while (strstr(req->str, "\r\n\r\n") == NULL && req->len < DLR_MAX_REQUEST) {
		gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, NULL);

		if (n <= 0)
			break;
		g_string_append_len(req, buf, n);
	}
	sp = strchr(req->str, ' ');
	q = sp ? strchr(sp, '?') : NULL;
	if (q != NULL) {
		char *end = strchr(q, ' ');

		if (end != NULL)
			*end = '\0';
		m = query_value(q + 1, "m");
		seg = query_value(q + 1, "s");
		st = query_value(q + 1, "st");
	}
	if (m == NULL || seg == NULL || st == NULL || m[0] == '\0') {
		g_output_stream_write_all(out, bad, sizeof bad - 1, NULL, NULL, NULL);
		return;
	}
	msisdn = m[0] == 'i' ? g_strconcat("+", m + 1, NULL) : g_strdup(m);
	status = atoi(st);
	if (!omacp_campaign_state_record_dlr(c->state, msisdn, (guint) atoi(seg), status, &error))
		fprintf(stderr, "\nomacpctl campaign: %s\n", error->message);
	/* Kannel's types: 1 delivered, 2 undeliverable, 16 rejected by the
	 * SMSC are final; 4 buffered and 8 accepted by the SMSC are not. */
	if (status == 1)
		g_atomic_int_inc(&c->dlr_delivered);
	if (status == 2 || status == 16)
		g_atomic_int_inc(&c->dlr_undelivered);
	if (status == 1 || status == 2 || status == 16)
		g_atomic_int_inc(&c->dlr_final);
	g_output_stream_write_all(out, ok, sizeof ok - 1, NULL, NULL, NULL);
}

typedef struct {
	Campaign *campaign;
	GSocketListener *listener;
	GCancellable *cancel;
} DlrServer;

static gpointer
dlr_thread(gpointer data)
{
	DlrServer *d = data;

	for (;;) {
		g_autoptr(GSocketConnection) conn =
		        g_socket_listener_accept(d->listener, NULL, d->cancel, NULL);

		if (conn == NULL) {
			if (g_cancellable_is_cancelled(d->cancel))
				return NULL;
			continue;
		}
		g_socket_set_timeout(g_socket_connection_get_socket(conn), 10);
		handle_dlr(d->campaign, conn);
		g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
	}
}

static gboolean
dlr_listen(DlrServer *d, Campaign *c, GError **error)
{
	g_autoptr(GSocketConnectable) addr = g_network_address_parse(dlr_address, 0, error);
	g_autoptr(GSocketAddressEnumerator) e = NULL;
	g_autoptr(GSocketAddress) sa = NULL;
	const char *host;
	guint16 port;

	if (addr == NULL)
		return FALSE;
	host = g_network_address_get_hostname(G_NETWORK_ADDRESS(addr));
	port = g_network_address_get_port(G_NETWORK_ADDRESS(addr));
	if (port == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("--dlr needs HOST:PORT, got '%s'"), dlr_address);
		return FALSE;
	}
	e = g_socket_connectable_enumerate(addr);
	sa = g_socket_address_enumerator_next(e, NULL, error);
	if (sa == NULL)
		return FALSE;
	d->campaign = c;
	d->listener = g_socket_listener_new();
	d->cancel = g_cancellable_new();
	if (!g_socket_listener_add_address(d->listener, sa, G_SOCKET_TYPE_STREAM,
	                                   G_SOCKET_PROTOCOL_TCP, NULL, NULL, error))
		return FALSE;
	c->dlr_url_base = strchr(host, ':') != NULL
	                          ? g_strdup_printf("http://[%s]:%u/dlr", host, port)
	                          : g_strdup_printf("http://%s:%u/dlr", host, port);
	return TRUE;
}

/* ------------------------------------------------------------- reporting */

static void
progress(Campaign *c, gboolean final)
{
	guint total = c->subscribers->len;
	guint done = (guint) g_atomic_int_get(&c->done);
	guint width = 30;
	guint fill = total ? (guint) ((guint64) done * width / total) : width;
	char bar[64];

	memset(bar, '#', fill);
	memset(bar + fill, '.', width - fill);
	bar[width] = '\0';
	fputc('\r', stderr);
	fprintf(stderr, _("[%s] %u/%u  sent %d  earlier %d  failed %d  in doubt %d"), bar, done,
	        total, g_atomic_int_get(&c->n_sent), g_atomic_int_get(&c->n_sent_before),
	        g_atomic_int_get(&c->n_failed), g_atomic_int_get(&c->n_doubt));
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

static int
run_kannel(Campaign *c)
{
	g_autoptr(GPtrArray) threads = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	DlrServer dlr = { 0 };
	GThread *dlr_t = NULL;
	gboolean show = !no_progress && isatty(STDERR_FILENO);
	gint64 started = g_get_monotonic_time();
	int ret = OMACPCTL_EXIT_OK;

	if (dlr_address != NULL && !dlr_listen(&dlr, c, &error)) {
		fprintf(stderr, _("omacpctl campaign: --dlr %s: %s\n"), dlr_address,
		        error->message);
		g_clear_object(&dlr.listener);
		g_clear_object(&dlr.cancel);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (dlr.listener != NULL)
		dlr_t = g_thread_new("dlr", dlr_thread, &dlr);

	for (gint i = 0; i < concurrency; i++)
		g_ptr_array_add(threads, g_thread_new("send", worker, c));
	while (g_atomic_int_get(&c->done) < (gint) c->subscribers->len &&
	       !g_atomic_int_get(&c->fatal)) {
		if (show)
			progress(c, FALSE);
		g_usleep(G_USEC_PER_SEC / 10);
	}
	for (guint i = 0; i < threads->len; i++)
		g_thread_join(g_ptr_array_index(threads, i));
	if (show)
		progress(c, TRUE);

	if (dlr_t != NULL) {
		gint64 until = g_get_monotonic_time() + (gint64) (dlr_wait * G_USEC_PER_SEC);

		while (g_atomic_int_get(&c->dlr_final) < g_atomic_int_get(&c->segments_sent) &&
		       g_get_monotonic_time() < until)
			g_usleep(G_USEC_PER_SEC / 20);
		g_cancellable_cancel(dlr.cancel);
		g_thread_join(dlr_t);
		g_socket_listener_close(dlr.listener);
		g_clear_object(&dlr.listener);
		g_clear_object(&dlr.cancel);
	}
	if (g_atomic_int_get(&c->fatal))
		return OMACPCTL_EXIT_FAILURE;

	for (guint i = 0; i < c->subscribers->len; i++) {
		const OmacpCampaignSubscriber *s = g_ptr_array_index(c->subscribers, i);

		if (c->outcomes[i] == OUTCOME_FAILED)
			fprintf(stderr, _("omacpctl campaign: line %u: %s not sent: %s\n"), s->line,
			        s->msisdn, c->failure_reason[i] ? c->failure_reason[i] : "?");
		else if (c->outcomes[i] == OUTCOME_DOUBT)
			fprintf(stderr,
			        _("omacpctl campaign: line %u: %s in doubt (may have been sent): "
			          "%s\n"),
			        s->line, s->msisdn,
			        c->failure_reason[i] ? c->failure_reason[i]
			                             : _("an earlier run stopped while sending"));
	}
	fprintf(stderr,
	        _("omacpctl campaign: %u subscribers: %d sent now, %d sent by an earlier run, "
	          "%d not sent, %d in doubt; %d SMS accepted by Kannel in %.1f s\n"),
	        c->subscribers->len, g_atomic_int_get(&c->n_sent),
	        g_atomic_int_get(&c->n_sent_before), g_atomic_int_get(&c->n_failed),
	        g_atomic_int_get(&c->n_doubt), g_atomic_int_get(&c->segments_sent),
	        (gdouble) (g_get_monotonic_time() - started) / G_USEC_PER_SEC);
	if (dlr_address != NULL)
		fprintf(stderr,
		        _("omacpctl campaign: delivery reports: %d delivered, %d not delivered, "
		          "%d SMS without a final report yet\n"),
		        g_atomic_int_get(&c->dlr_delivered), g_atomic_int_get(&c->dlr_undelivered),
		        MAX(0,
		            g_atomic_int_get(&c->segments_sent) - g_atomic_int_get(&c->dlr_final)));
	if (g_atomic_int_get(&c->n_doubt) > 0)
		ret = EXIT_DOUBT;
	else if (g_atomic_int_get(&c->n_failed) > 0)
		ret = EXIT_FAILED;
	return ret;
}

static gboolean
setup_kannel(Campaign *c, const char *csv, GError **error)
{
	const char *scheme;
	g_autofree char *default_state = NULL;
	g_autofree char *id = NULL;

	c->uri = g_uri_parse(kannel_url, G_URI_FLAGS_ENCODED_QUERY, error);
	if (c->uri == NULL)
		return FALSE;
	scheme = g_uri_get_scheme(c->uri);
	if (g_strcmp0(scheme, "http") != 0 || g_uri_get_host(c->uri) == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("--kannel takes an http:// URL of smsbox's sendsms"));
		return FALSE;
	}
	c->host_port = g_strdup_printf("%s:%d", g_uri_get_host(c->uri),
	                               g_uri_get_port(c->uri) > 0 ? g_uri_get_port(c->uri) : 80);
	if (kannel_user == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("--kannel needs --user (a sendsms-user of smsbox)"));
		return FALSE;
	}
	if (kannel_password != NULL) {
		if (!g_file_get_contents(kannel_password, &c->password, NULL, error))
			return FALSE;
		g_strchomp(c->password);
	} else if (g_getenv("OMACP_KANNEL_PASSWORD") != NULL) {
		c->password = g_strdup(g_getenv("OMACP_KANNEL_PASSWORD"));
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("give the sendsms-user password with --kannel-password-file or "
		              "$OMACP_KANNEL_PASSWORD"));
		return FALSE;
	}
	if (concurrency < 1 || concurrency > 256 || retries < 0 || retry_delay < 0 ||
	    http_timeout <= 0 || rate < 0 || dlr_wait < 0 || dlr_mask < 0 || dlr_mask > 31) {
		g_set_error(
		        error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		        _("--concurrency is 1..256, --dlr-mask 0..31; --retries, --retry-delay, "
		          "--timeout, --rate and --dlr-wait cannot be negative"));
		return FALSE;
	}
	if (state_path == NULL)
		state_path = default_state = g_strconcat(csv, ".state", NULL);
	id = campaign_id(c->sec, omacp_encoder_get_wbxml(c->encoder));
	c->state = omacp_campaign_state_open(state_path, id, error);
	if (default_state != NULL)
		state_path = NULL;
	return c->state != NULL;
}

/* --------------------------------------------------------------- the verb */

int
omacpctl_campaign_main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	        _("SUBSCRIBERS.csv — sign one document for every subscriber and send it"));
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) refused = NULL;
	g_autofree char *csv_text = NULL;
	g_autofree char *default_pins = NULL;
	gsize csv_len = 0;
	gboolean has_pin_column = FALSE;
	Campaign c = { 0 };
	int ret;

	g_option_context_set_summary(
	        ctx, _("SUBSCRIBERS.csv has a header row naming msisdn, imsi and optionally pin. "
	               "Without --kannel, prints one JSON object per subscriber (msisdn, "
	               "segments, ud and submit hex per segment).\n"
	               "Exit status: 0 every subscriber done, 1 usage or I/O error, 2 some CSV "
	               "rows refused, 4 some subscribers not sent (run again to retry), 5 some "
	               "in doubt (an earlier run was stopped while sending them)."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	omacpctl_template_add_options(ctx);
	g_option_context_add_main_entries(ctx, entries_after_template, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "omacpctl campaign: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (files == NULL || files[0] == NULL || files[1] != NULL) {
		fprintf(stderr, "%s", _("omacpctl campaign: give exactly one SUBSCRIBERS.csv\n"));
		return OMACPCTL_EXIT_FAILURE;
	}
	if ((document_path == NULL) == (template_name == NULL)) {
		fprintf(stderr, "%s",
		        _("omacpctl campaign: give the document with --document or --template\n"));
		return OMACPCTL_EXIT_FAILURE;
	}
	if (sec_name == NULL || !omacp_sec_from_string(sec_name, &c.sec) ||
	    c.sec == OMACP_SEC_UNKNOWN) {
		fprintf(stderr, "%s",
		        _("omacpctl campaign: --sec none, netwpin, userpin, usernetwpin or "
		          "userpinmac is required\n"));
		return OMACPCTL_EXIT_FAILURE;
	}

	c.encoder = load_document(warnings, &error);
	for (guint i = 0; i < warnings->len; i++)
		fprintf(stderr, "omacpctl campaign: %s\n",
		        (const char *) g_ptr_array_index(warnings, i));
	if (c.encoder == NULL) {
		fprintf(stderr, "omacpctl campaign: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}

	if (!g_file_get_contents(files[0], &csv_text, &csv_len, &error) ||
	    !omacp_campaign_read_csv(files[0], csv_text, csv_len, c.sec, &c.subscribers, &refused,
	                             &has_pin_column, &error)) {
		fprintf(stderr, "omacpctl campaign: %s\n", error->message);
		omacp_encoder_free(c.encoder);
		return OMACPCTL_EXIT_FAILURE;
	}
	for (guint i = 0; i < refused->len; i++) {
		const OmacpCampaignRefusal *r = g_ptr_array_index(refused, i);

		fprintf(stderr, _("omacpctl campaign: %s:%u:%u: row refused: %s\n"), files[0],
		        r->line, r->column, r->message);
	}
	if (pin_file == NULL)
		pin_file = default_pins = g_strconcat(files[0], ".pins", NULL);
	if (!prepare_pins(&c, has_pin_column, pin_file, &error) ||
	    (kannel_url != NULL && !setup_kannel(&c, files[0], &error))) {
		fprintf(stderr, "omacpctl campaign: %s\n", error->message);
		ret = OMACPCTL_EXIT_FAILURE;
		goto out;
	}
	if (default_pins != NULL)
		pin_file = NULL;

	c.outcomes = g_new0(Outcome, c.subscribers->len);
	c.failure_reason = g_new0(char *, c.subscribers->len + 1);
	g_mutex_init(&c.rate_lock);
	g_mutex_init(&c.report_lock);
	ret = kannel_url != NULL ? run_kannel(&c) : run_json(&c);
	if (refused->len > 0) {
		fprintf(stderr, _("omacpctl campaign: %u CSV rows refused (listed above)\n"),
		        refused->len);
		if (ret == OMACPCTL_EXIT_OK)
			ret = EXIT_REFUSED;
	}
	g_mutex_clear(&c.rate_lock);
	g_mutex_clear(&c.report_lock);
out:
	pin_file = NULL;
	g_free(c.outcomes);
	g_strfreev(c.failure_reason);
	g_clear_pointer(&c.uri, g_uri_unref);
	g_free(c.host_port);
	if (c.password != NULL)
		memset(c.password, 0, strlen(c.password));
	g_free(c.password);
	g_free(c.dlr_url_base);
	g_clear_pointer(&c.state, omacp_campaign_state_free);
	g_ptr_array_unref(c.subscribers);
	omacp_encoder_free(c.encoder);
	return ret;
}
