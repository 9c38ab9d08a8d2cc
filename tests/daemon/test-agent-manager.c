/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent-manager.c: registration, the most recent agent asked, one request
 * at a time per agent, cancel by id (the agent told to close its prompt),
 * timeouts, an agent that leaves the bus. The agents are objects of a
 * second connection on a private bus. */
#include "config.h"

#include "agent-manager.h"
#include "omacp.h"

#define AGENT_PATH "/test/agent"

static const char agent_xml[] = "<node><interface name='" OMACP_DBUS_AGENT_INTERFACE "'>"
                                "<method name='RequestPin'><arg type='o' direction='in'/>"
                                "<arg type='s' direction='out'/></method>"
                                "<method name='RequestConfirmation'><arg type='o' direction='in'/>"
                                "<arg type='b' direction='out'/></method>"
                                "<method name='Cancel'><arg type='o' direction='in'/></method>"
                                "<method name='Release'/>"
                                "</interface></node>";

/* One agent: answers RequestPin with its pin, holds RequestConfirmation
 * calls until told, records Cancel and Release. */
typedef struct {
	GDBusConnection *conn;
	guint registration;
	char *pin;
	GPtrArray *held;      /* GDBusMethodInvocation *, unanswered */
	GPtrArray *cancelled; /* object paths */
	guint released;
	guint asked;
} Agent;

typedef struct {
	GTestDBus *bus;
	GDBusConnection *daemon;
	OmacpAgentManager *agents;
	guint replies;
	GVariant *reply;
	GError *error;
	guint changed;
	const char *cancel_path; /* told to the agent of a cancelled request */
	guint tick;
} Fixture;

static void
agent_method(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
             const char *method, GVariant *params, GDBusMethodInvocation *invocation,
             gpointer user_data)
{
	Agent *agent = user_data;
	const char *object = NULL;

	if (g_str_equal(method, "RequestPin")) {
		agent->asked++;
		g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", agent->pin));
	} else if (g_str_equal(method, "RequestConfirmation")) {
		agent->asked++;
		g_ptr_array_add(agent->held, invocation);
	} else if (g_str_equal(method, "Cancel")) {
		g_variant_get(params, "(&o)", &object);
		g_ptr_array_add(agent->cancelled, g_strdup(object));
		g_dbus_method_invocation_return_value(invocation, NULL);
	} else {
		agent->released++;
		g_dbus_method_invocation_return_value(invocation, NULL);
	}
}

static const GDBusInterfaceVTable agent_vtable = { agent_method, NULL, NULL, { 0 } };

static Agent *
agent_new(Fixture *f, const char *pin)
{
	Agent *agent = g_new0(Agent, 1);
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(agent_xml, NULL);
	g_autoptr(GError) error = NULL;

	agent->conn = g_dbus_connection_new_for_address_sync(
	        g_test_dbus_get_bus_address(f->bus),
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, &error);
	g_assert_no_error(error);
	agent->pin = g_strdup(pin);
	agent->held = g_ptr_array_new();
	agent->cancelled = g_ptr_array_new_with_free_func(g_free);
	agent->registration = g_dbus_connection_register_object(
	        agent->conn, AGENT_PATH, node->interfaces[0], &agent_vtable, agent, NULL, &error);
	g_assert_no_error(error);
	return agent;
}

static void
agent_free(Agent *agent)
{
	if (agent->registration != 0)
		g_dbus_connection_unregister_object(agent->conn, agent->registration);
	for (guint i = 0; i < agent->held->len; i++)
		g_dbus_method_invocation_return_value(g_ptr_array_index(agent->held, i),
		                                      g_variant_new("(b)", FALSE));
	g_dbus_connection_close_sync(agent->conn, NULL, NULL);
	g_object_unref(agent->conn);
	g_ptr_array_unref(agent->held);
	g_ptr_array_unref(agent->cancelled);
	g_free(agent->pin);
	g_free(agent);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Agent, agent_free)

static void
agents_changed(gpointer user_data)
{
	Fixture *f = user_data;

	f->changed++;
}

static gboolean
tick(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(f->bus);
	f->daemon = g_dbus_connection_new_for_address_sync(
	        g_test_dbus_get_bus_address(f->bus),
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, &error);
	g_assert_no_error(error);
	f->agents = omacp_agent_manager_new(f->daemon, GPOINTER_TO_UINT(data) ?: 25);
	omacp_agent_manager_set_changed_func(f->agents, agents_changed, f);
	/* wakes the waiting loops up to look at their deadlines */
	f->tick = g_timeout_add(50, tick, NULL);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_clear_handle_id(&f->tick, g_source_remove);
	g_clear_pointer(&f->agents, omacp_agent_manager_free);
	g_clear_pointer(&f->reply, g_variant_unref);
	g_clear_error(&f->error);
	g_dbus_connection_close_sync(f->daemon, NULL, NULL);
	g_clear_object(&f->daemon);
	g_test_dbus_down(f->bus);
	g_clear_object(&f->bus);
}

static void
replied(OmacpAgentManager *agents, guint request, GVariant *reply, const GError *error,
        gpointer user_data)
{
	Fixture *f = user_data;

	f->replies++;
	g_clear_pointer(&f->reply, g_variant_unref);
	g_clear_error(&f->error);
	f->reply = reply ? g_variant_ref(reply) : NULL;
	f->error = error ? g_error_copy(error) : NULL;
	/* as the daemon does: the agent's prompt closed */
	if (f->cancel_path != NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		omacp_agent_manager_send_cancel(agents, request, f->cancel_path);
}

/* The one value of an agent's reply ("(s)" or "(b)"); no reference kept. */
static const char *
reply_string(GVariant *reply)
{
	const char *s = NULL;

	g_variant_get(reply, "(&s)", &s);
	return s;
}

static gboolean
reply_boolean(GVariant *reply)
{
	gboolean b = FALSE;

	g_variant_get(reply, "(b)", &b);
	return b;
}

/* Runs the main loop until @cond holds, for 10 s at most. */
#define WAIT_UNTIL(cond)                                                                           \
	do {                                                                                       \
		gint64 end_ = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;                        \
		while (!(cond) && g_get_monotonic_time() < end_)                                   \
			g_main_context_iteration(NULL, TRUE);                                      \
		g_assert_true(cond);                                                               \
	} while (0)

static void
test_register(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) agent = agent_new(f, "1234");
	const char *owner = g_dbus_connection_get_unique_name(agent->conn);
	g_autoptr(GError) error = NULL;

	g_assert_false(omacp_agent_manager_can_ask(f->agents));
	g_assert_cmpuint(omacp_agent_manager_request(f->agents, "RequestPin",
	                                             g_variant_new("(o)", "/m/1"),
	                                             G_VARIANT_TYPE("(s)"), replied, f),
	                 ==, 0);
	g_assert_true(
	        omacp_agent_manager_register(f->agents, owner, AGENT_PATH, 1000, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(omacp_agent_manager_can_ask(f->agents));
	/* the same twice: refused */
	g_assert_false(
	        omacp_agent_manager_register(f->agents, owner, AGENT_PATH, 1000, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	/* up to the cap */
	for (guint i = 1; i < OMACP_AGENT_MANAGER_MAX_AGENTS; i++) {
		g_autofree char *path = g_strdup_printf("/test/more/%u", i);

		g_assert_true(omacp_agent_manager_register(f->agents, owner, path, 2000 + i, NULL,
		                                           &error));
	}
	g_assert_false(omacp_agent_manager_register(f->agents, owner, "/test/one/too/many", 5000,
	                                            NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_assert_cmpuint(omacp_agent_manager_count(f->agents), ==, OMACP_AGENT_MANAGER_MAX_AGENTS);
	g_assert_false(omacp_agent_manager_unregister(f->agents, ":1.999", AGENT_PATH, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND);
	g_assert_true(omacp_agent_manager_unregister(f->agents, owner, AGENT_PATH, NULL));
	g_assert_cmpuint(omacp_agent_manager_count(f->agents), ==,
	                 OMACP_AGENT_MANAGER_MAX_AGENTS - 1);
}

static void
test_request_reply(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) agent = agent_new(f, "1234");
	guint id;

	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(agent->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	id = omacp_agent_manager_request(f->agents, "RequestPin", g_variant_new("(o)", "/m/1"),
	                                 G_VARIANT_TYPE("(s)"), replied, f);
	g_assert_cmpuint(id, >, 0);
	/* busy until it answers */
	g_assert_false(omacp_agent_manager_can_ask(f->agents));
	WAIT_UNTIL(f->replies == 1);
	g_assert_no_error(f->error);
	g_assert_cmpstr(g_variant_get_type_string(f->reply), ==, "(s)");
	g_assert_cmpstr(reply_string(f->reply), ==, "1234");
	g_assert_true(omacp_agent_manager_can_ask(f->agents));
	g_assert_cmpuint(agent->asked, ==, 1);
}

static void
test_newest_agent_and_queue(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) old = agent_new(f, "1111");
	g_autoptr(Agent) new = agent_new(f, "2222");
	guint first;
	guint second;

	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(old->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(new->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	first = omacp_agent_manager_request(f->agents, "RequestConfirmation",
	                                    g_variant_new("(o)", "/m/1"), G_VARIANT_TYPE("(b)"),
	                                    replied, f);
	second = omacp_agent_manager_request(f->agents, "RequestConfirmation",
	                                     g_variant_new("(o)", "/m/2"), G_VARIANT_TYPE("(b)"),
	                                     replied, f);
	g_assert_cmpuint(first, !=, second);
	/* the newest agent is asked, one request at a time */
	WAIT_UNTIL(new->held->len == 1);
	g_assert_cmpuint(old->asked, ==, 0);
	g_dbus_method_invocation_return_value(g_ptr_array_steal_index(new->held, 0),
	                                      g_variant_new("(b)", TRUE));
	WAIT_UNTIL(f->replies == 1);
	g_assert_true(reply_boolean(f->reply));
	/* then the queued one */
	WAIT_UNTIL(new->held->len == 1);
	g_assert_cmpuint(new->asked, ==, 2);
	g_dbus_method_invocation_return_value(g_ptr_array_steal_index(new->held, 0),
	                                      g_variant_new("(b)", FALSE));
	WAIT_UNTIL(f->replies == 2);
	g_assert_false(reply_boolean(f->reply));
}

static void
test_cancel(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) agent = agent_new(f, "1234");
	guint sent;
	guint queued;

	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(agent->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	sent = omacp_agent_manager_request(f->agents, "RequestConfirmation",
	                                   g_variant_new("(o)", "/m/1"), G_VARIANT_TYPE("(b)"),
	                                   replied, f);
	queued = omacp_agent_manager_request(f->agents, "RequestConfirmation",
	                                     g_variant_new("(o)", "/m/2"), G_VARIANT_TYPE("(b)"),
	                                     replied, f);
	WAIT_UNTIL(agent->held->len == 1);
	/* one not sent yet ends at once; its agent never saw it */
	omacp_agent_manager_cancel(f->agents, queued);
	g_assert_cmpuint(f->replies, ==, 1);
	g_assert_error(f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	/* the one under way ends cancelled; its agent is told to close it */
	f->cancel_path = "/m/1";
	omacp_agent_manager_cancel(f->agents, sent);
	WAIT_UNTIL(f->replies == 2);
	g_assert_error(f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(f->reply);
	WAIT_UNTIL(agent->cancelled->len == 1);
	g_assert_cmpuint(agent->asked, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(agent->cancelled, 0), ==, "/m/1");
	/* unknown ids are ignored */
	omacp_agent_manager_cancel(f->agents, 9999);
	g_assert_true(omacp_agent_manager_can_ask(f->agents));
}

static void
test_timeout(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) agent = agent_new(f, "1234");

	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(agent->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	omacp_agent_manager_request(f->agents, "RequestConfirmation", g_variant_new("(o)", "/m/1"),
	                            G_VARIANT_TYPE("(b)"), replied, f);
	WAIT_UNTIL(f->replies == 1);
	g_assert_error(f->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_vanished(Fixture *f, gconstpointer data)
{
	Agent *agent = agent_new(f, "1234");

	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(agent->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	/* the watch reports the name there first: no change */
	g_main_context_iteration(NULL, FALSE);
	agent_free(agent);
	WAIT_UNTIL(omacp_agent_manager_count(f->agents) == 0);
	g_assert_cmpuint(f->changed, >=, 1);
	g_assert_false(omacp_agent_manager_can_ask(f->agents));
}

static void
test_release(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) agent = agent_new(f, "1234");

	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(agent->conn),
	                                           AGENT_PATH, 1000, NULL, NULL));
	omacp_agent_manager_request(f->agents, "RequestConfirmation", g_variant_new("(o)", "/m/1"),
	                            G_VARIANT_TYPE("(b)"), replied, f);
	WAIT_UNTIL(agent->held->len == 1);
	g_clear_pointer(&f->agents, omacp_agent_manager_free);
	g_dbus_connection_flush_sync(f->daemon, NULL, NULL);
	WAIT_UNTIL(agent->released == 1);
	/* a request under way at shutdown is never answered */
	g_assert_cmpuint(f->replies, ==, 0);
	/* its cancelled call ends (and frees it) in the next iterations */
	for (guint i = 0; i < 50; i++) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(2000);
	}
}

static void
roster_changed(gpointer user_data)
{
	guint *count = user_data;

	(*count)++;
}

/* Capabilities: the most recent agent that has one is found; the roster
 * func hears of every registration and departure. */
static void
test_capabilities(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) plain = agent_new(f, "1234");
	Agent *mms = agent_new(f, "1234");
	const char *const caps[] = { "mms", NULL };
	const char *owner = NULL;
	const char *path = NULL;
	g_autofree char *mms_owner = g_strdup(g_dbus_connection_get_unique_name(mms->conn));
	guint roster = 0;

	omacp_agent_manager_set_roster_func(f->agents, roster_changed, &roster);
	g_assert_false(omacp_agent_manager_find_capable(f->agents, "mms", NULL, NULL));
	g_assert_true(omacp_agent_manager_register_full(f->agents, mms_owner, AGENT_PATH, 1000,
	                                                NULL, caps, NULL));
	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(plain->conn),
	                                           AGENT_PATH, 1001, NULL, NULL));
	g_assert_cmpuint(roster, ==, 2);
	/* the newest agent has no "mms": the one before it is found */
	g_assert_true(omacp_agent_manager_find_capable(f->agents, "mms", &owner, &path));
	g_assert_cmpstr(owner, ==, mms_owner);
	g_assert_cmpstr(path, ==, AGENT_PATH);
	g_assert_false(omacp_agent_manager_find_capable(f->agents, "mms-push", NULL, NULL));
	g_main_context_iteration(NULL, FALSE);
	agent_free(mms);
	WAIT_UNTIL(omacp_agent_manager_count(f->agents) == 1);
	g_assert_cmpuint(roster, ==, 3);
	g_assert_false(omacp_agent_manager_find_capable(f->agents, "mms", NULL, NULL));
	omacp_agent_manager_set_roster_func(f->agents, NULL, NULL);
}

/* One user cannot fill the registry: the cap per uid, and
 * one beyond it refused while another user still gets in. */
static void
test_per_user_cap(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) agent = agent_new(f, "1234");
	const char *owner = g_dbus_connection_get_unique_name(agent->conn);
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < OMACP_AGENT_MANAGER_MAX_AGENTS_PER_USER; i++) {
		g_autofree char *path = g_strdup_printf("/test/user/%u", i);

		g_assert_true(
		        omacp_agent_manager_register(f->agents, owner, path, 1000, NULL, &error));
		g_assert_no_error(error);
	}
	g_assert_false(omacp_agent_manager_register(f->agents, owner, "/test/user/beyond", 1000,
	                                            NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_assert_cmpuint(omacp_agent_manager_count(f->agents), ==,
	                 OMACP_AGENT_MANAGER_MAX_AGENTS_PER_USER);
	/* another user is not locked out */
	g_assert_true(
	        omacp_agent_manager_register(f->agents, owner, "/test/other", 1001, NULL, &error));
	/* and room again once one of the first user's goes */
	g_assert_true(omacp_agent_manager_unregister(f->agents, owner, "/test/user/0", NULL));
	g_assert_true(omacp_agent_manager_register(f->agents, owner, "/test/user/beyond", 1000,
	                                           NULL, &error));
	g_assert_no_error(error);
}

static gboolean
prefer_session(const char *session, const char *seat, gpointer user_data)
{
	return g_strcmp0(session, user_data) == 0;
}

/* The agent of the active session is asked before a more recent one of
 * another session; without an active one, the most recent. */
static void
test_active_session_first(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) front = agent_new(f, "1111");
	g_autoptr(Agent) back = agent_new(f, "2222");
	g_autofree char *active = g_strdup("/org/freedesktop/login1/session/c1");

	omacp_agent_manager_set_prefer_func(f->agents, prefer_session, active);
	g_assert_true(omacp_agent_manager_register(f->agents,
	                                           g_dbus_connection_get_unique_name(front->conn),
	                                           AGENT_PATH, 1000, active, NULL));
	g_assert_true(omacp_agent_manager_register(
	        f->agents, g_dbus_connection_get_unique_name(back->conn), AGENT_PATH, 1001,
	        "/org/freedesktop/login1/session/c2", NULL));
	omacp_agent_manager_request(f->agents, "RequestPin", g_variant_new("(o)", "/m/1"),
	                            G_VARIANT_TYPE("(s)"), replied, f);
	WAIT_UNTIL(f->replies == 1);
	g_assert_cmpstr(reply_string(f->reply), ==, "1111");
	g_assert_cmpuint(back->asked, ==, 0);
	/* the session switched: the other user's agent now */
	g_free(active);
	active = g_strdup("/org/freedesktop/login1/session/c2");
	omacp_agent_manager_set_prefer_func(f->agents, prefer_session, active);
	omacp_agent_manager_request(f->agents, "RequestPin", g_variant_new("(o)", "/m/2"),
	                            G_VARIANT_TYPE("(s)"), replied, f);
	WAIT_UNTIL(f->replies == 2);
	g_assert_cmpstr(reply_string(f->reply), ==, "2222");
	/* nobody active: the most recent */
	omacp_agent_manager_set_prefer_func(f->agents, prefer_session, NULL);
	omacp_agent_manager_request(f->agents, "RequestPin", g_variant_new("(o)", "/m/3"),
	                            G_VARIANT_TYPE("(s)"), replied, f);
	WAIT_UNTIL(f->replies == 3);
	g_assert_cmpstr(reply_string(f->reply), ==, "2222");
	g_assert_cmpuint(front->asked, ==, 1);
}

/* Ask's route: a request to one named agent, not the one asked first; a
 * queued request whose agent leaves ends with G_IO_ERROR_CLOSED (asked
 * elsewhere, not a refusal). */
static void
test_request_to_and_closed(Fixture *f, gconstpointer data)
{
	g_autoptr(Agent) old = agent_new(f, "1111");
	g_autoptr(Agent) new = agent_new(f, "2222");
	const char *old_owner = g_dbus_connection_get_unique_name(old->conn);
	const char *new_owner = g_dbus_connection_get_unique_name(new->conn);
	const char *path = NULL;
	guint id;

	g_assert_true(
	        omacp_agent_manager_register(f->agents, old_owner, AGENT_PATH, 1000, NULL, NULL));
	g_assert_true(
	        omacp_agent_manager_register(f->agents, new_owner, AGENT_PATH, 1001, NULL, NULL));
	g_assert_true(omacp_agent_manager_find_owner(f->agents, old_owner, &path));
	g_assert_cmpstr(path, ==, AGENT_PATH);
	g_assert_false(omacp_agent_manager_find_owner(f->agents, ":1.999", NULL));
	g_assert_cmpuint(omacp_agent_manager_request_to(f->agents, ":1.999", AGENT_PATH,
	                                                "RequestPin", g_variant_new("(o)", "/m/0"),
	                                                G_VARIANT_TYPE("(s)"), replied, f),
	                 ==, 0);
	id = omacp_agent_manager_request_to(f->agents, old_owner, AGENT_PATH, "RequestPin",
	                                    g_variant_new("(o)", "/m/1"), G_VARIANT_TYPE("(s)"),
	                                    replied, f);
	g_assert_cmpstr(omacp_agent_manager_request_owner(f->agents, id), ==, old_owner);
	WAIT_UNTIL(f->replies == 1);
	g_assert_cmpstr(reply_string(f->reply), ==, "1111");
	g_assert_cmpuint(new->asked, ==, 0);
	/* one under way, one queued; the agent unregisters */
	omacp_agent_manager_request(f->agents, "RequestConfirmation", g_variant_new("(o)", "/m/2"),
	                            G_VARIANT_TYPE("(b)"), replied, f);
	omacp_agent_manager_request(f->agents, "RequestConfirmation", g_variant_new("(o)", "/m/3"),
	                            G_VARIANT_TYPE("(b)"), replied, f);
	WAIT_UNTIL(new->held->len == 1);
	g_assert_true(omacp_agent_manager_unregister(f->agents, new_owner, AGENT_PATH, NULL));
	g_assert_cmpuint(f->replies, ==, 2);
	g_assert_error(f->error, G_IO_ERROR, G_IO_ERROR_CLOSED);
	g_dbus_method_invocation_return_value(g_ptr_array_steal_index(new->held, 0),
	                                      g_variant_new("(b)", TRUE));
	WAIT_UNTIL(f->replies == 3);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
#define ADD(path, data, func)                                                                      \
	g_test_add(path, Fixture, GUINT_TO_POINTER(data), fixture_set_up, func, fixture_tear_down)
	ADD("/agent-manager/register", 0, test_register);
	ADD("/agent-manager/request-reply", 0, test_request_reply);
	ADD("/agent-manager/newest-agent-and-queue", 0, test_newest_agent_and_queue);
	ADD("/agent-manager/cancel", 0, test_cancel);
	ADD("/agent-manager/timeout", 1, test_timeout);
	ADD("/agent-manager/vanished", 0, test_vanished);
	ADD("/agent-manager/release", 0, test_release);
	ADD("/agent-manager/capabilities", 0, test_capabilities);
	ADD("/agent-manager/per-user-cap", 0, test_per_user_cap);
	ADD("/agent-manager/active-session-first", 0, test_active_session_first);
	ADD("/agent-manager/request-to-and-closed", 0, test_request_to_and_closed);
#undef ADD
	return g_test_run();
}
