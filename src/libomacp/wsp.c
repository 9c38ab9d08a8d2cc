/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Connectionless WSP Push PDU (WAP-230-WSP §8.2.4): decoding with every read
 * bounds-checked through OmacpReader, and the encoder the operator side
 * uses. Layout, primitive encodings and the SEC/MAC parameters are described
 * in spec/OMA-CP-DIGEST.md §2. */
#include "wsp.h"

#include <string.h>

#include "omacp-error.h"
#include "reader.h"

/* Well-known parameter tokens (WSP 1.4 table 38) we decode. */
#define PARAM_Q   0x00
#define PARAM_SEC 0x11
#define PARAM_MAC 0x12

/* Well-known header field (code page 1) we decode. */
#define FIELD_X_WAP_APPLICATION_ID 0x2F

/* The default header code page. */
#define DEFAULT_CODE_PAGE 1

/* Short-length upper bound; 0x1F is the Length-quote. */
#define SHORT_LENGTH_MAX 30
#define LENGTH_QUOTE     0x1F
#define TEXT_QUOTE       0x7F
#define QUOTED_STRING    0x22

typedef struct {
	gint code;
	const char *name;
} CodeName;

/* WINA well-known content types (WSP Assigned Numbers, table 40). */
static const char *const content_types[] = {
	[0x00] = "*/*",
	[0x01] = "text/*",
	[0x02] = "text/html",
	[0x03] = "text/plain",
	[0x04] = "text/x-hdml",
	[0x05] = "text/x-ttml",
	[0x06] = "text/x-vCalendar",
	[0x07] = "text/x-vCard",
	[0x08] = "text/vnd.wap.wml",
	[0x09] = "text/vnd.wap.wmlscript",
	[0x0A] = "text/vnd.wap.wta-event",
	[0x0B] = "multipart/*",
	[0x0C] = "multipart/mixed",
	[0x0D] = "multipart/form-data",
	[0x0E] = "multipart/byterantes",
	[0x0F] = "multipart/alternative",
	[0x10] = "application/*",
	[0x11] = "application/java-vm",
	[0x12] = "application/x-www-form-urlencoded",
	[0x13] = "application/x-hdmlc",
	[0x14] = "application/vnd.wap.wmlc",
	[0x15] = "application/vnd.wap.wmlscriptc",
	[0x16] = "application/vnd.wap.wta-eventc",
	[0x17] = "application/vnd.wap.uaprof",
	[0x18] = "application/vnd.wap.wtls-ca-certificate",
	[0x19] = "application/vnd.wap.wtls-user-certificate",
	[0x1A] = "application/x-x509-ca-cert",
	[0x1B] = "application/x-x509-user-cert",
	[0x1C] = "image/*",
	[0x1D] = "image/gif",
	[0x1E] = "image/jpeg",
	[0x1F] = "image/tiff",
	[0x20] = "image/png",
	[0x21] = "image/vnd.wap.wbmp",
	[0x22] = "application/vnd.wap.multipart.*",
	[0x23] = "application/vnd.wap.multipart.mixed",
	[0x24] = "application/vnd.wap.multipart.form-data",
	[0x25] = "application/vnd.wap.multipart.byteranges",
	[0x26] = "application/vnd.wap.multipart.alternative",
	[0x27] = "application/xml",
	[0x28] = "text/xml",
	[0x29] = "application/vnd.wap.wbxml",
	[0x2A] = "application/x-x968-cross-cert",
	[0x2B] = "application/x-x968-ca-cert",
	[0x2C] = "application/x-x968-user-cert",
	[0x2D] = "text/vnd.wap.si",
	[0x2E] = "application/vnd.wap.sic",
	[0x2F] = "text/vnd.wap.sl",
	[0x30] = "application/vnd.wap.slc",
	[0x31] = "text/vnd.wap.co",
	[0x32] = "application/vnd.wap.coc",
	[0x33] = "application/vnd.wap.multipart.related",
	[0x34] = "application/vnd.wap.sia",
	[0x35] = "text/vnd.wap.connectivity-xml",
	[0x36] = "application/vnd.wap.connectivity-wbxml",
	[0x37] = "application/pkcs7-mime",
	[0x38] = "application/vnd.wap.hashed-certificate",
	[0x39] = "application/vnd.wap.signed-certificate",
	[0x3A] = "application/vnd.wap.cert-response",
	[0x3B] = "application/xhtml+xml",
	[0x3C] = "application/wml+xml",
	[0x3D] = "text/css",
	[0x3E] = "application/vnd.wap.mms-message",
	[0x3F] = "application/vnd.wap.rollover-certificate",
	[0x40] = "application/vnd.wap.locc+wbxml",
	[0x41] = "application/vnd.wap.loc+xml",
	[0x42] = "application/vnd.syncml.dm+wbxml",
	[0x43] = "application/vnd.syncml.dm+xml",
	[0x44] = "application/vnd.syncml.notification",
	[0x45] = "application/vnd.wap.xhtml+xml",
	[0x46] = "application/vnd.wv.csp.cir",
	[0x47] = "application/vnd.oma.dd+xml",
	[0x48] = "application/vnd.oma.drm.message",
	[0x49] = "application/vnd.oma.drm.content",
	[0x4A] = "application/vnd.oma.drm.rights+xml",
	[0x4B] = "application/vnd.oma.drm.rights+wbxml",
	[0x4C] = "application/vnd.wv.csp+xml",
	[0x4D] = "application/vnd.wv.csp+wbxml",
};

/* Registered X-Wap-Application-Id values (digest §2.4). */
static const CodeName app_ids[] = {
	{ 0x00, "x-wap-application:*" },
	{ 0x01, "x-wap-application:push.sia" },
	{ 0x02, "x-wap-application:wml.ua" },
	{ 0x03, "x-wap-application:wta.ua" },
	{ 0x04, "x-wap-application:mms.ua" },
	{ 0x05, "x-wap-application:push.syncml" },
	{ 0x06, "x-wap-application:loc.ua" },
	{ 0x07, "x-wap-application:syncml.dm" },
	{ 0x08, "x-wap-application:drm.ua" },
	{ 0x09, "x-wap-application:emn.ua" },
	{ 0x0A, "x-wap-application:wv.ua" },
	{ 0x10, "x-oma-application:ulp.ua" },
	{ 0x8000, "x-wap-microsoft:localcontent.ua" },
	{ 0x8007, "x-motorola:otaprov.ua" },
	{ 0x9001, "x-oma-nec:otaprov.ua" },
};

const char *
omacp_sec_to_string(OmacpSec sec)
{
	switch (sec) {
	case OMACP_SEC_NONE:
		return "none";
	case OMACP_SEC_NETWPIN:
		return "netwpin";
	case OMACP_SEC_USERPIN:
		return "userpin";
	case OMACP_SEC_USERNETWPIN:
		return "usernetwpin";
	case OMACP_SEC_USERPINMAC:
		return "userpinmac";
	case OMACP_SEC_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

gboolean
omacp_sec_from_string(const char *text, OmacpSec *out)
{
	static const OmacpSec all[] = {
		OMACP_SEC_NONE,        OMACP_SEC_NETWPIN,    OMACP_SEC_USERPIN,
		OMACP_SEC_USERNETWPIN, OMACP_SEC_USERPINMAC, OMACP_SEC_UNKNOWN,
	};
	static const OmacpSec by_value[] = {
		OMACP_SEC_NETWPIN,
		OMACP_SEC_USERPIN,
		OMACP_SEC_USERNETWPIN,
		OMACP_SEC_USERPINMAC,
	};

	if (text == NULL)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
		if (g_ascii_strcasecmp(text, omacp_sec_to_string(all[i])) == 0) {
			*out = all[i];
			return TRUE;
		}
	}
	if (text[0] >= '0' && text[0] <= '3' && text[1] == '\0') {
		*out = by_value[text[0] - '0'];
		return TRUE;
	}
	return FALSE;
}

const char *
omacp_push_kind_to_string(OmacpPushKind kind)
{
	switch (kind) {
	case OMACP_PUSH_KIND_PROVISIONING:
		return "provisioning";
	case OMACP_PUSH_KIND_PROVISIONING_XML:
		return "provisioning-xml";
	case OMACP_PUSH_KIND_DM_BOOTSTRAP:
		return "dm-bootstrap";
	case OMACP_PUSH_KIND_MMS:
		return "mms";
	case OMACP_PUSH_KIND_SI:
		return "si";
	case OMACP_PUSH_KIND_SL:
		return "sl";
	case OMACP_PUSH_KIND_OTHER:
		return "other";
	}
	return "other";
}

gboolean
omacp_push_kind_is_provisioning(OmacpPushKind kind)
{
	switch (kind) {
	case OMACP_PUSH_KIND_PROVISIONING:
	case OMACP_PUSH_KIND_PROVISIONING_XML:
	case OMACP_PUSH_KIND_DM_BOOTSTRAP:
		return TRUE;
	case OMACP_PUSH_KIND_MMS:
	case OMACP_PUSH_KIND_SI:
	case OMACP_PUSH_KIND_SL:
	case OMACP_PUSH_KIND_OTHER:
		return FALSE;
	}
	return FALSE;
}

const char *
omacp_wsp_content_type_name(gint code)
{
	if (code < 0 || (gsize) code >= G_N_ELEMENTS(content_types))
		return NULL;
	return content_types[code];
}

/* Longest media type in content_types[] plus one: anything longer has no
 * code, and shorter ones are lower-cased into a stack buffer this size. */
#define CONTENT_TYPE_MAX 48

/* Lower-case name → code + 1, built once: the encoder looks the content
 * type up for every push it signs, and a case-insensitive scan of the whole
 * table cost a quarter of a campaign's per-subscriber time. */
static GHashTable *
content_type_index(void)
{
	static GHashTable *index;

	if (g_once_init_enter(&index)) {
		GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);

		for (guint i = 0; i < G_N_ELEMENTS(content_types); i++) {
			if (content_types[i] == NULL)
				continue;
			g_assert(strlen(content_types[i]) < CONTENT_TYPE_MAX);
			/* The keys live as long as the process. */
			g_hash_table_insert(t, g_ascii_strdown(content_types[i], -1),
			                    GINT_TO_POINTER((gint) i + 1));
		}
		g_once_init_leave(&index, t);
	}
	return index;
}

gint
omacp_wsp_content_type_code(const char *media_type)
{
	char lower[CONTENT_TYPE_MAX];
	gsize i;

	if (media_type == NULL)
		return -1;
	for (i = 0; media_type[i] != '\0'; i++) {
		if (i + 1 >= sizeof lower)
			return -1;
		lower[i] = g_ascii_tolower(media_type[i]);
	}
	lower[i] = '\0';
	return GPOINTER_TO_INT(g_hash_table_lookup(content_type_index(), lower)) - 1;
}

OmacpPushKind
omacp_wsp_kind_for_content_type(const char *media_type)
{
	static const struct {
		const char *media_type;
		OmacpPushKind kind;
	} kinds[] = {
		{ "application/vnd.wap.connectivity-wbxml", OMACP_PUSH_KIND_PROVISIONING },
		{ "text/vnd.wap.connectivity-xml", OMACP_PUSH_KIND_PROVISIONING_XML },
		/* not registered, but seen in documentation of the XML form */
		{ "application/vnd.wap.connectivity-xml", OMACP_PUSH_KIND_PROVISIONING_XML },
		{ "application/vnd.syncml.dm+wbxml", OMACP_PUSH_KIND_DM_BOOTSTRAP },
		{ "application/vnd.wap.mms-message", OMACP_PUSH_KIND_MMS },
		{ "application/vnd.wap.sic", OMACP_PUSH_KIND_SI },
		{ "text/vnd.wap.si", OMACP_PUSH_KIND_SI },
		{ "application/vnd.wap.slc", OMACP_PUSH_KIND_SL },
		{ "text/vnd.wap.sl", OMACP_PUSH_KIND_SL },
	};

	if (media_type == NULL)
		return OMACP_PUSH_KIND_OTHER;
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
		if (g_ascii_strcasecmp(media_type, kinds[i].media_type) == 0)
			return kinds[i].kind;
	}
	return OMACP_PUSH_KIND_OTHER;
}

const char *
omacp_wsp_app_id_name(gint64 code)
{
	for (guint i = 0; i < G_N_ELEMENTS(app_ids); i++) {
		if (app_ids[i].code == code)
			return app_ids[i].name;
	}
	return NULL;
}

void
omacp_push_free(OmacpPush *push)
{
	if (push == NULL)
		return;
	g_free(push->content_type);
	g_free(push->mac);
	g_free(push->app_id);
	g_clear_pointer(&push->headers, g_bytes_unref);
	g_clear_pointer(&push->data, g_bytes_unref);
	g_free(push);
}

OmacpPush *
omacp_push_copy(const OmacpPush *push)
{
	OmacpPush *copy;

	g_return_val_if_fail(push != NULL, NULL);
	copy = g_memdup2(push, sizeof(*push));
	copy->content_type = g_strdup(push->content_type);
	copy->mac = g_strdup(push->mac);
	copy->app_id = g_strdup(push->app_id);
	copy->headers = push->headers != NULL ? g_bytes_ref(push->headers) : NULL;
	copy->data = push->data != NULL ? g_bytes_ref(push->data) : NULL;
	return copy;
}

/* ---- primitive readers: each sets a GError naming the field and offset ---- */

static gboolean
read_u8(OmacpReader *r, const char *what, guint8 *out, GError **error)
{
	if (!omacp_reader_u8(r, out)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: %s missing: its field ends at octet %" G_GSIZE_FORMAT, what,
		            omacp_reader_offset(r));
		return FALSE;
	}
	return TRUE;
}

static gboolean
read_uintvar(OmacpReader *r, const char *what, guint32 *out, GError **error)
{
	gsize at = omacp_reader_offset(r);
	gboolean overflow = FALSE;

	if (omacp_reader_uintvar(r, out, &overflow))
		return TRUE;
	if (overflow) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: %s uintvar is longer than 5 octets or exceeds 32 bits at octet "
		            "%" G_GSIZE_FORMAT,
		            what, at);
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: %s uintvar is cut off at octet %" G_GSIZE_FORMAT, what, at);
	}
	return FALSE;
}

static gboolean
is_integer_octet(guint8 b)
{
	return b >= 0x80 || (b >= 0x01 && b <= SHORT_LENGTH_MAX);
}

/* Integer-value: Short-integer or Long-integer of at most
 * OMACP_WSP_MAX_INTEGER_OCTETS octets. */
static gboolean
read_integer(OmacpReader *r, const char *what, guint64 *out, GError **error)
{
	gsize at = omacp_reader_offset(r);
	const guint8 *octets = NULL;
	guint64 value = 0;
	guint8 b;

	if (!read_u8(r, what, &b, error))
		return FALSE;
	if (b & 0x80) {
		*out = b & 0x7F;
		return TRUE;
	}
	if (b == 0 || b > SHORT_LENGTH_MAX) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: %s: expected an Integer-value, found 0x%02X at octet "
		            "%" G_GSIZE_FORMAT,
		            what, b, at);
		return FALSE;
	}
	if (b > OMACP_WSP_MAX_INTEGER_OCTETS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: %s: Long-integer of %u octets is longer than %u at octet "
		            "%" G_GSIZE_FORMAT,
		            what, b, OMACP_WSP_MAX_INTEGER_OCTETS, at);
		return FALSE;
	}
	if (!omacp_reader_bytes(r, b, &octets)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: %s: Long-integer of %u octets runs past the end of its field "
		            "(%" G_GSIZE_FORMAT " octets left) at octet %" G_GSIZE_FORMAT,
		            what, b, omacp_reader_remaining(r), at);
		return FALSE;
	}
	for (guint i = 0; i < b; i++)
		value = (value << 8) | octets[i];
	*out = value;
	return TRUE;
}

/* Text-string or Token-text at the cursor, its leading Quote 0x7F dropped;
 * with @text_value also a Quoted-string, its leading '"' dropped (Text-value:
 * parameter values; not media types or URIs, where '"' is just a character).
 * An empty string (a lone 0x00, the No-value of a Text-value) yields "".
 * Invalid UTF-8 is repaired, never passed on. */
static gboolean
read_text(OmacpReader *r, const char *what, gboolean text_value, char **out, GError **error)
{
	gsize at = omacp_reader_offset(r);
	const char *text = NULL;
	gsize text_len = 0;
	guint8 b = 0;

	if (omacp_reader_peek_u8(r, &b) && (b == TEXT_QUOTE || (text_value && b == QUOTED_STRING)))
		omacp_reader_skip(r, 1);
	if (!omacp_reader_cstring(r, &text, &text_len)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: %s text has no terminating NUL before the end of its field "
		            "(starts at octet %" G_GSIZE_FORMAT ")",
		            what, at);
		return FALSE;
	}
	if (text_len > OMACP_WSP_MAX_TEXT) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "wsp: %s text of %" G_GSIZE_FORMAT
		            " octets is longer than %u at octet %" G_GSIZE_FORMAT,
		            what, text_len, OMACP_WSP_MAX_TEXT, at);
		return FALSE;
	}
	*out = g_utf8_make_valid(text, (gssize) text_len);
	return TRUE;
}

/* The generic rule that skips any value (digest §2.2): 00..1E short length,
 * 1F uintvar length, 20..7F text through its NUL, 80..FF one octet. */
static gboolean
skip_value(OmacpReader *r, const char *what, GError **error)
{
	gsize at = omacp_reader_offset(r);
	const char *text = NULL;
	gsize text_len = 0;
	guint32 len = 0;
	guint8 b;

	if (!omacp_reader_peek_u8(r, &b)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: %s value missing: its field ends at octet %" G_GSIZE_FORMAT, what,
		            at);
		return FALSE;
	}
	if (b >= 0x80) {
		omacp_reader_skip(r, 1);
		return TRUE;
	}
	if (b >= 0x20) {
		if (!omacp_reader_cstring(r, &text, &text_len)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
			            "wsp: %s text value has no terminating NUL (starts at octet "
			            "%" G_GSIZE_FORMAT ")",
			            what, at);
			return FALSE;
		}
		return TRUE;
	}
	omacp_reader_skip(r, 1);
	if (b == LENGTH_QUOTE) {
		if (!read_uintvar(r, what, &len, error))
			return FALSE;
	} else {
		len = b;
	}
	if (!omacp_reader_skip(r, len)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: %s value length %u runs past the end of its field "
		            "(%" G_GSIZE_FORMAT " octets left) at octet %" G_GSIZE_FORMAT,
		            what, len, omacp_reader_remaining(r), at);
		return FALSE;
	}
	return TRUE;
}

/* ---- content type ---- */

typedef struct {
	gboolean seen_sec;
	gboolean seen_mac;
} ParamState;

static void
set_sec(OmacpPush *push, guint64 value)
{
	static const OmacpSec by_value[] = {
		OMACP_SEC_NETWPIN,
		OMACP_SEC_USERPIN,
		OMACP_SEC_USERNETWPIN,
		OMACP_SEC_USERPINMAC,
	};

	push->sec_raw = value > G_MAXINT ? G_MAXINT : (gint) value;
	push->sec = value < G_N_ELEMENTS(by_value) ? by_value[value] : OMACP_SEC_UNKNOWN;
}

/* SEC value: any Integer-value, or (untyped, textual) a decimal number. */
static gboolean
parse_sec_value(OmacpReader *r, OmacpPush *push, ParamState *state, gsize at, GError **error)
{
	guint64 value = 0;
	guint8 b = 0;

	if (state->seen_sec) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: second SEC parameter at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}
	state->seen_sec = TRUE;
	if (!omacp_reader_peek_u8(r, &b)) {
		g_set_error(
		        error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		        "wsp: SEC value missing: the content type ends at octet %" G_GSIZE_FORMAT,
		        omacp_reader_offset(r));
		return FALSE;
	}
	if (is_integer_octet(b)) {
		if (!read_integer(r, "SEC", &value, error))
			return FALSE;
	} else {
		gsize text_at = omacp_reader_offset(r);
		g_autofree char *text = NULL;
		g_autoptr(GError) local = NULL;

		if (!read_text(r, "SEC", TRUE, &text, error))
			return FALSE;
		if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, &value, &local)) {
			g_set_error(
			        error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
			        "wsp: SEC value \"%s\" is not a number at octet %" G_GSIZE_FORMAT,
			        text, text_at);
			return FALSE;
		}
	}
	set_sec(push, value);
	return TRUE;
}

static gboolean
parse_mac_value(OmacpReader *r, OmacpPush *push, ParamState *state, gsize at, GError **error)
{
	g_autofree char *text = NULL;
	guint8 b = 0;

	if (state->seen_mac) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: second MAC parameter at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}
	state->seen_mac = TRUE;
	if (omacp_reader_peek_u8(r, &b) && is_integer_octet(b)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: MAC value is an integer (0x%02X), not text, at octet "
		            "%" G_GSIZE_FORMAT,
		            b, omacp_reader_offset(r));
		return FALSE;
	}
	if (!read_text(r, "MAC", TRUE, &text, error))
		return FALSE;
	/* No-value: as if the MAC were absent */
	if (text[0] != '\0')
		push->mac = g_steal_pointer(&text);
	return TRUE;
}

static gboolean
parse_parameter(OmacpReader *r, OmacpPush *push, ParamState *state, GError **error)
{
	gsize at = omacp_reader_offset(r);
	guint8 b = 0;

	omacp_reader_peek_u8(r, &b);
	if (is_integer_octet(b)) {
		guint64 token = 0;

		if (!read_integer(r, "parameter token", &token, error))
			return FALSE;
		if (token == PARAM_SEC)
			return parse_sec_value(r, push, state, at, error);
		if (token == PARAM_MAC)
			return parse_mac_value(r, push, state, at, error);
		if (token == PARAM_Q) {
			/* Q-value is uintvar-shaped, which the generic rule misreads */
			guint32 q = 0;

			return read_uintvar(r, "Q parameter", &q, error);
		}
		/* Charset (0x01), Q, Level, Type, Name, ...: not needed */
		return skip_value(r, "content-type parameter", error);
	}
	if (b >= 0x20) {
		const char *name = NULL;
		gsize name_len = 0;

		if (!omacp_reader_cstring(r, &name, &name_len)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
			            "wsp: untyped parameter name has no terminating NUL (starts at "
			            "octet %" G_GSIZE_FORMAT ")",
			            at);
			return FALSE;
		}
		if (g_ascii_strcasecmp(name, "sec") == 0)
			return parse_sec_value(r, push, state, at, error);
		if (g_ascii_strcasecmp(name, "mac") == 0)
			return parse_mac_value(r, push, state, at, error);
		return skip_value(r, "untyped parameter", error);
	}
	g_set_error(
	        error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
	        "wsp: content-type parameter cannot start with 0x%02X at octet %" G_GSIZE_FORMAT, b,
	        at);
	return FALSE;
}

static gboolean
set_content_type_code(OmacpPush *push, guint64 code, gsize at, GError **error)
{
	const char *name;

	if (code > G_MAXINT) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: content type code %" G_GUINT64_FORMAT
		            " is out of range at octet %" G_GSIZE_FORMAT,
		            code, at);
		return FALSE;
	}
	push->content_type_code = (gint) code;
	name = omacp_wsp_content_type_name((gint) code);
	push->content_type =
	        name != NULL ? g_strdup(name) : g_strdup_printf("0x%02x", (guint) code);
	return TRUE;
}

static gboolean
set_content_type_text(OmacpReader *r, OmacpPush *push, GError **error)
{
	gsize at = omacp_reader_offset(r);
	g_autofree char *text = NULL;

	if (!read_text(r, "Content-Type", FALSE, &text, error))
		return FALSE;
	if (text[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: empty content type at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}
	push->content_type_code = -1;
	push->content_type = g_steal_pointer(&text);
	return TRUE;
}

static gboolean
parse_content_type(OmacpReader *r, OmacpPush *push, GError **error)
{
	gsize at = omacp_reader_offset(r);
	OmacpReader value;
	ParamState state = { FALSE, FALSE };
	guint32 value_len = 0;
	guint8 b = 0;

	if (!omacp_reader_peek_u8(r, &b)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: no Content-Type: HeadersLen is 0 at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}

	/* constrained media: one Short-integer or an Extension-media text */
	if (b >= 0x80) {
		omacp_reader_skip(r, 1);
		return set_content_type_code(push, b & 0x7F, at, error);
	}
	if (b >= 0x20)
		return set_content_type_text(r, push, error);
	if (b == 0x00) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: empty content type at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}

	/* general form: Value-length, media type, parameters */
	omacp_reader_skip(r, 1);
	if (b == LENGTH_QUOTE) {
		if (!read_uintvar(r, "Content-Type value length", &value_len, error))
			return FALSE;
	} else {
		value_len = b;
	}
	if (value_len > omacp_reader_remaining(r)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: Content-Type value length %u runs past the end of the headers "
		            "(%" G_GSIZE_FORMAT " octets left) at octet %" G_GSIZE_FORMAT,
		            value_len, omacp_reader_remaining(r), at);
		return FALSE;
	}
	if (value_len == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: Content-Type value length 0 at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}
	omacp_reader_init(&value, r->data + r->pos, value_len, omacp_reader_offset(r));
	omacp_reader_skip(r, value_len);

	omacp_reader_peek_u8(&value, &b);
	if (is_integer_octet(b)) {
		gsize media_at = omacp_reader_offset(&value);
		guint64 code = 0;

		if (!read_integer(&value, "Content-Type media", &code, error))
			return FALSE;
		if (!set_content_type_code(push, code, media_at, error))
			return FALSE;
	} else if (b >= 0x20) {
		if (!set_content_type_text(&value, push, error))
			return FALSE;
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: Content-Type media type cannot start with 0x%02X at octet "
		            "%" G_GSIZE_FORMAT,
		            b, omacp_reader_offset(&value));
		return FALSE;
	}

	while (!omacp_reader_at_end(&value)) {
		if (!parse_parameter(&value, push, &state, error))
			return FALSE;
	}
	return TRUE;
}

/* ---- headers after the content type ---- */

static gboolean
parse_app_id(OmacpReader *r, OmacpPush *push, gsize at, GError **error)
{
	g_autofree char *uri = NULL;
	gint64 code = -1;
	guint8 b = 0;

	if (!omacp_reader_peek_u8(r, &b)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: X-Wap-Application-Id value missing: the headers end at octet "
		            "%" G_GSIZE_FORMAT,
		            omacp_reader_offset(r));
		return FALSE;
	}
	if (is_integer_octet(b)) {
		guint64 value = 0;

		if (!read_integer(r, "X-Wap-Application-Id", &value, error))
			return FALSE;
		if (value > G_MAXINT64) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
			            "wsp: X-Wap-Application-Id code is out of range at octet "
			            "%" G_GSIZE_FORMAT,
			            at);
			return FALSE;
		}
		code = (gint64) value;
	} else if (b >= 0x20 || b == 0x00) {
		if (!read_text(r, "X-Wap-Application-Id", FALSE, &uri, error))
			return FALSE;
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "wsp: X-Wap-Application-Id value cannot start with 0x%02X at octet "
		            "%" G_GSIZE_FORMAT,
		            b, omacp_reader_offset(r));
		return FALSE;
	}
	if (push->has_app_id) {
		g_debug("wsp: second X-Wap-Application-Id at octet %" G_GSIZE_FORMAT
		        " ignored; the first one wins",
		        at);
		return TRUE;
	}
	push->has_app_id = TRUE;
	push->app_id_code = code;
	if (code >= 0)
		push->app_id = g_strdup(omacp_wsp_app_id_name(code));
	else
		push->app_id = g_steal_pointer(&uri);
	return TRUE;
}

static gboolean
parse_headers(OmacpReader *r, OmacpPush *push, GError **error)
{
	guint page = DEFAULT_CODE_PAGE;

	while (!omacp_reader_at_end(r)) {
		gsize at = omacp_reader_offset(r);
		guint8 b = 0;

		omacp_reader_u8(r, &b);
		if (b == TEXT_QUOTE) {
			/* Shift-delimiter + Page-identity */
			guint8 p = 0;

			if (!read_u8(r, "header code page", &p, error))
				return FALSE;
			page = p;
		} else if (b >= 0x01 && b <= 0x1F) {
			/* Short-cut-shift-delimiter */
			page = b;
		} else if (b >= 0x80) {
			guint field = b & 0x7F;

			if (page == DEFAULT_CODE_PAGE && field == FIELD_X_WAP_APPLICATION_ID) {
				if (!parse_app_id(r, push, at, error))
					return FALSE;
			} else if (!skip_value(r, "header", error)) {
				return FALSE;
			}
		} else if (b >= 0x20) {
			/* Application-header: Token-text name, then a text value */
			const char *name = NULL;
			gsize name_len = 0;

			r->pos--;
			if (!omacp_reader_cstring(r, &name, &name_len)) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
				            "wsp: header name has no terminating NUL (starts at "
				            "octet %" G_GSIZE_FORMAT ")",
				            at);
				return FALSE;
			}
			if (!skip_value(r, "application header", error))
				return FALSE;
		} else {
			g_set_error(
			        error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
			        "wsp: a header cannot start with 0x00 at octet %" G_GSIZE_FORMAT,
			        at);
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- the PDU ---- */

/* With @owner (the GBytes holding @pdu) the headers and the body are
 * slices of it, else copies. */
static gboolean
parse_at(const guint8 *pdu, gsize len, GBytes *owner, gsize skip, OmacpPush **out, GError **error)
{
	g_autoptr(OmacpPush) push = g_new0(OmacpPush, 1);
	OmacpReader r;
	OmacpReader headers;
	guint32 headers_len = 0;
	gsize at;

	push->sec = OMACP_SEC_NONE;
	push->sec_raw = -1;
	push->app_id_code = -1;
	push->content_type_code = -1;
	push->junk_skipped = skip;

	omacp_reader_init(&r, pdu + skip, len - skip, skip);
	if (!omacp_reader_u8(&r, &push->tid)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: the PDU is empty: no TID at octet %" G_GSIZE_FORMAT,
		            omacp_reader_offset(&r));
		return FALSE;
	}
	at = omacp_reader_offset(&r);
	if (!omacp_reader_u8(&r, &push->pdu_type)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: the PDU ends before the PDU type at octet %" G_GSIZE_FORMAT, at);
		return FALSE;
	}
	if (push->pdu_type != OMACP_WSP_PDU_PUSH &&
	    push->pdu_type != OMACP_WSP_PDU_CONFIRMED_PUSH) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_PUSH,
		            "wsp: PDU type 0x%02X at octet %" G_GSIZE_FORMAT
		            " is not Push (0x06) or ConfirmedPush (0x07)",
		            push->pdu_type, at);
		return FALSE;
	}
	at = omacp_reader_offset(&r);
	if (!read_uintvar(&r, "HeadersLen", &headers_len, error))
		return FALSE;
	if (headers_len > omacp_reader_remaining(&r)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "wsp: HeadersLen %u runs past the end of the PDU (%" G_GSIZE_FORMAT
		            " octets left) at octet %" G_GSIZE_FORMAT,
		            headers_len, omacp_reader_remaining(&r), at);
		return FALSE;
	}
	push->headers_offset = omacp_reader_offset(&r);
	push->headers_len = headers_len;
	push->data_offset = push->headers_offset + headers_len;

	omacp_reader_init(&headers, r.data + r.pos, headers_len, push->headers_offset);
	if (!parse_content_type(&headers, push, error))
		return FALSE;
	if (!parse_headers(&headers, push, error))
		return FALSE;

	push->kind = omacp_wsp_kind_for_content_type(push->content_type);
	if (owner != NULL) {
		push->headers = g_bytes_new_from_bytes(owner, push->headers_offset, headers_len);
		push->data =
		        g_bytes_new_from_bytes(owner, push->data_offset, len - push->data_offset);
	} else {
		push->headers = g_bytes_new(pdu + push->headers_offset, headers_len);
		push->data = g_bytes_new(pdu + push->data_offset, len - push->data_offset);
	}
	*out = g_steal_pointer(&push);
	return TRUE;
}

static gboolean
parse_push(const guint8 *pdu, gsize len, GBytes *owner, OmacpPush **out, GError **error)
{
	g_autoptr(GError) first_error = NULL;
	OmacpPush *push = NULL;

	if (pdu == NULL)
		pdu = (const guint8 *) "";
	if (parse_at(pdu, len, owner, 0, &push, &first_error)) {
		*out = push;
		return TRUE;
	}

	/* Leading junk before the TID (digest §1.3): only when octet 1 is not a
	 * push type, and only for a complete provisioning push. */
	if (len >= 2 && pdu[1] != OMACP_WSP_PDU_PUSH && pdu[1] != OMACP_WSP_PDU_CONFIRMED_PUSH) {
		for (gsize skip = 1; skip <= OMACP_WSP_MAX_LEADING_JUNK && skip + 2 <= len;
		     skip++) {
			g_autoptr(OmacpPush) candidate = NULL;

			if (!parse_at(pdu, len, owner, skip, &candidate, NULL))
				continue;
			if (!omacp_push_kind_is_provisioning(candidate->kind))
				continue;
			g_debug("wsp: skipped %" G_GSIZE_FORMAT " octets of leading junk", skip);
			*out = g_steal_pointer(&candidate);
			return TRUE;
		}
	}
	g_propagate_error(error, g_steal_pointer(&first_error));
	return FALSE;
}

gboolean
omacp_wsp_parse_push(const guint8 *pdu, gsize len, OmacpPush **out, GError **error)
{
	g_return_val_if_fail(pdu != NULL || len == 0, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	return parse_push(pdu, len, NULL, out, error);
}

gboolean
omacp_wsp_parse_push_bytes(GBytes *pdu, OmacpPush **out, GError **error)
{
	gsize len = 0;
	const guint8 *data;

	g_return_val_if_fail(pdu != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	data = g_bytes_get_data(pdu, &len);
	return parse_push(data, len, pdu, out, error);
}

/* ---- encoder ---- */

static void
append_uintvar(GByteArray *out, guint32 value)
{
	guint8 octets[5];
	guint n = 0;

	do {
		octets[n++] = value & 0x7F;
		value >>= 7;
	} while (value != 0);
	while (n > 0) {
		guint8 octet;

		n--;
		octet = octets[n] | (n > 0 ? 0x80 : 0x00);
		g_byte_array_append(out, &octet, 1);
	}
}

static void
append_u8(GByteArray *out, guint8 octet)
{
	g_byte_array_append(out, &octet, 1);
}

static gboolean
append_media_type(GByteArray *out, const char *content_type, GError **error)
{
	gint code = omacp_wsp_content_type_code(content_type);
	gsize len;

	if (code >= 0) {
		append_u8(out, 0x80 | (guint8) code);
		return TRUE;
	}
	len = strlen(content_type);
	if (len == 0 || len > OMACP_WSP_MAX_TEXT) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "wsp: content type must be 1 to %u characters (got %" G_GSIZE_FORMAT
		            ")",
		            OMACP_WSP_MAX_TEXT, len);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar) content_type[i];

		/* token characters (RFC 2045) and the '/' of type/subtype */
		if (c <= 0x20 || c >= 0x7F || (c != '/' && strchr("()<>@,;:\\\"[]?=", c) != NULL)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "wsp: content type has a character 0x%02X at position "
			            "%" G_GSIZE_FORMAT " that a media type cannot hold",
			            c, i);
			return FALSE;
		}
	}
	g_byte_array_append(out, (const guint8 *) content_type, (guint) len + 1);
	return TRUE;
}

static gboolean
append_security(GByteArray *out, OmacpSec sec, const char *mac, GError **error)
{
	guint8 sec_value = 0;

	switch (sec) {
	case OMACP_SEC_NONE:
		if (mac != NULL) {
			g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			                    "wsp: a MAC was given without a SEC method");
			return FALSE;
		}
		return TRUE;
	case OMACP_SEC_NETWPIN:
		sec_value = 0;
		break;
	case OMACP_SEC_USERPIN:
		sec_value = 1;
		break;
	case OMACP_SEC_USERNETWPIN:
		sec_value = 2;
		break;
	case OMACP_SEC_USERPINMAC:
		sec_value = 3;
		break;
	case OMACP_SEC_UNKNOWN:
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "wsp: cannot encode an unknown SEC method");
		return FALSE;
	}
	if (mac == NULL && sec != OMACP_SEC_USERPINMAC) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "wsp: SEC %s needs a MAC",
		            omacp_sec_to_string(sec));
		return FALSE;
	}
	append_u8(out, 0x80 | PARAM_SEC);
	append_u8(out, 0x80 | sec_value);
	if (mac == NULL)
		return TRUE;
	if (strlen(mac) != 40) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "wsp: the MAC must be 40 hexadecimal digits (got %" G_GSIZE_FORMAT
		            " characters)",
		            strlen(mac));
		return FALSE;
	}
	append_u8(out, 0x80 | PARAM_MAC);
	for (gsize i = 0; i < 40; i++) {
		if (!g_ascii_isxdigit(mac[i])) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "wsp: the MAC has a non-hexadecimal character at position "
			            "%" G_GSIZE_FORMAT,
			            i);
			return FALSE;
		}
		append_u8(out, (guint8) g_ascii_toupper(mac[i]));
	}
	append_u8(out, 0x00);
	return TRUE;
}

GBytes *
omacp_wsp_encode_push(guint8 tid, const char *content_type, OmacpSec sec, const char *mac,
                      const guint8 *body, gsize body_len, GError **error)
{
	g_autoptr(GByteArray) value = g_byte_array_new();
	g_autoptr(GByteArray) params = g_byte_array_new();
	g_autoptr(GByteArray) headers = g_byte_array_new();
	g_autoptr(GByteArray) pdu = g_byte_array_new();

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (content_type == NULL) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "wsp: no content type given");
		return NULL;
	}
	if (body == NULL && body_len > 0) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "wsp: no body given");
		return NULL;
	}
	if (body_len > G_MAXUINT - 1024) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "wsp: body of %" G_GSIZE_FORMAT " octets is too large", body_len);
		return NULL;
	}
	if (!append_media_type(value, content_type, error))
		return NULL;
	if (!append_security(params, sec, mac, error))
		return NULL;

	if (params->len == 0) {
		/* constrained media */
		g_byte_array_append(headers, value->data, value->len);
	} else {
		guint value_len = value->len + params->len;

		if (value_len <= SHORT_LENGTH_MAX) {
			append_u8(headers, (guint8) value_len);
		} else {
			append_u8(headers, LENGTH_QUOTE);
			append_uintvar(headers, value_len);
		}
		g_byte_array_append(headers, value->data, value->len);
		g_byte_array_append(headers, params->data, params->len);
	}

	append_u8(pdu, tid);
	append_u8(pdu, OMACP_WSP_PDU_PUSH);
	append_uintvar(pdu, headers->len);
	g_byte_array_append(pdu, headers->data, headers->len);
	if (body_len > 0)
		g_byte_array_append(pdu, body, (guint) body_len);
	return g_byte_array_free_to_bytes(g_steal_pointer(&pdu));
}
