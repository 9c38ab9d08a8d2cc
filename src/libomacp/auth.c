/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OMA ProvBoot generic security mechanism (digest §3): HMAC-SHA1 over the
 * exact document octets with a key chosen by the SEC method. Keys, PINs and
 * expected MACs live in stack buffers that are wiped with OPENSSL_cleanse on
 * every way out; none of them is ever logged. */
#include "auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "omacp-error.h"

#define SHA1_LEN 20

/* Key material for one HMAC: the largest is USERNETWPIN (IMSI key + PIN). */
typedef struct {
	guint8 bytes[OMACP_NETWPIN_KEY_LEN + OMACP_PIN_MAX_LEN];
	gsize len;
} AuthKey;

static void
auth_key_clear(AuthKey *key)
{
	OPENSSL_cleanse(key, sizeof *key);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(AuthKey, auth_key_clear)

/* An HMAC output and anything derived from it (expected MAC text, check
 * digits). */
typedef struct {
	guint8 mac[SHA1_LEN];
	char text[OMACP_USERPINMAC_MAX_DIGITS + 1];
} AuthDigest;

static void
auth_digest_clear(AuthDigest *digest)
{
	OPENSSL_cleanse(digest, sizeof *digest);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(AuthDigest, auth_digest_clear)

#define SHA1_BLOCK 64

/* SHA-1 looked up in the default library context once per process: the
 * lookup costs far more than hashing a document. */
static const EVP_MD *
sha1_md(void)
{
	static gsize once = 0;
	static EVP_MD *md = NULL;

	if (g_once_init_enter(&once)) {
		md = EVP_MD_fetch(NULL, "SHA1", NULL);
		g_once_init_leave(&once, 1);
	}
	return md;
}

static gboolean
digest_parts(EVP_MD_CTX *ctx, const EVP_MD *md, const guint8 *a, gsize a_len, const guint8 *b,
             gsize b_len, guint8 out[SHA1_LEN])
{
	unsigned int n = 0;

	return EVP_DigestInit_ex2(ctx, md, NULL) == 1 &&
	       (a_len == 0 || EVP_DigestUpdate(ctx, a, a_len) == 1) &&
	       (b_len == 0 || EVP_DigestUpdate(ctx, b, b_len) == 1) &&
	       EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == SHA1_LEN;
}

/* HMAC-SHA1 (RFC 2104) over the digest, with a SHA-1 fetched once:
 * H((K0 ^ opad) || H((K0 ^ ipad) || doc)), K0 the key padded to the block
 * size (hashed first when longer). Every derived buffer is wiped. */
static gboolean
hmac_sha1(const AuthKey *key, const guint8 *doc, gsize len, guint8 out[SHA1_LEN], GError **error)
{
	const EVP_MD *md = sha1_md();
	EVP_MD_CTX *ctx = md != NULL ? EVP_MD_CTX_new() : NULL;
	guint8 k0[SHA1_BLOCK] = { 0 };
	guint8 pad[SHA1_BLOCK];
	guint8 inner[SHA1_LEN];
	gboolean ok = ctx != NULL;

	if (ok && key->len > SHA1_BLOCK)
		ok = digest_parts(ctx, md, key->bytes, key->len, NULL, 0, k0);
	else if (ok)
		memcpy(k0, key->bytes, key->len);
	for (guint i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k0[i] ^ 0x36;
	ok = ok && digest_parts(ctx, md, pad, sizeof pad, doc, len, inner);
	for (guint i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k0[i] ^ 0x5c;
	ok = ok && digest_parts(ctx, md, pad, sizeof pad, inner, sizeof inner, out);
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(k0, sizeof k0);
	OPENSSL_cleanse(pad, sizeof pad);
	OPENSSL_cleanse(inner, sizeof inner);
	if (!ok) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_FAILED,
		                    "auth: HMAC-SHA1 failed in libcrypto");
		return FALSE;
	}
	return TRUE;
}

static gboolean
all_digits(const char *text, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(text[i]))
			return FALSE;
	}
	return TRUE;
}

gboolean
omacp_auth_netwpin_key(const char *imsi, guint8 key[OMACP_NETWPIN_KEY_LEN], GError **error)
{
	guint8 nibbles[2 * OMACP_NETWPIN_KEY_LEN];
	guint8 packed[OMACP_NETWPIN_KEY_LEN];
	gsize n;
	gsize k = 0;

	if (imsi == NULL || imsi[0] == '\0') {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_NO_KEY,
		                    "auth: NETWPIN needs the IMSI and none was given");
		return FALSE;
	}
	n = strnlen(imsi, 16);
	if ((n != 14 && n != 15) || !all_digits(imsi, n)) {
		/* the IMSI itself is personal data: say only what is wrong */
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NO_KEY,
		            "auth: the IMSI must be 14 or 15 decimal digits for a NETWPIN key "
		            "(got %s%" G_GSIZE_FORMAT " characters%s)",
		            n == 16 ? "at least " : "", n,
		            all_digits(imsi, n) ? "" : ", not all digits");
		return FALSE;
	}

	/* type nibble: 1 = IMSI, bit 3 set for an odd number of digits */
	nibbles[k++] = (n % 2) ? 0x9 : 0x1;
	for (gsize i = 0; i < n; i++)
		nibbles[k++] = (guint8) (imsi[i] - '0');
	if (n % 2 == 0)
		nibbles[k++] = 0xF;
	g_assert(k == sizeof nibbles);

	/* semi-octets: the first nibble of each pair is the low one */
	for (gsize i = 0; i < OMACP_NETWPIN_KEY_LEN; i++)
		packed[i] = (guint8) (nibbles[2 * i] | (nibbles[2 * i + 1] << 4));
	memcpy(key, packed, OMACP_NETWPIN_KEY_LEN);
	OPENSSL_cleanse(nibbles, sizeof nibbles);
	OPENSSL_cleanse(packed, sizeof packed);
	return TRUE;
}

static gboolean
append_pin(AuthKey *key, const char *pin, OmacpSec sec, GError **error)
{
	gsize len;

	if (pin == NULL || pin[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NO_KEY,
		            "auth: SEC %s needs a PIN and none was given",
		            omacp_sec_to_string(sec));
		return FALSE;
	}
	len = strnlen(pin, OMACP_PIN_MAX_LEN + 1);
	if (len > OMACP_PIN_MAX_LEN) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "auth: the PIN is longer than %u characters", OMACP_PIN_MAX_LEN);
		return FALSE;
	}
	memcpy(key->bytes + key->len, pin, len);
	key->len += len;
	return TRUE;
}

/* The error for a push whose SEC cannot be checked at all. */
static gboolean
set_unverifiable(OmacpSec sec, GError **error)
{
	if (sec == OMACP_SEC_NONE)
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		                    "auth: the push carries no SEC parameter, so there is no key "
		                    "to check it with");
	else
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		                    "auth: unknown SEC method");
	return FALSE;
}

/* Key for the MAC-parameter methods (digest §3.2). */
static gboolean
build_key(OmacpSec sec, const char *imsi, const char *pin, AuthKey *key, GError **error)
{
	key->len = 0;
	switch (sec) {
	case OMACP_SEC_NETWPIN:
		if (!omacp_auth_netwpin_key(imsi, key->bytes, error))
			return FALSE;
		key->len = OMACP_NETWPIN_KEY_LEN;
		return TRUE;
	case OMACP_SEC_USERPIN:
		return append_pin(key, pin, sec, error);
	case OMACP_SEC_USERNETWPIN:
		/* IMSI key first, then the ASCII PIN */
		if (!omacp_auth_netwpin_key(imsi, key->bytes, error))
			return FALSE;
		key->len = OMACP_NETWPIN_KEY_LEN;
		return append_pin(key, pin, sec, error);
	case OMACP_SEC_USERPINMAC:
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "auth: USERPINMAC has no MAC parameter to compute; use "
		                    "omacp_auth_userpinmac_pin()");
		return FALSE;
	case OMACP_SEC_NONE:
	case OMACP_SEC_UNKNOWN:
		return set_unverifiable(sec, error);
	}
	return set_unverifiable(OMACP_SEC_UNKNOWN, error);
}

static void
hex_upper(const guint8 *data, gsize len, char *out)
{
	static const char digits[] = "0123456789ABCDEF";

	for (gsize i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0x0F];
	}
	out[2 * len] = '\0';
}

gboolean
omacp_auth_compute_mac(OmacpSec sec, const char *imsi, const char *pin, const guint8 *doc,
                       gsize len, char mac_hex[OMACP_MAC_HEX_LEN + 1], GError **error)
{
	g_auto(AuthKey) key = { { 0 }, 0 };
	g_auto(AuthDigest) digest = { { 0 }, { 0 } };
	char text[OMACP_MAC_HEX_LEN + 1];

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (doc == NULL && len > 0) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "auth: no document given");
		return FALSE;
	}
	if (!build_key(sec, imsi, pin, &key, error))
		return FALSE;
	if (!hmac_sha1(&key, doc, len, digest.mac, error))
		return FALSE;
	hex_upper(digest.mac, SHA1_LEN, text);
	memcpy(mac_hex, text, sizeof text);
	OPENSSL_cleanse(text, sizeof text);
	return TRUE;
}

/* Validates a USERPINMAC PIN or its first half: only digits, length within
 * [min, max] and, for a whole PIN, even. */
static gboolean
check_digits(const char *pin, gsize min, gsize max, gboolean even, const char *what, gsize *out_len,
             GError **error)
{
	gsize len;

	if (pin == NULL || pin[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NO_KEY,
		            "auth: SEC userpinmac needs %s and none was given", what);
		return FALSE;
	}
	len = strnlen(pin, max + 1);
	if (len < min || len > max || (even && len % 2 != 0)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "auth: USERPINMAC %s must be %s%" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT
		            " digits (got %s%" G_GSIZE_FORMAT ")",
		            what, even ? "an even number of " : "", min, max,
		            len > max ? "more than " : "", len > max ? max : len);
		return FALSE;
	}
	if (!all_digits(pin, len)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "auth: USERPINMAC %s must hold decimal digits only", what);
		return FALSE;
	}
	*out_len = len;
	return TRUE;
}

/* The N check digits for the first half @pin[0..n) over @doc. */
static gboolean
userpinmac_digits(const char *pin, gsize n, const guint8 *doc, gsize len, AuthDigest *digest,
                  GError **error)
{
	g_auto(AuthKey) key = { { 0 }, 0 };

	memcpy(key.bytes, pin, n);
	key.len = n;
	if (!hmac_sha1(&key, doc, len, digest->mac, error))
		return FALSE;
	for (gsize i = 0; i < n; i++)
		digest->text[i] = (char) ('0' + digest->mac[i] % 10);
	digest->text[n] = '\0';
	return TRUE;
}

char *
omacp_auth_userpinmac_pin(const char *first_half, const guint8 *doc, gsize len, GError **error)
{
	g_auto(AuthDigest) digest = { { 0 }, { 0 } };
	char *pin;
	gsize n = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (doc == NULL && len > 0) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "auth: no document given");
		return NULL;
	}
	if (!check_digits(first_half, OMACP_USERPINMAC_MIN_DIGITS / 2,
	                  OMACP_USERPINMAC_MAX_DIGITS / 2, FALSE, "first half of the PIN", &n,
	                  error))
		return NULL;
	if (!userpinmac_digits(first_half, n, doc, len, &digest, error))
		return NULL;
	pin = g_malloc(2 * n + 1);
	memcpy(pin, first_half, n);
	memcpy(pin + n, digest.text, n + 1);
	return pin;
}

static gboolean
verify_userpinmac(const char *pin, const guint8 *doc, gsize len, GError **error)
{
	g_auto(AuthDigest) digest = { { 0 }, { 0 } };
	gsize pin_len = 0;
	gsize n;

	if (!check_digits(pin, OMACP_USERPINMAC_MIN_DIGITS, OMACP_USERPINMAC_MAX_DIGITS, TRUE,
	                  "PIN", &pin_len, error))
		return FALSE;
	n = pin_len / 2;
	if (!userpinmac_digits(pin, n, doc, len, &digest, error))
		return FALSE;
	if (CRYPTO_memcmp(digest.text, pin + n, n) != 0) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_AUTH_FAILED,
		                    "auth: the USERPINMAC check digits do not match the document");
		return FALSE;
	}
	return TRUE;
}

gboolean
omacp_auth_verify(OmacpSec sec, const char *mac, const char *imsi, const char *pin,
                  const guint8 *doc, gsize len, GError **error)
{
	char expected[OMACP_MAC_HEX_LEN + 1];
	gboolean equal;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (doc == NULL && len > 0) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                    "auth: no document given");
		return FALSE;
	}

	switch (sec) {
	case OMACP_SEC_USERPINMAC:
		/* the MAC parameter, if any, plays no part (digest §3.4) */
		return verify_userpinmac(pin, doc, len, error);
	case OMACP_SEC_NONE:
	case OMACP_SEC_UNKNOWN:
		return set_unverifiable(sec, error);
	case OMACP_SEC_NETWPIN:
	case OMACP_SEC_USERPIN:
	case OMACP_SEC_USERNETWPIN:
		break;
	}
	if (mac == NULL || mac[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NO_KEY,
		            "auth: SEC %s needs the MAC parameter and the push has none",
		            omacp_sec_to_string(sec));
		return FALSE;
	}
	if (!omacp_auth_compute_mac(sec, imsi, pin, doc, len, expected, error))
		return FALSE;
	equal = omacp_auth_mac_equal(mac, expected);
	OPENSSL_cleanse(expected, sizeof expected);
	if (!equal) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_AUTH_FAILED,
		            "auth: the MAC does not match the document (SEC %s)",
		            omacp_sec_to_string(sec));
		return FALSE;
	}
	return TRUE;
}

/* ASCII upper case without a branch on the character. */
static guint8
upper_ct(guint8 c)
{
	guint32 lo = (guint32) c - 'a';
	/* top bit of (lo - 26) is set for lo < 26 and for the wrapped values
	 * below 'a'; ~lo clears the latter */
	guint32 is_lower = (((lo - 26) & ~lo) >> 31) & 1;

	return (guint8) (c ^ (is_lower << 5));
}

gboolean
omacp_auth_mac_equal(const char *a, const char *b)
{
	guint8 ua[OMACP_MAC_HEX_LEN];
	guint8 ub[OMACP_MAC_HEX_LEN];
	gboolean equal;
	gsize len;

	if (a == NULL || b == NULL)
		return FALSE;
	/* lengths are public: a MAC is 40 characters */
	len = strnlen(a, OMACP_MAC_HEX_LEN + 1);
	if (len == 0 || len > OMACP_MAC_HEX_LEN || strnlen(b, OMACP_MAC_HEX_LEN + 1) != len)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		ua[i] = upper_ct((guint8) a[i]);
		ub[i] = upper_ct((guint8) b[i]);
	}
	equal = CRYPTO_memcmp(ua, ub, len) == 0;
	OPENSSL_cleanse(ua, sizeof ua);
	OPENSSL_cleanse(ub, sizeof ub);
	return equal;
}
