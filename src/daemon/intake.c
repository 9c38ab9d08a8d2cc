/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "intake.h"

#include "changes.h"
#include "message-store.h"
#include "rate-limits.h"

#ifdef __GLIBC__
#endif

struct _OmacpIntake {
	OmacpObjects *objects;
	OmacpStore *store;
	const OmacpConfig *config;
	OmacpApplyQueue *queue;
	OmacpAdapters *adapters;
	OmacpIntakeStatsFunc stats_func;
	gpointer stats_data;

	/* the ICCID of the input omacp_intake_deliver() is taking in, NULL
	 * outside it or when unknown */
	const char *iccid;

	GHashTable *receiving;      /* guint64 reassembly message id → message (not owned) */
	GHashTable *by_fingerprint; /* replay fingerprint → GPtrArray of messages (not owned) */
	OmacpReassembler *reassembler;
	guint expiry_source;

	OmacpRateLimits *rates;
	guint pending_source; /* the next expiry of an unauthenticated pending message */

	/* for the Statistics property: counters since the start */
	guint64 n_delivered;          /* inputs that returned a message */
	guint64 n_refused;            /* inputs that failed, any error */
	guint64 n_rate_limited;       /* of those: RateLimited */
	guint64 n_incomplete_evicted; /* incomplete messages dropped for the reassembly caps */
	guint64 n_incomplete_expired; /* incomplete messages that timed out (→ failed) */
	guint64 n_store_evicted;      /* stored messages dropped for MaxStoredMessages */

	/* mobile-broadband-provider-info, the daemon's copy (NULL: no comparison) */
	OmacpProviderDb *provider_db;
};

static gboolean is_unauthenticated_pending(OmacpDaemonMessage *msg);
static gboolean pending_expiry_cb(gpointer user_data);

/* ---- decoding ---- */

/* Read at the first message that names a SIM. */
static const OmacpMbpi *
intake_mbpi(OmacpIntake *self)
{
	return self->provider_db != NULL ? omacp_provider_db_get(self->provider_db) : NULL;
}

/* Decodes a complete input; @parsed (may be NULL) is the push @data holds as
 * the router parsed it, which is not parsed again. */
static gboolean
decode_complete(OmacpIntake *self, OmacpFormat format, GBytes *data, const OmacpPush *parsed,
                const char *imsi, OmacpMessage **out, GError **error)
{
	g_autoptr(GPtrArray) imsis = NULL;
	g_autoptr(GPtrArray) inputs = g_ptr_array_new();
	OmacpKeys keys = { NULL, NULL };

	if (imsi != NULL) {
		imsis = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(imsis, g_strdup(imsi));
	} else if (self->adapters != NULL) {
		imsis = omacp_adapters_get_imsis(self->adapters);
	}
	keys.imsis = imsis;
	if (imsis != NULL && imsis->len > 0)
		keys.mbpi = intake_mbpi(self);
	if (parsed != NULL && format == OMACP_FORMAT_WSP)
		return omacp_message_decode_parsed_push(data, parsed, &keys, out, error);
	if (omacp_format_is_segmented(format) || format == OMACP_FORMAT_WSP)
		return omacp_message_decode_push(data, &keys, out, error);
	g_ptr_array_add(inputs, data);
	return omacp_message_decode(format, inputs, &keys, out, error);
}

static gboolean
check_provisioning(OmacpMessage *decoded, GError **error)
{
	if (decoded->doc != NULL)
		return TRUE;
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_PUSH,
	            "deliver: a %s push (%s) is not a provisioning document",
	            omacp_push_kind_to_string(decoded->kind),
	            decoded->content_type ? decoded->content_type : "no content type");
	return FALSE;
}

/* The replay fingerprint of one copy of a document for one SIM: the
 * document, the SIM, and the authentication the copy carries (SEC method
 * and MAC). An unsigned or wrongly signed copy of a document therefore never
 * takes the place of the signed original. A copy without SEC
 * and MAC keeps the fingerprint of the document alone, as before. */
static char *
fingerprint_of(const OmacpMessage *decoded, const char *imsi)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(decoded->body, &len);

	g_checksum_update(sum, data, len);
	g_checksum_update(sum, (const guchar *) "", 1);
	if (imsi != NULL)
		g_checksum_update(sum, (const guchar *) imsi, strlen(imsi));
	if (decoded->sec != OMACP_SEC_NONE || decoded->mac != NULL) {
		const char *sec = omacp_sec_to_string(decoded->sec);

		g_checksum_update(sum, (const guchar *) "", 1);
		g_checksum_update(sum, (const guchar *) sec, strlen(sec));
		g_checksum_update(sum, (const guchar *) "", 1);
		if (decoded->mac != NULL)
			g_checksum_update(sum, (const guchar *) decoded->mac, strlen(decoded->mac));
	}
	return g_strdup(g_checksum_get_string(sum));
}

/* Whether @existing, a message with the same fingerprint, stands for a new
 * copy that authenticated as @auth: never when the new copy authenticates
 * and @existing did not or was refused. */
static gboolean
stands_for(OmacpDaemonMessage *existing, OmacpAuthState auth)
{
	if (auth != OMACP_AUTH_VALID)
		return TRUE;
	if (!omacp_dbus_message_get_authenticated(OMACP_DBUS_MESSAGE(existing)))
		return FALSE;
	return !omacp_daemon_message_state_is(existing, OMACP_MESSAGE_STATE_REJECTED) &&
	       !omacp_daemon_message_state_is(existing, OMACP_MESSAGE_STATE_FAILED);
}

/* The messages by replay fingerprint: a lookup per Deliver rather than a
 * walk over the whole store (thousands of messages on a phone). */
static void
index_fingerprint(OmacpIntake *self, OmacpDaemonMessage *msg)
{
	GPtrArray *list;

	if (msg->fingerprint == NULL)
		return;
	list = g_hash_table_lookup(self->by_fingerprint, msg->fingerprint);
	if (list == NULL) {
		list = g_ptr_array_new();
		g_hash_table_insert(self->by_fingerprint, g_strdup(msg->fingerprint), list);
	}
	if (!g_ptr_array_find(list, msg, NULL))
		g_ptr_array_add(list, msg);
}

static void
unindex_fingerprint(OmacpIntake *self, OmacpDaemonMessage *msg)
{
	GPtrArray *list;

	if (msg->fingerprint == NULL)
		return;
	list = g_hash_table_lookup(self->by_fingerprint, msg->fingerprint);
	if (list == NULL)
		return;
	g_ptr_array_remove_fast(list, msg);
	if (list->len == 0)
		g_hash_table_remove(self->by_fingerprint, msg->fingerprint);
}

/* Gives @msg the replay fingerprint @fingerprint (owned). */
static void
set_fingerprint(OmacpIntake *self, OmacpDaemonMessage *msg, char *fingerprint)
{
	unindex_fingerprint(self, msg);
	g_free(msg->fingerprint);
	msg->fingerprint = fingerprint;
	index_fingerprint(self, msg);
}

/* A message that already stands for a copy with @fingerprint that
 * authenticated as @auth, other than @except; the oldest of them. */
static OmacpDaemonMessage *
find_by_fingerprint(OmacpIntake *self, const char *fingerprint, OmacpAuthState auth,
                    OmacpDaemonMessage *except)
{
	GPtrArray *list = g_hash_table_lookup(self->by_fingerprint, fingerprint);
	OmacpDaemonMessage *found = NULL;

	for (guint i = 0; list != NULL && i < list->len; i++) {
		OmacpDaemonMessage *m = g_ptr_array_index(list, i);

		if (m != except && (found == NULL || m->id < found->id) && stands_for(m, auth))
			found = m;
	}
	return found;
}

static const char *
decoded_imsi(OmacpMessage *decoded, const char *imsi)
{
	if (imsi != NULL)
		return imsi;
	return decoded->auth_imsi;
}

/* ---- the first decision ---- */

static void
show_decoded(OmacpIntake *self, OmacpDaemonMessage *msg)
{
	OmacpMessage *d = msg->decoded;
	g_autoptr(GPtrArray) own = g_ptr_array_new_with_free_func(g_free);

	/* an MSPROV removal of something omacp never made removes nothing:
	 * say so rather than succeed silently */
	for (guint i = 0; i < d->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(d->profiles, i);

		if (p->op == OMACP_OP_REMOVE &&
		    omacp_objects_find_profile(self->objects, p->identity, p->imsi) == NULL)
			g_ptr_array_add(own,
			                g_strdup_printf("profiles: nothing to remove for %s: "
			                                "no such profile was provisioned by omacp",
			                                p->identity));
	}
	omacp_daemon_message_show_decoded(msg, own);
}

/* The SEC @decoded counts with when it changes a profile:
 * its own when verified, or when it is a USER* method whose PIN is
 * checked before anything is applied; "none" otherwise. */
static const char *
effective_sec(const OmacpMessage *decoded)
{
	switch (decoded->auth) {
	case OMACP_AUTH_VALID:
		return omacp_sec_to_string(decoded->sec);
	case OMACP_AUTH_UNCHECKED:
		if (decoded->sec == OMACP_SEC_USERPIN || decoded->sec == OMACP_SEC_USERNETWPIN ||
		    decoded->sec == OMACP_SEC_USERPINMAC)
			return omacp_sec_to_string(decoded->sec);
		return "none";
	case OMACP_AUTH_INVALID:
	case OMACP_AUTH_UNSIGNED:
		return "none";
	}
	return "none";
}

/* Who and how last set @profile: the maker its record keeps, else (a
 * record from before it kept one) read from the message that last set it.
 * FALSE when neither is known (that message was deleted). */
static gboolean
maker_of(OmacpIntake *self, OmacpDaemonProfile *profile, const char **sender, const char **sec)
{
	OmacpDaemonMessage *maker;
	OmacpDBusMessage *mm;

	if (profile->maker_sec != NULL) {
		*sender = profile->maker_sender;
		*sec = profile->maker_sec;
		return TRUE;
	}
	maker = omacp_objects_message_of_profile(self->objects, profile);
	if (maker == NULL)
		return FALSE;
	mm = OMACP_DBUS_MESSAGE(maker);
	*sender = omacp_dbus_message_get_sender(mm);
	*sec = omacp_dbus_message_get_authenticated(mm) ? omacp_dbus_message_get_security(mm)
	                                                : "none";
	return TRUE;
}

/* Flags every profile of @decoded (the document of @msg) that changes one
 * omacp holds from a message by another sender or with a stronger SEC
 * method: a risk naming who and how last set it, so every path asks a
 * user, the trusted-sender policy and a right PIN included. TRUE when one
 * changes a profile whose maker is not known (a record from before
 * profiles kept it, whose message was deleted): no risk to name, but no
 * apply without a user either. */
static gboolean
flag_updates(OmacpIntake *self, OmacpDaemonMessage *msg, OmacpMessage *decoded)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	const char *sec = effective_sec(decoded);
	gboolean unknown = FALSE;

	for (guint i = 0; i < decoded->profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(decoded->profiles, i);
		OmacpDaemonProfile *old;
		const char *maker_sender = NULL;
		const char *maker_sec = NULL;

		old = omacp_objects_find_profile(self->objects, p->identity, p->imsi);
		if (old == NULL ||
		    g_strcmp0(omacp_dbus_profile_get_message(OMACP_DBUS_PROFILE(old)), msg->path) ==
		            0)
			continue;
		if (!maker_of(self, old, &maker_sender, &maker_sec)) {
			unknown = TRUE;
			continue;
		}
		if (omacp_changes_flag_update(p, omacp_dbus_message_get_sender(m), sec,
		                              maker_sender, maker_sec))
			g_message("message/%u: changes %s (profile/%u), which a message secured "
			          "with %s last set",
			          msg->id, p->identity, old->id, maker_sec);
	}
	return unknown;
}

/* Flags the removals of profiles omacp holds, the Wi-Fi networks and the MMS
 * routes of @decoded (the document of @msg), which no sender list excuses (an
 * SMS sender field proves nothing), each with its own risk code. A removal of
 * nothing omacp holds is no risk (show_decoded() says so), but still waits
 * for a user (omacp_changes_need_a_look()). */
static void
flag_consent(OmacpIntake *self, OmacpDaemonMessage *msg, OmacpMessage *decoded)
{
	guint n = 0;

	for (guint i = 0; i < decoded->profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(decoded->profiles, i);

		if (p->op == OMACP_OP_REMOVE &&
		    omacp_objects_find_profile(self->objects, p->identity, p->imsi) == NULL)
			continue;
		if (omacp_changes_flag_consent(p))
			n++;
	}
	if (n > 0)
		g_debug("message/%u: %u removal(s), Wi-Fi network(s) or MMS route(s) flagged",
		        msg->id, n);
}

static void
settle(OmacpIntake *self, OmacpDaemonMessage *msg, OmacpMessage *decoded)
{
	const OmacpConfig *c = self->config;
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	const char *sender = omacp_str_or_null(omacp_dbus_message_get_sender(m));
	const char *imsi = msg->imsi;
	g_autofree char *masked_sender = omacp_mask_number(sender);
	g_autofree char *masked_imsi = imsi != NULL ? omacp_mask_imsi(imsi) : g_strdup("(none)");
	OmacpMessageState state = OMACP_MESSAGE_STATE_ACCEPTED;
	OmacpAction action;
	gboolean replayed;
	gboolean unknown_maker;

	msg->decoded = decoded;
	unknown_maker = flag_updates(self, msg, decoded);
	flag_consent(self, msg, decoded);
	show_decoded(self, msg);
	omacp_dbus_message_set_authenticated(m, decoded->auth == OMACP_AUTH_VALID);
	/* A request, not a reaction to the state: the Changes (the apply
	 * queue's preview against the existing profiles and the backends)
	 * must be on the message before it is settled. Settling writes its
	 * record ("changed") before any "state-changed" listener runs; a
	 * listener that set them then would have to write the record a
	 * second time for every message. */
	if (self->queue != NULL)
		omacp_apply_queue_update_changes(self->queue, msg);
	replayed = omacp_store_replay_contains(self->store, msg->fingerprint);
	action = replayed ? OMACP_ACTION_REJECT
	                  : omacp_config_decide(c, decoded->sec, decoded->auth, sender,
	                                        imsi != NULL);
	if (action == OMACP_ACTION_APPLY && (omacp_changes_need_a_look(decoded) || unknown_maker)) {
		g_message("message/%u: has proxies, DM servers, certificates, removals, Wi-Fi, "
		          "MMS routes, updates of another sender's profiles or other risks: "
		          "asking instead of applying",
		          msg->id);
		action = OMACP_ACTION_CONFIRM;
	}
	g_message("message/%u: %s from %s for SIM %s, %s, %u profile(s): %s", msg->id,
	          omacp_sec_to_string(decoded->sec), masked_sender, masked_imsi,
	          omacp_auth_state_to_string(decoded->auth), decoded->profiles->len,
	          omacp_action_to_string(action));

	switch (action) {
	case OMACP_ACTION_PIN:
		omacp_dbus_message_set_pin_attempts_left(m, c->pin_attempts);
		state = OMACP_MESSAGE_STATE_PENDING_PIN;
		break;
	case OMACP_ACTION_CONFIRM:
		state = OMACP_MESSAGE_STATE_PENDING_CONFIRMATION;
		break;
	case OMACP_ACTION_QUARANTINE:
		state = OMACP_MESSAGE_STATE_QUARANTINED;
		if (decoded->auth_detail != NULL)
			omacp_dbus_message_set_error(m, decoded->auth_detail);
		break;
	case OMACP_ACTION_REJECT:
		state = OMACP_MESSAGE_STATE_REJECTED;
		if (replayed)
			omacp_dbus_message_set_error(
			        m, "replay: this document was applied before for this SIM");
		else if (decoded->auth_detail != NULL)
			omacp_dbus_message_set_error(m, decoded->auth_detail);
		else
			omacp_dbus_message_set_error(m, "rejected by the policy");
		break;
	case OMACP_ACTION_APPLY:
		/* the apply queue moves it on; it is "accepted" on the bus first */
		state = OMACP_MESSAGE_STATE_ACCEPTED;
		break;
	}
	omacp_daemon_message_settle(msg, state);
	/* stored and shown: from now on it is kept, not sent */
	omacp_message_compact(decoded);
	/* its expiry is planned from now; the message's own received time
	 * (which Deliver's caller may set) decides when the timer runs */
	if (self->pending_source == 0 && c->unauthenticated_expiry_s > 0 &&
	    is_unauthenticated_pending(msg))
		self->pending_source =
		        g_timeout_add_seconds(c->unauthenticated_expiry_s, pending_expiry_cb, self);
}

/* ---- store capacity ---- */

/* Whether @msg waits for a user and did not authenticate (a USERPIN
 * message waiting for its PIN included: anyone can make one). */
static gboolean
is_unauthenticated_pending(OmacpDaemonMessage *msg)
{
	if (msg->busy || msg->receiving ||
	    omacp_dbus_message_get_authenticated(OMACP_DBUS_MESSAGE(msg)))
		return FALSE;
	return omacp_message_state_waits_for_user(omacp_daemon_message_get_state(msg));
}

/* Which stored message goes first when the store is full: decided ones
 * (0), then quarantined ones (1), then unauthenticated ones that wait for
 * a user (2), oldest first; authenticated ones that wait for a user, and
 * those being received or applied, never (-1): a flood of forged messages
 * cannot push the operator's signed message out. */
static gint
evict_rank(OmacpDaemonMessage *msg)
{
	if (msg->busy || msg->receiving)
		return -1;
	switch (omacp_daemon_message_get_state(msg)) {
	case OMACP_MESSAGE_STATE_REJECTED:
	case OMACP_MESSAGE_STATE_FAILED:
	case OMACP_MESSAGE_STATE_UNDONE:
	case OMACP_MESSAGE_STATE_APPLIED:
		return 0;
	case OMACP_MESSAGE_STATE_QUARANTINED:
		return 1;
	case OMACP_MESSAGE_STATE_PENDING_PIN:
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
		return is_unauthenticated_pending(msg) ? 2 : -1;
	case OMACP_MESSAGE_STATE_RECEIVING:
	case OMACP_MESSAGE_STATE_ACCEPTED:
		return -1;
	}
	return -1;
}

static gboolean
make_room(OmacpIntake *self, GError **error)
{
	GHashTable *messages = omacp_objects_get_messages(self->objects);

	while (g_hash_table_size(messages) >= self->config->max_stored_messages) {
		GHashTableIter iter;
		gpointer value;
		OmacpDaemonMessage *victim = NULL;
		gint victim_rank = G_MAXINT;

		g_hash_table_iter_init(&iter, messages);
		while (g_hash_table_iter_next(&iter, NULL, &value)) {
			OmacpDaemonMessage *m = value;
			gint rank = evict_rank(m);

			if (rank < 0)
				continue;
			if (victim == NULL || rank < victim_rank ||
			    (rank == victim_rank && m->id < victim->id)) {
				victim = m;
				victim_rank = rank;
			}
		}
		if (victim == NULL) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
			            "deliver: the store holds %u messages (MaxStoredMessages) "
			            "and all of them are authenticated and wait for a decision, "
			            "or are busy",
			            g_hash_table_size(messages));
			return FALSE;
		}
		g_message("store full: dropping message/%u (%s)", victim->id,
		          omacp_message_state_to_string(omacp_daemon_message_get_state(victim)));
		self->n_store_evicted++;
		omacp_objects_delete_message(self->objects, victim);
	}
	return TRUE;
}

/* Admits one more complete message from @sender on @modem (either may be
 * NULL) that did or did not authenticate. */
static gboolean
admit(OmacpIntake *self, gboolean authenticated, const char *sender, const char *modem, gint64 now,
      GError **error)
{
	if (!omacp_rate_limits_check(self->rates, authenticated, sender, modem, now, error) ||
	    !make_room(self, error))
		return FALSE;
	omacp_rate_limits_record(self->rates, authenticated, sender, modem, now);
	return TRUE;
}

/* ---- expiry of unauthenticated messages that wait for a user ---- */

/* Rejects the unauthenticated messages that waited for a user longer than
 * UnauthenticatedExpiry (they become the first to be evicted), and plans
 * the next such expiry. */
static void
expire_pending(OmacpIntake *self, gint64 now)
{
	const OmacpConfig *c = self->config;
	gint64 ttl = (gint64) c->unauthenticated_expiry_s * G_USEC_PER_SEC;
	g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func(g_object_unref);
	g_autofree char *why = NULL;
	GHashTableIter iter;
	gpointer value;
	gint64 next = -1;

	g_clear_handle_id(&self->pending_source, g_source_remove);
	if (c->unauthenticated_expiry_s == 0)
		return;
	g_hash_table_iter_init(&iter, omacp_objects_get_messages(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *m = value;
		gint64 at;

		if (!is_unauthenticated_pending(m))
			continue;
		at = (gint64) omacp_dbus_message_get_received_at(OMACP_DBUS_MESSAGE(m)) + ttl;
		if (at <= now)
			g_ptr_array_add(expired, g_object_ref(m));
		else if (next < 0 || at < next)
			next = at;
	}
	if (expired->len > 0)
		why = g_strdup_printf("expired: not authenticated, and no decision within %u "
		                      "seconds (UnauthenticatedExpiry)",
		                      c->unauthenticated_expiry_s);
	for (guint i = 0; i < expired->len; i++)
		omacp_daemon_message_reject(g_ptr_array_index(expired, i), why, NULL);
	if (next >= 0)
		self->pending_source = g_timeout_add_seconds(
		        (guint) MIN((next - now) / G_USEC_PER_SEC + 1, G_MAXUINT),
		        pending_expiry_cb, self);
}

static gboolean
pending_expiry_cb(gpointer user_data)
{
	OmacpIntake *self = user_data;

	self->pending_source = 0;
	expire_pending(self, g_get_real_time());
	return G_SOURCE_REMOVE;
}

/* ---- creating messages ---- */

static OmacpDaemonMessage *
create_message(OmacpIntake *self, OmacpFormat format, const char *sender, const char *imsi,
               const char *modem, gint64 now, GError **error)
{
	OmacpDaemonMessage *msg = omacp_objects_new_message(self->objects, format, error);
	OmacpDBusMessage *m;

	if (msg == NULL)
		return NULL;
	m = OMACP_DBUS_MESSAGE(msg);
	{
		/* an alphanumeric sender may carry CR, LF, ESC */
		g_autofree char *shown = omacp_changes_escape(sender, FALSE);

		omacp_dbus_message_set_sender(m, shown);
	}
	omacp_daemon_message_set_imsi(msg, imsi);
	omacp_daemon_message_set_iccid(msg, self->iccid);
	omacp_dbus_message_set_modem(m, modem ? modem : "");
	omacp_dbus_message_set_received_at(m, (guint64) now);
	return msg;
}

static void
stop_receiving(OmacpIntake *self, OmacpDaemonMessage *msg)
{
	if (!msg->receiving)
		return;
	g_hash_table_remove(self->receiving, &msg->reassembly_id);
	msg->receiving = FALSE;
}

/* A complete message for which no object exists yet: replay check, object,
 * store, decision. */
static OmacpDaemonMessage *
new_complete_message(OmacpIntake *self, OmacpFormat format, OmacpMessage *decoded, GBytes *complete,
                     GBytes *segment, const char *sender, const char *imsi, const char *modem,
                     gint64 now, GError **error)
{
	g_autoptr(OmacpMessage) owned = decoded;
	const char *sim = decoded_imsi(decoded, imsi);
	g_autofree char *fingerprint = fingerprint_of(decoded, sim);
	OmacpDaemonMessage *existing = find_by_fingerprint(self, fingerprint, decoded->auth, NULL);
	OmacpDaemonMessage *msg;

	if (existing != NULL) {
		g_message("replay of message/%u (same document, same SIM): nothing new stored",
		          existing->id);
		return existing;
	}
	if (!admit(self, decoded->auth == OMACP_AUTH_VALID, sender, modem, now, error))
		return NULL;
	msg = create_message(self, format, sender, sim, modem, now, error);
	if (msg == NULL)
		return NULL;
	set_fingerprint(self, msg, g_steal_pointer(&fingerprint));
	if ((segment != NULL &&
	     !omacp_message_store_add_input(self->store, msg, segment, now, error)) ||
	    !omacp_message_store_write_complete(self->store, msg, complete, error)) {
		omacp_store_delete_message(self->store, msg->id, NULL);
		omacp_objects_forget_message(self->objects, msg);
		return NULL;
	}
	if (segment != NULL) {
		omacp_dbus_message_set_segments_received(OMACP_DBUS_MESSAGE(msg), 1);
		omacp_dbus_message_set_segments_total(OMACP_DBUS_MESSAGE(msg), 1);
	}
	settle(self, msg, g_steal_pointer(&owned));
	return msg;
}

static void
fail_receiving(OmacpIntake *self, OmacpDaemonMessage *msg, const char *why)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	g_autofree char *error = g_strdup_printf("sms: only %u of %u segments arrived: %s",
	                                         omacp_dbus_message_get_segments_received(m),
	                                         omacp_dbus_message_get_segments_total(m), why);

	g_hash_table_remove(self->receiving, &msg->reassembly_id);
	msg->receiving = FALSE;
	omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_FAILED, error);
}

/* Brings the objects in step with the reassembler after it dropped
 * incomplete messages. One that timed out becomes failed (its sender gets
 * to see that it never completed). One evicted to keep the reassembly caps
 * (OMACP_REASSEMBLY_MAX_PENDING, _MAX_BYTES) is dropped with its object and
 * files: otherwise a flood of first segments would turn the cap on memory
 * into an unbounded number of failed objects, and push the user's real
 * messages out of the store; the Statistics property counts them.
 * @keep (may be NULL) is the message of the segment just added, which the
 * reassembler may have completed and released already. */
static void
sync_reassembly_drops(OmacpIntake *self, gint64 now, OmacpDaemonMessage *keep)
{
	g_autoptr(GPtrArray) gone = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->receiving);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *m = value;

		if (m != keep && !omacp_reassembler_holds(self->reassembler, m->reassembly_id))
			g_ptr_array_add(gone, m);
	}
	for (guint i = 0; i < gone->len; i++) {
		OmacpDaemonMessage *m = g_ptr_array_index(gone, i);
		OmacpDBusMessage *d = OMACP_DBUS_MESSAGE(m);

		if (m->last_input_us + OMACP_REASSEMBLY_TIMEOUT_US <= now) {
			self->n_incomplete_expired++;
			fail_receiving(self, m, "the others did not come in time");
			continue;
		}
		self->n_incomplete_evicted++;
		g_message("message/%u: incomplete (%u of %u segments), dropped to make room "
		          "for newer messages",
		          m->id, omacp_dbus_message_get_segments_received(d),
		          omacp_dbus_message_get_segments_total(d));
		omacp_objects_delete_message(self->objects, m);
	}
}

static gboolean expiry_cb(gpointer user_data);

static void
schedule_expiry(OmacpIntake *self)
{
	gint64 next = omacp_reassembler_next_expiry(self->reassembler);
	gint64 now = g_get_real_time();
	guint seconds;

	g_clear_handle_id(&self->expiry_source, g_source_remove);
	if (next < 0)
		return;
	seconds = next <= now ? 0 : (guint) ((next - now) / G_USEC_PER_SEC + 1);
	self->expiry_source = g_timeout_add_seconds(seconds, expiry_cb, self);
}

void
omacp_intake_expire(OmacpIntake *self, gint64 now)
{
	omacp_reassembler_expire(self->reassembler, now);
	sync_reassembly_drops(self, now, NULL);
	schedule_expiry(self);
	expire_pending(self, now);
}

static gboolean
expiry_cb(gpointer user_data)
{
	OmacpIntake *self = user_data;

	self->expiry_source = 0;
	omacp_intake_expire(self, g_get_real_time());
	if (self->stats_func != NULL)
		self->stats_func(self->stats_data);
	return G_SOURCE_REMOVE;
}

/* The datagram of a message whose object exists: decode and settle, or
 * fail the object. With @count (not on a restore), it counts for the rate
 * limits of its kind (authenticated or not) received at @now; over them,
 * the message is dropped with its object and RateLimited. */
static gboolean
complete_receiving(OmacpIntake *self, OmacpDaemonMessage *msg, GBytes *datagram, const char *imsi,
                   gboolean count, gint64 now, GError **error)
{
	g_autoptr(OmacpMessage) decoded = NULL;
	g_autoptr(GError) local = NULL;
	const char *sim;
	g_autofree char *fingerprint = NULL;
	OmacpDaemonMessage *existing;

	stop_receiving(self, msg);
	if (!omacp_message_store_write_complete(self->store, msg, datagram, &local) ||
	    !decode_complete(self, OMACP_FORMAT_WSP, datagram, NULL, imsi, &decoded, &local) ||
	    !check_provisioning(decoded, &local)) {
		omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_FAILED, local->message);
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (count) {
		OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
		const char *sender = omacp_str_or_null(omacp_dbus_message_get_sender(m));
		const char *modem = omacp_str_or_null(omacp_dbus_message_get_modem(m));
		gboolean authenticated = decoded->auth == OMACP_AUTH_VALID;

		if (!omacp_rate_limits_check(self->rates, authenticated, sender, modem, now,
		                             error)) {
			omacp_objects_delete_message(self->objects, msg);
			return FALSE;
		}
		omacp_rate_limits_record(self->rates, authenticated, sender, modem, now);
	}
	sim = decoded_imsi(decoded, imsi);
	fingerprint = fingerprint_of(decoded, sim);
	existing = find_by_fingerprint(self, fingerprint, decoded->auth, msg);
	if (sim != NULL)
		omacp_daemon_message_set_imsi(msg, sim);
	set_fingerprint(self, msg, g_steal_pointer(&fingerprint));
	if (existing != NULL) {
		g_autofree char *why = g_strdup_printf(
		        "replay of message/%u (same document, same SIM)", existing->id);

		/* show what it is, but never apply it twice */
		msg->decoded = g_steal_pointer(&decoded);
		omacp_daemon_message_show_decoded(msg, NULL);
		omacp_message_compact(msg->decoded);
		omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_REJECTED, why);
		return TRUE;
	}
	settle(self, msg, g_steal_pointer(&decoded));
	return TRUE;
}

/* The sender option overrides the SMS's own address, also in the
 * reassembly key: segments of different senders must never mix, also with
 * the ud format, which carries no address (restore_segments() does the
 * same with the stored Sender). */
static void
set_sender(OmacpSms *sms, const char *sender)
{
	if (sender == NULL || g_strcmp0(sms->sender, sender) == 0)
		return;
	g_free(sms->sender);
	sms->sender = g_strdup(sender);
}

/* The first segment of a message that stays incomplete: its object, in
 * state receiving. */
static OmacpDaemonMessage *
start_receiving(OmacpIntake *self, OmacpFormat format, GBytes *input,
                const OmacpReassemblyResult *r, const char *from, const char *imsi,
                const char *modem, gint64 now, GError **error)
{
	OmacpDaemonMessage *msg;

	/* whether it authenticates is known only when it is complete: the rate
	 * limits apply then (complete_receiving); until then the reassembly
	 * caps bound what it costs */
	if (!make_room(self, error))
		return NULL;
	msg = create_message(self, format, from, imsi, modem, now, error);
	if (msg == NULL)
		return NULL;
	msg->receiving = TRUE;
	msg->reassembly_id = r->message_id;
	g_hash_table_insert(self->receiving, &msg->reassembly_id, msg);
	omacp_dbus_message_set_segments_total(OMACP_DBUS_MESSAGE(msg), r->total);
	if (!omacp_message_store_add_input(self->store, msg, input, now, error)) {
		omacp_objects_forget_message(self->objects, msg);
		return NULL;
	}
	omacp_dbus_message_set_segments_received(OMACP_DBUS_MESSAGE(msg), r->received);
	omacp_daemon_message_changed(msg);
	omacp_objects_export_message(self->objects, msg);
	g_message("message/%u: segment %u of %u", msg->id, r->received, r->total);
	return msg;
}

/* One segment; @result is the reassembler's, to clear after. */
static OmacpDaemonMessage *
add_segment(OmacpIntake *self, OmacpFormat format, GBytes *input, const char *sender,
            const char *imsi, const char *modem, gint64 now, OmacpReassemblyResult *result,
            GError **error)
{
	g_autoptr(OmacpSms) sms = NULL;
	g_autoptr(GBytes) datagram = NULL;
	OmacpReassemblyResult *r = result;
	const char *from;
	OmacpDaemonMessage *msg;

	/* a segment for another application never reaches the reassembler */
	if (!omacp_message_parse_segment(format, input, &sms, error) ||
	    !omacp_message_check_ports(sms, error))
		return NULL;
	from = sender != NULL ? sender : omacp_str_or_null(sms->sender);
	set_sender(sms, from);
	if (!omacp_reassembler_add(self->reassembler, modem, sms, now, r, &datagram, error))
		return NULL;
	msg = g_hash_table_lookup(self->receiving, &r->message_id);
	sync_reassembly_drops(self, now, msg);
	schedule_expiry(self);

	switch (r->state) {
	case OMACP_REASSEMBLY_DUPLICATE:
		if (msg != NULL) {
			g_debug("message/%u: duplicate segment ignored", msg->id);
			return msg;
		}
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		            "deliver: duplicate segment of a message that was refused before");
		return NULL;
	case OMACP_REASSEMBLY_PENDING:
		if (msg == NULL)
			return start_receiving(self, format, input, r, from, imsi, modem, now,
			                       error);
		if (!omacp_message_store_add_input(self->store, msg, input, now, error))
			return NULL;
		omacp_dbus_message_set_segments_received(OMACP_DBUS_MESSAGE(msg), r->received);
		omacp_daemon_message_changed(msg);
		return msg;
	case OMACP_REASSEMBLY_COMPLETE:
		break;
	}

	if (msg == NULL) {
		g_autoptr(OmacpMessage) decoded = NULL;

		/* a single-segment message (or the rest of one refused before) */
		if (!decode_complete(self, OMACP_FORMAT_WSP, datagram, NULL, imsi, &decoded,
		                     error) ||
		    !check_provisioning(decoded, error))
			return NULL;
		msg = new_complete_message(self, format, g_steal_pointer(&decoded), datagram, input,
		                           from, imsi, modem, now, error);
		if (msg != NULL && r->total > 1)
			omacp_dbus_message_set_segments_total(OMACP_DBUS_MESSAGE(msg), r->total);
		return msg;
	}
	if (!omacp_message_store_add_input(self->store, msg, input, now, error))
		return NULL;
	omacp_dbus_message_set_segments_received(OMACP_DBUS_MESSAGE(msg), r->received);
	if (!complete_receiving(self, msg, datagram, imsi, TRUE, now, error))
		return NULL;
	return msg;
}

static OmacpDaemonMessage *
deliver_segment(OmacpIntake *self, OmacpFormat format, GBytes *input, const char *sender,
                const char *imsi, const char *modem, gint64 now, GError **error)
{
	OmacpReassemblyResult r = { 0 };
	OmacpDaemonMessage *msg =
	        add_segment(self, format, input, sender, imsi, modem, now, &r, error);

	omacp_reassembly_result_clear(&r);
	return msg;
}

static OmacpDaemonMessage *
deliver_one(OmacpIntake *self, OmacpFormat format, GBytes *input, const OmacpPush *parsed,
            const char *sender, const char *imsi, const char *modem, gint64 now, GError **error)
{
	gsize len = g_bytes_get_size(input);
	g_autoptr(OmacpMessage) decoded = NULL;

	if (len == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "deliver: empty input");
		return NULL;
	}
	if (len > self->config->max_message_bytes) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "deliver: %zu octets is more than MaxMessageBytes (%" G_GUINT64_FORMAT
		            ")",
		            len, self->config->max_message_bytes);
		return NULL;
	}
	if (omacp_format_is_segmented(format))
		return deliver_segment(self, format, input, sender, imsi, modem, now, error);
	if (!decode_complete(self, format, input, parsed, imsi, &decoded, error) ||
	    !check_provisioning(decoded, error))
		return NULL;
	return new_complete_message(self, format, g_steal_pointer(&decoded), input, NULL, sender,
	                            imsi, modem, now, error);
}

OmacpDaemonMessage *
omacp_intake_deliver_sim(OmacpIntake *self, OmacpFormat format, GBytes *input, const char *sender,
                         const char *imsi, const char *iccid, const char *modem, gint64 now,
                         GError **error)
{
	OmacpDaemonMessage *msg;

	self->iccid = iccid;
	msg = omacp_intake_deliver(self, format, input, sender, imsi, modem, now, error);
	self->iccid = NULL;
	return msg;
}

/* deliver_one() counted for the Statistics property. */
static OmacpDaemonMessage *
deliver_counted(OmacpIntake *self, OmacpFormat format, GBytes *input, const OmacpPush *parsed,
                const char *sender, const char *imsi, const char *modem, gint64 now, GError **error)
{
	g_autoptr(GError) local = NULL;
	OmacpDaemonMessage *msg =
	        deliver_one(self, format, input, parsed, sender, imsi, modem, now, &local);

	if (msg != NULL) {
		self->n_delivered++;
	} else {
		self->n_refused++;
		if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED))
			self->n_rate_limited++;
		g_propagate_error(error, g_steal_pointer(&local));
	}
	return msg;
}

OmacpDaemonMessage *
omacp_intake_deliver(OmacpIntake *self, OmacpFormat format, GBytes *input, const char *sender,
                     const char *imsi, const char *modem, gint64 now, GError **error)
{
	return deliver_counted(self, format, input, NULL, sender, imsi, modem, now, error);
}

OmacpDaemonMessage *
omacp_intake_deliver_push(OmacpIntake *self, const OmacpPushEvent *event, gint64 now,
                          GError **error)
{
	OmacpDaemonMessage *msg;

	self->iccid = omacp_str_or_null(event->iccid);
	msg = deliver_counted(self, OMACP_FORMAT_WSP, event->datagram, event->push,
	                      omacp_str_or_null(event->sender), omacp_str_or_null(event->imsi),
	                      omacp_str_or_null(event->modem), now, error);
	self->iccid = NULL;
	return msg;
}

GVariant *
omacp_intake_statistics(OmacpIntake *self)
{
	OmacpReassemblyStats rs;
	GVariantBuilder b;

	omacp_reassembler_get_stats(self->reassembler, &rs);
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
	g_variant_builder_add(&b, "{st}", "delivered", self->n_delivered);
	g_variant_builder_add(&b, "{st}", "refused", self->n_refused);
	g_variant_builder_add(&b, "{st}", "rate-limited", self->n_rate_limited);
	g_variant_builder_add(&b, "{st}", "duplicate-segments", rs.duplicates);
	g_variant_builder_add(&b, "{st}", "incomplete-evicted", self->n_incomplete_evicted);
	g_variant_builder_add(&b, "{st}", "incomplete-expired", self->n_incomplete_expired);
	g_variant_builder_add(&b, "{st}", "store-evicted", self->n_store_evicted);
	g_variant_builder_add(&b, "{st}", "receiving",
	                      (guint64) g_hash_table_size(self->receiving));
	g_variant_builder_add(&b, "{st}", "reassembly-octets", (guint64) rs.bytes);
	return g_variant_builder_end(&b);
}

/* ---- restoring ---- */

static void
restore_segments(OmacpIntake *self, OmacpDaemonMessage *msg)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	const char *modem = omacp_str_or_null(omacp_dbus_message_get_modem(m));

	if (!omacp_format_is_segmented(msg->format)) {
		fail_receiving(self, msg, "the stored segments are of an unknown format");
		return;
	}
	for (guint i = 0; i < msg->n_inputs; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) input =
		        omacp_message_store_read_input(self->store, msg, i, &error);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GBytes) datagram = NULL;
		OmacpReassemblyResult r = { 0 };
		gint64 when = i < msg->input_times->len
		                      ? g_array_index(msg->input_times, gint64, i)
		                      : (gint64) omacp_dbus_message_get_received_at(m);

		if (input != NULL && omacp_message_parse_segment(msg->format, input, &sms, &error))
			set_sender(sms, omacp_str_or_null(omacp_dbus_message_get_sender(m)));
		if (sms == NULL || !omacp_reassembler_add(self->reassembler, modem, sms, when, &r,
		                                          &datagram, &error)) {
			g_warning("message/%u: segment %u not restored: %s", msg->id, i + 1,
			          error->message);
			continue;
		}
		msg->last_input_us = when;
		if (r.state == OMACP_REASSEMBLY_COMPLETE) {
			omacp_reassembly_result_clear(&r);
			complete_receiving(self, msg, datagram, msg->imsi, FALSE, when, NULL);
			return;
		}
		if (!msg->receiving) {
			msg->receiving = TRUE;
			msg->reassembly_id = r.message_id;
			g_hash_table_insert(self->receiving, &msg->reassembly_id, msg);
		}
		omacp_reassembly_result_clear(&r);
	}
}

/* The decoded message of @msg from its stored octets (decoding on demand,
 * see omacp_daemon_message_ensure_decoded()). */
static gboolean
decode_stored(OmacpDaemonMessage *msg, gpointer user_data)
{
	OmacpIntake *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) complete = NULL;
	g_autoptr(OmacpMessage) decoded = NULL;

	complete = omacp_message_store_read_complete(self->store, msg, &error);
	if (complete == NULL ||
	    !decode_complete(self, msg->format, complete, NULL, msg->imsi, &decoded, &error)) {
		if (error != NULL)
			g_message("message/%u: stored message does not decode: %s", msg->id,
			          error->message);
		return FALSE;
	}
	if (!msg->document_stored) {
		g_autofree char *raw = omacp_message_document_text(decoded, TRUE);
		g_autofree char *document = omacp_changes_escape(raw, TRUE);

		omacp_daemon_message_set_document(msg, document);
	}
	flag_consent(self, msg, decoded);
	/* the risks of updating another maker's profile are no part of the
	 * document: flag them again for a message still to be applied */
	if (omacp_message_state_waits_for_user(omacp_daemon_message_get_state(msg)) ||
	    omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_ACCEPTED))
		flag_updates(self, msg, decoded);
	omacp_message_compact(decoded);
	msg->decoded = g_steal_pointer(&decoded);
	return TRUE;
}

void
omacp_intake_restore_message(OmacpIntake *self, OmacpDaemonMessage *msg)
{
	if (omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_RECEIVING)) {
		omacp_objects_export_message(self->objects, msg);
		restore_segments(self, msg);
		return;
	}
	/* the stored octets are decoded again when something needs them
	 * (omacp_objects_set_decoder()); now only for an accepted message
	 * (applied next) or one stored without its Document */
	if (!msg->document_stored ||
	    omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_ACCEPTED))
		omacp_daemon_message_ensure_decoded(msg);
	omacp_objects_export_message(self->objects, msg);
}

/* ---- listening ---- */

/* A message rejected while receiving leaves the reassembly bookkeeping. */
static void
state_changed(OmacpDaemonMessage *msg, guint old, guint state, OmacpIntake *self)
{
	if (state != OMACP_MESSAGE_STATE_RECEIVING)
		stop_receiving(self, msg);
}

static void
message_added(OmacpObjects *objects, OmacpDaemonMessage *msg, OmacpIntake *self)
{
	/* one read back from the store has its fingerprint already */
	index_fingerprint(self, msg);
	g_signal_connect(msg, "state-changed", G_CALLBACK(state_changed), self);
}

static void
message_removed(OmacpObjects *objects, OmacpDaemonMessage *msg, OmacpIntake *self)
{
	unindex_fingerprint(self, msg);
	stop_receiving(self, msg);
	g_signal_handlers_disconnect_by_data(msg, self);
}

OmacpIntake *
omacp_intake_new(OmacpObjects *objects, const OmacpConfig *config, OmacpApplyQueue *queue)
{
	OmacpIntake *self = g_new0(OmacpIntake, 1);

	self->objects = objects;
	self->store = omacp_objects_get_store(objects);
	self->config = config;
	self->queue = queue;
	self->receiving = g_hash_table_new(g_int64_hash, g_int64_equal);
	self->by_fingerprint = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                             (GDestroyNotify) g_ptr_array_unref);
	self->reassembler = omacp_reassembler_new();
	self->rates = omacp_rate_limits_new(config);
	g_signal_connect(objects, "message-added", G_CALLBACK(message_added), self);
	g_signal_connect(objects, "message-removed", G_CALLBACK(message_removed), self);
	omacp_objects_set_decoder(objects, decode_stored, self);
	return self;
}

void
omacp_intake_set_adapters(OmacpIntake *self, OmacpAdapters *adapters)
{
	self->adapters = adapters;
}

void
omacp_intake_set_provider_db(OmacpIntake *self, OmacpProviderDb *provider_db)
{
	self->provider_db = provider_db;
}

void
omacp_intake_set_stats_func(OmacpIntake *self, OmacpIntakeStatsFunc func, gpointer user_data)
{
	self->stats_func = func;
	self->stats_data = user_data;
}

void
omacp_intake_free(OmacpIntake *self)
{
	if (self == NULL)
		return;
	omacp_objects_disconnect(self->objects, self);
	g_clear_handle_id(&self->expiry_source, g_source_remove);
	g_clear_pointer(&self->receiving, g_hash_table_unref);
	g_clear_pointer(&self->by_fingerprint, g_hash_table_unref);
	g_clear_pointer(&self->reassembler, omacp_reassembler_free);
	g_clear_pointer(&self->rates, omacp_rate_limits_free);
	g_clear_handle_id(&self->pending_source, g_source_remove);
	g_free(self);
}
