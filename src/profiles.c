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
	g_free(profile);
}

/* ------------------------------------------------------------------------ */
/* Building one profile */

typedef struct {
	OmacpProfile *profile;
	GVariantBuilder settings;
	GVariantBuilder secrets;
	guint n_secrets;
} Draft;

static void
draft_init(Draft *d, OmacpProfileKind kind, OmacpOp op, const char *id, const char *name,
           const char *imsi)
{
	OmacpProfile *p = g_new0(OmacpProfile, 1);

	p->kind = kind;
	p->op = op;
	p->identity = g_strdup_printf("%s:%s", omacp_profile_kind_to_string(kind), id);
	p->name = g_strdup(name != NULL && *name != '\0' ? name : id);
	p->imsi = g_strdup(imsi);
	p->risks = g_ptr_array_new_with_free_func(g_free);
	d->profile = p;
	d->n_secrets = 0;
	g_variant_builder_init(&d->settings, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_init(&d->secrets, G_VARIANT_TYPE_VARDICT);
}

static void
draft_finish(Draft *d, GPtrArray *out)
{
	OmacpProfile *p = d->profile;

	p->settings = g_variant_ref_sink(g_variant_builder_end(&d->settings));
	if (d->n_secrets > 0)
		p->secrets = g_variant_ref_sink(g_variant_builder_end(&d->secrets));
	else
		g_variant_builder_clear(&d->secrets);
	g_ptr_array_add(out, p);
	d->profile = NULL;
}

static void
put_s(Draft *d, const char *key, const char *value)
{
	if (value != NULL)
		g_variant_builder_add(&d->settings, "{sv}", key, g_variant_new_string(value));
}

static void
put_b(Draft *d, const char *key, gboolean value)
{
	g_variant_builder_add(&d->settings, "{sv}", key, g_variant_new_boolean(value));
}

static void
put_u(Draft *d, const char *key, guint32 value)
{
	g_variant_builder_add(&d->settings, "{sv}", key, g_variant_new_uint32(value));
}

/* Records a secret; returns TRUE when there was one (non-empty). */
static gboolean
put_secret(Draft *d, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return FALSE;
	g_variant_builder_add(&d->secrets, "{sv}", key, g_variant_new_string(value));
	d->n_secrets++;
	return TRUE;
}

static void G_GNUC_PRINTF(2, 3) add_risk(Draft *d, const char *format, ...);

static void
add_risk(Draft *d, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	g_ptr_array_add(d->profile->risks, g_strdup_vprintf(format, args));
	va_end(args);
}

/* ------------------------------------------------------------------------ */
/* Small helpers */

static const OmacpCharacteristic *
first_child(const OmacpCharacteristic *c, const char *type)
{
	g_autoptr(GPtrArray) children = omacp_characteristic_children(c, type);

	return children->len > 0 ? g_ptr_array_index(children, 0) : NULL;
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

/* "192.168.094.023" → "192.168.94.23": operators zero-pad dotted quads,
 * which most resolvers would read as octal. Anything else is kept. */
static char *
normalise_host(const char *host)
{
	g_auto(GStrv) parts = NULL;
	GString *out;

	if (host == NULL)
		return NULL;
	parts = g_strsplit(host, ".", -1);
	if (g_strv_length(parts) != 4)
		return g_strdup(host);
	for (guint i = 0; i < 4; i++) {
		guint64 n;

		if (parts[i][0] == '\0' || strlen(parts[i]) > 3 ||
		    !g_ascii_string_to_unsigned(parts[i], 10, 0, 255, &n, NULL))
			return g_strdup(host);
	}
	out = g_string_new(NULL);
	for (guint i = 0; i < 4; i++) {
		guint64 n = g_ascii_strtoull(parts[i], NULL, 10);

		g_string_append_printf(out, "%s%u", i > 0 ? "." : "", (guint) n);
	}
	return g_string_free(out, FALSE);
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
	g_autoptr(GPtrArray) services = omacp_characteristic_get_all(port, "SERVICE");

	for (guint i = 0; i < services->len; i++) {
		const char *s = g_ptr_array_index(services, i);

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
	g_autoptr(GPtrArray) ports = omacp_characteristic_children(c, "PORT");

	for (guint i = 0; i < ports->len; i++) {
		const OmacpCharacteristic *port = g_ptr_array_index(ports, i);
		guint32 n;

		if (!parse_port(omacp_characteristic_get(port, "PORTNBR"), &n) || n == 0)
			continue;
		*number = n;
		*wsp = port_is_wsp(port, n);
		return TRUE;
	}
	return FALSE;
}

/* The first usable PXPHYSICAL of a PXLOGICAL, as host:port. An empty or
 * 0.0.0.0 address means "no proxy" (real operators send both). */
static gboolean
proxy_of_pxlogical(const OmacpCharacteristic *px, ProxyInfo *out)
{
	g_autoptr(GPtrArray) physicals = omacp_characteristic_children(px, "PXPHYSICAL");

	for (guint i = 0; i < physicals->len; i++) {
		const OmacpCharacteristic *phys = g_ptr_array_index(physicals, i);
		const char *addr = omacp_characteristic_get(phys, "PXADDR");
		g_autofree char *host = NULL;
		guint32 number = 0;
		gboolean wsp = FALSE;
		gboolean have_port;

		if (addr == NULL || *addr == '\0' || g_strcmp0(addr, "0.0.0.0") == 0)
			addr = omacp_characteristic_get(phys, "PXADDR-FQDN");
		if (addr == NULL || *addr == '\0')
			continue;
		host = normalise_host(addr);
		if (g_strcmp0(host, "0.0.0.0") == 0)
			continue;
		have_port = port_from(phys, &number, &wsp) || port_from(px, &number, &wsp);
		if (strchr(host, ':') != NULL)
			out->address = have_port ? g_strdup_printf("[%s]:%u", host, number)
			                         : g_strdup(host);
		else
			out->address =
			        have_port ? g_strdup_printf("%s:%u", host, number) : g_strdup(host);
		out->wsp = wsp;
		return TRUE;
	}
	return FALSE;
}

/* Host part of a URL or of a bare "host[:port][/path]". */
static char *
url_host(const char *url)
{
	const char *start;
	const char *end;
	const char *at;
	g_autofree char *host = NULL;

	if (url == NULL)
		return NULL;
	start = strstr(url, "://");
	start = start != NULL ? start + 3 : url;
	end = start + strcspn(start, "/?#");
	at = memchr(start, '@', (gsize) (end - start));
	if (at != NULL)
		start = at + 1;
	if (*start == '[') {
		const char *close = memchr(start, ']', (gsize) (end - start));

		if (close == NULL)
			return NULL;
		host = g_strndup(start + 1, (gsize) (close - start - 1));
	} else {
		const char *colon = memchr(start, ':', (gsize) (end - start));

		host = g_strndup(start, (gsize) ((colon != NULL ? colon : end) - start));
	}
	if (*host == '\0')
		return NULL;
	return g_ascii_strdown(host, -1);
}

static gboolean
url_is_plain_http(const char *url)
{
	return url != NULL && g_ascii_strncasecmp(url, "http://", 7) == 0;
}

/* The label that names the organisation: "sonera" in mms.sonera.fi,
 * "operator" in wap.operator.co.uk. NULL for IP literals and single labels. */
static char *
org_label(const char *host)
{
	static const char *const second_level[] = {
		"co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", NULL,
	};
	g_auto(GStrv) labels = NULL;
	guint n;

	if (host == NULL || is_ip_literal(host) || strchr(host, '.') == NULL)
		return NULL;
	labels = g_strsplit(host, ".", -1);
	n = g_strv_length(labels);
	if (n < 2 || labels[n - 1][0] == '\0')
		return NULL;
	if (n >= 3 && strlen(labels[n - 1]) == 2 && g_strv_contains(second_level, labels[n - 2]))
		return g_ascii_strdown(labels[n - 3], -1);
	return g_ascii_strdown(labels[n - 2], -1);
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
	GHashTable *mms_naps;         /* NAPDEFs used by a w4 */
	GHashTable *other_naps;       /* NAPDEFs an explicit non-w4 link reaches */
	GHashTable *mms_only_proxies; /* PXLOGICALs only w4 names */
	GHashTable *nap_proxy;        /* NAPDEF → first usable non-MMS PXLOGICAL leading to it */
	DocHosts *hosts;              /* built when an MMSC needs checking */
} Ctx;

static const char *
app_id(const OmacpCharacteristic *app)
{
	return omacp_characteristic_get(app, "APPID");
}

static gboolean
app_is(const OmacpCharacteristic *app, const char *id)
{
	return g_strcmp0(app_id(app), id) == 0;
}

static gboolean
nap_is_packet_apn(const OmacpCharacteristic *nap)
{
	g_autoptr(GPtrArray) bearers = omacp_characteristic_get_all(nap, "BEARER");
	const char *addrtype = omacp_characteristic_get(nap, "NAP-ADDRTYPE");
	const char *address = omacp_characteristic_get(nap, "NAP-ADDRESS");
	gboolean packet = FALSE;

	for (guint i = 0; i < bearers->len; i++) {
		const char *b = g_ptr_array_index(bearers, i);

		if (g_strcmp0(b, "GSM-GPRS") == 0 || g_strcmp0(b, "3G-GSM") == 0)
			packet = TRUE;
	}
	if (bearers->len == 0 && g_strcmp0(addrtype, "APN") == 0)
		packet = TRUE;
	return packet && (addrtype == NULL || g_strcmp0(addrtype, "APN") == 0) && address != NULL &&
	       *address != '\0';
}

static gboolean
nap_is_wlan(const OmacpCharacteristic *nap)
{
	g_autoptr(GPtrArray) wlans = omacp_characteristic_children(nap, "WLAN");
	g_autoptr(GPtrArray) bearers = omacp_characteristic_get_all(nap, "BEARER");

	return wlans->len > 0 ||
	       g_ptr_array_find_with_equal_func(bearers, "WLAN", g_str_equal, NULL);
}

/* The NAPDEF a w4 uses as its MMS access point. */
static const OmacpCharacteristic *
mms_napdef(const Ctx *ctx, const OmacpCharacteristic *app, const OmacpCharacteristic *proxy)
{
	if (proxy != NULL) {
		g_autoptr(GPtrArray) naps = omacp_provdoc_pxlogical_napdefs(ctx->doc, proxy);

		if (naps->len > 0)
			return g_ptr_array_index(naps, 0);
	}
	{
		g_autoptr(GPtrArray) naps = omacp_provdoc_app_napdefs(ctx->doc, app);

		if (!omacp_provdoc_app_is_unlinked(app))
			return naps->len > 0 ? g_ptr_array_index(naps, 0) : NULL;
		/* Unlinked w4 (bound to everything): prefer an APN that is not
		 * flagged INTERNET. */
		for (guint i = 0; i < naps->len; i++) {
			const OmacpCharacteristic *nap = g_ptr_array_index(naps, i);

			if (nap_is_packet_apn(nap) && !omacp_characteristic_has(nap, "INTERNET"))
				return nap;
		}
		return naps->len > 0 ? g_ptr_array_index(naps, 0) : NULL;
	}
}

/* The proxy a w4 uses: its first TO-PROXY with a usable address; an
 * unlinked w4 only takes a proxy when the document has exactly one. */
static const OmacpCharacteristic *
mms_pxlogical(const Ctx *ctx, const OmacpCharacteristic *app, ProxyInfo *info)
{
	g_autoptr(GPtrArray) proxies = omacp_provdoc_app_pxlogicals(ctx->doc, app);

	if (omacp_provdoc_app_is_unlinked(app) && proxies->len != 1)
		return NULL;
	for (guint i = 0; i < proxies->len; i++) {
		const OmacpCharacteristic *px = g_ptr_array_index(proxies, i);

		if (proxy_of_pxlogical(px, info))
			return px;
	}
	return proxies->len > 0 ? g_ptr_array_index(proxies, 0) : NULL;
}

static void
ctx_init(Ctx *ctx, const OmacpProvDoc *doc, const char *imsi, GPtrArray *out)
{
	g_autoptr(GPtrArray) apps = omacp_provdoc_find_all(doc, "APPLICATION");
	g_autoptr(GHashTable) proxy_users = g_hash_table_new(NULL, NULL);

	ctx->doc = doc;
	ctx->imsi = imsi;
	ctx->out = out;
	ctx->mms_naps = g_hash_table_new(NULL, NULL);
	ctx->other_naps = g_hash_table_new(NULL, NULL);
	ctx->mms_only_proxies = g_hash_table_new(NULL, NULL);

	for (guint i = 0; i < apps->len; i++) {
		const OmacpCharacteristic *app = g_ptr_array_index(apps, i);
		gboolean mms = app_is(app, "w4");
		g_autoptr(GPtrArray) naps = NULL;
		g_autoptr(GPtrArray) to_proxy = omacp_characteristic_get_all(app, "TO-PROXY");

		for (guint j = 0; j < to_proxy->len; j++) {
			OmacpCharacteristic *px =
			        omacp_provdoc_find_pxlogical(doc, g_ptr_array_index(to_proxy, j));
			guint users;

			if (px == NULL)
				continue;
			users = GPOINTER_TO_UINT(g_hash_table_lookup(proxy_users, px));
			/* bit 0: named by a w4, bit 1: named by something else */
			g_hash_table_insert(proxy_users, px,
			                    GUINT_TO_POINTER(users | (mms ? 1 : 2)));
		}
		if (mms && omacp_provdoc_app_is_unlinked(app)) {
			const OmacpCharacteristic *nap = mms_napdef(ctx, app, NULL);

			if (nap != NULL)
				g_hash_table_add(ctx->mms_naps, (gpointer) nap);
			continue;
		}
		if (omacp_provdoc_app_is_unlinked(app))
			continue;
		naps = omacp_provdoc_app_napdefs(doc, app);
		for (guint j = 0; j < naps->len; j++)
			g_hash_table_add(mms ? ctx->mms_naps : ctx->other_naps,
			                 g_ptr_array_index(naps, j));
	}
	{
		GHashTableIter iter;
		gpointer key, value;

		g_hash_table_iter_init(&iter, proxy_users);
		while (g_hash_table_iter_next(&iter, &key, &value)) {
			if (GPOINTER_TO_UINT(value) == 1)
				g_hash_table_add(ctx->mms_only_proxies, key);
		}
	}
	/* The proxy of each access point, computed once for the document. */
	ctx->nap_proxy = g_hash_table_new(NULL, NULL);
	{
		g_autoptr(GPtrArray) proxies = omacp_provdoc_find_all(doc, "PXLOGICAL");

		for (guint i = 0; i < proxies->len; i++) {
			const OmacpCharacteristic *px = g_ptr_array_index(proxies, i);
			g_autoptr(GPtrArray) naps = NULL;
			ProxyInfo info = { 0 };

			if (g_hash_table_contains(ctx->mms_only_proxies, px) ||
			    !proxy_of_pxlogical(px, &info))
				continue;
			proxy_info_clear(&info);
			naps = omacp_provdoc_pxlogical_napdefs(doc, px);
			for (guint j = 0; j < naps->len; j++) {
				if (!g_hash_table_contains(ctx->nap_proxy,
				                           g_ptr_array_index(naps, j)))
					g_hash_table_insert(ctx->nap_proxy,
					                    g_ptr_array_index(naps, j),
					                    (gpointer) px);
			}
		}
	}
}

static void
ctx_clear(Ctx *ctx)
{
	g_clear_pointer(&ctx->mms_naps, g_hash_table_unref);
	g_clear_pointer(&ctx->other_naps, g_hash_table_unref);
	g_clear_pointer(&ctx->mms_only_proxies, g_hash_table_unref);
	g_clear_pointer(&ctx->nap_proxy, g_hash_table_unref);
	g_clear_pointer(&ctx->hosts, doc_hosts_free);
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

/* Domain-name hosts named anywhere in the document (URLs, proxy names,
 * domains) and the words of every NAME. APNs are labels, not hosts (an
 * MVNO's APN names the MVNO while its MMSC is the host network's): not
 * collected. */
static void
collect_hosts(DocHosts *dh, const OmacpCharacteristic *c)
{
	static const char *const url_parms[] = {
		"STARTPAGE", "URI", "ADDR", "PROVURL", "PXADDR-FQDN", "DOMAIN", "PXADDR", NULL,
	};

	if (c->op != OMACP_OP_SET || !c->valid)
		return;
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);
		g_autofree char *host = NULL;
		char *org;

		if (parm->op != OMACP_OP_SET || !parm->valid || parm->value == NULL)
			continue;
		if (g_strcmp0(parm->name, "NAME") == 0) {
			add_words(dh->words, parm->value);
			continue;
		}
		if (!g_strv_contains(url_parms, parm->name))
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

/* Conservative: says something only when the MMSC is a domain name, the
 * document names other domains, none of them belongs to the same
 * organisation, and no NAME has that organisation as a word. */
static void
check_mmsc_domain(Ctx *ctx, Draft *d, const char *mmsc)
{
	g_autofree char *host = url_host(mmsc);
	g_autofree char *org = org_label(host);
	const DocHosts *dh;
	gboolean self;
	guint same;
	g_autoptr(GString) others = NULL;
	guint listed = 0;

	if (org == NULL)
		return;
	dh = ctx_hosts(ctx);
	self = g_hash_table_contains(dh->host_org, host);
	same = GPOINTER_TO_UINT(g_hash_table_lookup(dh->org_count, org));
	if (same > (self ? 1u : 0u) || dh->hosts->len <= (self ? 1u : 0u) ||
	    g_hash_table_contains(dh->words, org))
		return;
	others = g_string_new(NULL);
	for (guint i = 0; i < dh->hosts->len; i++) {
		const char *other = g_ptr_array_index(dh->hosts, i);

		if (g_str_equal(other, host))
			continue;
		if (listed == 5) {
			g_string_append(others, ", ...");
			break;
		}
		g_string_append_printf(others, "%s%s", listed > 0 ? ", " : "", other);
		listed++;
	}
	add_risk(d,
	         "MMS server %s is outside the operator's domain (the document's other hosts "
	         "are %s): your MMS would go to a third party",
	         host, others->str);
}

/* apn, username, password-set, auth, ip-type, napid of a NAPDEF. */
static void
put_access_point(Draft *d, const OmacpCharacteristic *nap)
{
	const OmacpCharacteristic *auth = first_child(nap, "NAPAUTHINFO");
	const char *local = omacp_characteristic_get(nap, "LOCAL-ADDRTYPE");

	put_s(d, "napid", omacp_characteristic_get(nap, "NAPID"));
	if (nap_is_packet_apn(nap))
		put_s(d, "apn", omacp_characteristic_get(nap, "NAP-ADDRESS"));
	if (auth != NULL) {
		const char *type = omacp_characteristic_get(auth, "AUTHTYPE");
		const char *user = omacp_characteristic_get(auth, "AUTHNAME");

		if (g_strcmp0(type, "PAP") == 0)
			put_s(d, "auth", "pap");
		else if (g_strcmp0(type, "CHAP") == 0)
			put_s(d, "auth", "chap");
		if (user != NULL && *user != '\0')
			put_s(d, "username", user);
		put_b(d, "password-set",
		      put_secret(d, "password", omacp_characteristic_get(auth, "AUTHSECRET")));
	} else {
		put_b(d, "password-set", FALSE);
	}
	/* LOCAL-ADDRTYPE names the address family the device gets. */
	if (g_strcmp0(local, "IPV6") == 0)
		put_s(d, "ip-type", "ipv6");
	else if (g_strcmp0(local, "IPV4") == 0)
		put_s(d, "ip-type", "ipv4");
	else
		put_s(d, "ip-type", "ipv4v6");
}

/* ------------------------------------------------------------------------ */
/* NAPDEF-based profiles */

static void
add_internet(Ctx *ctx, const OmacpCharacteristic *nap)
{
	const char *napid = omacp_characteristic_get(nap, "NAPID");
	g_autoptr(GPtrArray) bearers = omacp_characteristic_get_all(nap, "BEARER");
	g_autoptr(GPtrArray) dns = omacp_characteristic_get_all(nap, "DNS-ADDR");
	g_autoptr(GPtrArray) dnsinfo = omacp_characteristic_children(nap, "DNS-ADDRINFO");
	Draft d;

	draft_init(&d, OMACP_PROFILE_INTERNET, OMACP_OP_SET, napid,
	           omacp_characteristic_get(nap, "NAME"), ctx->imsi);
	put_access_point(&d, nap);
	if (bearers->len > 0)
		put_s(&d, "bearer", g_ptr_array_index(bearers, 0));
	for (guint i = 0; i < dnsinfo->len; i++) {
		const char *addr =
		        omacp_characteristic_get(g_ptr_array_index(dnsinfo, i), "DNS-ADDR");

		if (addr != NULL)
			g_ptr_array_add(dns, (gpointer) addr);
	}
	if (dns->len > 0) {
		g_autofree char *joined = NULL;

		g_ptr_array_add(dns, NULL);
		g_variant_builder_add(&d.settings, "{sv}", "dns",
		                      g_variant_new_strv((const char *const *) dns->pdata, -1));
		joined = g_strjoinv(", ", (char **) dns->pdata);
		add_risk(&d,
		         "DNS servers set by the message (%s): they would see and could redirect "
		         "every name you look up",
		         joined);
	}

	{
		const OmacpCharacteristic *px = g_hash_table_lookup(ctx->nap_proxy, nap);
		ProxyInfo info = { 0 };

		if (px != NULL && proxy_of_pxlogical(px, &info)) {
			if (info.wsp) {
				put_s(&d, "wap-gateway", info.address);
			} else {
				put_s(&d, "proxy", info.address);
				add_risk(&d,
				         "HTTP proxy %s on the internet access point: web traffic "
				         "would go through it",
				         info.address);
			}
			proxy_info_clear(&info);
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
	g_autofree char *id = g_strdup_printf("napdef:%s", napid);
	Draft d;

	draft_init(&d, OMACP_PROFILE_OTHER, OMACP_OP_SET, id, omacp_characteristic_get(nap, "NAME"),
	           ctx->imsi);
	put_s(&d, "type", "napdef");
	put_s(&d, "napid", napid);
	put_s(&d, "bearer", bearer);
	put_s(&d, "address", address);
	put_s(&d, "address-type", addrtype);
	if (address != NULL && (g_strcmp0(addrtype, "E164") == 0 ||
	                        (bearer != NULL && g_str_has_suffix(bearer, "-CSD"))))
		add_risk(&d,
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
	g_autoptr(GPtrArray) wepkeys = omacp_characteristic_children(wlan, "WEPKEY");
	const char *security;
	gboolean key_set = FALSE;
	Draft d;

	if (ssid == NULL)
		ssid = omacp_characteristic_get(wlan, "PRI-U-SSID");
	if (ssid == NULL)
		ssid = omacp_characteristic_get(wlan, "PRI-H-SSID");
	if (ssid == NULL || *ssid == '\0')
		return;
	if (psk == NULL)
		psk = omacp_characteristic_get(wlan, "WPA-PRES-KEY-HEX");

	if (g_strcmp0(secmode, "WEP") == 0 || (secmode == NULL && wepkeys->len > 0))
		security = "wep";
	else if (g_strcmp0(secmode, "WPA-PRESHARED-KEY") == 0)
		security = "wpa-psk";
	else if (g_strcmp0(secmode, "WPA2-PRESHARED-KEY") == 0)
		security = "wpa2-psk";
	else if (g_strcmp0(secmode, "WPA") == 0)
		security = "wpa-eap";
	else if (g_strcmp0(secmode, "WPA2") == 0)
		security = "wpa2-eap";
	else if (g_strcmp0(secmode, "8021X") == 0)
		security = "ieee8021x";
	else
		security = "none";

	draft_init(&d, OMACP_PROFILE_WLAN, OMACP_OP_SET, ssid,
	           nap != NULL ? omacp_characteristic_get(nap, "NAME") : ssid, ctx->imsi);
	put_s(&d, "ssid", ssid);
	put_b(&d, "hidden", omacp_characteristic_has(wlan, "PRI-H-SSID"));
	if (g_strcmp0(netmode, "ADHOC") == 0)
		put_s(&d, "mode", "adhoc");
	else
		put_s(&d, "mode", "infrastructure");
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
	for (guint i = 0; i < wepkeys->len; i++) {
		const OmacpCharacteristic *key = g_ptr_array_index(wepkeys, i);
		const char *index = omacp_characteristic_get(key, "INDEX");
		g_autofree char *name = g_strdup_printf("wep-key%s", index != NULL ? index : "0");

		key_set |= put_secret(&d, name, omacp_characteristic_get(key, "DATA"));
	}
	if (wepkeys->len > 0)
		put_b(&d, "wep-key-set", key_set);
	if (g_strcmp0(security, "none") == 0)
		add_risk(&d, "open WLAN %s: traffic over it is not encrypted", ssid);
	else if (g_strcmp0(security, "wep") == 0)
		add_risk(&d, "WLAN %s uses WEP, which offers no real protection", ssid);
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
	g_autoptr(GPtrArray) ports = NULL;

	if (appaddr == NULL)
		return FALSE;
	ports = omacp_characteristic_children(appaddr, "PORT");
	for (guint i = 0; i < ports->len; i++) {
		const OmacpCharacteristic *port = g_ptr_array_index(ports, i);

		if (parse_port(omacp_characteristic_get(port, "PORTNBR"), number)) {
			if (service != NULL)
				*service = omacp_characteristic_get(port, "SERVICE");
			return TRUE;
		}
	}
	return FALSE;
}

static void
add_mms(Ctx *ctx, const OmacpCharacteristic *app)
{
	const char *mmsc = app_address(app, NULL);
	const char *name = omacp_characteristic_get(app, "NAME");
	ProxyInfo info = { 0 };
	const OmacpCharacteristic *px = mms_pxlogical(ctx, app, &info);
	const OmacpCharacteristic *nap = mms_napdef(ctx, app, px);
	const char *id = name;
	Draft d;

	if (id == NULL || *id == '\0')
		id = nap != NULL ? omacp_characteristic_get(nap, "NAPID") : NULL;
	if (id == NULL || *id == '\0')
		id = mmsc != NULL && *mmsc != '\0' ? mmsc : "w4";
	if (name == NULL || *name == '\0')
		name = nap != NULL ? omacp_characteristic_get(nap, "NAME") : "MMS";

	draft_init(&d, OMACP_PROFILE_MMS, OMACP_OP_SET, id, name, ctx->imsi);
	put_s(&d, "mmsc", mmsc);
	if (info.address != NULL)
		put_s(&d, info.wsp ? "wap-gateway" : "mms-proxy", info.address);
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
	g_autoptr(GPtrArray) proxies = NULL;

	if (omacp_provdoc_app_is_unlinked(app))
		return;
	proxies = omacp_provdoc_app_pxlogicals(ctx->doc, app);
	for (guint i = 0; i < proxies->len; i++) {
		ProxyInfo info = { 0 };

		if (!proxy_of_pxlogical(g_ptr_array_index(proxies, i), &info))
			continue;
		if (info.wsp) {
			put_s(d, "wap-gateway", info.address);
		} else {
			put_s(d, "proxy", info.address);
			add_risk(d, "%s proxy %s: pages would be loaded through it", what,
			         info.address);
		}
		proxy_info_clear(&info);
		return;
	}
}

static void
add_browser(Ctx *ctx, const OmacpCharacteristic *app)
{
	g_autoptr(GPtrArray) resources = omacp_characteristic_children(app, "RESOURCE");
	g_autoptr(GPtrArray) naps = NULL;
	const char *startpage = NULL;
	const char *name = omacp_characteristic_get(app, "NAME");
	GVariantBuilder bookmarks;
	Draft d;

	g_variant_builder_init(&bookmarks, G_VARIANT_TYPE("aa{ss}"));
	for (guint i = 0; i < resources->len; i++) {
		const OmacpCharacteristic *res = g_ptr_array_index(resources, i);
		const char *uri = omacp_characteristic_get(res, "URI");
		const char *title = omacp_characteristic_get(res, "NAME");
		GVariantBuilder entry;

		if (startpage == NULL && omacp_characteristic_has(res, "STARTPAGE")) {
			startpage = uri;
			if (name == NULL)
				name = title;
		}
		g_variant_builder_init(&entry, G_VARIANT_TYPE("a{ss}"));
		g_variant_builder_add(&entry, "{ss}", "uri", uri);
		if (title != NULL)
			g_variant_builder_add(&entry, "{ss}", "name", title);
		g_variant_builder_add_value(&bookmarks, g_variant_builder_end(&entry));
	}
	if (startpage == NULL && !omacp_provdoc_app_is_unlinked(app)) {
		g_autoptr(GPtrArray) proxies = omacp_provdoc_app_pxlogicals(ctx->doc, app);

		for (guint i = 0; i < proxies->len && startpage == NULL; i++)
			startpage = omacp_characteristic_get(g_ptr_array_index(proxies, i),
			                                     "STARTPAGE");
	}

	draft_init(&d, OMACP_PROFILE_BROWSER, OMACP_OP_SET, app_ident(app), name, ctx->imsi);
	put_s(&d, "startpage", startpage);
	g_variant_builder_add(&d.settings, "{sv}", "bookmarks", g_variant_builder_end(&bookmarks));
	put_app_proxy(ctx, &d, app, "browser");
	if (!omacp_provdoc_app_is_unlinked(app)) {
		naps = omacp_provdoc_app_napdefs(ctx->doc, app);
		if (naps->len > 0)
			put_s(&d, "napid",
			      omacp_characteristic_get(g_ptr_array_index(naps, 0), "NAPID"));
	}
	for (guint i = 0; i < resources->len; i++) {
		const OmacpCharacteristic *res = g_ptr_array_index(resources, i);
		const char *uri = omacp_characteristic_get(res, "URI");

		if (omacp_characteristic_get(res, "AAUTHSECRET") != NULL && url_is_plain_http(uri))
			add_risk(&d, "the password for bookmark %s would be sent unencrypted", uri);
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
	g_autoptr(GPtrArray) auths = omacp_characteristic_children(app, "APPAUTH");
	const OmacpCharacteristic *main_auth = NULL;
	gboolean any_secret = FALSE;
	GVariantBuilder list;

	g_variant_builder_init(&list, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < auths->len; i++) {
		const OmacpCharacteristic *auth = g_ptr_array_index(auths, i);
		const char *level = omacp_characteristic_get(auth, "AAUTHLEVEL");
		const char *type = omacp_characteristic_get(auth, "AAUTHTYPE");
		const char *user = omacp_characteristic_get(auth, "AAUTHNAME");
		g_autofree char *prefix = level != NULL ? g_ascii_strdown(level, -1)
		                                        : g_strdup_printf("auth%u", i + 1);
		g_autofree char *pw_key = g_strdup_printf("%s-password", prefix);
		g_autofree char *nonce_key = g_strdup_printf("%s-nonce", prefix);
		gboolean pw = put_secret(d, pw_key, omacp_characteristic_get(auth, "AAUTHSECRET"));
		gboolean nonce =
		        put_secret(d, nonce_key, omacp_characteristic_get(auth, "AAUTHDATA"));
		GVariantBuilder entry;

		any_secret |= pw;
		g_variant_builder_init(&entry, G_VARIANT_TYPE_VARDICT);
		if (level != NULL)
			g_variant_builder_add(&entry, "{sv}", "level", g_variant_new_string(level));
		if (type != NULL)
			g_variant_builder_add(&entry, "{sv}", "type", g_variant_new_string(type));
		if (user != NULL)
			g_variant_builder_add(&entry, "{sv}", "username",
			                      g_variant_new_string(user));
		g_variant_builder_add(&entry, "{sv}", "password-set", g_variant_new_boolean(pw));
		g_variant_builder_add(&entry, "{sv}", "nonce-set", g_variant_new_boolean(nonce));
		g_variant_builder_add_value(&list, g_variant_builder_end(&entry));
		if (main_auth == NULL || g_strcmp0(level, "CLIENT") == 0)
			main_auth = auth;
	}
	g_variant_builder_add(&d->settings, "{sv}", "auth", g_variant_builder_end(&list));
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
	if (!omacp_provdoc_app_is_unlinked(app)) {
		g_autoptr(GPtrArray) naps = omacp_provdoc_app_napdefs(ctx->doc, app);

		if (naps->len > 0)
			put_s(&d, "napid",
			      omacp_characteristic_get(g_ptr_array_index(naps, 0), "NAPID"));
	}
	if (kind == OMACP_PROFILE_DM) {
		put_b(&d, "init", omacp_characteristic_has(app, "INIT"));
		add_risk(&d,
		         "device management server %s (%s): a device management server can "
		         "control the device (install, change and erase settings and software)",
		         address != NULL ? address : "(no address)", provider);
	} else {
		g_autoptr(GPtrArray) resources = omacp_characteristic_children(app, "RESOURCE");
		GVariantBuilder dbs;

		g_variant_builder_init(&dbs, G_VARIANT_TYPE("aa{ss}"));
		for (guint i = 0; i < resources->len; i++) {
			const OmacpCharacteristic *res = g_ptr_array_index(resources, i);
			const char *keys[][2] = { { "uri", "URI" },
				                  { "name", "NAME" },
				                  { "accept", "AACCEPT" },
				                  { "sync-type", "SYNCTYPE" } };
			GVariantBuilder entry;

			g_variant_builder_init(&entry, G_VARIANT_TYPE("a{ss}"));
			for (guint k = 0; k < G_N_ELEMENTS(keys); k++) {
				const char *v = omacp_characteristic_get(res, keys[k][1]);

				if (v != NULL)
					g_variant_builder_add(&entry, "{ss}", keys[k][0], v);
			}
			g_variant_builder_add_value(&dbs, g_variant_builder_end(&entry));
		}
		g_variant_builder_add(&d.settings, "{sv}", "databases",
		                      g_variant_builder_end(&dbs));
		add_risk(&d,
		         "data synchronisation server %s: it would receive the synchronised data "
		         "(contacts, calendar, ...)",
		         address != NULL ? address : "(no address)");
	}
	if (secret && url_is_plain_http(address))
		add_risk(&d, "credentials would be sent unencrypted to %s", address);
	draft_finish(&d, ctx->out);
}

static void
add_email(Ctx *ctx, const OmacpCharacteristic *app, const char *protocol, guint32 default_port)
{
	const OmacpCharacteristic *appaddr = NULL;
	const char *address = app_address(app, &appaddr);
	const char *service = NULL;
	g_autofree char *host = url_host(address);
	g_autofree char *id = g_strdup_printf("%s:%s", protocol, app_ident(app));
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
	if (password && g_strcmp0(security, "none") == 0)
		add_risk(&d, "the %s password would be sent unencrypted to %s", protocol,
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
	put_s(&d, "type", "application");
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
	add_risk(&d,
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
	if (g_strcmp0(appid, "w2") == 0)
		*kind = OMACP_PROFILE_BROWSER;
	else if (g_strcmp0(appid, "w4") == 0)
		*kind = OMACP_PROFILE_MMS;
	else if (g_strcmp0(appid, "w5") == 0)
		*kind = OMACP_PROFILE_DS;
	else if (g_strcmp0(appid, "w7") == 0)
		*kind = OMACP_PROFILE_DM;
	else if (g_strcmp0(appid, "25") == 0 || g_strcmp0(appid, "110") == 0 ||
	         g_strcmp0(appid, "143") == 0)
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
		if (g_strcmp0(c->type, "NAPDEF") == 0)
			kind = OMACP_PROFILE_INTERNET;
		else if (g_strcmp0(c->type, "APPLICATION") == 0)
			kind_of_appid(omacp_characteristic_get(c, "APPID"), &kind);
		else
			continue;
		for (guint j = 0; j < c->children->len; j++) {
			const OmacpCharacteristic *child = g_ptr_array_index(c->children, j);

			if (child->op == OMACP_OP_REMOVE && child->identifier)
				add_removal(ctx, kind, child->type);
		}
	}
}

GPtrArray *
omacp_profiles_from_doc(const OmacpProvDoc *doc, const char *imsi)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	g_autoptr(GPtrArray) naps = NULL;
	g_autoptr(GPtrArray) wlans = NULL;
	g_autoptr(GPtrArray) apps = NULL;
	g_autoptr(GPtrArray) boots = NULL;
	Ctx ctx = { 0 };

	g_return_val_if_fail(doc != NULL, out);
	ctx_init(&ctx, doc, imsi, out);

	naps = omacp_provdoc_find_all(doc, "NAPDEF");
	for (guint i = 0; i < naps->len; i++) {
		const OmacpCharacteristic *nap = g_ptr_array_index(naps, i);

		if (nap_is_wlan(nap)) {
			g_autoptr(GPtrArray) children = omacp_characteristic_children(nap, "WLAN");

			for (guint j = 0; j < children->len; j++)
				add_wlan(&ctx, g_ptr_array_index(children, j), nap);
		} else if (nap_is_packet_apn(nap)) {
			if (omacp_characteristic_has(nap, "INTERNET") ||
			    g_hash_table_contains(ctx.other_naps, nap) ||
			    !g_hash_table_contains(ctx.mms_naps, nap))
				add_internet(&ctx, nap);
		} else {
			add_other_napdef(&ctx, nap);
		}
	}
	wlans = omacp_provdoc_find_all(doc, "WLAN");
	for (guint i = 0; i < wlans->len; i++)
		add_wlan(&ctx, g_ptr_array_index(wlans, i), NULL);

	apps = omacp_provdoc_find_all(doc, "APPLICATION");
	for (guint i = 0; i < apps->len; i++) {
		const OmacpCharacteristic *app = g_ptr_array_index(apps, i);
		const char *appid = app_id(app);

		if (g_strcmp0(appid, "w4") == 0)
			add_mms(&ctx, app);
		else if (g_strcmp0(appid, "w2") == 0)
			add_browser(&ctx, app);
		else if (g_strcmp0(appid, "w5") == 0)
			add_server_app(&ctx, app, OMACP_PROFILE_DS);
		else if (g_strcmp0(appid, "w7") == 0)
			add_server_app(&ctx, app, OMACP_PROFILE_DM);
		else if (g_strcmp0(appid, "25") == 0)
			add_email(&ctx, app, "smtp", 25);
		else if (g_strcmp0(appid, "110") == 0)
			add_email(&ctx, app, "pop3", 110);
		else if (g_strcmp0(appid, "143") == 0)
			add_email(&ctx, app, "imap", 143);
		else
			add_other_app(&ctx, app);
	}

	/* A BOOTSTRAP without PROVURL only names the message (and perhaps a
	 * default proxy): nothing a user would call a setting. */
	boots = omacp_provdoc_find_all(doc, "BOOTSTRAP");
	for (guint i = 0; i < boots->len; i++) {
		const OmacpCharacteristic *boot = g_ptr_array_index(boots, i);

		if (omacp_characteristic_get(boot, "PROVURL") != NULL)
			add_bootstrap(&ctx, boot);
	}

	add_removals(&ctx);
	ctx_clear(&ctx);
	return out;
}

/* ------------------------------------------------------------------------ */
/* mobile-broadband-provider-info */

typedef struct {
	char *name;
	char *network;    /* "244 91" for messages */
	GPtrArray *apns;  /* char * */
	GPtrArray *mmscs; /* char * */
} MbpiProvider;

typedef struct {
	GPtrArray *providers;   /* MbpiProvider *, owning */
	GHashTable *by_network; /* "mcc-mnc" → GPtrArray of MbpiProvider * (not owning) */
} MbpiIndex;

static void
mbpi_provider_free(MbpiProvider *p)
{
	g_free(p->name);
	g_free(p->network);
	g_ptr_array_unref(p->apns);
	g_ptr_array_unref(p->mmscs);
	g_free(p);
}

static void
mbpi_index_free(MbpiIndex *index)
{
	if (index == NULL)
		return;
	g_hash_table_unref(index->by_network);
	g_ptr_array_unref(index->providers);
	g_free(index);
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
mbpi_walk_provider(MbpiIndex *index, xmlNode *node, MbpiProvider *provider, GPtrArray *networks)
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
			mbpi_walk_provider(index, child, provider, networks);
		}
	}
}

static void
mbpi_walk(MbpiIndex *index, xmlNode *node)
{
	for (xmlNode *child = node->children; child != NULL; child = child->next) {
		if (xml_is(child, "country")) {
			mbpi_walk(index, child);
		} else if (xml_is(child, "provider")) {
			MbpiProvider *p = g_new0(MbpiProvider, 1);
			g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func(g_free);

			p->apns = g_ptr_array_new_with_free_func(g_free);
			p->mmscs = g_ptr_array_new_with_free_func(g_free);
			mbpi_walk_provider(index, child, p, networks);
			if (networks->len == 0) {
				mbpi_provider_free(p);
				continue;
			}
			if (p->name == NULL)
				p->name = g_strdup("(unnamed operator)");
			g_ptr_array_add(index->providers, p);
			for (guint i = 0; i < networks->len; i++) {
				const char *key = g_ptr_array_index(networks, i);
				GPtrArray *list = g_hash_table_lookup(index->by_network, key);

				if (list == NULL) {
					list = g_ptr_array_new();
					g_hash_table_insert(index->by_network, g_strdup(key), list);
				}
				g_ptr_array_add(list, p);
			}
		}
	}
}

static MbpiIndex *
mbpi_load(const char *path)
{
	xmlDoc *xml =
	        xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	xmlNode *root;
	MbpiIndex *index;

	if (xml == NULL) {
		g_debug("profiles: cannot read %s", path);
		return NULL;
	}
	root = xmlDocGetRootElement(xml);
	index = g_new0(MbpiIndex, 1);
	index->providers = g_ptr_array_new_with_free_func((GDestroyNotify) mbpi_provider_free);
	index->by_network = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                          (GDestroyNotify) g_ptr_array_unref);
	if (root != NULL && xml_is(root, "serviceproviders"))
		mbpi_walk(index, root);
	xmlFreeDoc(xml);
	return index;
}

/* The database is over 300 kB of XML: parse each path once per process. */
static GMutex mbpi_lock;

static gpointer
mbpi_cache_create(gpointer data)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                             (GDestroyNotify) mbpi_index_free);
}

static const MbpiIndex *
mbpi_get(const char *path)
{
	static GOnce once = G_ONCE_INIT;
	GHashTable *cache = g_once(&once, mbpi_cache_create, NULL);
	MbpiIndex *index;

	g_mutex_lock(&mbpi_lock);
	if (!g_hash_table_lookup_extended(cache, path, NULL, (gpointer *) &index)) {
		index = mbpi_load(path);
		g_hash_table_insert(cache, g_strdup(path), index);
	}
	g_mutex_unlock(&mbpi_lock);
	return index;
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
omacp_profiles_check_mbpi(GPtrArray *profiles, const char *database_path, const char *imsi)
{
	const MbpiIndex *index;
	GPtrArray *providers = NULL;
	g_autofree char *mcc = NULL;
	g_autofree char *mnc = NULL;
	g_autoptr(GPtrArray) apns = NULL;
	g_autoptr(GPtrArray) mmscs = NULL;
	g_autoptr(GString) operators = NULL;
	g_autofree char *apn_list = NULL;

	if (profiles == NULL || database_path == NULL || imsi == NULL || strlen(imsi) < 6)
		return;
	for (const char *p = imsi; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return;
	}
	index = mbpi_get(database_path);
	if (index == NULL)
		return;
	mcc = g_strndup(imsi, 3);
	/* Three-digit MNC first, then two. */
	for (guint len = 3; len >= 2 && providers == NULL; len--) {
		g_autofree char *key = NULL;

		g_free(mnc);
		mnc = g_strndup(imsi + 3, len);
		key = g_strdup_printf("%s-%s", mcc, mnc);
		providers = g_hash_table_lookup(index->by_network, key);
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
			g_ptr_array_add(
			        profile->risks,
			        g_strdup_printf("APN %s is not listed for %s (MCC %s, MNC %s) "
			                        "in mobile-broadband-provider-info, which "
			                        "lists: %s",
			                        apn, operators->str, mcc, mnc, apn_list));
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
				g_ptr_array_add(
				        profile->risks,
				        g_strdup_printf(
				                "MMS server %s is not the one "
				                "mobile-broadband-provider-info lists for %s "
				                "(%s)",
				                mmsc, operators->str, listed->str));
		}
	}
}
