/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The offline half of `omacpctl campaign`: subscriber CSV, PINs, signing
 * and cutting per subscriber, the state journal. */
#include "config.h"

#include "campaign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "omacp-campaign 1 "
/* Longest msisdn: TP-DA holds 20 digits. */
#define MSISDN_MAX_DIGITS 20

void
omacp_campaign_subscriber_free(OmacpCampaignSubscriber *s)
{
	if (s == NULL)
		return;
	g_free(s->msisdn);
	g_free(s->imsi);
	if (s->pin != NULL)
		memset(s->pin, 0, strlen(s->pin));
	g_free(s->pin);
	g_free(s);
}

void
omacp_campaign_refusal_free(OmacpCampaignRefusal *r)
{
	if (r == NULL)
		return;
	g_free(r->message);
	g_free(r);
}

gboolean
omacp_campaign_sec_needs_pin(OmacpSec sec)
{
	return sec == OMACP_SEC_USERPIN || sec == OMACP_SEC_USERNETWPIN ||
	       sec == OMACP_SEC_USERPINMAC;
}

gboolean
omacp_campaign_sec_needs_imsi(OmacpSec sec)
{
	return sec == OMACP_SEC_NETWPIN || sec == OMACP_SEC_USERNETWPIN;
}

/* ------------------------------------------------------------------ CSV */

/* Splits one CSV record. Quoted fields may hold commas and doubled quotes
 * (not line breaks). Returns FALSE with *bad_column set for a stray quote. */
static gboolean
split_record(const char *line, GPtrArray *fields, guint *bad_column)
{
	const char *p = line;

	for (;;) {
		GString *field = g_string_new(NULL);

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0') {
					*bad_column = fields->len + 1;
					g_string_free(field, TRUE);
					return FALSE;
				}
				if (*p == '"' && p[1] == '"') {
					g_string_append_c(field, '"');
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					g_string_append_c(field, *p++);
				}
			}
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0') {
				*bad_column = fields->len + 1;
				g_string_free(field, TRUE);
				return FALSE;
			}
		} else {
			while (*p != ',' && *p != '\0') {
				if (*p == '"') {
					*bad_column = fields->len + 1;
					g_string_free(field, TRUE);
					return FALSE;
				}
				g_string_append_c(field, *p++);
			}
			while (field->len > 0 && (field->str[field->len - 1] == ' ' ||
			                          field->str[field->len - 1] == '\t'))
				g_string_truncate(field, field->len - 1);
		}
		g_ptr_array_add(fields, g_string_free(field, FALSE));
		if (*p == '\0')
			return TRUE;
		p++; /* the comma */
	}
}

static gboolean
all_digits(const char *s, gsize min, gsize max)
{
	gsize n = strlen(s);

	if (n < min || n > max)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
	}
	return TRUE;
}

static void refuse(GPtrArray *refused, guint line, guint column, const char *format, ...)
        G_GNUC_PRINTF(4, 5);

static void
refuse(GPtrArray *refused, guint line, guint column, const char *format, ...)
{
	OmacpCampaignRefusal *r = g_new0(OmacpCampaignRefusal, 1);
	va_list args;

	va_start(args, format);
	r->line = line;
	r->column = column;
	r->message = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(refused, r);
}

enum { COL_MSISDN, COL_IMSI, COL_PIN, N_COLS };
static const char *const col_names[N_COLS] = { "msisdn", "imsi", "pin" };

/* Checks one PIN as the method takes it; NULL when good, else why not. */
static const char *
pin_problem(OmacpSec sec, const char *pin)
{
	if (sec == OMACP_SEC_USERPINMAC)
		return all_digits(pin, OMACP_USERPINMAC_MIN_DIGITS / 2,
		                  OMACP_USERPINMAC_MAX_DIGITS / 2)
		               ? NULL
		               : "a USERPINMAC pin is the first half the user types: 5 to 20 "
		                 "digits";
	if (pin[0] == '\0' || strlen(pin) > OMACP_PIN_MAX_LEN)
		return "the pin must have 1 to 64 characters";
	for (const char *p = pin; *p != '\0'; p++) {
		if ((guchar) *p < 0x20 || *p == 0x7f)
			return "the pin holds a control character";
	}
	return NULL;
}

gboolean
omacp_campaign_read_csv(const char *path, const char *text, gsize len, OmacpSec sec,
                        GPtrArray **out_subscribers, GPtrArray **out_refused,
                        gboolean *has_pin_column, GError **error)
{
	g_autoptr(GPtrArray) subscribers =
	        g_ptr_array_new_with_free_func((GDestroyNotify) omacp_campaign_subscriber_free);
	g_autoptr(GPtrArray) refused =
	        g_ptr_array_new_with_free_func((GDestroyNotify) omacp_campaign_refusal_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) lines = NULL;
	gint cols[N_COLS] = { -1, -1, -1 };
	guint n_fields = 0;
	gboolean header_done = FALSE;

	if (!g_utf8_validate(text, (gssize) len, NULL) || memchr(text, '\0', len) != NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "%s: the subscriber list is not UTF-8 text", path);
		return FALSE;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	{
		g_autofree char *copy = g_strndup(text, len);

		lines = g_strsplit(copy, "\n", -1);
	}
	for (guint i = 0; lines[i] != NULL; i++) {
		guint line = i + 1;
		char *l = lines[i];
		gsize ll = strlen(l);
		g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);
		guint bad_column = 0;
		OmacpCampaignSubscriber *s;
		const char *problem;

		if (ll > 0 && l[ll - 1] == '\r')
			l[--ll] = '\0';
		{
			g_autofree char *trimmed = g_strstrip(g_strdup(l));

			if (trimmed[0] == '\0')
				continue;
		}
		if (!split_record(l, fields, &bad_column)) {
			if (!header_done) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
				            "%s:%u:%u: the header has a stray or unclosed quote",
				            path, line, bad_column);
				return FALSE;
			}
			refuse(refused, line, bad_column, "a stray or unclosed quote");
			continue;
		}
		if (!header_done) {
			for (guint c = 0; c < fields->len; c++) {
				const char *name = g_ptr_array_index(fields, c);
				gboolean known = FALSE;

				for (guint k = 0; k < N_COLS; k++) {
					if (g_ascii_strcasecmp(name, col_names[k]) != 0)
						continue;
					if (cols[k] >= 0) {
						g_set_error(error, OMACP_ERROR,
						            OMACP_ERROR_MALFORMED,
						            "%s:%u:%u: column '%s' appears twice",
						            path, line, c + 1, col_names[k]);
						return FALSE;
					}
					cols[k] = (gint) c;
					known = TRUE;
				}
				if (!known) {
					g_set_error(
					        error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
					        "%s:%u:%u: unknown column '%s' (the header names "
					        "msisdn, imsi and optionally pin)",
					        path, line, c + 1, name);
					return FALSE;
				}
			}
			if (cols[COL_MSISDN] < 0 || cols[COL_IMSI] < 0) {
				g_set_error(
				        error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
				        "%s:%u: the header must name the columns msisdn and imsi "
				        "(found '%s')",
				        path, line, l);
				return FALSE;
			}
			n_fields = fields->len;
			header_done = TRUE;
			continue;
		}
		if (fields->len != n_fields) {
			refuse(refused, line, MIN(fields->len, n_fields) + 1,
			       "%u fields where the header has %u", fields->len, n_fields);
			continue;
		}

		s = g_new0(OmacpCampaignSubscriber, 1);
		s->line = line;
		s->msisdn = g_strdup(g_ptr_array_index(fields, cols[COL_MSISDN]));
		s->imsi = g_strdup(g_ptr_array_index(fields, cols[COL_IMSI]));
		if (cols[COL_PIN] >= 0)
			s->pin = g_strdup(g_ptr_array_index(fields, cols[COL_PIN]));
		if (s->imsi[0] == '\0')
			g_clear_pointer(&s->imsi, g_free);
		if (s->pin != NULL && s->pin[0] == '\0')
			g_clear_pointer(&s->pin, g_free);

		if (!all_digits(s->msisdn + (s->msisdn[0] == '+'), 1, MSISDN_MAX_DIGITS)) {
			refuse(refused, line, (guint) cols[COL_MSISDN] + 1,
			       "msisdn '%s' is not a number (digits, an optional leading '+', "
			       "at most 20 digits)",
			       s->msisdn);
		} else if (s->imsi != NULL && !all_digits(s->imsi, 14, 15)) {
			refuse(refused, line, (guint) cols[COL_IMSI] + 1,
			       "imsi must be 14 or 15 digits");
		} else if (s->imsi == NULL && omacp_campaign_sec_needs_imsi(sec)) {
			refuse(refused, line, (guint) cols[COL_IMSI] + 1,
			       "imsi is empty and %s needs it", omacp_sec_to_string(sec));
		} else if (cols[COL_PIN] >= 0 && s->pin == NULL &&
		           omacp_campaign_sec_needs_pin(sec)) {
			refuse(refused, line, (guint) cols[COL_PIN] + 1,
			       "pin is empty and %s needs it", omacp_sec_to_string(sec));
		} else if (s->pin != NULL && omacp_campaign_sec_needs_pin(sec) &&
		           (problem = pin_problem(sec, s->pin)) != NULL) {
			refuse(refused, line, (guint) cols[COL_PIN] + 1, "%s", problem);
		} else if (g_hash_table_contains(seen, s->msisdn)) {
			refuse(refused, line, (guint) cols[COL_MSISDN] + 1,
			       "msisdn %s already appears on line %u", s->msisdn,
			       GPOINTER_TO_UINT(g_hash_table_lookup(seen, s->msisdn)));
		} else {
			g_hash_table_insert(seen, g_strdup(s->msisdn), GUINT_TO_POINTER(line));
			if (!omacp_campaign_sec_needs_pin(sec) && s->pin != NULL) {
				memset(s->pin, 0, strlen(s->pin));
				g_clear_pointer(&s->pin, g_free);
			}
			g_ptr_array_add(subscribers, s);
			s = NULL;
		}
		omacp_campaign_subscriber_free(s);
	}
	if (!header_done) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "%s: no header row (msisdn,imsi[,pin])", path);
		return FALSE;
	}
	*has_pin_column = cols[COL_PIN] >= 0;
	*out_subscribers = g_steal_pointer(&subscribers);
	*out_refused = g_steal_pointer(&refused);
	return TRUE;
}

/* ------------------------------------------------------------------ PINs */

char *
omacp_campaign_random_pin(guint digits, GError **error)
{
	char *pin = g_malloc0(digits + 1);
	guint have = 0;

	while (have < digits) {
		guint8 buf[64];
		ssize_t n = getrandom(buf, sizeof buf, 0);

		if (n < 0) {
			int saved = errno;

			if (saved == EINTR)
				continue;
			memset(pin, 0, digits + 1);
			g_free(pin);
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
			            "campaign: getrandom failed: %s", g_strerror(saved));
			return NULL;
		}
		/* 250 = 25 × 10: octets from 250 up would favour 0..5 */
		for (ssize_t i = 0; i < n && have < digits; i++) {
			if (buf[i] < 250)
				pin[have++] = (char) ('0' + buf[i] % 10);
		}
		memset(buf, 0, sizeof buf);
	}
	return pin;
}

guint8
omacp_campaign_ref(const char *msisdn)
{
	/* FNV-1a, folded to one octet */
	guint32 h = 2166136261u;

	for (const char *p = msisdn; *p != '\0'; p++) {
		h ^= (guint8) *p;
		h *= 16777619u;
	}
	return (guint8) (h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24));
}

/* ---------------------------------------------------------- sign and cut */

void
omacp_campaign_message_clear(OmacpCampaignMessage *m)
{
	for (guint i = 0; i < m->n_segments; i++) {
		g_clear_pointer(&m->ud[i], g_bytes_unref);
		g_clear_pointer(&m->submit[i], g_bytes_unref);
	}
	m->n_segments = 0;
	if (m->user_pin != NULL)
		memset(m->user_pin, 0, strlen(m->user_pin));
	g_clear_pointer(&m->user_pin, g_free);
}

gboolean
omacp_campaign_wrap(const OmacpEncoder *encoder, OmacpSec sec, const OmacpCampaignSubscriber *s,
                    OmacpCampaignMessage *out, GError **error)
{
	g_autoptr(GBytes) push = NULL;
	g_autoptr(GPtrArray) uds = NULL;
	g_autofree char *user_pin = NULL;
	gsize push_len = 0;
	const guint8 *push_data;
	OmacpSmsEncodeOptions so = {
		.kind = OMACP_SMS_ENCODE_USER_DATA,
		.dst_port = OMACP_WAP_PUSH_PORT,
		.src_port = OMACP_WAP_WSP_PORT,
		.ref = omacp_campaign_ref(s->msisdn),
	};

	push = omacp_encoder_sign(encoder, sec, s->imsi, s->pin,
	                          sec == OMACP_SEC_USERPINMAC ? &user_pin : NULL, error);
	if (push == NULL)
		return FALSE;
	push_data = g_bytes_get_data(push, &push_len);
	uds = omacp_sms_encode_push(push_data, push_len, &so, error);
	if (uds == NULL)
		return FALSE;
	out->n_segments = uds->len;
	for (guint i = 0; i < uds->len; i++) {
		out->ud[i] = g_bytes_ref(g_ptr_array_index(uds, i));
		out->submit[i] = omacp_sms_submit_from_user_data(s->msisdn, out->ud[i], error);
		if (out->submit[i] == NULL) {
			omacp_campaign_message_clear(out);
			return FALSE;
		}
	}
	out->user_pin = g_steal_pointer(&user_pin);
	return TRUE;
}

/* ------------------------------------------------------------- journal */

struct _OmacpCampaignState {
	GMutex lock;
	int fd;
	char *path;
	GHashTable *segs; /* "MSISDN SEG" → OmacpCampaignSegState */
	GHashTable *dlrs; /* MSISDN → status + 1 */
};

static const char *const event_names[] = {
	[OMACP_CAMPAIGN_SEG_NONE] = NULL,         [OMACP_CAMPAIGN_SEG_FAILED] = "failed",
	[OMACP_CAMPAIGN_SEG_SENDING] = "sending", [OMACP_CAMPAIGN_SEG_DOUBT] = "doubt",
	[OMACP_CAMPAIGN_SEG_SENT] = "sent",
};

static void
apply_line(OmacpCampaignState *state, const char *line)
{
	g_auto(GStrv) parts = g_strsplit(line, " ", 4);
	guint n = g_strv_length(parts);

	if (n < 3)
		return;
	if (g_str_equal(parts[0], "dlr")) {
		if (n >= 4)
			g_hash_table_insert(state->dlrs, g_strdup(parts[1]),
			                    GINT_TO_POINTER(atoi(parts[3]) + 1));
		return;
	}
	for (guint e = OMACP_CAMPAIGN_SEG_FAILED; e < G_N_ELEMENTS(event_names); e++) {
		if (g_str_equal(parts[0], event_names[e])) {
			g_hash_table_insert(state->segs,
			                    g_strdup_printf("%s %s", parts[1], parts[2]),
			                    GINT_TO_POINTER(e));
			return;
		}
	}
}

OmacpCampaignState *
omacp_campaign_state_open(const char *path, const char *id, GError **error)
{
	g_autoptr(OmacpCampaignState) state = g_new0(OmacpCampaignState, 1);
	g_autofree char *text = NULL;
	g_autofree char *header = g_strconcat(STATE_MAGIC, id, "\n", NULL);
	gsize len = 0;
	gsize keep;
	g_autoptr(GError) local = NULL;

	g_mutex_init(&state->lock);
	state->fd = -1;
	state->path = g_strdup(path);
	state->segs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	state->dlrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!g_file_get_contents(path, &text, &len, &local)) {
		if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
			            "campaign: state file %s: %s", path, local->message);
			return NULL;
		}
		g_clear_pointer(&text, g_free);
		len = 0;
	}
	/* a line cut by a crash has no newline: drop it */
	keep = len;
	while (keep > 0 && text[keep - 1] != '\n')
		keep--;
	if (keep > 0 && !g_str_has_prefix(text, header)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "campaign: state file %s belongs to another campaign (another document "
		            "or SEC method); give a new --state file",
		            path);
		return NULL;
	}
	state->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (state->fd < 0 || ftruncate(state->fd, (off_t) keep) < 0 ||
	    lseek(state->fd, 0, SEEK_END) < 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED, "campaign: state file %s: %s",
		            path, g_strerror(errno));
		return NULL;
	}
	if (keep == 0) {
		if (write(state->fd, header, strlen(header)) != (ssize_t) strlen(header) ||
		    fsync(state->fd) < 0) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
			            "campaign: state file %s: %s", path, g_strerror(errno));
			return NULL;
		}
	} else {
		g_auto(GStrv) lines = NULL;

		text[keep] = '\0';
		lines = g_strsplit(text, "\n", -1);
		for (guint i = 1; lines[i] != NULL; i++)
			apply_line(state, lines[i]);
	}
	return g_steal_pointer(&state);
}

void
omacp_campaign_state_free(OmacpCampaignState *state)
{
	if (state == NULL)
		return;
	if (state->fd >= 0)
		close(state->fd);
	g_free(state->path);
	g_clear_pointer(&state->segs, g_hash_table_unref);
	g_clear_pointer(&state->dlrs, g_hash_table_unref);
	g_mutex_clear(&state->lock);
	g_free(state);
}

OmacpCampaignSegState
omacp_campaign_state_get(OmacpCampaignState *state, const char *msisdn, guint seg)
{
	g_autofree char *key = g_strdup_printf("%s %u", msisdn, seg);
	OmacpCampaignSegState s;

	g_mutex_lock(&state->lock);
	s = (OmacpCampaignSegState) GPOINTER_TO_INT(g_hash_table_lookup(state->segs, key));
	g_mutex_unlock(&state->lock);
	return s;
}

gint
omacp_campaign_state_get_dlr(OmacpCampaignState *state, const char *msisdn)
{
	gint v;

	g_mutex_lock(&state->lock);
	v = GPOINTER_TO_INT(g_hash_table_lookup(state->dlrs, msisdn)) - 1;
	g_mutex_unlock(&state->lock);
	return v;
}

static gboolean
append(OmacpCampaignState *state, const char *line, gboolean durable, GError **error)
{
	gsize len = strlen(line);
	gsize done = 0;

	while (done < len) {
		ssize_t n = write(state->fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
			            "campaign: writing the state file %s: %s", state->path,
			            g_strerror(errno));
			return FALSE;
		}
		done += (gsize) n;
	}
	if (durable && fdatasync(state->fd) < 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
		            "campaign: syncing the state file %s: %s", state->path,
		            g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* Reasons go on one line, without the separators of the journal. */
static char *
one_line(const char *reason)
{
	char *r = g_strdup(reason != NULL && reason[0] != '\0' ? reason : "-");

	for (char *p = r; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	return r;
}

gboolean
omacp_campaign_state_record(OmacpCampaignState *state, OmacpCampaignSegState what,
                            const char *msisdn, guint seg, const char *reason, GError **error)
{
	g_autofree char *why = one_line(reason);
	g_autofree char *line = NULL;
	gboolean ok;

	g_return_val_if_fail(what > OMACP_CAMPAIGN_SEG_NONE && what < G_N_ELEMENTS(event_names),
	                     FALSE);
	if (what == OMACP_CAMPAIGN_SEG_SENDING || what == OMACP_CAMPAIGN_SEG_SENT)
		line = g_strdup_printf("%s %s %u\n", event_names[what], msisdn, seg);
	else
		line = g_strdup_printf("%s %s %u %s\n", event_names[what], msisdn, seg, why);
	g_mutex_lock(&state->lock);
	/* The intent must be on disk before the request leaves; an outcome
	 * lost with the machine only turns a segment into one in doubt. */
	ok = append(state, line, what == OMACP_CAMPAIGN_SEG_SENDING, error);
	if (ok)
		g_hash_table_insert(state->segs, g_strdup_printf("%s %u", msisdn, seg),
		                    GINT_TO_POINTER(what));
	g_mutex_unlock(&state->lock);
	return ok;
}

gboolean
omacp_campaign_state_record_dlr(OmacpCampaignState *state, const char *msisdn, guint seg,
                                gint status, GError **error)
{
	g_autofree char *line = g_strdup_printf("dlr %s %u %d\n", msisdn, seg, status);
	gboolean ok;

	g_mutex_lock(&state->lock);
	ok = append(state, line, FALSE, error);
	if (ok)
		g_hash_table_insert(state->dlrs, g_strdup(msisdn), GINT_TO_POINTER(status + 1));
	g_mutex_unlock(&state->lock);
	return ok;
}
