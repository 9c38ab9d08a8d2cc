/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "manager.h"

#include "agent-manager.h"
#include "agent-sessions.h"
#include "apply-queue.h"
#include "changes.h"
#include "intake.h"
#include "message-store.h"
#include "mms-handoff.h"
#include "objects.h"
#include "omacp-dbus-generated.h"
#include "omacp.h"
#include "polkit.h"
#include "statistics.h"

struct _OmacpManager {
	GDBusConnection *bus;
	OmacpConfig *config;
	OmacpStore *store;
	OmacpAuthority *authority;

	OmacpObjectServer *server;
	OmacpDBusManager *iface;

	OmacpObjects *objects;
	OmacpApplyQueue *queue;
	OmacpIntake *intake;
	OmacpProviderDb *provider_db; /* read once, for intake and the backends */
	OmacpAgentManager *agents;
	OmacpMmsHandoff *mms; /* MMS settings through the session agent */
	OmacpAgentSessions *sessions;
	GHashTable *prompts;       /* OmacpDaemonMessage * → Prompt * */
	GHashTable *pending;       /* the messages that wait for a PIN or a confirmation */
	GHashTable *sender_turns;  /* sender → gint64 *, when last asked */
	GHashTable *quiet_senders; /* sender → gint64 *, no prompts until */
	guint prompt_tokens;
	gint64 prompt_tokens_at;
	guint kick_source;
	gint64 kick_when;
	GCancellable *cancellable; /* cancelled when the manager is freed */

	OmacpApplier *applier;
	OmacpAdapters *adapters;
};

static GVariant *
read_statistics(gpointer data)
{
	OmacpManager *self = data;

	return omacp_intake_statistics(self->intake);
}

/* The counters may have changed (announced at most once a second). */
static void
publish_statistics(OmacpManager *self)
{
	omacp_statistics_skeleton_changed(self->iface);
}

static void
statistics_changed(gpointer user_data)
{
	publish_statistics(user_data);
}

/* ---- MessageReceived ---- */

/* A message decoded and decided for the first time is exported (when it
 * was not, while receiving) and announced. */
static void
announce_on_state_changed(OmacpDaemonMessage *msg, guint old, guint state, OmacpManager *self)
{
	if (old != OMACP_MESSAGE_STATE_RECEIVING || state == OMACP_MESSAGE_STATE_RECEIVING ||
	    msg->decoded == NULL)
		return;
	omacp_objects_export_message(self->objects, msg);
	omacp_dbus_manager_emit_message_received(self->iface, msg->path);
}

static void
announce_message_added(OmacpObjects *objects, OmacpDaemonMessage *msg, OmacpManager *self)
{
	g_signal_connect(msg, "state-changed", G_CALLBACK(announce_on_state_changed), self);
}

/* ---- the agents' prompts ---- */

/* After a wrong PIN from an agent the message is asked again only after a
 * delay that doubles each time: an agent cannot burn the
 * attempts in milliseconds, and a user who mistyped is not rushed. */
#define AGENT_PIN_DELAY_MS     2000
#define AGENT_PIN_DELAY_MAX_MS 60000
/* Prompts in a row, then one per interval. */
#define AGENT_PROMPT_BURST       5
#define AGENT_PROMPT_INTERVAL_MS 2000
/* After the user refused a message through an agent, that sender's other
 * messages are not prompted for: one answer for a flood. */
#define AGENT_SENDER_QUIET_S 600

/* What the prompts remember about one message. */
typedef struct {
	guint wrong_pins;  /* wrong PINs from agents */
	gint64 not_before; /* monotonic µs: no request before */
	char *ask_owner;   /* Ask(): the agent that asked to be asked */
	char *ask_path;
} Prompt;

static void
prompt_free(Prompt *p)
{
	g_free(p->ask_owner);
	g_free(p->ask_path);
	g_free(p);
}

static Prompt *
prompt_of(OmacpManager *self, OmacpDaemonMessage *msg)
{
	Prompt *p = g_hash_table_lookup(self->prompts, msg);

	if (p == NULL) {
		p = g_new0(Prompt, 1);
		g_hash_table_insert(self->prompts, msg, p);
	}
	return p;
}

static void agents_kick(OmacpManager *self);

static OmacpDaemonMessage *
message_of_request(OmacpManager *self, guint request)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, omacp_objects_get_messages(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *msg = value;

		if (msg->agent_request == request)
			return msg;
	}
	return NULL;
}

static OmacpDaemonMessage *
message_of_path(OmacpManager *self, const char *path)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, omacp_objects_get_messages(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *msg = value;

		if (g_strcmp0(msg->path, path) == 0)
			return msg;
	}
	return NULL;
}

static const char *
sender_of(OmacpDaemonMessage *msg)
{
	const char *sender = omacp_dbus_message_get_sender(OMACP_DBUS_MESSAGE(msg));

	return sender != NULL ? sender : "";
}

static void
agent_answered_pin(OmacpManager *self, OmacpDaemonMessage *msg, GVariant *reply)
{
	const char *pin = NULL;
	g_autoptr(GError) local = NULL;
	guint left = omacp_dbus_message_get_pin_attempts_left(OMACP_DBUS_MESSAGE(msg));

	g_variant_get(reply, "(&s)", &pin);
	if (pin[0] == '\0') {
		msg->agent_declined = TRUE;
	} else if (omacp_daemon_message_check_pin(msg, pin, &local)) {
		/* as Accept(pin) does: the sender chose the PIN and may have
		 * texted it to the user, a right PIN is no consent to risks;
		 * the agent is asked for a confirmation next */
		if (omacp_changes_need_a_look(msg->decoded)) {
			g_message("message/%u: PIN verified; its risks wait for a confirmation",
			          msg->id);
			omacp_daemon_message_set_state(
			        msg, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION, NULL);
		} else {
			omacp_daemon_message_accept(msg, NULL, FALSE);
		}
	} else {
		g_message("message/%u: PIN from the agent: %s", msg->id, local->message);
		if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_NO_KEY))
			msg->agent_declined = TRUE;
		if (omacp_dbus_message_get_pin_attempts_left(OMACP_DBUS_MESSAGE(msg)) < left) {
			Prompt *p = prompt_of(self, msg);
			guint shift = MIN(p->wrong_pins, 10u);
			gint64 delay_ms = MIN((gint64) AGENT_PIN_DELAY_MS << shift,
			                      (gint64) AGENT_PIN_DELAY_MAX_MS);

			p->wrong_pins++;
			p->not_before = g_get_monotonic_time() + delay_ms * 1000;
			g_message("message/%u: asked again in %" G_GINT64_FORMAT " ms", msg->id,
			          delay_ms);
		}
	}
}

static void
agent_answered_confirmation(OmacpManager *self, OmacpDaemonMessage *msg, GVariant *reply)
{
	gboolean confirmed = FALSE;

	g_variant_get(reply, "(b)", &confirmed);
	if (confirmed) {
		g_message("message/%u: confirmed by the agent", msg->id);
		omacp_daemon_message_accept(msg, NULL, TRUE);
	} else {
		/* the sender's other messages wait without prompts for a while */
		g_hash_table_insert(self->quiet_senders, g_strdup(sender_of(msg)),
		                    g_memdup2(&(gint64){ g_get_monotonic_time() +
		                                         AGENT_SENDER_QUIET_S * G_USEC_PER_SEC },
		                              sizeof(gint64)));
		omacp_daemon_message_reject(msg, "rejected by the user", NULL);
	}
}

static void
agent_replied(OmacpAgentManager *agents, guint request, GVariant *reply, const GError *error,
              gpointer user_data)
{
	OmacpManager *self = user_data;
	OmacpDaemonMessage *msg = message_of_request(self, request);

	if (msg != NULL)
		msg->agent_request = 0;
	if (reply == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			/* answered elsewhere: close the agent's prompt */
			omacp_agent_manager_send_cancel(agents, request, msg ? msg->path : NULL);
		} else if (msg != NULL &&
		           g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)) {
			/* its owner may not accept it: not asked again by itself */
			g_message("message/%u: not asked: %s", msg->id, error->message);
			msg->agent_declined = TRUE;
		} else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
			/* the agent went away or lost the right: the next one */
		} else if (msg != NULL &&
		           g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
			g_message(
			        "message/%u: the agent did not answer in %u s; asked again in %u s",
			        msg->id, self->config->agent_timeout_s,
			        self->config->agent_retry_after_s);
			prompt_of(self, msg)->not_before =
			        g_get_monotonic_time() +
			        (gint64) self->config->agent_retry_after_s * G_USEC_PER_SEC;
			omacp_agent_manager_send_cancel(agents, request, msg->path);
		} else if (msg != NULL) {
			g_message("message/%u: the agent declined: %s", msg->id, error->message);
			msg->agent_declined = TRUE;
		}
	} else if (msg != NULL && !msg->busy &&
	           g_variant_is_of_type(reply, G_VARIANT_TYPE("(s)")) &&
	           omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_PENDING_PIN)) {
		agent_answered_pin(self, msg, reply);
	} else if (msg != NULL && !msg->busy &&
	           g_variant_is_of_type(reply, G_VARIANT_TYPE("(b)")) &&
	           omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION)) {
		agent_answered_confirmation(self, msg, reply);
	}
	agents_kick(self);
}

static gboolean
kick_timeout(gpointer user_data)
{
	OmacpManager *self = user_data;

	self->kick_source = 0;
	agents_kick(self);
	return G_SOURCE_REMOVE;
}

/* Kicks again at @when (monotonic µs), or earlier when set so already. */
static void
kick_at(OmacpManager *self, gint64 when)
{
	gint64 now = g_get_monotonic_time();
	guint ms = when > now ? (guint) MIN((when - now + 999) / 1000, (gint64) G_MAXUINT) : 0;

	if (self->kick_source != 0) {
		if (self->kick_when <= when)
			return;
		g_source_remove(self->kick_source);
	}
	self->kick_when = when;
	self->kick_source = g_timeout_add(ms, kick_timeout, self);
}

/* The seat of @msg's modem (a copy), NULL while it is looked up. */
static char *
seat_of(OmacpManager *self, OmacpDaemonMessage *msg)
{
	return g_strdup(omacp_agent_sessions_modem_seat(
	        self->sessions, omacp_dbus_message_get_modem(OMACP_DBUS_MESSAGE(msg))));
}

static void
ask(OmacpManager *self, OmacpDaemonMessage *msg, const char *owner, const char *path)
{
	gboolean pin = omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_PENDING_PIN);
	const char *method = pin ? "RequestPin" : "RequestConfirmation";
	const GVariantType *type = pin ? G_VARIANT_TYPE("(s)") : G_VARIANT_TYPE("(b)");
	g_autofree char *seat = seat_of(self, msg);
	const char *checks[4];
	GVariant *details;

	g_message("message/%u: asking the agent for %s", msg->id,
	          pin ? "the PIN" : "a confirmation");
	/* the answer accepts the message: its owner needs what Accept asks
	 * of a caller */
	details = omacp_daemon_message_accept_checks(msg, method, checks);
	msg->agent_request = omacp_agent_manager_request_checked(
	        self->agents, seat, owner, path, method, g_variant_new("(o)", msg->path), type,
	        checks, details, agent_replied, self);
}

/* Whether @a's sender was asked less recently than @b's (then the older
 * message): senders take turns. */
static gint
compare_turn(OmacpManager *self, OmacpDaemonMessage *a, OmacpDaemonMessage *b)
{
	gint64 *ta = g_hash_table_lookup(self->sender_turns, sender_of(a));
	gint64 *tb = g_hash_table_lookup(self->sender_turns, sender_of(b));
	gint64 va = ta ? *ta : 0;
	gint64 vb = tb ? *tb : 0;

	if (va != vb)
		return va < vb ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* A prompt token (AGENT_PROMPT_BURST, one more per interval); FALSE and a
 * kick later when there is none. */
static gboolean
take_prompt_token(OmacpManager *self, gint64 now)
{
	gint64 interval = (gint64) AGENT_PROMPT_INTERVAL_MS * 1000;

	if (self->prompt_tokens_at == 0) {
		self->prompt_tokens = AGENT_PROMPT_BURST;
		self->prompt_tokens_at = now;
	}
	while (self->prompt_tokens < AGENT_PROMPT_BURST &&
	       now - self->prompt_tokens_at >= interval) {
		self->prompt_tokens++;
		self->prompt_tokens_at += interval;
	}
	if (self->prompt_tokens >= AGENT_PROMPT_BURST)
		self->prompt_tokens_at = now;
	if (self->prompt_tokens == 0) {
		kick_at(self, self->prompt_tokens_at + interval);
		return FALSE;
	}
	self->prompt_tokens--;
	return TRUE;
}

/* Whether a kick may ask anybody: an agent is registered, or one asked to
 * be asked about a message (Ask). Without, a kick has nothing to do (an
 * agent that registers kicks again). */
static gboolean
anybody_to_ask(OmacpManager *self)
{
	GHashTableIter iter;
	gpointer value;

	if (omacp_agent_manager_count(self->agents) > 0)
		return TRUE;
	g_hash_table_iter_init(&iter, self->prompts);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		if (((Prompt *) value)->ask_owner != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Makes the requests that are due: first those an agent asked for
 * (Ask), then, when the agent asked first is free, one message: the
 * senders take turns, the pacing of the defines above applies. */
static void
agents_kick(OmacpManager *self)
{
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_monotonic_time();
	OmacpDaemonMessage *next = NULL;
	g_autoptr(GPtrArray) pending = NULL;
	g_autofree char *seat = NULL;

	if (!anybody_to_ask(self) || g_hash_table_size(self->pending) == 0)
		return;
	/* a copy: an ask may change what is pending */
	pending = g_ptr_array_new_full(g_hash_table_size(self->pending), g_object_unref);
	g_hash_table_iter_init(&iter, self->pending);
	while (g_hash_table_iter_next(&iter, &value, NULL))
		g_ptr_array_add(pending, g_object_ref(value));
	for (guint i = 0; i < pending->len; i++) {
		OmacpDaemonMessage *m = g_ptr_array_index(pending, i);
		Prompt *p = g_hash_table_lookup(self->prompts, m);
		gint64 *quiet;

		if (m->busy || m->agent_request != 0 ||
		    !omacp_message_state_is_pending(omacp_daemon_message_get_state(m)))
			continue; /* (its state may have changed since the copy) */
		if (omacp_agent_sessions_modem_seat(
		            self->sessions, omacp_dbus_message_get_modem(OMACP_DBUS_MESSAGE(m))) ==
		    NULL)
			continue; /* its modem's seat is looked up, then a kick */
		if (p != NULL && p->not_before > now) {
			kick_at(self, p->not_before);
			continue;
		}
		if (p != NULL && p->ask_owner != NULL) {
			g_autofree char *owner = g_steal_pointer(&p->ask_owner);
			g_autofree char *path = g_steal_pointer(&p->ask_path);

			ask(self, m, owner, path);
			continue;
		}
		if (m->agent_declined)
			continue;
		quiet = g_hash_table_lookup(self->quiet_senders, sender_of(m));
		if (quiet != NULL && *quiet > now)
			continue;
		if (next == NULL || compare_turn(self, m, next) < 0)
			next = m;
	}
	if (next == NULL)
		return;
	seat = seat_of(self, next);
	if (!omacp_agent_manager_can_ask_on(self->agents, seat) || !take_prompt_token(self, now))
		return;
	g_hash_table_insert(self->sender_turns, g_strdup(sender_of(next)),
	                    g_memdup2(&now, sizeof now));
	ask(self, next, NULL, NULL);
}

static void
agents_changed(gpointer user_data)
{
	agents_kick(user_data);
}

static gboolean
agent_in_active_session(const char *session, const char *seat, gpointer user_data)
{
	OmacpManager *self = user_data;

	return omacp_agent_sessions_is_active_on(self->sessions, session, seat);
}

/* After every state change: a prompt about a message that is no longer
 * pending is closed, the next one offered, the statistics published. */
static void
track_pending(OmacpManager *self, OmacpDaemonMessage *msg)
{
	if (omacp_message_state_is_pending(omacp_daemon_message_get_state(msg)))
		g_hash_table_add(self->pending, msg);
	else
		g_hash_table_remove(self->pending, msg);
}

static void
prompts_on_state_changed(OmacpDaemonMessage *msg, guint old, guint state, OmacpManager *self)
{
	track_pending(self, msg);
	if (msg->agent_request != 0 && !omacp_message_state_is_pending(state))
		omacp_agent_manager_cancel(self->agents, msg->agent_request);
	agents_kick(self);
	publish_statistics(self);
}

static void
prompts_message_added(OmacpObjects *objects, OmacpDaemonMessage *msg, OmacpManager *self)
{
	/* one read back from the store may be pending already */
	track_pending(self, msg);
	g_signal_connect(msg, "state-changed", G_CALLBACK(prompts_on_state_changed), self);
}

static void
prompts_message_removed(OmacpObjects *objects, OmacpDaemonMessage *msg, OmacpManager *self)
{
	if (msg->agent_request != 0)
		omacp_agent_manager_cancel(self->agents, msg->agent_request);
	g_hash_table_remove(self->prompts, msg);
	g_hash_table_remove(self->pending, msg);
	g_signal_handlers_disconnect_by_data(msg, self);
	publish_statistics(self);
}

static void
reset_agent_declines(OmacpManager *self)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, omacp_objects_get_messages(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value))
		((OmacpDaemonMessage *) value)->agent_declined = FALSE;
	/* an agent that comes back is asked at once after a timeout (not
	 * before a wrong PIN's delay has passed) */
	g_hash_table_iter_init(&iter, self->prompts);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Prompt *p = value;

		if (p->wrong_pins == 0)
			p->not_before = 0;
	}
}

/* ---- RegisterAgent, UnregisterAgent, Ask ---- */

/* A registration under way: the caller's credentials, then its session. */
typedef struct {
	OmacpManager *self;
	GDBusMethodInvocation *invocation;
	GCancellable *cancellable; /* the manager's: cancelled when it is freed */
	guint32 uid;
} Registration;

static void
registration_free(Registration *r)
{
	g_object_unref(r->invocation);
	g_object_unref(r->cancellable);
	g_free(r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Registration, registration_free)

/* The registration ends: RegisterAgent, or RegisterAgentWithOptions with
 * what the agent does besides asking ("capabilities": "mms" → it applies
 * MMS settings, mms-handoff.c). */
static void
register_with_session(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Registration) r = user_data;
	OmacpManager *self = r->self;
	GVariant *params = g_dbus_method_invocation_get_parameters(r->invocation);
	gboolean with_options = g_str_equal(g_dbus_method_invocation_get_method_name(r->invocation),
	                                    "RegisterAgentWithOptions");
	g_autofree char *session = NULL;
	g_autoptr(GVariant) options = NULL;
	g_autoptr(GVariant) caps = NULL;
	g_autofree const char **capabilities = NULL;
	const char *path = NULL;
	g_autoptr(GError) error = NULL;
	GVariantBuilder granted;

	if (g_cancellable_is_cancelled(r->cancellable))
		return; /* the manager is gone */
	session = omacp_agent_sessions_lookup_finish(self->sessions, result);
	g_variant_get_child(params, 0, "&o", &path);
	if (with_options) {
		options = g_variant_get_child_value(params, 1);
		caps = g_variant_lookup_value(options, "capabilities", G_VARIANT_TYPE_STRING_ARRAY);
		if (caps != NULL)
			capabilities = g_variant_get_strv(caps, NULL);
	}
	if (!omacp_agent_manager_register_full(self->agents,
	                                       g_dbus_method_invocation_get_sender(r->invocation),
	                                       path, r->uid, session, capabilities, &error)) {
		omacp_invocation_return_error(r->invocation, error);
		return;
	}
	if (with_options) {
		/* MMS notifications come through omacpd only with its ModemManager
		 * adapter; then the agent switches mmsd-tng's own WAP processing off */
		g_variant_builder_init(&granted, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(
		        &granted, "{sv}", "mms-push",
		        g_variant_new_boolean(capabilities != NULL &&
		                              g_strv_contains(capabilities, "mms-push") &&
		                              self->config->adapter_modemmanager));
		omacp_dbus_manager_complete_register_agent_with_options(
		        self->iface, r->invocation, g_variant_builder_end(&granted));
	} else {
		omacp_dbus_manager_complete_register_agent(self->iface, r->invocation);
	}
	reset_agent_declines(self);
	agents_kick(self);
}

static void
register_with_credentials(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Registration) r = user_data;
	OmacpManager *self = r->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) creds = NULL;
	GCancellable *cancellable;
	guint32 pid = 0;

	if (g_cancellable_is_cancelled(r->cancellable))
		return; /* the manager is gone */
	if (reply != NULL)
		creds = g_variant_get_child_value(reply, 0);
	if (creds == NULL || !g_variant_lookup(creds, "UnixUserID", "u", &r->uid)) {
		g_dbus_method_invocation_return_error(
		        r->invocation, OMACP_ERROR, OMACP_ERROR_PERMISSION_DENIED,
		        "register agent: the caller's user is unknown%s%s", error ? ": " : "",
		        error ? error->message : "");
		return;
	}
	g_variant_lookup(creds, "ProcessID", "u", &pid);
	cancellable = r->cancellable;
	omacp_agent_sessions_lookup_async(self->sessions, pid, cancellable, register_with_session,
	                                  g_steal_pointer(&r));
}

static void
register_agent_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpManager *self = user_data;
	Registration *r = g_new0(Registration, 1);

	r->self = self;
	r->invocation = g_object_ref(invocation);
	r->cancellable = g_object_ref(self->cancellable);
	g_dbus_connection_call(
	        self->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	        "GetConnectionCredentials",
	        g_variant_new("(s)", g_dbus_method_invocation_get_sender(invocation)),
	        G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
	        register_with_credentials, r);
}

static gboolean
handle_register_agent(OmacpDBusManager *iface, GDBusMethodInvocation *invocation, const char *path,
                      OmacpManager *self)
{
	omacp_authority_check(self->authority, invocation, OMACP_ACTION_ID_AGENT,
	                      register_agent_authorized, self, NULL);
	return TRUE;
}

static gboolean
handle_register_agent_with_options(OmacpDBusManager *iface, GDBusMethodInvocation *invocation,
                                   const char *path, GVariant *options, OmacpManager *self)
{
	omacp_authority_check(self->authority, invocation, OMACP_ACTION_ID_AGENT,
	                      register_agent_authorized, self, NULL);
	return TRUE;
}

/* ReportMms: only the agent a request went to can answer it, once. */
static gboolean
handle_report_mms(OmacpDBusManager *iface, GDBusMethodInvocation *invocation, const char *request,
                  gboolean applied, const char *error_text, GVariant *previous, OmacpManager *self)
{
	g_autoptr(GError) error = NULL;

	if (!omacp_mms_handoff_report(self->mms, g_dbus_method_invocation_get_sender(invocation),
	                              request, applied, error_text, previous, &error)) {
		omacp_invocation_return_error(invocation, error);
		return TRUE;
	}
	omacp_dbus_manager_complete_report_mms(iface, invocation);
	return TRUE;
}

static gboolean
mms_push(const OmacpPushEvent *event, OmacpPushRoutedFunc routed, gpointer routed_data,
         gpointer user_data)
{
	OmacpManager *self = user_data;

	return omacp_mms_handoff_push(self->mms, event, routed, routed_data);
}

static void
mms_agents_changed(gpointer user_data)
{
	OmacpManager *self = user_data;

	omacp_mms_handoff_agents_changed(self->mms);
}

static gboolean
handle_unregister_agent(OmacpDBusManager *iface, GDBusMethodInvocation *invocation,
                        const char *path, OmacpManager *self)
{
	g_autoptr(GError) error = NULL;

	if (!omacp_agent_manager_unregister(
	            self->agents, g_dbus_method_invocation_get_sender(invocation), path, &error)) {
		omacp_invocation_return_error(invocation, error);
		return TRUE;
	}
	omacp_dbus_manager_complete_unregister_agent(iface, invocation);
	agents_kick(self);
	return TRUE;
}

static void
ask_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpManager *self = user_data;
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	const char *path = NULL;
	const char *agent_path = NULL;
	OmacpDaemonMessage *msg;
	Prompt *p;

	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&o)", &path);
	if (!omacp_agent_manager_find_owner(self->agents, sender, &agent_path)) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_PERMISSION_DENIED,
		                                      "ask: the caller has no agent registered");
		return;
	}
	msg = message_of_path(self, path);
	if (msg == NULL) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_NOT_FOUND, "ask: no message %s", path);
		return;
	}
	if (msg->busy || !omacp_message_state_is_pending(omacp_daemon_message_get_state(msg))) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		        "ask: message/%u is %s: only messages waiting for a PIN or a confirmation "
		        "are asked",
		        msg->id,
		        omacp_message_state_to_string(omacp_daemon_message_get_state(msg)));
		return;
	}
	omacp_dbus_manager_complete_ask(self->iface, invocation);
	msg->agent_declined = FALSE;
	if (msg->agent_request != 0) {
		if (g_strcmp0(omacp_agent_manager_request_owner(self->agents, msg->agent_request),
		              sender) == 0)
			return; /* asked already */
		omacp_agent_manager_cancel(self->agents, msg->agent_request);
		msg->agent_request = 0;
	}
	g_message("message/%u: agent %s%s asks to be asked", msg->id, sender, agent_path);
	p = prompt_of(self, msg);
	g_free(p->ask_owner);
	g_free(p->ask_path);
	p->ask_owner = g_strdup(sender);
	p->ask_path = g_strdup(agent_path);
	/* a timeout's wait ends; a wrong PIN's delay does not */
	if (p->wrong_pins == 0)
		p->not_before = 0;
	agents_kick(self);
}

static gboolean
handle_ask(OmacpDBusManager *iface, GDBusMethodInvocation *invocation, const char *path,
           OmacpManager *self)
{
	omacp_authority_check(self->authority, invocation, OMACP_ACTION_ID_AGENT, ask_authorized,
	                      self, NULL);
	return TRUE;
}

/* ---- Deliver ---- */

static gboolean
option_string(GVariant *options, const char *key, char **out, GError **error)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(options, key, NULL);
	const char *s;

	if (v == NULL)
		return TRUE;
	if (!g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option %s must be a string, not %s", key,
		            g_variant_get_type_string(v));
		return FALSE;
	}
	s = g_variant_get_string(v, NULL);
	if (strlen(s) > OMACP_DELIVER_MAX_OPTION_LEN) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option %s is longer than %d characters", key,
		            OMACP_DELIVER_MAX_OPTION_LEN);
		return FALSE;
	}
	if (s[0] != '\0')
		*out = g_strdup(s);
	return TRUE;
}

static gboolean
valid_imsi(const char *imsi, GError **error)
{
	gsize len = strlen(imsi);

	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(imsi[i])) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "deliver: option imsi has a non-digit at position %zu", i + 1);
			return FALSE;
		}
	}
	if (len < 6 || len > 15) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option imsi has %zu digits, an IMSI has 6 to 15", len);
		return FALSE;
	}
	return TRUE;
}

/* An ICCID (ITU-T E.118) has 19 or 20 digits; modem stacks report 18 to
 * 22 characters, some with a padding 'F' at the end. */
#define ICCID_MIN_LEN 18
#define ICCID_MAX_LEN 22

static gboolean
valid_iccid(const char *iccid, GError **error)
{
	gsize len = strlen(iccid);

	for (gsize i = 0; i < len; i++) {
		gboolean padding = i == len - 1 && (iccid[i] == 'F' || iccid[i] == 'f');

		if (!g_ascii_isdigit(iccid[i]) && !padding) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "deliver: option iccid has a non-digit at position %zu", i + 1);
			return FALSE;
		}
	}
	if (len < ICCID_MIN_LEN || len > ICCID_MAX_LEN) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "deliver: option iccid has %zu characters, an ICCID has %d to %d", len,
		            ICCID_MIN_LEN, ICCID_MAX_LEN);
		return FALSE;
	}
	return TRUE;
}

/* Every input, from Deliver or a modem stack, goes through here. */
static OmacpDaemonMessage *
deliver(OmacpManager *self, OmacpFormat format, GBytes *input, const char *sender, const char *imsi,
        const char *iccid, const char *modem, gint64 now, GError **error)
{
	OmacpDaemonMessage *msg = omacp_intake_deliver_sim(self->intake, format, input, sender,
	                                                   imsi, iccid, modem, now, error);

	publish_statistics(self);
	return msg;
}

/* The reply to Deliver, when what it stored is durable; @user_data is the
 * invocation (owned). */
static void
deliver_durable(const GError *error, gpointer user_data)
{
	GDBusMethodInvocation *invocation = user_data;

	if (error != NULL)
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR, OMACP_ERROR_STORE,
		                                      "deliver: %s", error->message);
	else
		g_dbus_method_invocation_return_value(
		        invocation, g_variant_new("(o)", g_object_get_data(G_OBJECT(invocation),
		                                                           "omacp-path")));
}

static void
deliver_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpManager *self = user_data;
	GVariant *params = g_dbus_method_invocation_get_parameters(invocation);
	/* (ay s a{sv}), taken apart without a format string */
	g_autoptr(GVariant) data = g_variant_get_child_value(params, 0);
	g_autoptr(GVariant) format_value = g_variant_get_child_value(params, 1);
	g_autoptr(GVariant) options = g_variant_get_child_value(params, 2);
	g_autoptr(GBytes) input = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *imsi = NULL;
	g_autofree char *iccid = NULL;
	g_autofree char *sender = NULL;
	g_autofree char *modem = NULL;
	const char *format_text = g_variant_get_string(format_value, NULL);
	OmacpFormat format;
	gboolean ok;
	OmacpDaemonMessage *msg;

	ok = option_string(options, "imsi", &imsi, &error) &&
	     option_string(options, "iccid", &iccid, &error) &&
	     option_string(options, "sender", &sender, &error) &&
	     option_string(options, "modem", &modem, &error);
	if (!ok || (imsi != NULL && !valid_imsi(imsi, &error)) ||
	    (iccid != NULL && !valid_iccid(iccid, &error))) {
		omacp_invocation_return_error(invocation, error);
		return;
	}
	if (!omacp_format_from_string(format_text, &format)) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		        "deliver: unknown format '%s' (sms-pdu, sms-tpdu, ud, wsp, wbxml, xml)",
		        format_text);
		return;
	}
	input = g_bytes_new(g_variant_get_data(data), g_variant_get_size(data));
	msg = deliver(self, format, input, sender, imsi, iccid, modem, g_get_real_time(), &error);
	if (msg == NULL) {
		g_message("deliver (%s, %zu octets) refused: %s", format_text,
		          g_bytes_get_size(input), error->message);
		omacp_invocation_return_error(invocation, error);
		return;
	}
	/* acknowledged once the message is on the disk: with every other
	 * write of this main-loop iteration (group commit) */
	g_object_set_data_full(G_OBJECT(invocation), "omacp-path", g_strdup(msg->path), g_free);
	omacp_store_when_durable(self->store, deliver_durable, invocation);
}

static gboolean
handle_deliver(OmacpDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *data,
               const char *format, GVariant *options, OmacpManager *self)
{
	gsize len = g_variant_get_size(data);

	/* before polkit: a denied call must not keep its data while polkit
	 * answers; intake checks the same limit again */
	if (len > self->config->max_message_bytes) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		        "deliver: %zu octets, more than MaxMessageBytes (%" G_GUINT64_FORMAT ")",
		        len, self->config->max_message_bytes);
		return TRUE;
	}
	omacp_authority_check(self->authority, invocation, OMACP_ACTION_ID_DELIVER,
	                      deliver_authorized, self, NULL);
	return TRUE;
}

gboolean
omacp_manager_push(const OmacpPushEvent *event, gpointer user_data, GError **error)
{
	OmacpManager *self = user_data;
	OmacpDaemonMessage *msg = omacp_intake_deliver_push(
	        self->intake, event,
	        event->received_us > 0 ? event->received_us : g_get_real_time(), error);

	publish_statistics(self);
	return msg != NULL;
}

/* ---- restoring from the store ---- */

static void
restore(OmacpManager *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) profiles = omacp_store_list_profiles(self->store, &error);
	g_autoptr(GArray) messages = NULL;

	for (guint i = 0; profiles != NULL && i < profiles->len; i++) {
		guint id = g_array_index(profiles, guint, i);
		g_autoptr(GError) local = NULL;
		OmacpDaemonProfile *p =
		        omacp_message_store_load_profile(self->store, id, self->authority, &local);

		if (p == NULL) {
			g_warning("profile/%u not restored: %s", id, local->message);
			continue;
		}
		omacp_objects_add_profile(self->objects, p);
		omacp_objects_export_profile(self->objects, p);
	}
	messages = omacp_store_list_messages(self->store, &error);
	for (guint i = 0; messages != NULL && i < messages->len; i++) {
		guint id = g_array_index(messages, guint, i);
		g_autoptr(GError) local = NULL;
		OmacpDaemonMessage *msg =
		        omacp_message_store_load_message(self->store, id, self->authority, &local);

		if (msg == NULL) {
			/* NotFound: a creation a crash cut short, cleaned up */
			if (!g_error_matches(local, OMACP_ERROR, OMACP_ERROR_NOT_FOUND))
				g_warning("message/%u not restored: %s", id, local->message);
			continue;
		}
		omacp_objects_add_message(self->objects, msg);
		omacp_intake_restore_message(self->intake, msg);
	}
	if (error != NULL)
		g_warning("%s", error->message);

	/* segments that were too old by now */
	omacp_intake_expire(self->intake, g_get_real_time());
	omacp_apply_queue_resume(self->queue);
	g_message("restored %u message(s) and %u profile(s) from %s",
	          g_hash_table_size(omacp_objects_get_messages(self->objects)),
	          g_hash_table_size(omacp_objects_get_profiles(self->objects)),
	          omacp_store_get_dir(self->store));
}

/* ---- life cycle ---- */

gboolean
omacp_manager_new(GDBusConnection *bus, gboolean session_mode, OmacpConfig *config,
                  OmacpStore *store, OmacpManager **out, GError **error)
{
	g_autoptr(OmacpManager) self = g_new0(OmacpManager, 1);
	g_autofree char *backends = NULL;

	self->bus = g_object_ref(bus);
	self->config = config;
	self->store = store;
	self->authority = omacp_authority_new(bus, session_mode);
	omacp_authority_set_system_connections(self->authority, config->backend_networkmanager);
	self->server = omacp_objects_server_new();
	self->iface = omacp_statistics_skeleton_new(read_statistics, self);

	/* the agents first: the mmsd backend reaches mmsd-tng through them */
	self->agents = omacp_agent_manager_new(bus, config->agent_timeout_s);
	self->mms = omacp_mms_handoff_new(bus, self->agents, config->agent_timeout_s);
	omacp_agent_manager_set_roster_func(self->agents, mms_agents_changed, self);
	self->provider_db = omacp_provider_db_new(NULL);
	self->applier =
	        omacp_applier_new_with_relay(config, bus, omacp_mms_handoff_relay(self->mms),
	                                     omacp_provider_db_source(self->provider_db));
	backends = omacp_applier_describe(self->applier);
	g_message("apply backends: %s", backends);

	/* The order of the listeners on each message's "state-changed" is the
	 * order of these connections: the store writes it (objects.c), it is
	 * announced, the apply queue starts an accepted one, intake lets go
	 * of a rejected receiving one, the agents are asked about the next. */
	self->objects = omacp_objects_new(store, self->authority, self->server);
	g_signal_connect(self->objects, "message-added", G_CALLBACK(announce_message_added), self);
	self->queue = omacp_apply_queue_new(self->objects, self->applier);
	omacp_apply_queue_set_activate(self->queue, config->activate);
	omacp_dbus_manager_set_activate(self->iface, omacp_activate_to_string(config->activate));
	self->intake = omacp_intake_new(self->objects, config, self->queue);
	omacp_intake_set_stats_func(self->intake, statistics_changed, self);
	omacp_intake_set_provider_db(self->intake, self->provider_db);
	omacp_agent_manager_set_changed_func(self->agents, agents_changed, self);
	self->cancellable = g_cancellable_new();
	self->prompts = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) prompt_free);
	self->pending = g_hash_table_new(NULL, NULL);
	self->sender_turns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->quiet_senders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->sessions =
	        omacp_agent_sessions_new(bus, OMACP_AGENT_SESSIONS_SEAT, agents_changed, self);
	omacp_agent_manager_set_prefer_func(self->agents, agent_in_active_session, self);
	if (!session_mode)
		omacp_agent_manager_set_authorization(self->agents, OMACP_ACTION_ID_AGENT);
	g_signal_connect(self->objects, "message-added", G_CALLBACK(prompts_message_added), self);
	g_signal_connect(self->objects, "message-removed", G_CALLBACK(prompts_message_removed),
	                 self);

	g_signal_connect(self->iface, "handle-deliver", G_CALLBACK(handle_deliver), self);
	g_signal_connect(self->iface, "handle-register-agent", G_CALLBACK(handle_register_agent),
	                 self);
	g_signal_connect(self->iface, "handle-register-agent-with-options",
	                 G_CALLBACK(handle_register_agent_with_options), self);
	g_signal_connect(self->iface, "handle-report-mms", G_CALLBACK(handle_report_mms), self);
	g_signal_connect(self->iface, "handle-unregister-agent",
	                 G_CALLBACK(handle_unregister_agent), self);
	g_signal_connect(self->iface, "handle-ask", G_CALLBACK(handle_ask), self);

	restore(self);
	publish_statistics(self);
	if (!omacp_object_server_set_connection(self->server, bus, error))
		return FALSE;
	omacp_objects_trim_after_answers(self->objects, bus);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->iface), bus,
	                                      OMACP_DBUS_PATH, error))
		return FALSE;
	self->adapters = omacp_adapters_new(config, bus, omacp_manager_push, self);
	omacp_adapters_set_mms_func(self->adapters, mms_push, self);
	omacp_applier_set_sim_networks(self->applier, omacp_adapters_sim_network, self->adapters);
	omacp_intake_set_adapters(self->intake, self->adapters);
	omacp_apply_queue_set_adapters(self->queue, self->adapters);
	*out = g_steal_pointer(&self);
	return TRUE;
}

void
omacp_manager_free(OmacpManager *self)
{
	if (self == NULL)
		return;
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->agents, omacp_agent_manager_free);
	g_clear_pointer(&self->sessions, omacp_agent_sessions_free);
	g_clear_handle_id(&self->kick_source, g_source_remove);
	g_clear_pointer(&self->prompts, g_hash_table_unref);
	g_clear_pointer(&self->pending, g_hash_table_unref);
	g_clear_pointer(&self->sender_turns, g_hash_table_unref);
	g_clear_pointer(&self->quiet_senders, g_hash_table_unref);
	if (self->bus != NULL)
		g_dbus_connection_flush_sync(self->bus, NULL, NULL);
	if (self->intake != NULL)
		omacp_intake_set_adapters(self->intake, NULL);
	if (self->queue != NULL)
		omacp_apply_queue_set_adapters(self->queue, NULL);
	if (self->applier != NULL)
		omacp_applier_set_sim_networks(self->applier, NULL, NULL);
	g_clear_pointer(&self->adapters, omacp_adapters_free);
	if (self->iface != NULL) {
		omacp_statistics_skeleton_detach(self->iface);
		if (g_dbus_interface_skeleton_get_connection(
		            G_DBUS_INTERFACE_SKELETON(self->iface)))
			g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->iface));
		g_signal_handlers_disconnect_by_data(self->iface, self);
	}
	/* the objects leave the bus with the name, not one InterfacesRemoved
	 * each: sent after the name is released, those reached nobody */
	if (self->server != NULL)
		omacp_object_server_set_connection(self->server, NULL, NULL);
	if (self->objects != NULL)
		omacp_objects_disconnect(self->objects, self);
	g_clear_pointer(&self->intake, omacp_intake_free);
	g_clear_pointer(&self->queue, omacp_apply_queue_free);
	g_clear_object(&self->objects);
	g_clear_object(&self->server);
	g_clear_object(&self->iface);
	g_clear_pointer(&self->applier, omacp_applier_free);
	g_clear_pointer(&self->provider_db, omacp_provider_db_free);
	g_clear_pointer(&self->mms, omacp_mms_handoff_free);
	g_clear_pointer(&self->authority, omacp_authority_free);
	g_clear_pointer(&self->store, omacp_store_free);
	g_clear_pointer(&self->config, omacp_config_free);
	g_clear_object(&self->bus);
	g_free(self);
}
