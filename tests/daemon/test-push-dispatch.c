/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The push dispatcher against a consumer a user controls:
 * data/push.d/mmsd-tng.conf points at a user's session bus socket, and a
 * user who accepts the connection and never answers the D-Bus handshake
 * must not stop omacpd's main loop. Forwarding returns at once, the loop
 * keeps running while the connect is pending, and the connect gives up
 * after OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "omacp.h"
#include "push-dispatch.h"

typedef struct {
	gboolean done;
	guint n_ok;
	guint n_sent;
	gint64 done_at;
} Result;

static void
forwarded(guint n_ok, guint n_sent, gboolean cancelled, gpointer user_data)
{
	Result *r = user_data;

	r->done = TRUE;
	r->n_ok = n_ok;
	r->n_sent = n_sent;
	r->done_at = g_get_monotonic_time();
}

static gint forward_returned;

/* Fails the test (it cannot be caught otherwise) when forwarding blocks. */
static gpointer
watchdog(gpointer data)
{
	g_usleep(3 * G_USEC_PER_SEC);
	if (!g_atomic_int_get(&forward_returned))
		g_error("forwarding to a stalling consumer blocked the caller for 3 s");
	return NULL;
}

static gboolean
tick(gpointer data)
{
	guint *ticks = data;

	(*ticks)++;
	return G_SOURCE_CONTINUE;
}

static void
test_stalling_consumer(void)
{
	g_autofree char *dir = g_dir_make_tmp("omacp-push-dispatch-XXXXXX", NULL);
	g_autofree char *sock_path = g_build_filename(dir, "bus", NULL);
	g_autofree char *conf = g_build_filename(dir, "stall.conf", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GSocket) listener = NULL;
	g_autoptr(GSocketAddress) address = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpPushDispatcher) dispatcher = NULL;
	g_autoptr(GVariant) notification = NULL;
	g_autoptr(GThread) dog = NULL;
	OmacpPush push = { 0 };
	Result r = { 0 };
	guint ticks = 0;
	guint tick_id;
	gint64 start, returned, deadline;

	/* listens and never accepts: connect() succeeds, the handshake waits */
	listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
	                        G_SOCKET_PROTOCOL_DEFAULT, &error);
	g_assert_no_error(error);
	address = g_unix_socket_address_new(sock_path);
	g_assert_true(g_socket_bind(listener, address, TRUE, &error));
	g_assert_no_error(error);
	g_assert_true(g_socket_listen(listener, &error));

	text = g_strdup_printf("[Consumer]\nContentType=*\nBusName=org.example.Stall\n"
	                       "ObjectPath=/org/example/stall\nInterface=org.example.Stall\n"
	                       "Method=PushNotify\nArguments=notification\n"
	                       "Address=unix:path=%s\n",
	                       sock_path);
	g_assert_true(g_file_set_contents(conf, text, -1, &error));
	dispatcher = omacp_push_dispatcher_new(dir, NULL, &error);
	g_assert_no_error(error);

	push.content_type = (char *) "application/vnd.wap.mms-message";
	notification = g_variant_ref_sink(
	        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "\x01\x06", 2, 1));

	dog = g_thread_new("watchdog", watchdog, NULL);
	start = g_get_monotonic_time();
	omacp_push_dispatcher_forward(dispatcher, NULL, &push, notification, NULL, NULL, forwarded,
	                              &r);
	returned = g_get_monotonic_time();
	g_atomic_int_set(&forward_returned, TRUE);
	g_assert_cmpint(returned - start, <, G_USEC_PER_SEC);

	/* the loop answers (a 100 ms tick stands for Statistics) while the
	 * connect is pending, and the forward gives up in time */
	tick_id = g_timeout_add(100, tick, &ticks);
	deadline = start + (OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS + 3000) * 1000;
	while (!r.done && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick_id);
	g_assert_true(r.done);
	g_assert_cmpuint(r.n_ok, ==, 0);
	g_assert_cmpint(r.done_at - start, >=, OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS * 1000 / 2);
	/* ten ticks a second, minus scheduling slack */
	g_assert_cmpuint(ticks, >=, OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS / 100 / 2);

	g_unlink(conf);
	g_unlink(sock_path);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
	g_test_add_func("/push-dispatch/stalling-consumer", test_stalling_consumer);
	return g_test_run();
}
