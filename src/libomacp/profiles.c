/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profiles: the settings a user would recognise, derived from a typed
 * document (only valid characteristics are read).
 *
 * Which NAPDEF is what:
 *  - a NAPDEF is an *internet* profile when it is a packet access point with
 *    an APN (BEARER GSM-GPRS or 3G-GSM, or no BEARER and NAP-ADDRTYPE APN;
 *    NAP-ADDRTYPE absent or APN; NAP-ADDRESS not empty) and at least one of:
 *    it carries the INTERNET flag; a non-MMS application (w2, w5, w7, e-mail,
 *    ...) links to it explicitly; no MMS application (w4) uses it. So a
 *    NAPDEF used only by w4 is the MMS access point and nothing else, while a
 *    WAP/browser APN becomes an internet profile (its proxy is then a risk).
 *  - a packet NAPDEF without APN, or a circuit-switched one (GSM-CSD ...),
 *    is reported as kind OTHER (identity "other:napdef:<NAPID>") so that the
 *    user sees it, but no backend applies it;
 *  - a NAPDEF holding a WLAN characteristic (or BEARER WLAN) is a *wlan*
 *    profile, not internet.
 *
 * Identities (stable across messages, so that a later message updates the
 * same profile):
 *  internet:<NAPID>, mms:<w4 NAME, else its NAPDEF's NAPID, else MMSC URL>,
 *  wlan:<SSID>, browser|ds|dm|other apps:<PROVIDER-ID, else NAME, else the
 *  first TO-PROXY/TO-NAPID, else APPID>, email:<smtp|pop3|imap>:<same>
 *  (SMTP and POP3 of one account share their PROVIDER-ID),
 *  other:<APPID>:<same> for applications we do not model,
 *  bootstrap:<PROVURL>.
 *
 * Secrets (AUTHSECRET, AAUTHSECRET, AAUTHDATA, PXAUTH-PW, PASSWORD, WPA/WEP
 * keys) only go into ->secrets; ->settings says "<x>-set". */
#include "profiles.h"

#include <string.h>

#include <libxml/parser.h>

#include "omacp-error.h"

/* @s equals the literal @lit (and is not NULL): the first octet decides
 * most comparisons without a call. */
static inline gboolean
str_is(const char *s, const char *lit)
{
	return s != NULL && s[0] == lit[0] && strcmp(s, lit) == 0;
}

const char *
omacp_profile_kind_to_string(OmacpProfileKind kind)
{
	switch (kind) {
	case OMACP_PROFILE_INTERNET:
		return "internet";
	case OMACP_PROFILE_MMS:
		return "mms";
	case OMACP_PROFILE_WLAN:
		return "wlan";
	case OMACP_PROFILE_BROWSER:
		return "browser";
	case OMACP_PROFILE_EMAIL:
		return "email";
	case OMACP_PROFILE_DS:
		return "ds";
	case OMACP_PROFILE_DM:
		return "dm";
	case OMACP_PROFILE_BOOTSTRAP:
		return "bootstrap";
	case OMACP_PROFILE_OTHER:
		return "other";
	}
	return "other";
}

gboolean
omacp_profile_kind_from_string(const char *text, OmacpProfileKind *out)
{
	for (guint k = OMACP_PROFILE_INTERNET; k <= OMACP_PROFILE_OTHER; k++) {
		if (g_strcmp0(text, omacp_profile_kind_to_string((OmacpProfileKind) k)) == 0) {
			if (out != NULL)
				*out = (OmacpProfileKind) k;
			return TRUE;
		}
	}
	return FALSE;
}

void
omacp_profile_free(OmacpProfile *profile)
{
	if (profile == NULL)
		return;
	g_free(profile->identity);
	g_free(profile->name);
	g_free(profile->imsi);
	g_clear_pointer(&profile->settings, g_variant_unref);
	g_clear_pointer(&profile->secrets, g_variant_unref);
	g_clear_pointer(&profile->risks, g_ptr_array_unref);
	g_clear_pointer(&profile->risk_codes, g_ptr_array_unref);
	g_free(profile);
}

/* ------------------------------------------------------------------------ */
/* Building one profile */

/* Settings and secrets are gathered as {sv} entries, in the order the keys
 * are added (what `omacpctl decode` and the D-Bus properties show), and
 * each made into its a{sv} once, at the end, from that array of children. */
#define DRAFT_INLINE_SETTINGS 24 /* more than any profile kind puts */

typedef struct {
	OmacpProfile *profile;
	GVariant **settings; /* {sv}, floating: inline_settings, or a heap copy when full */
	guint n_settings;
	guint max_settings;
	GPtrArray *secrets; /* GVariant * {sv}, floating */
	GVariant *inline_settings[DRAFT_INLINE_SETTINGS];
} Draft;

static void
draft_init(Draft *d, OmacpProfileKind kind, OmacpOp op, const char *id, const char *name,
           const char *imsi)
{
	OmacpProfile *p = g_new0(OmacpProfile, 1);

	p->kind = kind;
	p->op = op;
	p->identity = g_strconcat(omacp_profile_kind_to_string(kind), ":", id, NULL);
	p->name = g_strdup(name != NULL && *name != '\0' ? name : id);
	p->imsi = g_strdup(imsi);
	p->risks = g_ptr_array_new_with_free_func(g_free);
	p->risk_codes = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
	d->profile = p;
	d->settings = d->inline_settings;
	d->n_settings = 0;
	d->max_settings = DRAFT_INLINE_SETTINGS;
	d->secrets = NULL;
}

/* Appends a {sv} entry (floating) to the settings. */
static void
draft_add(Draft *d, GVariant *entry)
{
	if (d->n_settings == d->max_settings) {
		GVariant **more = g_new(GVariant *, d->max_settings * 2);

		memcpy(more, d->settings, d->n_settings * sizeof *more);
		if (d->settings != d->inline_settings)
			g_free(d->settings);
		d->settings = more;
		d->max_settings *= 2;
	}
	d->settings[d->n_settings++] = entry;
}

/* The a{sv} of the @n @entries (floating). */
static GVariant *
vardict_of(GVariant *const *entries, guint n)
{
	/* the element type is the entries' own: GLib then compares each
	 * entry's type with the first's instead of with a type string */
	return g_variant_ref_sink(
	        g_variant_new_array(n > 0 ? NULL : G_VARIANT_TYPE("{sv}"), entries, n));
}

static void
draft_finish(Draft *d, GPtrArray *out)
{
	OmacpProfile *p = d->profile;

	p->settings = vardict_of(d->settings, d->n_settings);
	if (d->settings != d->inline_settings)
		g_free(d->settings);
	d->settings = NULL;
	if (d->secrets != NULL) {
		p->secrets = vardict_of((GVariant *const *) d->secrets->pdata, d->secrets->len);
		g_clear_pointer(&d->secrets, g_ptr_array_unref);
	}
	g_ptr_array_add(out, p);
	d->profile = NULL;
}

/* {sv} entries are made directly: g_variant_builder_add() would parse a
 * format string for each. */
static GVariant *
sv_entry(const char *key, GVariant *value)
{
	return g_variant_new_dict_entry(g_variant_new_string(key), g_variant_new_variant(value));
}

/* Most of what a profile costs is its settings' GVariant tree, four values
 * and a handful of allocations per setting. Two of those are shared: a key
 * (a string literal) is made once per place that puts it, and an entry
 * whose key and value are both constant ("ip-type": "ipv4v6",
 * "password-set": false) is made once altogether. A GVariant is immutable
 * and its reference count atomic, so one instance serves every profile on
 * every thread; the macros below keep one slot per call site and take
 * string literals only (LITERAL() does not compile otherwise). */
#define LITERAL(s) ("" s "")

/* The value in *@slot, made by @make(@a, @b) the first time. */
static GVariant *
shared_once(gsize *slot, GVariant *(*make)(const char *a, const char *b), const char *a,
            const char *b)
{
	if (g_once_init_enter(slot))
		g_once_init_leave(slot, (gsize) g_variant_ref_sink(make(a, b)));
	return g_variant_ref((GVariant *) *slot);
}

static GVariant *
make_key(const char *key, const char *unused)
{
	(void) unused;
	return g_variant_new_string(key);
}

static GVariant *
make_s_entry(const char *key, const char *value)
{
	return sv_entry(key, g_variant_new_string(value));
}

static GVariant *
make_b_entry(const char *key, const char *value)
{
	return sv_entry(key, g_variant_new_boolean(value != NULL));
}

/* GLib (2.74) frees the type information of a container type when its
 * last value goes, and makes it again, under a global lock, for the next:
 * every message would pay for a{sv}, {sv}, aa{ss} ... anew. One empty
 * value of each outer type, made once, keeps them (and, through them, the
 * types of their elements) for the life of the process. */
static void
hold_settings_types(void)
{
	static gsize held;

	if (g_once_init_enter(&held)) {
		/* element types: aa{sv}, aa{ss}, as */
		static const char *const types[] = { "a{sv}", "a{ss}", "s" };
		GPtrArray *values = g_ptr_array_new();

		for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
			g_ptr_array_add(values, g_variant_ref_sink(g_variant_new_array(
			                                G_VARIANT_TYPE(types[i]), NULL, 0)));
		g_once_init_leave(&held, (gsize) values);
	}
}

/* Appends {@key: @value} (@value floating) with the key in *@key_slot. */
static void
put_keyed(Draft *d, gsize *key_slot, const char *key, GVariant *value)
{
	draft_add(d, g_variant_new_dict_entry(shared_once(key_slot, make_key, key, NULL),
	                                      g_variant_new_variant(value)));
}

static void
put_keyed_s(Draft *d, gsize *key_slot, const char *key, const char *value)
{
	if (value != NULL)
		put_keyed(d, key_slot, key, g_variant_new_string(value));
}

/* put_value(d, "key", floating value) */
#define put_value(d, key, value)                                                                   \
	G_STMT_START                                                                               \
	{                                                                                          \
		static gsize key_slot_;                                                            \
		put_keyed((d), &key_slot_, LITERAL(key), (value));                                 \
	}                                                                                          \
	G_STMT_END

/* put_s(d, "key", string or NULL: nothing) */
#define put_s(d, key, value)                                                                       \
	G_STMT_START                                                                               \
	{                                                                                          \
		static gsize key_slot_;                                                            \
		put_keyed_s((d), &key_slot_, LITERAL(key), (value));                               \
	}                                                                                          \
	G_STMT_END

/* put_u(d, "key", guint32) */
#define put_u(d, key, value) put_value((d), key, g_variant_new_uint32(value))

/* put_const_s(d, "key", "value"): both constant, one entry shared */
#define put_const_s(d, key, value)                                                                 \
	G_STMT_START                                                                               \
	{                                                                                          \
		static gsize entry_slot_;                                                          \
		draft_add((d),                                                                     \
		          shared_once(&entry_slot_, make_s_entry, LITERAL(key), LITERAL(value)));  \
	}                                                                                          \
	G_STMT_END

/* put_b(d, "key", gboolean): two shared entries per call site */
#define put_b(d, key, value)                                                                       \
	G_STMT_START                                                                               \
	{                                                                                          \
		static gsize entry_slot_[2];                                                       \
		gboolean b_ = (value) ? 1 : 0;                                                     \
		draft_add((d), shared_once(&entry_slot_[b_], make_b_entry, LITERAL(key),           \
		                           b_ ? "" : NULL));                                       \
	}                                                                                          \
	G_STMT_END

/* Records a secret; returns TRUE when there was one (non-empty). */
static gboolean
put_secret(Draft *d, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return FALSE;
	if (d->secrets == NULL)
		d->secrets = g_ptr_array_sized_new(4);
	g_ptr_array_add(d->secrets, sv_entry(key, g_variant_new_string(value)));
	return TRUE;
}

/* An {ss} entry, for the a{ss} lists (bookmarks, databases), with the key
 * in *@key_slot (shared_once()). */
static GVariant *
ss_entry(gsize *key_slot, const char *key, const char *value)
{
	return g_variant_new_dict_entry(shared_once(key_slot, make_key, key, NULL),
	                                g_variant_new_string(value));
}

/* An {sv} entry (@value floating) with the key in *@key_slot. */
static GVariant *
sv_keyed(gsize *key_slot, const char *key, GVariant *value)
{
	return g_variant_new_dict_entry(shared_once(key_slot, make_key, key, NULL),
	                                g_variant_new_variant(value));
}

/* A risk's stable code and its arguments (NULL ones become ""):
 * RISK("proxy", address, kind) */
typedef struct {
	const char *const *v;
	gsize n;
} RiskCode;
#define RISK(...)                                                                                  \
	((RiskCode){ (const char *const[]){ __VA_ARGS__ },                                         \
	             G_N_ELEMENTS(((const char *const[]){ __VA_ARGS__ })) })

static void G_GNUC_PRINTF(3, 0)
        profile_add_risk_va(OmacpProfile *p, RiskCode code, const char *format, va_list args)
{
	char **v = g_new0(char *, code.n + 1);

	for (gsize i = 0; i < code.n; i++)
		v[i] = g_strdup(code.v[i] != NULL ? code.v[i] : "");
	g_ptr_array_add(p->risks, g_strdup_vprintf(format, args));
	g_ptr_array_add(p->risk_codes, v);
}

static void G_GNUC_PRINTF(3, 4)
        profile_add_risk(OmacpProfile *p, RiskCode code, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	profile_add_risk_va(p, code, format, args);
	va_end(args);
}

/* Adds a risk: @code (RISK(code, args...)) and the English sentence. */
static void G_GNUC_PRINTF(3, 4) add_risk(Draft *d, RiskCode code, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	profile_add_risk_va(d->profile, code, format, args);
	va_end(args);
}

/* ------------------------------------------------------------------------ */
/* Small helpers
 *
 * The document is read in place (loops over the parms and children of a
 * characteristic) rather than through the provdoc calls that return new
 * arrays: deriving profiles allocates little more than the profiles. */

static gboolean
char_live(const OmacpCharacteristic *c)
{
	return c->op == OMACP_OP_SET && c->valid;
}

/* The next valid, SET child of @type at or after *@i (which moves past it),
 * as omacp_characteristic_children() lists them. */
static const OmacpCharacteristic *
next_child(const OmacpCharacteristic *c, const char *type, guint *i)
{
	while (*i < c->children->len) {
		const OmacpCharacteristic *child = g_ptr_array_index(c->children, (*i)++);

		if (char_live(child) && strcmp(child->type, type) == 0)
			return child;
	}
	return NULL;
}

static const OmacpCharacteristic *
first_child(const OmacpCharacteristic *c, const char *type)
{
	guint i = 0;

	return next_child(c, type, &i);
}

/* The next value of the parm @name at or after *@i, as
 * omacp_characteristic_get_all() lists them. */
static const char *
next_value(const OmacpCharacteristic *c, const char *name, guint *i)
{
	while (*i < c->parms->len) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, (*i)++);

		if (parm->op == OMACP_OP_SET && parm->valid && parm->value != NULL &&
		    strcmp(parm->name, name) == 0)
			return parm->value;
	}
	return NULL;
}

static gboolean
parse_port(const char *text, guint32 *out)
{
	guint64 n = 0;

	if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, 65535, &n, NULL))
		return FALSE;
	*out = (guint32) n;
	return TRUE;
}

#define QUAD_LEN 16 /* "255.255.255.255" and its NUL */

/* @n in decimal at @out (at most 10 characters, no NUL); returns the
 * length. */
static guint
put_decimal(char *out, guint32 n)
{
	char digits[10];
	guint len = 0;

	do {
		digits[len++] = (char) ('0' + n % 10);
		n /= 10;
	} while (n > 0);
	for (guint i = 0; i < len; i++)
		out[i] = digits[len - 1 - i];
	return len;
}

/* "host:port", "[v6host]:port" or "host" as a new string. */
static char *
host_port(const char *host, gboolean have_port, guint32 port)
{
	gsize n = strlen(host);
	gboolean v6 = have_port && strchr(host, ':') != NULL;
	char *out = g_malloc(n + 2 + 1 + 10 + 1);
	char *p = out;

	if (v6)
		*p++ = '[';
	memcpy(p, host, n);
	p += n;
	if (v6)
		*p++ = ']';
	if (have_port) {
		*p++ = ':';
		p += put_decimal(p, port);
	}
	*p = '\0';
	return out;
}

/* "192.168.094.023" → "192.168.94.23": operators zero-pad dotted quads,
 * which most resolvers would read as octal. Anything else is kept. Returns
 * @host itself or @buf. */
static const char *
normalise_host(const char *host, char buf[QUAD_LEN])
{
	guint value[4];
	const char *p = host;

	for (guint i = 0; i < 4; i++) {
		guint digits = 0;

		value[i] = 0;
		while (g_ascii_isdigit(*p) && digits < 4) {
			value[i] = value[i] * 10 + (guint) (*p - '0');
			digits++;
			p++;
		}
		/* one to three digits, at most 255, then a dot (or the end) */
		if (digits == 0 || digits > 3 || value[i] > 255)
			return host;
		if (i < 3 && *p++ != '.')
			return host;
	}
	if (*p != '\0')
		return host;
	for (guint i = 0, at = 0; i < 4; i++) {
		if (i > 0)
			buf[at++] = '.';
		at += put_decimal(buf + at, value[i]);
		buf[at] = '\0';
	}
	return buf;
}

static gboolean
is_ip_literal(const char *host)
{
	if (host == NULL || *host == '\0')
		return FALSE;
	if (strchr(host, ':') != NULL)
		return TRUE;
	for (const char *p = host; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p) && *p != '.')
			return FALSE;
	}
	return TRUE;
}

static gboolean
port_is_wsp(const OmacpCharacteristic *port, guint32 number)
{
	const char *s;
	guint i = 0;

	while ((s = next_value(port, "SERVICE", &i)) != NULL) {
		if (g_str_has_prefix(s, "OTA-HTTP"))
			return FALSE;
		if (g_str_has_suffix(s, "-WSP") || g_str_has_suffix(s, "-WTA"))
			return TRUE;
	}
	/* The registered WSP ports (9200..9203) without SERVICE. */
	return number >= 9200 && number <= 9203;
}

typedef struct {
	char *address; /* "host:port" or "host" */
	gboolean wsp;  /* a WAP (WSP) gateway, not an HTTP proxy */
	guint32 port;  /* 0 when none */
} ProxyInfo;

static void
proxy_info_clear(ProxyInfo *info)
{
	g_clear_pointer(&info->address, g_free);
	info->wsp = FALSE;
}

static gboolean
port_from(const OmacpCharacteristic *c, guint32 *number, gboolean *wsp)
{
	const OmacpCharacteristic *port;
	guint i = 0;

	while ((port = next_child(c, "PORT", &i)) != NULL) {
		guint32 n;

		if (!parse_port(omacp_characteristic_get(port, "PORTNBR"), &n) || n == 0)
			continue;
		*number = n;
		*wsp = port_is_wsp(port, n);
		return TRUE;
	}
	return FALSE;
}

/* A PXPHYSICAL's own address as host:port (its PORT, else its
 * PXLOGICAL's); FALSE when it has no usable address (empty or 0.0.0.0:
 * "no proxy", real operators send both). With @out NULL, only says. */
static gboolean
proxy_of_physical(const OmacpCharacteristic *phys, ProxyInfo *out)
{
	const char *addr = omacp_characteristic_get(phys, "PXADDR");
	char buf[QUAD_LEN];
	const char *host;
	guint32 number = 0;
	gboolean wsp = FALSE;
	gboolean have_port;

	if (addr == NULL || *addr == '\0' || strcmp(addr, "0.0.0.0") == 0)
		addr = omacp_characteristic_get(phys, "PXADDR-FQDN");
	if (addr == NULL || *addr == '\0')
		return FALSE;
	host = normalise_host(addr, buf);
	if (strcmp(host, "0.0.0.0") == 0)
		return FALSE;
	if (out == NULL)
		return TRUE;
	have_port = port_from(phys, &number, &wsp) ||
	            (phys->parent != NULL && port_from(phys->parent, &number, &wsp));
	out->address = host_port(host, have_port, number);
	out->wsp = wsp;
	out->port = have_port ? number : 0;
	return TRUE;
}

/* A piece of a string. */
typedef struct {
	const char *p;
	gsize n;
} Span;

static gboolean
span_equal(Span a, Span b)
{
	return a.n == b.n && g_ascii_strncasecmp(a.p, b.p, a.n) == 0;
}

/* Host part of a URL or of a bare "host[:port][/path]", as written (the
 * callers compare it without regard to ASCII case). FALSE when there is
 * none. */
static gboolean
url_host_span(const char *url, Span *out)
{
	const char *start;
	const char *end;
	const char *at;

	if (url == NULL)
		return FALSE;
	start = strstr(url, "://");
	start = start != NULL ? start + 3 : url;
	end = start + strcspn(start, "/?#");
	at = memchr(start, '@', (gsize) (end - start));
	if (at != NULL)
		start = at + 1;
	if (*start == '[') {
		const char *close = memchr(start, ']', (gsize) (end - start));

		if (close == NULL)
			return FALSE;
		out->p = start + 1;
		out->n = (gsize) (close - start - 1);
	} else {
		const char *colon = memchr(start, ':', (gsize) (end - start));

		out->p = start;
		out->n = (gsize) ((colon != NULL ? colon : end) - start);
	}
	return out->n > 0;
}

/* The host of url_host_span(), lower-cased, as a new string (or NULL). */
static char *
url_host(const char *url)
{
	Span host;

	if (!url_host_span(url, &host))
		return NULL;
	return g_ascii_strdown(host.p, (gssize) host.n);
}

static gboolean
url_is_plain_http(const char *url)
{
	return url != NULL && g_ascii_strncasecmp(url, "http://", 7) == 0;
}

/* The label that names the organisation: "sonera" in mms.sonera.fi,
 * "operator" in wap.operator.co.uk. FALSE for IP literals and single
 * labels. */
static gboolean
org_label_span(Span host, Span *org)
{
	static const char *const second_level[] = {
		"co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", NULL,
	};
	gboolean numeric = TRUE;
	gsize dots = 0;
	gsize ends[3]; /* end of the last, second last and third last labels */
	gsize starts[3];
	guint k = 0;

	for (gsize i = 0; i < host.n; i++) {
		if (host.p[i] == ':')
			return FALSE; /* an IPv6 literal */
		if (host.p[i] == '.')
			dots++;
		else if (!g_ascii_isdigit(host.p[i]))
			numeric = FALSE;
	}
	if (numeric || dots == 0)
		return FALSE;
	/* The labels from the right. */
	ends[0] = host.n;
	for (gsize i = host.n; i > 0 && k < 3; i--) {
		if (host.p[i - 1] == '.') {
			starts[k] = i;
			if (k + 1 < 3)
				ends[k + 1] = i - 1;
			k++;
		}
	}
	if (k < 3)
		starts[k] = 0; /* the leftmost label */
	if (starts[0] == ends[0])
		return FALSE; /* an empty last label */
	if (dots >= 2 && ends[0] - starts[0] == 2) {
		Span second = { host.p + starts[1], ends[1] - starts[1] };

		for (guint i = 0; second_level[i] != NULL; i++) {
			Span word = { second_level[i], strlen(second_level[i]) };

			if (span_equal(second, word)) {
				org->p = host.p + starts[2];
				org->n = ends[2] - starts[2];
				return TRUE;
			}
		}
	}
	org->p = host.p + starts[1];
	org->n = ends[1] - starts[1];
	return TRUE;
}

/* org_label_span() as a new lower-case string, or NULL. */
static char *
org_label(const char *host)
{
	Span org;

	if (host == NULL || is_ip_literal(host))
		return NULL;
	if (!org_label_span((Span){ host, strlen(host) }, &org))
		return NULL;
	return g_ascii_strdown(org.p, (gssize) org.n);
}

/* ------------------------------------------------------------------------ */
/* Small maps from characteristics: a few entries inline, a hash table
 * beyond that (documents may hold thousands of characteristics). */

#define PTR_MAP_INLINE 8

typedef struct {
	gconstpointer keys[PTR_MAP_INLINE];
	gpointer values[PTR_MAP_INLINE];
	guint n;
	GHashTable *table; /* every entry, once there are more than PTR_MAP_INLINE */
} PtrMap;

/* The value of @key (never NULL for a key present), or NULL. */
static gpointer
ptr_map_lookup(const PtrMap *m, gconstpointer key)
{
	if (m->table != NULL)
		return g_hash_table_lookup(m->table, key);
	for (guint i = 0; i < m->n; i++) {
		if (m->keys[i] == key)
			return m->values[i];
	}
	return NULL;
}

/* Sets @key to @value (not NULL), replacing an earlier value. */
static void
ptr_map_insert(PtrMap *m, gconstpointer key, gpointer value)
{
	if (m->table == NULL) {
		for (guint i = 0; i < m->n; i++) {
			if (m->keys[i] == key) {
				m->values[i] = value;
				return;
			}
		}
		if (m->n < PTR_MAP_INLINE) {
			m->keys[m->n] = key;
			m->values[m->n++] = value;
			return;
		}
		m->table = g_hash_table_new(NULL, NULL);
		for (guint i = 0; i < m->n; i++)
			g_hash_table_insert(m->table, (gpointer) m->keys[i], m->values[i]);
	}
	g_hash_table_insert(m->table, (gpointer) key, value);
}

static void
ptr_map_add(PtrMap *m, gconstpointer key)
{
	ptr_map_insert(m, key, GINT_TO_POINTER(1));
}

static gboolean
ptr_map_contains(const PtrMap *m, gconstpointer key)
{
	return ptr_map_lookup(m, key) != NULL;
}

static void
ptr_map_clear(PtrMap *m)
{
	g_clear_pointer(&m->table, g_hash_table_unref);
	m->n = 0;
}

/* ------------------------------------------------------------------------ */
/* Document-wide context */

typedef struct {
	GPtrArray *hosts;      /* distinct domain-name hosts, document order */
	GHashTable *host_org;  /* host → its organisation label */
	GHashTable *org_count; /* organisation label → number of distinct hosts */
	GHashTable *words;     /* lower-case words of every NAME */
} DocHosts;

static void
doc_hosts_free(DocHosts *dh)
{
	if (dh == NULL)
		return;
	g_ptr_array_unref(dh->hosts);
	g_hash_table_unref(dh->host_org);
	g_hash_table_unref(dh->org_count);
	g_hash_table_unref(dh->words);
	g_free(dh);
}

typedef struct {
	const OmacpProvDoc *doc;
	const char *imsi;
	GPtrArray *out;
	GPtrArray *warnings; /* char *, or NULL */
	PtrMap mms_naps;     /* NAPDEFs an MMS application uses */
	PtrMap other_naps;   /* NAPDEFs a link of another application reaches */
	PtrMap nap_proxy;    /* NAPDEF → first usable web PXPHYSICAL leading to it */
	const OmacpCharacteristic *internet_proxy; /* ... for TO-NAPID INTERNET */
	gboolean any_internet;                     /* some NAPDEF carries INTERNET */
	gboolean preferred_done;                   /* an internet profile is marked preferred */
	guint mmsc_checks;                         /* MMS servers checked so far */
	DocHosts *hosts; /* built when a second MMS server needs checking */
} Ctx;

static const char *
app_id(const OmacpCharacteristic *app)
{
	return omacp_characteristic_get(app, "APPID");
}

static gboolean
nap_is_packet_apn(const OmacpCharacteristic *nap)
{
	const char *addrtype = omacp_characteristic_get(nap, "NAP-ADDRTYPE");
	const char *address = omacp_characteristic_get(nap, "NAP-ADDRESS");
	gboolean packet = FALSE;
	gboolean any_bearer = FALSE;
	const char *b;
	guint i = 0;

	while ((b = next_value(nap, "BEARER", &i)) != NULL) {
		any_bearer = TRUE;
		if (strcmp(b, "GSM-GPRS") == 0 || strcmp(b, "3G-GSM") == 0)
			packet = TRUE;
	}
	/* Neither BEARER nor NAP-ADDRTYPE: Symbian defaults to GPRS. */
	if (!any_bearer && (addrtype == NULL || str_is(addrtype, "APN")))
		packet = TRUE;
	return packet && (addrtype == NULL || str_is(addrtype, "APN")) && address != NULL &&
	       *address != '\0';
}

static gboolean
nap_is_wlan(const OmacpCharacteristic *nap)
{
	const char *b;
	guint i = 0;

	if (first_child(nap, "WLAN") != NULL)
		return TRUE;
	while ((b = next_value(nap, "BEARER", &i)) != NULL) {
		if (strcmp(b, "WLAN") == 0)
			return TRUE;
	}
	return FALSE;
}

static void G_GNUC_PRINTF(3, 4)
        ctx_warn(Ctx *ctx, const OmacpCharacteristic *c, const char *format, ...);

static void
ctx_warn(Ctx *ctx, const OmacpCharacteristic *c, const char *format, ...)
{
	va_list args;
	g_autofree char *text = NULL;

	if (ctx->warnings == NULL)
		return;
	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(ctx->warnings, g_strdup_printf("%s: %s", c->path, text));
}

/* The NAPDEF a link leads to (TO-NAPID INTERNET: the first INTERNET one). */
static const OmacpCharacteristic *
link_napdef(const Ctx *ctx, const OmacpLink *link)
{
	OmacpCharacteristic *const *internet;
	guint n = 0;

	if (link->napdef != NULL)
		return link->napdef;
	internet = omacp_provdoc_internet_napdefs(ctx->doc, &n);
	return n > 0 ? internet[0] : NULL;
}

/* The access point of an application: that of its first link. */
static const OmacpCharacteristic *
app_napdef(const Ctx *ctx, const OmacpCharacteristic *app)
{
	const GPtrArray *links = omacp_provdoc_app_links(ctx->doc, app, NULL);

	return links != NULL && links->len > 0 ? link_napdef(ctx, g_ptr_array_index(links, 0))
	                                       : NULL;
}

/* The proxy an application uses to reach @nap: its first link through a
 * proxy with a usable address that leads there (@nap NULL: any). */
static const OmacpCharacteristic *
app_proxy(const Ctx *ctx, const OmacpCharacteristic *app, const OmacpCharacteristic *nap,
          ProxyInfo *info)
{
	const GPtrArray *links = omacp_provdoc_app_links(ctx->doc, app, NULL);

	for (guint i = 0; links != NULL && i < links->len; i++) {
		const OmacpLink *link = g_ptr_array_index(links, i);

		if (link->pxphysical == NULL ||
		    (nap != NULL && link_napdef(ctx, link) != nap &&
		     !(link->napdef == NULL && omacp_characteristic_has(nap, "INTERNET"))))
			continue;
		if (proxy_of_physical(link->pxphysical, info))
			return link->pxphysical;
	}
	return NULL;
}

/* Applications whose traffic is HTTP (and so may go through an HTTP proxy). */
static gboolean
appid_is_http(const char *appid)
{
	return str_is(appid, "w2") || str_is(appid, "w5") || str_is(appid, "w7") ||
	       str_is(appid, "DL");
}

enum {
	USER_MMS = 1 << 0,
	USER_HTTP = 1 << 1,
	USER_OTHER = 1 << 2, /* streaming (554), e-mail, ...: not web traffic */
};

static void
ctx_init(Ctx *ctx, const OmacpProvDoc *doc, const char *imsi, GPtrArray *out)
{
	PtrMap proxy_users = { 0 }; /* PXLOGICAL → USER_* bits */
	guint n_internet = 0;

	ctx->doc = doc;
	ctx->imsi = imsi;
	ctx->out = out;
	omacp_provdoc_internet_napdefs(doc, &n_internet);
	ctx->any_internet = n_internet > 0;

	for (guint i = 0; i < doc->characteristics->len; i++) {
		const OmacpCharacteristic *app = g_ptr_array_index(doc->characteristics, i);
		const char *appid;
		const GPtrArray *links;
		guint user;

		if (!char_live(app) || strcmp(app->type, "APPLICATION") != 0)
			continue;
		appid = app_id(app);
		links = omacp_provdoc_app_links(doc, app, NULL);
		if (links == NULL || links->len == 0)
			continue;
		user = omacp_appid_is_mms(appid) ? USER_MMS
		       : appid_is_http(appid)    ? USER_HTTP
		                                 : USER_OTHER;
		for (guint k = 0; k < links->len; k++) {
			const OmacpLink *link = g_ptr_array_index(links, k);

			if (link->pxlogical != NULL)
				ptr_map_insert(
				        &proxy_users, link->pxlogical,
				        GUINT_TO_POINTER(GPOINTER_TO_UINT(ptr_map_lookup(
				                                 &proxy_users, link->pxlogical)) |
				                         user));
			/* INTERNET NAPDEFs are internet profiles whatever uses
			 * them: never taken over. */
			if (link->napdef != NULL && user != USER_MMS)
				ptr_map_add(&ctx->other_naps, link->napdef);
		}
		/* An MMS application owns only the access point it uses. */
		if (user == USER_MMS) {
			const OmacpCharacteristic *nap = app_napdef(ctx, app);

			if (nap != NULL)
				ptr_map_add(&ctx->mms_naps, nap);
		}
	}

	/* The web proxy of each access point, from each PXPHYSICAL's own
	 * address: PXLOGICALs used by an HTTP application or by none; not one
	 * only MMS or only streaming/e-mail use, not an RTSP port. */
	for (guint i = 0; i < doc->characteristics->len; i++) {
		const OmacpCharacteristic *px = g_ptr_array_index(doc->characteristics, i);
		guint users;
		const OmacpCharacteristic *phys;
		guint k = 0;

		if (!char_live(px) || strcmp(px->type, "PXLOGICAL") != 0)
			continue;
		users = GPOINTER_TO_UINT(ptr_map_lookup(&proxy_users, px));
		if (users != 0 && (users & USER_HTTP) == 0)
			continue;
		while ((phys = next_child(px, "PXPHYSICAL", &k)) != NULL) {
			ProxyInfo info = { 0 };
			const char *to;
			guint t = 0;

			if (!proxy_of_physical(phys, &info))
				continue;
			if (info.port == 554) {
				proxy_info_clear(&info);
				continue;
			}
			proxy_info_clear(&info);
			while ((to = next_value(phys, "TO-NAPID", &t)) != NULL) {
				const OmacpCharacteristic *nap;

				if (strcmp(to, "INTERNET") == 0 && ctx->any_internet) {
					if (ctx->internet_proxy == NULL)
						ctx->internet_proxy = phys;
					continue;
				}
				nap = omacp_provdoc_find_napdef(doc, to);
				if (nap != NULL && !ptr_map_contains(&ctx->nap_proxy, nap))
					ptr_map_insert(&ctx->nap_proxy, nap, (gpointer) phys);
			}
		}
	}
	ptr_map_clear(&proxy_users);
}

static void
ctx_clear(Ctx *ctx)
{
	ptr_map_clear(&ctx->mms_naps);
	ptr_map_clear(&ctx->other_naps);
	ptr_map_clear(&ctx->nap_proxy);
	g_clear_pointer(&ctx->hosts, doc_hosts_free);
}

/* Parms whose values name hosts. APNs are labels, not hosts (an MVNO's APN
 * names the MVNO while its MMSC is the host network's): not among them. */
static gboolean
is_url_parm(const char *name)
{
	switch (name[0]) {
	case 'A':
		return strcmp(name, "ADDR") == 0;
	case 'D':
		return strcmp(name, "DOMAIN") == 0;
	case 'P':
		return strcmp(name, "PROVURL") == 0 || strcmp(name, "PXADDR-FQDN") == 0 ||
		       strcmp(name, "PXADDR") == 0;
	case 'S':
		return strcmp(name, "STARTPAGE") == 0;
	case 'U':
		return strcmp(name, "URI") == 0;
	default:
		return FALSE;
	}
}

static void
add_words(GHashTable *words, const char *text)
{
	g_autofree char *lower = g_ascii_strdown(text, -1);
	char *p = lower;

	while (*p != '\0') {
		char *start;

		while (*p != '\0' && !g_ascii_isalnum(*p))
			p++;
		start = p;
		while (g_ascii_isalnum(*p))
			p++;
		if (p > start)
			g_hash_table_add(words, g_strndup(start, (gsize) (p - start)));
	}
}

/* TRUE when @text has @word as one of its words (runs of ASCII letters and
 * digits), without regard to ASCII case. */
static gboolean
has_word(const char *text, Span word)
{
	const char *p = text;

	while (*p != '\0') {
		const char *start;

		while (*p != '\0' && !g_ascii_isalnum(*p))
			p++;
		start = p;
		while (g_ascii_isalnum(*p))
			p++;
		if (p > start && span_equal((Span){ start, (gsize) (p - start) }, word))
			return TRUE;
	}
	return FALSE;
}

/* Domain-name hosts named anywhere in the document (URLs, proxy names,
 * domains) and the words of every NAME. */
static void
collect_hosts(DocHosts *dh, const OmacpCharacteristic *c)
{
	if (c->op != OMACP_OP_SET || !c->valid)
		return;
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);
		g_autofree char *host = NULL;
		char *org;

		if (parm->op != OMACP_OP_SET || !parm->valid || parm->value == NULL)
			continue;
		if (str_is(parm->name, "NAME")) {
			add_words(dh->words, parm->value);
			continue;
		}
		if (!is_url_parm(parm->name))
			continue;
		host = url_host(parm->value);
		org = org_label(host);
		if (org == NULL || g_hash_table_contains(dh->host_org, host)) {
			g_free(org);
			continue;
		}
		g_hash_table_insert(
		        dh->org_count, g_strdup(org),
		        GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(dh->org_count, org)) +
		                         1));
		g_hash_table_insert(dh->host_org, g_strdup(host), org);
		g_ptr_array_add(dh->hosts, g_steal_pointer(&host));
	}
	for (guint i = 0; i < c->children->len; i++)
		collect_hosts(dh, g_ptr_array_index(c->children, i));
}

static const DocHosts *
ctx_hosts(Ctx *ctx)
{
	if (ctx->hosts == NULL) {
		DocHosts *dh = g_new0(DocHosts, 1);

		dh->hosts = g_ptr_array_new_with_free_func(g_free);
		dh->host_org = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		dh->org_count = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		dh->words = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		for (guint i = 0; i < ctx->doc->characteristics->len; i++)
			collect_hosts(dh, g_ptr_array_index(ctx->doc->characteristics, i));
		ctx->hosts = dh;
	}
	return ctx->hosts;
}

/* One walk over the document for a single MMS server: the same verdict as
 * the tables of ctx_hosts(), without building them. */
typedef struct {
	Span host; /* of the MMS server */
	Span org;
	gboolean named;      /* a NAME has the organisation as a word */
	gboolean other;      /* a domain-name host other than the server's */
	gboolean other_same; /* ... of the same organisation */
	GPtrArray *listed;   /* second walk: other hosts (lower case), at most 6 */
} MmscWalk;

static void
mmsc_walk(MmscWalk *w, const OmacpCharacteristic *c)
{
	if (c->op != OMACP_OP_SET || !c->valid)
		return;
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);
		Span host, org;

		if (parm->op != OMACP_OP_SET || !parm->valid || parm->value == NULL)
			continue;
		if (w->listed == NULL && strcmp(parm->name, "NAME") == 0) {
			w->named |= has_word(parm->value, w->org);
			continue;
		}
		if (!is_url_parm(parm->name) || !url_host_span(parm->value, &host) ||
		    !org_label_span(host, &org) || span_equal(host, w->host))
			continue;
		if (w->listed == NULL) {
			w->other = TRUE;
			w->other_same |= span_equal(org, w->org);
			continue;
		}
		if (w->listed->len < 6) {
			g_autofree char *lower = g_ascii_strdown(host.p, (gssize) host.n);

			if (!g_ptr_array_find_with_equal_func(w->listed, lower, g_str_equal, NULL))
				g_ptr_array_add(w->listed, g_steal_pointer(&lower));
		}
	}
	for (guint i = 0; i < c->children->len; i++)
		mmsc_walk(w, g_ptr_array_index(c->children, i));
}

static void
add_mmsc_risk(Draft *d, const char *host, GPtrArray *others)
{
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < others->len; i++) {
		if (i == 5) {
			g_string_append(text, ", ...");
			break;
		}
		g_string_append_printf(text, "%s%s", i > 0 ? ", " : "",
		                       (const char *) g_ptr_array_index(others, i));
	}
	add_risk(d, RISK("mmsc-foreign-domain", host, text->str),
	         "MMS server %s is outside the operator's domain (the document's other hosts "
	         "are %s): your MMS would go to a third party",
	         host, text->str);
}

/* Conservative: says something only when the MMSC is a domain name, the
 * document names other domains, none of them belongs to the same
 * organisation, and no NAME has that organisation as a word. The first
 * check walks the document; later ones (a document with several w4) use
 * tables built once. */
static void
check_mmsc_domain(Ctx *ctx, Draft *d, const char *mmsc)
{
	g_autofree char *host = NULL;
	g_autoptr(GPtrArray) others = NULL;
	MmscWalk w = { 0 };

	if (!url_host_span(mmsc, &w.host) || !org_label_span(w.host, &w.org))
		return;
	host = g_ascii_strdown(w.host.p, (gssize) w.host.n);
	if (ctx->mmsc_checks++ == 0) {
		for (guint i = 0; i < ctx->doc->characteristics->len; i++)
			mmsc_walk(&w, g_ptr_array_index(ctx->doc->characteristics, i));
		if (w.named || !w.other || w.other_same)
			return;
		others = g_ptr_array_new_with_free_func(g_free);
		w.listed = others;
		for (guint i = 0; i < ctx->doc->characteristics->len; i++)
			mmsc_walk(&w, g_ptr_array_index(ctx->doc->characteristics, i));
	} else {
		g_autofree char *org = g_ascii_strdown(w.org.p, (gssize) w.org.n);
		const DocHosts *dh = ctx_hosts(ctx);
		gboolean self = g_hash_table_contains(dh->host_org, host);
		guint same = GPOINTER_TO_UINT(g_hash_table_lookup(dh->org_count, org));

		if (same > (self ? 1u : 0u) || dh->hosts->len <= (self ? 1u : 0u) ||
		    g_hash_table_contains(dh->words, org))
			return;
		others = g_ptr_array_new();
		for (guint i = 0; i < dh->hosts->len && others->len < 6; i++) {
			if (!g_str_equal(g_ptr_array_index(dh->hosts, i), host))
				g_ptr_array_add(others, g_ptr_array_index(dh->hosts, i));
		}
	}
	add_mmsc_risk(d, host, others);
}

/* apn, username, password-set, auth, ip-type, napid of a NAPDEF. */
static void
put_access_point(Draft *d, const OmacpCharacteristic *nap)
{
	const OmacpCharacteristic *auth = first_child(nap, "NAPAUTHINFO");
	const OmacpCharacteristic *other;
	gboolean both = FALSE;
	guint k = 0;

	/* PAP and CHAP NAPAUTHINFOs together: either method is accepted (no
	 * restriction); the credentials are those of the first that has a
	 * user name. */
	while ((other = next_child(nap, "NAPAUTHINFO", &k)) != NULL) {
		const char *t = omacp_characteristic_get(other, "AUTHTYPE");

		if (auth != NULL && other != auth &&
		    g_strcmp0(t, omacp_characteristic_get(auth, "AUTHTYPE")) != 0)
			both = TRUE;
		if (omacp_characteristic_get(auth, "AUTHNAME") == NULL &&
		    omacp_characteristic_get(other, "AUTHNAME") != NULL)
			auth = other;
	}

	put_s(d, "napid", omacp_characteristic_get(nap, "NAPID"));
	if (nap_is_packet_apn(nap))
		put_s(d, "apn", omacp_characteristic_get(nap, "NAP-ADDRESS"));
	if (auth != NULL) {
		const char *type = omacp_characteristic_get(auth, "AUTHTYPE");
		const char *user = omacp_characteristic_get(auth, "AUTHNAME");

		if (both)
			; /* any method */
		else if (str_is(type, "PAP"))
			put_const_s(d, "auth", "pap");
		else if (str_is(type, "CHAP") || str_is(type, "MD5"))
			put_const_s(d, "auth", "chap"); /* MD5: CHAP with MD5, the only CHAP */
		if (user != NULL && *user != '\0')
			put_s(d, "username", user);
		put_b(d, "password-set",
		      put_secret(d, "password", omacp_characteristic_get(auth, "AUTHSECRET")));
	} else {
		put_b(d, "password-set", FALSE);
	}
	/* LOCAL-ADDRTYPE is the format of LOCAL-ADDR (Windows' NAPDEF
	 * documentation), not the family of the connection. */
	put_const_s(d, "ip-type", "ipv4v6");
}

/* ------------------------------------------------------------------------ */
/* NAPDEF-based profiles */

static const OmacpCharacteristic *next_top(const OmacpProvDoc *doc, const char *type, guint *i);

/* What the document says that no profile carries: one warning each, so
 * that nothing is dropped silently. */
static void
warn_unused(Ctx *ctx)
{
	static const char *const napdef_parms[] = { "LINGER", "T-BIT", "LOCAL-ADDR" };
	const OmacpCharacteristic *c;
	guint i = 0;

	while ((c = next_top(ctx->doc, "NAPDEF", &i)) != NULL) {
		const OmacpCharacteristic *child;
		guint k = 0;

		for (guint p = 0; p < G_N_ELEMENTS(napdef_parms); p++) {
			if (omacp_characteristic_has(c, napdef_parms[p]))
				ctx_warn(ctx, c, "%s is not used by this device", napdef_parms[p]);
		}
		while ((child = next_child(c, "VALIDITY", &k)) != NULL)
			ctx_warn(ctx, child,
			         "VALIDITY (the networks the access point is for) is not checked: "
			         "the access point is used on any network");
	}
	for (i = 0; i < ctx->doc->characteristics->len; i++) {
		c = g_ptr_array_index(ctx->doc->characteristics, i);
		if (!char_live(c))
			continue;
		if (str_is(c->type, "CLIENTIDENTITY") || str_is(c->type, "VENDORCONFIG"))
			ctx_warn(ctx, c, "%s is not used by this device", c->type);
		else if (str_is(c->type, "BOOTSTRAP") &&
		         omacp_characteristic_get(c, "PROVURL") == NULL &&
		         omacp_characteristic_has(c, "PROXY-ID"))
			ctx_warn(ctx, c, "the bootstrap PROXY-ID is not used by this device");
	}
}

static void
warn_wlan_unused(Ctx *ctx, const OmacpCharacteristic *wlan)
{
	const OmacpCharacteristic *eap;
	guint k = 0;
	guint n = 0;

	while ((eap = next_child(wlan, "EAP", &k)) != NULL) {
		if (n++ > 0)
			ctx_warn(ctx, eap, "only the first EAP method is used; this one is not");
		if (first_child(eap, "CERT") != NULL)
			ctx_warn(ctx, eap,
			         "CERT is not installed: the certificate must be set up by hand");
	}
}

static void
add_internet(Ctx *ctx, const OmacpCharacteristic *nap)
{
	const char *napid = omacp_characteristic_get(nap, "NAPID");
	guint k = 0;
	const char *bearer = NULL;
	const char *b;
	g_autoptr(GPtrArray) dns = NULL;
	g_autoptr(GPtrArray) dns_text = g_ptr_array_new_with_free_func(g_free);
	const OmacpCharacteristic *info;
	const char *addr;
	Draft d;

	/* The bearer that made it an internet access point. */
	while ((b = next_value(nap, "BEARER", &k)) != NULL) {
		if (bearer == NULL || (strcmp(b, "GSM-GPRS") == 0 || strcmp(b, "3G-GSM") == 0)) {
			gboolean packet = strcmp(b, "GSM-GPRS") == 0 || strcmp(b, "3G-GSM") == 0;

			bearer = b;
			if (packet)
				break;
		}
	}
	k = 0;
	while ((addr = next_value(nap, "DNS-ADDR", &k)) != NULL) {
		if (dns == NULL)
			dns = g_ptr_array_new();
		g_ptr_array_add(dns, (gpointer) addr);
	}
	k = 0;
	while ((info = next_child(nap, "DNS-ADDRINFO", &k)) != NULL) {
		addr = omacp_characteristic_get(info, "DNS-ADDR");
		if (addr == NULL)
			continue;
		if (dns == NULL)
			dns = g_ptr_array_new();
		g_ptr_array_add(dns, (gpointer) addr);
	}

	draft_init(&d, OMACP_PROFILE_INTERNET, OMACP_OP_SET, napid,
	           omacp_characteristic_get(nap, "NAME"), ctx->imsi);
	put_access_point(&d, nap);
	if (bearer != NULL)
		put_s(&d, "bearer", bearer);
	/* The one to prefer: flagged INTERNET, else (none is) the first. */
	if (omacp_characteristic_has(nap, "INTERNET") ||
	    (!ctx->any_internet && !ctx->preferred_done)) {
		put_b(&d, "preferred", TRUE);
		ctx->preferred_done = TRUE;
	} else {
		put_b(&d, "preferred", FALSE);
	}
	if (dns != NULL) {
		g_autofree char *joined = NULL;

		/* "010.001.002.003" → "10.1.2.3" (provdoc dropped what is not an
		 * address): NetworkManager refuses the whole connection else. */
		for (guint i = 0; i < dns->len; i++) {
			char buf[QUAD_LEN];

			g_ptr_array_add(dns_text,
			                g_strdup(normalise_host(g_ptr_array_index(dns, i), buf)));
			g_ptr_array_index(dns, i) = g_ptr_array_index(dns_text, i);
		}
		g_ptr_array_add(dns, NULL);
		put_value(&d, "dns", g_variant_new_strv((const char *const *) dns->pdata, -1));
		joined = g_strjoinv(", ", (char **) dns->pdata);
		add_risk(&d, RISK("dns", joined),
		         "DNS servers set by the message (%s): they would see and could redirect "
		         "every name you look up",
		         joined);
	}

	{
		const OmacpCharacteristic *phys = ptr_map_lookup(&ctx->nap_proxy, nap);
		ProxyInfo proxy = { 0 };

		if (phys == NULL && omacp_characteristic_has(nap, "INTERNET"))
			phys = ctx->internet_proxy;
		if (phys != NULL && proxy_of_physical(phys, &proxy)) {
			g_autoptr(GPtrArray) domains = omacp_characteristic_get_all(phys, "DOMAIN");
			g_autoptr(GPtrArray) more =
			        omacp_characteristic_get_all(phys->parent, "DOMAIN");

			g_ptr_array_extend_and_steal(domains, g_steal_pointer(&more));
			if (proxy.wsp) {
				put_s(&d, "wap-gateway", proxy.address);
			} else if (domains->len > 0) {
				/* Only for those domains (ProvCont DOMAIN). */
				g_autofree char *joined = NULL;

				g_ptr_array_add(domains, NULL);
				joined = g_strjoinv(", ", (char **) domains->pdata);
				put_s(&d, "proxy", proxy.address);
				put_value(&d, "proxy-domains",
				          g_variant_new_strv((const char *const *) domains->pdata,
				                             -1));
				add_risk(&d, RISK("proxy-domains", proxy.address, joined),
				         "HTTP proxy %s on the internet access point for %s: "
				         "traffic to "
				         "those domains would go through it",
				         proxy.address, joined);
			} else {
				put_s(&d, "proxy", proxy.address);
				add_risk(&d, RISK("proxy", proxy.address, "internet"),
				         "HTTP proxy %s on the internet access point: web traffic "
				         "would go through it",
				         proxy.address);
			}
			proxy_info_clear(&proxy);
		}
	}
	draft_finish(&d, ctx->out);
}

static void
add_other_napdef(Ctx *ctx, const OmacpCharacteristic *nap)
{
	const char *napid = omacp_characteristic_get(nap, "NAPID");
	const char *address = omacp_characteristic_get(nap, "NAP-ADDRESS");
	const char *addrtype = omacp_characteristic_get(nap, "NAP-ADDRTYPE");
	const char *bearer = omacp_characteristic_get(nap, "BEARER");
	g_autofree char *id = g_strconcat("napdef:", napid, NULL);
	Draft d;

	draft_init(&d, OMACP_PROFILE_OTHER, OMACP_OP_SET, id, omacp_characteristic_get(nap, "NAME"),
	           ctx->imsi);
	put_const_s(&d, "type", "napdef");
	put_s(&d, "napid", napid);
	put_s(&d, "bearer", bearer);
	put_s(&d, "address", address);
	put_s(&d, "address-type", addrtype);
	if (address != NULL &&
	    (str_is(addrtype, "E164") || (bearer != NULL && g_str_has_suffix(bearer, "-CSD"))))
		add_risk(&d, RISK("dial-up", address),
		         "dial-up access point: the device would call %s (circuit-switched data, "
		         "may be charged per minute)",
		         address);
	draft_finish(&d, ctx->out);
}

static void
add_wlan(Ctx *ctx, const OmacpCharacteristic *wlan, const OmacpCharacteristic *nap)
{
	const char *ssid = omacp_characteristic_get(wlan, "PRI-SSID");
	const char *secmode = omacp_characteristic_get(wlan, "SECMODE");
	const char *netmode = omacp_characteristic_get(wlan, "NETMODE");
	const char *psk = omacp_characteristic_get(wlan, "WPA-PRES-KEY-ASC");
	const OmacpCharacteristic *eap = first_child(wlan, "EAP");
	gboolean have_wepkeys = first_child(wlan, "WEPKEY") != NULL;
	const OmacpCharacteristic *key;
	const char *security;
	gboolean key_set = FALSE;
	guint k = 0;
	Draft d;

	/* PRI-U-SSID is the SSID used to connect (Symbian's "used SSID");
	 * PRI-H-SSID is a flag (hidden network), never a name. */
	if (omacp_characteristic_get(wlan, "PRI-U-SSID") != NULL)
		ssid = omacp_characteristic_get(wlan, "PRI-U-SSID");
	if (ssid == NULL || *ssid == '\0')
		return;
	if (psk == NULL)
		psk = omacp_characteristic_get(wlan, "WPA-PRES-KEY-HEX");

	if (str_is(secmode, "WEP") || (secmode == NULL && have_wepkeys))
		security = "wep";
	else if (str_is(secmode, "WPA-PRESHARED-KEY"))
		security = "wpa-psk";
	else if (str_is(secmode, "WPA2-PRESHARED-KEY"))
		security = "wpa2-psk";
	else if (str_is(secmode, "WPA"))
		security = psk != NULL ? "wpa-psk" : "wpa-eap"; /* Symbian: a PSK means PSK mode */
	else if (str_is(secmode, "WPA2"))
		security = psk != NULL ? "wpa2-psk" : "wpa2-eap";
	else if (str_is(secmode, "8021X"))
		security = "ieee8021x";
	else
		security = "none";

	warn_wlan_unused(ctx, wlan);
	draft_init(&d, OMACP_PROFILE_WLAN, OMACP_OP_SET, ssid,
	           nap != NULL ? omacp_characteristic_get(nap, "NAME") : ssid, ctx->imsi);
	put_s(&d, "ssid", ssid);
	put_b(&d, "hidden", omacp_characteristic_has(wlan, "PRI-H-SSID"));
	if (str_is(netmode, "ADHOC"))
		put_const_s(&d, "mode", "adhoc");
	else
		put_const_s(&d, "mode", "infrastructure");
	put_s(&d, "security", security);
	if (nap != NULL)
		put_s(&d, "napid", omacp_characteristic_get(nap, "NAPID"));
	put_b(&d, "psk-set", put_secret(&d, "psk", psk));
	if (eap != NULL) {
		const char *type = omacp_characteristic_get(eap, "EAPTYPE");
		g_autofree char *lower =
		        type != NULL ? g_ascii_strdown(
		                               g_str_has_prefix(type, "EAP-") ? type + 4 : type, -1)
		                     : NULL;

		put_s(&d, "eap-type", lower);
		put_s(&d, "username", omacp_characteristic_get(eap, "USERNAME"));
		put_b(&d, "password-set",
		      put_secret(&d, "password", omacp_characteristic_get(eap, "PASSWORD")));
	} else {
		put_b(&d, "password-set", FALSE);
	}
	/* The four keys by INDEX (0..3; Symbian stores them so), the default
	 * one (WEPKEYIND) and the authentication (WEPAUTHMODE). */
	while ((key = next_child(wlan, "WEPKEY", &k)) != NULL) {
		const char *index = omacp_characteristic_get(key, "INDEX");
		guint64 n = 0;
		g_autofree char *name = NULL;

		if (index != NULL && !g_ascii_string_to_unsigned(index, 10, 0, 3, &n, NULL))
			continue;
		name = g_strdup_printf("wep-key%u", (guint) n);
		key_set |= put_secret(&d, name, omacp_characteristic_get(key, "DATA"));
	}
	if (have_wepkeys) {
		const char *ind = omacp_characteristic_get(wlan, "WEPKEYIND");
		const char *mode = omacp_characteristic_get(wlan, "WEPAUTHMODE");
		guint64 n = 0;

		put_b(&d, "wep-key-set", key_set);
		if (ind != NULL && g_ascii_string_to_unsigned(ind, 10, 0, 3, &n, NULL))
			put_u(&d, "wep-key-index", (guint32) n);
		if (str_is(mode, "SHARED"))
			put_const_s(&d, "wep-auth", "shared");
		else if (str_is(mode, "OPEN"))
			put_const_s(&d, "wep-auth", "open");
	}
	if (str_is(security, "none"))
		add_risk(&d, RISK("open-wlan", ssid),
		         "open WLAN %s: traffic over it is not encrypted", ssid);
	else if (str_is(security, "wep"))
		add_risk(&d, RISK("wep", ssid), "WLAN %s uses WEP, which offers no real protection",
		         ssid);
	draft_finish(&d, ctx->out);
}

/* ------------------------------------------------------------------------ */
/* APPLICATION-based profiles */

/* PROVIDER-ID, else NAME, else the first link, else APPID. */
static const char *
app_ident(const OmacpCharacteristic *app)
{
	const char *keys[] = { "PROVIDER-ID", "NAME", "TO-PROXY", "TO-NAPID", "APPID" };

	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		const char *value = omacp_characteristic_get(app, keys[i]);

		if (value != NULL && *value != '\0')
			return value;
	}
	return "unnamed";
}

/* ADDR, else the first APPADDR's ADDR (with that APPADDR's PORT). */
static const char *
app_address(const OmacpCharacteristic *app, const OmacpCharacteristic **appaddr)
{
	const char *addr = omacp_characteristic_get(app, "ADDR");
	const OmacpCharacteristic *first = first_child(app, "APPADDR");

	if (appaddr != NULL)
		*appaddr = first;
	if (addr != NULL)
		return addr;
	return first != NULL ? omacp_characteristic_get(first, "ADDR") : NULL;
}

static gboolean
app_port(const OmacpCharacteristic *appaddr, guint32 *number, const char **service)
{
	const OmacpCharacteristic *port;
	guint i = 0;

	if (appaddr == NULL)
		return FALSE;
	while ((port = next_child(appaddr, "PORT", &i)) != NULL) {
		if (parse_port(omacp_characteristic_get(port, "PORTNBR"), number)) {
			if (service != NULL)
				*service = omacp_characteristic_get(port, "SERVICE");
			return TRUE;
		}
	}
	return FALSE;
}

/* ---- MMS routes: an MMSC is an http or https URL with a host, an MMS
 * proxy a host with an optional port; anything else (another scheme,
 * user info, spaces, control characters) never reaches a backend
 * ---- */

/* A host name or IPv4 address (letters, digits, '-', '.', '_'), or with
 * @bracketed the inside of an IPv6 literal. */
static gboolean
mms_host_is_valid(const char *p, gsize n, gboolean bracketed)
{
	if (n == 0 || n > 253)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		char c = p[i];

		if (bracketed ? !(g_ascii_isxdigit(c) || c == ':' || c == '.')
		              : !(g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_'))
			return FALSE;
	}
	return TRUE;
}

/* "" or ":" and 1..65535 at @p, up to @end. */
static gboolean
mms_port_is_valid(const char *p, const char *end)
{
	guint64 port = 0;

	if (p == end)
		return TRUE;
	if (*p != ':' || end - p < 2 || end - p > 6)
		return FALSE;
	for (p++; p < end; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
		port = port * 10 + (guint64) (*p - '0');
	}
	return port >= 1 && port <= 65535;
}

/* "host", "host:port", "[v6]" or "[v6]:port" from @start up to @end. */
static gboolean
mms_authority_is_valid(const char *start, const char *end)
{
	const char *colon;

	if (start < end && *start == '[') {
		const char *close = memchr(start, ']', (gsize) (end - start));

		return close != NULL &&
		       mms_host_is_valid(start + 1, (gsize) (close - start - 1), TRUE) &&
		       mms_port_is_valid(close + 1, end);
	}
	colon = memchr(start, ':', (gsize) (end - start));
	if (colon != NULL && memchr(colon + 1, ':', (gsize) (end - colon - 1)) != NULL)
		return mms_host_is_valid(start, (gsize) (end - start), TRUE); /* bare IPv6 */
	return mms_host_is_valid(start, (gsize) ((colon != NULL ? colon : end) - start), FALSE) &&
	       mms_port_is_valid(colon != NULL ? colon : end, end);
}

static gboolean
mms_is_printable_ascii(const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7F)
			return FALSE;
	}
	return TRUE;
}

static gboolean
mmsc_is_valid(const char *url)
{
	const char *start;
	const char *end;

	if (g_ascii_strncasecmp(url, "http://", 7) == 0)
		start = url + 7;
	else if (g_ascii_strncasecmp(url, "https://", 8) == 0)
		start = url + 8;
	else
		return FALSE;
	if (!mms_is_printable_ascii(url))
		return FALSE;
	end = start + strcspn(start, "/?#");
	return memchr(start, '@', (gsize) (end - start)) == NULL &&
	       mms_authority_is_valid(start, end);
}

static gboolean
mms_proxy_is_valid(const char *address)
{
	return mms_is_printable_ascii(address) &&
	       mms_authority_is_valid(address, address + strlen(address));
}

/* Leaves out of @d an MMSC (*@mmsc) or MMS proxy (@info, not a WSP
 * gateway) that is not valid, with a warning and a risk saying so. */
static void
check_mms_routes(Ctx *ctx, Draft *d, const OmacpCharacteristic *app, const char **mmsc,
                 ProxyInfo *info)
{
	if (*mmsc != NULL && **mmsc != '\0' && !mmsc_is_valid(*mmsc)) {
		g_autofree char *shown = g_strescape(*mmsc, NULL);

		ctx_warn(ctx, app,
		         "MMS centre (MMSC) \"%s\" is not an http or https URL with a host; left "
		         "out",
		         shown);
		add_risk(d, RISK("mmsc-invalid", shown),
		         "MMS centre (MMSC) \"%s\" is not an http or https URL with a host: left "
		         "out, MMS will not work with this profile",
		         shown);
		*mmsc = NULL;
	}
	if (info->address != NULL && !info->wsp && !mms_proxy_is_valid(info->address)) {
		g_autofree char *shown = g_strescape(info->address, NULL);

		ctx_warn(ctx, app, "MMS proxy \"%s\" is not a host with a port; left out", shown);
		add_risk(d, RISK("mms-proxy-invalid", shown),
		         "MMS proxy \"%s\" is not a host with a port: left out", shown);
		g_clear_pointer(&info->address, g_free);
	}
}

static void
add_mms(Ctx *ctx, const OmacpCharacteristic *app)
{
	const OmacpCharacteristic *appaddr = NULL;
	const char *mmsc = app_address(app, &appaddr);
	g_autofree char *mmsc_port = NULL;
	guint32 port = 0;
	const char *name = omacp_characteristic_get(app, "NAME");
	ProxyInfo info = { 0 };
	const OmacpCharacteristic *nap = app_napdef(ctx, app);
	const char *id = name;

	app_proxy(ctx, app, nap, &info);
	Draft d;

	if (id == NULL || *id == '\0')
		id = nap != NULL ? omacp_characteristic_get(nap, "NAPID") : NULL;
	if (id == NULL || *id == '\0')
		id = mmsc != NULL && *mmsc != '\0' ? mmsc : "w4";
	if (name == NULL || *name == '\0')
		name = nap != NULL ? omacp_characteristic_get(nap, "NAME") : "MMS";

	/* The APPADDR's PORT belongs to the MMSC URL. */
	if (mmsc != NULL && omacp_characteristic_get(app, "ADDR") == NULL &&
	    app_port(appaddr, &port, NULL) && port != 0) {
		Span host;

		if (url_host_span(mmsc, &host) && host.p[host.n] != ':' &&
		    !(host.p[host.n] == ']' && host.p[host.n + 1] == ':')) {
			const char *after = host.p + host.n + (host.p[host.n] == ']' ? 1 : 0);

			mmsc_port = g_strdup_printf("%.*s:%u%s", (int) (after - mmsc), mmsc, port,
			                            after);
			mmsc = mmsc_port;
		}
	}

	draft_init(&d, OMACP_PROFILE_MMS, OMACP_OP_SET, id, name, ctx->imsi);
	check_mms_routes(ctx, &d, app, &mmsc, &info);
	put_s(&d, "mmsc", mmsc);
	if (info.address != NULL && info.wsp)
		put_s(&d, "wap-gateway", info.address);
	else if (info.address != NULL)
		put_s(&d, "mms-proxy", info.address);
	if (info.wsp)
		ctx_warn(ctx, app,
		         "MMS through the WAP gateway %s (WSP): mmsd and oFono speak HTTP and get "
		         "no proxy",
		         info.address);
	if (nap != NULL)
		put_access_point(&d, nap);
	else
		put_b(&d, "password-set", FALSE);
	if (mmsc != NULL)
		check_mmsc_domain(ctx, &d, mmsc);
	proxy_info_clear(&info);
	draft_finish(&d, ctx->out);
}

static void
put_app_proxy(Ctx *ctx, Draft *d, const OmacpCharacteristic *app, const char *what)
{
	ProxyInfo info = { 0 };

	if (app_proxy(ctx, app, NULL, &info) != NULL) {
		if (info.wsp) {
			put_s(d, "wap-gateway", info.address);
		} else {
			put_s(d, "proxy", info.address);
			add_risk(d, RISK("proxy", info.address, what),
			         "%s proxy %s: pages would be loaded through it", what,
			         info.address);
		}
		proxy_info_clear(&info);
		return;
	}
}

static void
add_browser(Ctx *ctx, const OmacpCharacteristic *app)
{
	const OmacpCharacteristic *res;
	const char *startpage = NULL;
	const char *name = omacp_characteristic_get(app, "NAME");
	GVariantBuilder list;
	guint k = 0;
	Draft d;

	while ((res = next_child(app, "RESOURCE", &k)) != NULL) {
		if (startpage == NULL && omacp_characteristic_has(res, "STARTPAGE")) {
			startpage = omacp_characteristic_get(res, "URI");
			if (name == NULL)
				name = omacp_characteristic_get(res, "NAME");
		}
	}
	if (startpage == NULL) {
		g_autoptr(GPtrArray) proxies = omacp_provdoc_app_pxlogicals(ctx->doc, app);

		for (guint i = 0; i < proxies->len && startpage == NULL; i++)
			startpage = omacp_characteristic_get(g_ptr_array_index(proxies, i),
			                                     "STARTPAGE");
	}

	draft_init(&d, OMACP_PROFILE_BROWSER, OMACP_OP_SET, app_ident(app), name, ctx->imsi);
	put_s(&d, "startpage", startpage);
	/* bookmarks: aa{ss} */
	g_variant_builder_init(&list, G_VARIANT_TYPE("aa{ss}"));
	k = 0;
	while ((res = next_child(app, "RESOURCE", &k)) != NULL) {
		const char *uri = omacp_characteristic_get(res, "URI");
		const char *title = omacp_characteristic_get(res, "NAME");
		static gsize uri_key, name_key;
		GVariant *bookmark[2];
		guint n = 0;

		bookmark[n++] = ss_entry(&uri_key, "uri", uri != NULL ? uri : "");
		if (title != NULL)
			bookmark[n++] = ss_entry(&name_key, "name", title);
		g_variant_builder_add_value(
		        &list, g_variant_new_array(G_VARIANT_TYPE("{ss}"), bookmark, n));
	}
	put_value(&d, "bookmarks", g_variant_builder_end(&list));
	put_app_proxy(ctx, &d, app, "browser");
	{
		const OmacpCharacteristic *nap = app_napdef(ctx, app);

		if (nap != NULL)
			put_s(&d, "napid", omacp_characteristic_get(nap, "NAPID"));
	}
	k = 0;
	while ((res = next_child(app, "RESOURCE", &k)) != NULL) {
		const char *uri = omacp_characteristic_get(res, "URI");

		if (omacp_characteristic_get(res, "AAUTHSECRET") != NULL && url_is_plain_http(uri))
			add_risk(&d, RISK("bookmark-password", uri),
			         "the password for bookmark %s would be sent unencrypted", uri);
	}
	draft_finish(&d, ctx->out);
}

/* APPAUTH entries: settings "auth" (aa{sv}, no secret), secrets
 * "<level>-password" / "<level>-nonce"; the CLIENT (else first) entry also
 * gives the flat auth-type/username/password-set. Returns TRUE when a
 * password was present. */
static gboolean
put_appauth(Draft *d, const OmacpCharacteristic *app)
{
	const OmacpCharacteristic *main_auth = NULL;
	const OmacpCharacteristic *auth;
	gboolean any_secret = FALSE;
	GVariantBuilder list;
	guint n = 0;
	guint k = 0;

	g_variant_builder_init(&list, G_VARIANT_TYPE("aa{sv}"));
	while ((auth = next_child(app, "APPAUTH", &k)) != NULL) {
		const char *level = omacp_characteristic_get(auth, "AAUTHLEVEL");
		const char *type = omacp_characteristic_get(auth, "AAUTHTYPE");
		const char *user = omacp_characteristic_get(auth, "AAUTHNAME");
		g_autofree char *prefix = level != NULL ? g_ascii_strdown(level, -1)
		                                        : g_strdup_printf("auth%u", n + 1);
		g_autofree char *pw_key = g_strconcat(prefix, "-password", NULL);
		g_autofree char *nonce_key = g_strconcat(prefix, "-nonce", NULL);
		gboolean pw = put_secret(d, pw_key, omacp_characteristic_get(auth, "AAUTHSECRET"));
		gboolean nonce =
		        put_secret(d, nonce_key, omacp_characteristic_get(auth, "AAUTHDATA"));

		n++;
		any_secret |= pw;
		{
			static gsize level_key, type_key, username_key, pw_entry[2], nonce_entry[2];
			GVariant *entry[5];
			guint e = 0;

			if (level != NULL)
				entry[e++] =
				        sv_keyed(&level_key, "level", g_variant_new_string(level));
			if (type != NULL)
				entry[e++] =
				        sv_keyed(&type_key, "type", g_variant_new_string(type));
			if (user != NULL)
				entry[e++] = sv_keyed(&username_key, "username",
				                      g_variant_new_string(user));
			entry[e++] = shared_once(&pw_entry[pw ? 1 : 0], make_b_entry,
			                         "password-set", pw ? "" : NULL);
			entry[e++] = shared_once(&nonce_entry[nonce ? 1 : 0], make_b_entry,
			                         "nonce-set", nonce ? "" : NULL);
			g_variant_builder_add_value(
			        &list, g_variant_new_array(G_VARIANT_TYPE("{sv}"), entry, e));
		}
		if (main_auth == NULL || str_is(level, "CLIENT"))
			main_auth = auth;
	}
	put_value(d, "auth", g_variant_builder_end(&list));
	if (main_auth != NULL) {
		const char *secret = omacp_characteristic_get(main_auth, "AAUTHSECRET");

		put_s(d, "auth-type", omacp_characteristic_get(main_auth, "AAUTHTYPE"));
		put_s(d, "username", omacp_characteristic_get(main_auth, "AAUTHNAME"));
		put_b(d, "password-set", secret != NULL && *secret != '\0');
	} else {
		put_b(d, "password-set", FALSE);
	}
	return any_secret;
}

static void
add_server_app(Ctx *ctx, const OmacpCharacteristic *app, OmacpProfileKind kind)
{
	const OmacpCharacteristic *appaddr = NULL;
	const char *address = app_address(app, &appaddr);
	const char *provider = omacp_characteristic_get(app, "PROVIDER-ID");
	guint32 port = 0;
	gboolean secret;
	Draft d;

	draft_init(&d, kind, OMACP_OP_SET, app_ident(app), omacp_characteristic_get(app, "NAME"),
	           ctx->imsi);
	put_s(&d, "server-id", provider);
	put_s(&d, "name", omacp_characteristic_get(app, "NAME"));
	put_s(&d, "address", address);
	if (app_port(appaddr, &port, NULL))
		put_u(&d, "port", port);
	secret = put_appauth(&d, app);
	{
		const OmacpCharacteristic *nap = app_napdef(ctx, app);

		if (nap != NULL)
			put_s(&d, "napid", omacp_characteristic_get(nap, "NAPID"));
	}
	if (kind == OMACP_PROFILE_DM) {
		put_b(&d, "init", omacp_characteristic_has(app, "INIT"));
		add_risk(&d, RISK("dm-server", address, provider),
		         "device management server %s (%s): a device management server can "
		         "control the device (install, change and erase settings and software)",
		         address != NULL ? address : "(no address)", provider);
	} else {
		static const char *const keys[][2] = { { "uri", "URI" },
			                               { "name", "NAME" },
			                               { "accept", "AACCEPT" },
			                               { "sync-type", "SYNCTYPE" } };
		static gsize key_slots[G_N_ELEMENTS(keys)];
		const OmacpCharacteristic *res;
		GVariantBuilder list;
		guint k = 0;

		g_variant_builder_init(&list, G_VARIANT_TYPE("aa{ss}"));
		while ((res = next_child(app, "RESOURCE", &k)) != NULL) {
			GVariant *database[G_N_ELEMENTS(keys)];
			guint n = 0;

			for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
				const char *v = omacp_characteristic_get(res, keys[i][1]);

				if (v != NULL)
					database[n++] = ss_entry(&key_slots[i], keys[i][0], v);
			}
			g_variant_builder_add_value(
			        &list, g_variant_new_array(G_VARIANT_TYPE("{ss}"), database, n));
		}
		put_value(&d, "databases", g_variant_builder_end(&list));
		add_risk(&d, RISK("ds-server", address),
		         "data synchronisation server %s: it would receive the synchronised data "
		         "(contacts, calendar, ...)",
		         address != NULL ? address : "(no address)");
	}
	if (secret && url_is_plain_http(address))
		add_risk(&d, RISK("plaintext-credentials", address),
		         "credentials would be sent unencrypted to %s", address);
	draft_finish(&d, ctx->out);
}

static void
add_email(Ctx *ctx, const OmacpCharacteristic *app, const char *protocol, guint32 default_port)
{
	const OmacpCharacteristic *appaddr = NULL;
	const char *address = app_address(app, &appaddr);
	const char *service = NULL;
	g_autofree char *host = url_host(address);
	g_autofree char *id = g_strconcat(protocol, ":", app_ident(app), NULL);
	g_autofree char *service_up = NULL;
	const char *security;
	guint32 port = default_port;
	gboolean password;
	Draft d;

	if (!app_port(appaddr, &port, &service))
		port = default_port;
	service_up = service != NULL ? g_ascii_strup(service, -1) : NULL;
	if (service_up != NULL && strstr(service_up, "STARTTLS") != NULL)
		security = "starttls";
	else if (service_up != NULL &&
	         (strstr(service_up, "SSL") != NULL || strstr(service_up, "TLS") != NULL))
		security = "ssl";
	else if (port == 465 || port == 993 || port == 995)
		security = "ssl";
	/* Microsoft's e-mail CSP: SERVICE 995/993/465 means a secure
	 * connection on PORTNBR. */
	else if (str_is(service, "995") || str_is(service, "993") || str_is(service, "465"))
		security = "ssl";
	else
		security = "none";

	draft_init(&d, OMACP_PROFILE_EMAIL, OMACP_OP_SET, id, omacp_characteristic_get(app, "NAME"),
	           ctx->imsi);
	put_s(&d, "protocol", protocol);
	put_s(&d, "host", host);
	put_u(&d, "port", port);
	put_s(&d, "security", security);
	put_s(&d, "from", omacp_characteristic_get(app, "FROM"));
	put_s(&d, "server-id", omacp_characteristic_get(app, "PROVIDER-ID"));
	password = put_appauth(&d, app);
	if (password && str_is(security, "none"))
		add_risk(&d, RISK("plaintext-password", protocol, host),
		         "the %s password would be sent unencrypted to %s", protocol,
		         host != NULL ? host : "(no host)");
	draft_finish(&d, ctx->out);
}

static void
add_other_app(Ctx *ctx, const OmacpCharacteristic *app)
{
	const char *appid = app_id(app);
	g_autofree char *id = g_strdup_printf("%s:%s", appid, app_ident(app));
	Draft d;

	draft_init(&d, OMACP_PROFILE_OTHER, OMACP_OP_SET, id, omacp_characteristic_get(app, "NAME"),
	           ctx->imsi);
	put_const_s(&d, "type", "application");
	put_s(&d, "appid", appid);
	put_s(&d, "server-id", omacp_characteristic_get(app, "PROVIDER-ID"));
	put_s(&d, "address", app_address(app, NULL));
	draft_finish(&d, ctx->out);
}

static void
add_bootstrap(Ctx *ctx, const OmacpCharacteristic *boot)
{
	const char *provurl = omacp_characteristic_get(boot, "PROVURL");
	const char *allow = omacp_characteristic_get(boot, "CONTEXT-ALLOW");
	guint64 n;
	Draft d;

	draft_init(&d, OMACP_PROFILE_BOOTSTRAP, OMACP_OP_SET, provurl,
	           omacp_characteristic_get(boot, "NAME"), ctx->imsi);
	put_s(&d, "name", omacp_characteristic_get(boot, "NAME"));
	put_s(&d, "provurl", provurl);
	if (allow != NULL && g_ascii_string_to_unsigned(allow, 10, 0, 255, &n, NULL))
		put_u(&d, "context-allow", (guint32) n);
	put_s(&d, "proxy-id", omacp_characteristic_get(boot, "PROXY-ID"));
	add_risk(&d, RISK("bootstrap", provurl),
	         "new trusted provisioning server %s: it could send further settings that "
	         "change this device",
	         provurl);
	draft_finish(&d, ctx->out);
}

static void
add_removal(Ctx *ctx, OmacpProfileKind kind, const char *target)
{
	Draft d;

	draft_init(&d, kind, OMACP_OP_REMOVE, target, target, ctx->imsi);
	draft_finish(&d, ctx->out);
}

static gboolean
kind_of_appid(const char *appid, OmacpProfileKind *kind)
{
	if (str_is(appid, "w2"))
		*kind = OMACP_PROFILE_BROWSER;
	else if (omacp_appid_is_mms(appid))
		*kind = OMACP_PROFILE_MMS;
	else if (str_is(appid, "w5"))
		*kind = OMACP_PROFILE_DS;
	else if (str_is(appid, "w7"))
		*kind = OMACP_PROFILE_DM;
	else if (str_is(appid, "25") || str_is(appid, "110") || str_is(appid, "143"))
		*kind = OMACP_PROFILE_EMAIL;
	else
		return FALSE;
	return TRUE;
}

/* MSPROV: <characteristic type="NAPDEF"><nocharacteristic type="<NAPID>"/>
 * removes that access point; under an APPLICATION that carries an APPID the
 * nocharacteristic names the application instance of that kind. */
static void
add_removals(Ctx *ctx)
{
	for (guint i = 0; i < ctx->doc->characteristics->len; i++) {
		const OmacpCharacteristic *c = g_ptr_array_index(ctx->doc->characteristics, i);
		OmacpProfileKind kind = OMACP_PROFILE_OTHER;

		if (c->op != OMACP_OP_SET)
			continue;
		if (str_is(c->type, "NAPDEF"))
			kind = OMACP_PROFILE_INTERNET;
		else if (str_is(c->type, "PXLOGICAL")) {
			for (guint j = 0; j < c->children->len; j++) {
				const OmacpCharacteristic *child =
				        g_ptr_array_index(c->children, j);

				if (child->op == OMACP_OP_REMOVE && child->identifier)
					ctx_warn(ctx, child,
					         "removing a proxy changes no profile: the "
					         "profiles using it keep it until provisioned "
					         "again");
			}
			continue;
		} else if (str_is(c->type, "APPLICATION"))
			kind_of_appid(omacp_characteristic_get(c, "APPID"), &kind);
		else
			continue;
		for (guint j = 0; j < c->children->len; j++) {
			const OmacpCharacteristic *child = g_ptr_array_index(c->children, j);

			if (child->op != OMACP_OP_REMOVE || !child->identifier)
				continue;
			add_removal(ctx, kind, child->type);
			/* Deleting a NAPDEF deletes what uses it (Microsoft,
			 * "Deleting a NAPDEF"): the MMS profile made from it. */
			if (kind == OMACP_PROFILE_INTERNET)
				add_removal(ctx, OMACP_PROFILE_MMS, child->type);
		}
	}
}

/* The valid, SET top-level characteristics of @type, in document order:
 * the next one at or after *@i. */
static const OmacpCharacteristic *
next_top(const OmacpProvDoc *doc, const char *type, guint *i)
{
	while (*i < doc->characteristics->len) {
		const OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, (*i)++);

		if (char_live(c) && strcmp(c->type, type) == 0)
			return c;
	}
	return NULL;
}

GPtrArray *
omacp_profiles_from_doc(const OmacpProvDoc *doc, const char *imsi)
{
	return omacp_profiles_derive(doc, imsi, NULL);
}

/* Names seen so far (not owned): the first few in an array, compared in
 * turn, the rest in a set made only for them, so that N profiles cost N
 * lookups rather than N^2/2 comparisons and a message with a handful of
 * profiles makes no table at all. */
#define NAME_SET_INLINE 8

typedef struct {
	const char *first[NAME_SET_INLINE];
	guint n_first;
	GHashTable *more;
} NameSet;

static gboolean
name_set_contains(const NameSet *set, const char *name)
{
	for (guint i = 0; i < set->n_first; i++) {
		if (strcmp(set->first[i], name) == 0)
			return TRUE;
	}
	return set->more != NULL && g_hash_table_contains(set->more, name);
}

static void
name_set_add(NameSet *set, const char *name)
{
	if (set->n_first < NAME_SET_INLINE) {
		set->first[set->n_first++] = name;
		return;
	}
	if (set->more == NULL)
		set->more = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(set->more, (gpointer) name);
}

static void
name_set_clear(NameSet *set)
{
	g_clear_pointer(&set->more, g_hash_table_unref);
}

GPtrArray *
omacp_profiles_derive(const OmacpProvDoc *doc, const char *imsi, GPtrArray *warnings)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	const OmacpCharacteristic *c;
	Ctx ctx = { 0 };
	guint i = 0;

	g_return_val_if_fail(doc != NULL, out);
	hold_settings_types();
	ctx.warnings = warnings;
	ctx_init(&ctx, doc, imsi, out);

	while ((c = next_top(doc, "NAPDEF", &i)) != NULL) {
		if (nap_is_wlan(c)) {
			const OmacpCharacteristic *wlan;
			guint k = 0;

			while ((wlan = next_child(c, "WLAN", &k)) != NULL)
				add_wlan(&ctx, wlan, c);
		} else if (nap_is_packet_apn(c)) {
			/* Symbian makes access points of INTERNET NAPDEFs and of
			 * those an application links; when no NAPDEF carries
			 * INTERNET, every one MMS does not use. */
			if (omacp_characteristic_has(c, "INTERNET") ||
			    ptr_map_contains(&ctx.other_naps, c) ||
			    (!ctx.any_internet && !ptr_map_contains(&ctx.mms_naps, c)))
				add_internet(&ctx, c);
			else if (!ptr_map_contains(&ctx.mms_naps, c))
				ctx_warn(&ctx, c,
				         "neither flagged INTERNET nor used by an application, "
				         "beside a NAPDEF flagged INTERNET; not offered");
		} else {
			add_other_napdef(&ctx, c);
		}
	}
	i = 0;
	while ((c = next_top(doc, "WLAN", &i)) != NULL)
		add_wlan(&ctx, c, NULL);

	i = 0;
	while ((c = next_top(doc, "APPLICATION", &i)) != NULL) {
		const char *appid = app_id(c);

		if (omacp_appid_is_mms(appid))
			add_mms(&ctx, c);
		else if (str_is(appid, "w2"))
			add_browser(&ctx, c);
		else if (str_is(appid, "w5"))
			add_server_app(&ctx, c, OMACP_PROFILE_DS);
		else if (str_is(appid, "w7"))
			add_server_app(&ctx, c, OMACP_PROFILE_DM);
		else if (str_is(appid, "25"))
			add_email(&ctx, c, "smtp", 25);
		else if (str_is(appid, "110"))
			add_email(&ctx, c, "pop3", 110);
		else if (str_is(appid, "143"))
			add_email(&ctx, c, "imap", 143);
		else
			add_other_app(&ctx, c);
	}

	/* A BOOTSTRAP without PROVURL only names the message (and perhaps a
	 * default proxy): nothing a user would call a setting. */
	i = 0;
	while ((c = next_top(doc, "BOOTSTRAP", &i)) != NULL) {
		if (omacp_characteristic_get(c, "PROVURL") != NULL)
			add_bootstrap(&ctx, c);
	}

	add_removals(&ctx);
	warn_unused(&ctx);
	/* Two internet/MMS profiles of one name would be one oFono context:
	 * the later one is named after its kind too. */
	{
		NameSet seen = { 0 };

		for (guint a = 0; a < out->len; a++) {
			OmacpProfile *p = g_ptr_array_index(out, a);

			if (p->op != OMACP_OP_SET ||
			    (p->kind != OMACP_PROFILE_INTERNET && p->kind != OMACP_PROFILE_MMS))
				continue;
			if (name_set_contains(&seen, p->name)) {
				char *renamed = g_strdup_printf(
				        "%s (%s)", p->name,
				        p->kind == OMACP_PROFILE_MMS
				                ? "MMS"
				                : p->identity + strlen("internet:"));

				g_free(p->name);
				p->name = renamed;
			}
			name_set_add(&seen, p->name);
		}
		name_set_clear(&seen);
	}
	ctx_clear(&ctx);
	return out;
}

/* ------------------------------------------------------------------------ */
/* mobile-broadband-provider-info
 *
 * The database is parsed from octets the caller read (the core opens no
 * file and reads no environment): callers load it once and pass it in. */

typedef struct {
	char *name;
	GPtrArray *apns;  /* char * */
	GPtrArray *mmscs; /* char * */
} MbpiProvider;

struct _OmacpMbpi {
	GPtrArray *providers;   /* MbpiProvider *, owning */
	GHashTable *by_network; /* "mcc-mnc" → GPtrArray of MbpiProvider * (not owning) */
};

static void
mbpi_provider_free(MbpiProvider *p)
{
	g_free(p->name);
	g_ptr_array_unref(p->apns);
	g_ptr_array_unref(p->mmscs);
	g_free(p);
}

void
omacp_mbpi_free(OmacpMbpi *mbpi)
{
	if (mbpi == NULL)
		return;
	g_hash_table_unref(mbpi->by_network);
	g_ptr_array_unref(mbpi->providers);
	g_free(mbpi);
}

static gboolean
xml_is(xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->name != NULL &&
	       strcmp((const char *) node->name, name) == 0;
}

static char *
xml_attr(xmlNode *node, const char *name)
{
	xmlChar *raw = xmlGetProp(node, (const xmlChar *) name);
	char *out;

	if (raw == NULL)
		return NULL;
	out = g_strdup((const char *) raw);
	xmlFree(raw);
	return out;
}

static void
mbpi_walk_provider(xmlNode *node, MbpiProvider *provider, GPtrArray *networks)
{
	for (xmlNode *child = node->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (xml_is(child, "name") && provider->name == NULL) {
			xmlChar *text = xmlNodeGetContent(child);

			provider->name = g_strdup(text != NULL ? (const char *) text : "");
			xmlFree(text);
		} else if (xml_is(child, "network-id")) {
			g_autofree char *mcc = xml_attr(child, "mcc");
			g_autofree char *mnc = xml_attr(child, "mnc");

			if (mcc != NULL && mnc != NULL)
				g_ptr_array_add(networks, g_strdup_printf("%s-%s", mcc, mnc));
		} else if (xml_is(child, "apn")) {
			char *value = xml_attr(child, "value");

			if (value != NULL)
				g_ptr_array_add(provider->apns, value);
			for (xmlNode *sub = child->children; sub != NULL; sub = sub->next) {
				if (xml_is(sub, "mmsc")) {
					xmlChar *text = xmlNodeGetContent(sub);

					if (text != NULL)
						g_ptr_array_add(
						        provider->mmscs,
						        g_strstrip(g_strdup((const char *) text)));
					xmlFree(text);
				}
			}
		} else if (xml_is(child, "gsm")) {
			mbpi_walk_provider(child, provider, networks);
		}
	}
}

static void
mbpi_walk(OmacpMbpi *mbpi, xmlNode *node)
{
	for (xmlNode *child = node->children; child != NULL; child = child->next) {
		if (xml_is(child, "country")) {
			mbpi_walk(mbpi, child);
		} else if (xml_is(child, "provider")) {
			MbpiProvider *p = g_new0(MbpiProvider, 1);
			g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func(g_free);

			p->apns = g_ptr_array_new_with_free_func(g_free);
			p->mmscs = g_ptr_array_new_with_free_func(g_free);
			mbpi_walk_provider(child, p, networks);
			if (networks->len == 0) {
				mbpi_provider_free(p);
				continue;
			}
			if (p->name == NULL)
				p->name = g_strdup("(unnamed operator)");
			g_ptr_array_add(mbpi->providers, p);
			for (guint i = 0; i < networks->len; i++) {
				const char *key = g_ptr_array_index(networks, i);
				GPtrArray *list = g_hash_table_lookup(mbpi->by_network, key);

				if (list == NULL) {
					list = g_ptr_array_new();
					g_hash_table_insert(mbpi->by_network, g_strdup(key), list);
				}
				g_ptr_array_add(list, p);
			}
		}
	}
}

OmacpMbpi *
omacp_mbpi_new_from_data(const char *data, gsize len, GError **error)
{
	xmlDoc *xml;
	xmlNode *root;
	OmacpMbpi *mbpi;

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	if (len > G_MAXINT) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "mbpi: the database is %" G_GSIZE_FORMAT " octets, more than %d", len,
		            G_MAXINT);
		return NULL;
	}
	xml = xmlReadMemory(data != NULL ? data : "", (int) len, "serviceproviders.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	if (xml == NULL) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT,
		                    "mbpi: the database is not well-formed XML");
		return NULL;
	}
	root = xmlDocGetRootElement(xml);
	mbpi = g_new0(OmacpMbpi, 1);
	mbpi->providers = g_ptr_array_new_with_free_func((GDestroyNotify) mbpi_provider_free);
	mbpi->by_network = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                         (GDestroyNotify) g_ptr_array_unref);
	/* Another root: an empty database (no operator is known). */
	if (root != NULL && xml_is(root, "serviceproviders"))
		mbpi_walk(mbpi, root);
	xmlFreeDoc(xml);
	return mbpi;
}

/* The operators of MCC @mcc and MNC @mnc (as the database writes them),
 * or NULL. */
static GPtrArray *
mbpi_providers(const OmacpMbpi *mbpi, const char *mcc, const char *mnc)
{
	g_autofree char *key = g_strdup_printf("%s-%s", mcc, mnc);

	return g_hash_table_lookup(mbpi->by_network, key);
}

gboolean
omacp_mbpi_has_network(const OmacpMbpi *mbpi, const char *mcc, const char *mnc)
{
	GPtrArray *list;

	g_return_val_if_fail(mbpi != NULL && mcc != NULL && mnc != NULL, FALSE);
	list = mbpi_providers(mbpi, mcc, mnc);
	return list != NULL && list->len > 0;
}

static gboolean
list_contains_ci(GPtrArray *list, const char *value)
{
	for (guint i = 0; i < list->len; i++) {
		if (g_ascii_strcasecmp(g_ptr_array_index(list, i), value) == 0)
			return TRUE;
	}
	return FALSE;
}

void
omacp_profiles_check_mbpi(GPtrArray *profiles, const OmacpMbpi *mbpi, const char *imsi)
{
	GPtrArray *providers = NULL;
	g_autofree char *mcc = NULL;
	g_autofree char *mnc = NULL;
	g_autoptr(GPtrArray) apns = NULL;
	g_autoptr(GPtrArray) mmscs = NULL;
	g_autoptr(GString) operators = NULL;
	g_autofree char *apn_list = NULL;

	if (profiles == NULL || mbpi == NULL || imsi == NULL || strlen(imsi) < 6)
		return;
	for (const char *p = imsi; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return;
	}
	mcc = g_strndup(imsi, 3);
	/* Three-digit MNC first, then two. */
	for (guint len = 3; len >= 2 && providers == NULL; len--) {
		g_free(mnc);
		mnc = g_strndup(imsi + 3, len);
		providers = mbpi_providers(mbpi, mcc, mnc);
	}
	if (providers == NULL || providers->len == 0)
		return;

	apns = g_ptr_array_new();
	mmscs = g_ptr_array_new();
	operators = g_string_new(NULL);
	for (guint i = 0; i < providers->len; i++) {
		const MbpiProvider *p = g_ptr_array_index(providers, i);

		g_string_append_printf(operators, "%s%s", i > 0 ? " / " : "", p->name);
		for (guint j = 0; j < p->apns->len; j++) {
			if (!list_contains_ci(apns, g_ptr_array_index(p->apns, j)))
				g_ptr_array_add(apns, g_ptr_array_index(p->apns, j));
		}
		for (guint j = 0; j < p->mmscs->len; j++)
			g_ptr_array_add(mmscs, g_ptr_array_index(p->mmscs, j));
	}
	g_ptr_array_add(apns, NULL);
	apn_list = g_strjoinv(", ", (char **) apns->pdata);
	g_ptr_array_remove_index(apns, apns->len - 1);

	for (guint i = 0; i < profiles->len; i++) {
		OmacpProfile *profile = g_ptr_array_index(profiles, i);
		const char *apn = NULL;
		const char *mmsc = NULL;

		if (profile->op != OMACP_OP_SET || profile->settings == NULL ||
		    (profile->kind != OMACP_PROFILE_INTERNET && profile->kind != OMACP_PROFILE_MMS))
			continue;
		if (g_variant_lookup(profile->settings, "apn", "&s", &apn) && apns->len > 0 &&
		    !list_contains_ci(apns, apn))
			profile_add_risk(profile,
			                 RISK("apn-unknown", apn, operators->str, apn_list),
			                 "APN %s is not listed for %s (MCC %s, MNC %s) "
			                 "in mobile-broadband-provider-info, which "
			                 "lists: %s",
			                 apn, operators->str, mcc, mnc, apn_list);
		if (profile->kind == OMACP_PROFILE_MMS &&
		    g_variant_lookup(profile->settings, "mmsc", "&s", &mmsc) && mmscs->len > 0) {
			g_autofree char *host = url_host(mmsc);
			g_autofree char *org = org_label(host);
			gboolean match = FALSE;
			g_autoptr(GString) listed = g_string_new(NULL);

			for (guint j = 0; j < mmscs->len; j++) {
				g_autofree char *other = url_host(g_ptr_array_index(mmscs, j));
				g_autofree char *other_org = org_label(other);

				if (g_strcmp0(other, host) == 0 ||
				    (org != NULL && g_strcmp0(other_org, org) == 0))
					match = TRUE;
				g_string_append_printf(listed, "%s%s", j > 0 ? ", " : "",
				                       (const char *) g_ptr_array_index(mmscs, j));
			}
			/* Single-label and IP MMSC hosts cannot be judged. */
			if (!match && org != NULL)
				profile_add_risk(
				        profile,
				        RISK("mmsc-unknown", mmsc, operators->str, listed->str),
				        "MMS server %s is not the one "
				        "mobile-broadband-provider-info lists for %s (%s)",
				        mmsc, operators->str, listed->str);
		}
	}
}
