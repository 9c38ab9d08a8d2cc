/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char bus_conf[] =
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig>\n"
        "  <type>system</type>\n"
        "  <listen>unix:path=%s/bus.sock</listen>\n"
        "  <auth>EXTERNAL</auth>\n"
        "  <policy context=\"default\">\n"
        "    <allow user=\"*\"/>\n"
        "    <allow own=\"*\"/>\n"
        "    <allow send_type=\"method_call\"/>\n"
        "    <allow send_type=\"signal\"/>\n"
        "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
        "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
        "    <allow receive_type=\"method_call\"/>\n"
        "    <allow receive_type=\"method_return\"/>\n"
        "    <allow receive_type=\"error\"/>\n"
        "    <allow receive_type=\"signal\"/>\n"
        "  </policy>\n"
        "</busconfig>\n";

static const char nm_conf[] = "[main]\n"
                              "plugins=keyfile\n"
                              "auth-polkit=false\n"
                              "dhcp=internal\n"
                              "dns=none\n"
                              "rc-manager=unmanaged\n"
                              "systemd-resolved=false\n"
                              "hostname-mode=none\n"
                              "no-auto-default=*\n"
                              "[keyfile]\n"
                              "path=%s/system-connections\n"
                              "unmanaged-devices=*\n"
                              "[device-unmanage-all]\n"
                              "match-device=*\n"
                              "managed=0\n"
                              "[connectivity]\n"
                              "enabled=false\n"
                              "[logging]\n"
                              "level=INFO\n";

static void
write_file(const char *path, const char *text)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
}

static void
child_setup(gpointer data)
{
	/* the daemons die with the test, whatever way it ends */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

GPid
harness_spawn(Harness *h, const char *const *argv, const char *log, const char *const *env)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *log_path = g_build_filename(h->dir, log, NULL);
	g_auto(GStrv) envp = g_get_environ();
	int fd;
	GPid pid = 0;

	fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	g_assert_cmpint(fd, >=, 0);
	envp = g_environ_setenv(envp, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
	envp = g_environ_setenv(envp, "DBUS_SESSION_BUS_ADDRESS", h->bus_address, TRUE);
	for (gsize i = 0; env != NULL && env[i] != NULL && env[i + 1] != NULL; i += 2)
		envp = g_environ_setenv(envp, env[i], env[i + 1], TRUE);
	g_spawn_async_with_fds(h->dir, (char **) argv, envp,
	                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, child_setup, NULL,
	                       &pid, -1, fd, fd, &error);
	g_assert_no_error(error);
	close(fd);
	return pid;
}

void
harness_kill(GPid *pid)
{
	int status;

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = 0;
			return;
		}
		g_usleep(10000);
	}
	kill(*pid, SIGKILL);
	waitpid(*pid, &status, 0);
	*pid = 0;
}

typedef struct {
	guint timed_out;
} WaitState;

static gboolean
wait_timeout_cb(gpointer data)
{
	WaitState *state = data;
	state->timed_out = 1;
	return G_SOURCE_REMOVE;
}

static gboolean
tick_cb(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

void
harness_wait_until(gboolean (*predicate)(gpointer), gpointer data, guint timeout_ms,
                   const char *what)
{
	WaitState state = { 0 };
	guint id = g_timeout_add(timeout_ms, wait_timeout_cb, &state);
	/* predicates that poll a daemon need a tick even when nothing else runs */
	guint tick = g_timeout_add(10, tick_cb, NULL);

	while (!predicate(data) && !state.timed_out)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	if (state.timed_out)
		g_error("timed out after %u ms waiting for %s", timeout_ms, what);
	g_source_remove(id);
}

static gboolean
flag_set(gpointer data)
{
	return *(const gboolean *) data;
}

void
harness_wait_flag(const gboolean *flag, guint timeout_ms, const char *what)
{
	harness_wait_until(flag_set, (gpointer) flag, timeout_ms, what);
}

void
harness_store_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **slot = user_data;
	*slot = g_object_ref(result);
}

static gboolean
slot_filled(gpointer data)
{
	return *(GAsyncResult **) data != NULL;
}

GAsyncResult *
harness_wait_result(GAsyncResult **slot, const char *what)
{
	harness_wait_until(slot_filled, slot, 30000, what);
	return *slot;
}

gboolean
harness_can_run(const char *const *programs, char **out_reason)
{
	if (getuid() != 0) {
		*out_reason = g_strdup("needs root (namespaces and the real daemons)");
		return FALSE;
	}
	if (g_getenv("OMACP_IN_TEST_NETNS") == NULL) {
		*out_reason = g_strdup("must run through run-in-netns.sh");
		return FALSE;
	}
	for (gsize i = 0; programs != NULL && programs[i] != NULL; i++) {
		g_autofree char *path = g_find_program_in_path(programs[i]);
		if (path == NULL) {
			*out_reason = g_strdup_printf("%s is not installed", programs[i]);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
bus_connect(gpointer data)
{
	Harness *h = data;

	h->bus = g_dbus_connection_new_for_address_sync(
	        h->bus_address,
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, NULL);
	return h->bus != NULL;
}

Harness *
harness_new(void)
{
	g_autoptr(GError) error = NULL;
	Harness *h = g_new0(Harness, 1);
	g_autofree char *conf_path = NULL;
	g_autofree char *conf = NULL;
	g_autofree char *config_arg = NULL;

	h->dir = g_dir_make_tmp("omacp-backends-XXXXXX", &error);
	g_assert_no_error(error);
	conf = g_strdup_printf(bus_conf, h->dir);
	conf_path = g_build_filename(h->dir, "bus.conf", NULL);
	write_file(conf_path, conf);
	h->bus_address = g_strdup_printf("unix:path=%s/bus.sock", h->dir);
	g_setenv("DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
	g_setenv("DBUS_SESSION_BUS_ADDRESS", h->bus_address, TRUE);

	config_arg = g_strdup_printf("--config-file=%s", conf_path);
	h->bus_pid = harness_spawn(
	        h, (const char *const[]){ "dbus-daemon", config_arg, "--nofork", NULL }, "dbus.log",
	        NULL);
	harness_wait_until(bus_connect, h, 10000, "the private bus");
	return h;
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *child = g_build_filename(path, name, NULL);
			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				remove_tree(child);
			else
				g_unlink(child);
		}
	}
	g_rmdir(path);
}

void
harness_free(Harness *h)
{
	harness_stop_mmsd(h);
	harness_stop_ofono(h);
	harness_stop_nm(h);
	g_clear_object(&h->bus);
	harness_kill(&h->bus_pid);
	if (g_getenv("OMACP_TEST_KEEP") == NULL)
		remove_tree(h->dir);
	else
		g_printerr("# kept %s\n", h->dir);
	g_free(h->dir);
	g_free(h->bus_address);
	g_free(h);
}

/* --- NetworkManager --------------------------------------------------------- */

char *
harness_nm_connections_dir(Harness *h)
{
	return g_build_filename(h->dir, "system-connections", NULL);
}

static gboolean
nm_started(gpointer data)
{
	Harness *h = data;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) value = NULL;

	reply = g_dbus_connection_call_sync(
	        h->bus, "org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager",
	        "org.freedesktop.DBus.Properties", "Get",
	        g_variant_new("(ss)", "org.freedesktop.NetworkManager", "Startup"),
	        G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(v)", &value);
	return !g_variant_get_boolean(value);
}

void
harness_start_nm(Harness *h)
{
	const char *subdirs[] = { "system-connections", "conf.d", "sysconf.d", "state" };
	g_autofree char *conf = g_strdup_printf(nm_conf, h->dir);
	g_autofree char *conf_path = g_build_filename(h->dir, "NetworkManager.conf", NULL);
	g_autofree char *a_config = g_strdup_printf("--config=%s", conf_path);
	g_autofree char *a_confdir = g_strdup_printf("--config-dir=%s/conf.d", h->dir);
	g_autofree char *a_sysconfdir = g_strdup_printf("--system-config-dir=%s/sysconf.d", h->dir);
	g_autofree char *a_intern =
	        g_strdup_printf("--intern-config=%s/state/NetworkManager-intern.conf", h->dir);
	g_autofree char *a_state =
	        g_strdup_printf("--state-file=%s/state/NetworkManager.state", h->dir);
	g_autofree char *a_pid = g_strdup_printf("--pid-file=%s/state/NetworkManager.pid", h->dir);

	g_assert_cmpint(h->nm_pid, ==, 0);
	for (gsize i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		g_autofree char *d = g_build_filename(h->dir, subdirs[i], NULL);
		g_assert_cmpint(g_mkdir_with_parents(d, 0700), ==, 0);
	}
	write_file(conf_path, conf);
	h->nm_pid = harness_spawn(h,
	                          (const char *const[]){ "NetworkManager", "--debug", a_config,
	                                                 a_confdir, a_sysconfdir, a_intern, a_state,
	                                                 a_pid, NULL },
	                          "NetworkManager.log", NULL);
	harness_wait_until(nm_started, h, 20000, "NetworkManager startup");
}

void
harness_stop_nm(Harness *h)
{
	harness_kill(&h->nm_pid);
}

/* --- ofonod and the fake modem ------------------------------------------------ */

/* the test runs in its own network namespace: nothing else uses this port */
#define FAKEMODEM_PORT "12345"

static gboolean
modem_listening(gpointer data)
{
	Harness *h = data;
	g_autofree char *ctl = g_build_filename(h->dir, "modem.ctl", NULL);

	/* the fake binds its TCP port before it creates the control socket */
	return g_file_test(ctl, G_FILE_TEST_EXISTS);
}

static GVariant *
ofono_modem_properties(Harness *h)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) modems = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *props;

	reply = g_dbus_connection_call_sync(h->bus, "org.ofono", "/", "org.ofono.Manager",
	                                    "GetModems", NULL, G_VARIANT_TYPE("(a(oa{sv}))"),
	                                    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	if (reply == NULL)
		return NULL;
	modems = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, modems);
	while (g_variant_iter_next(&iter, "(&o@a{sv})", &path, &props)) {
		if (strcmp(path, "/fakemodem") == 0)
			return props;
		g_variant_unref(props);
	}
	return NULL;
}

static gboolean
modem_listed(gpointer data)
{
	g_autoptr(GVariant) props = ofono_modem_properties(data);
	return props != NULL;
}

static gboolean
modem_has_interface(Harness *h, const char *iface)
{
	g_autoptr(GVariant) props = ofono_modem_properties(h);
	g_autofree const char **ifaces = NULL;

	if (props == NULL || !g_variant_lookup(props, "Interfaces", "^a&s", &ifaces))
		return FALSE;
	return g_strv_contains(ifaces, iface);
}

static gboolean
modem_has_sim(gpointer data)
{
	return modem_has_interface(data, "org.ofono.SimManager");
}

static gboolean
modem_has_connman(gpointer data)
{
	return modem_has_interface(data, "org.ofono.ConnectionManager");
}

static void
modem_set(Harness *h, const char *property, gboolean value)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_sync(
	        h->bus, "org.ofono", "/fakemodem", "org.ofono.Modem", "SetProperty",
	        g_variant_new("(sv)", property, g_variant_new_boolean(value)), NULL,
	        G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
	g_assert_no_error(error);
}

void
harness_start_ofono(Harness *h, const char *imsi)
{
	g_autofree char *ctl = g_build_filename(h->dir, "modem.ctl", NULL);
	g_autofree char *conf = g_build_filename(h->dir, "phonesim.conf", NULL);
	g_autofree char *modem_log = g_build_filename(h->dir, "modem-at.log", NULL);

	g_assert_cmpint(h->ofono_pid, ==, 0);
	h->modem_pid = harness_spawn(
	        h,
	        (const char *const[]){ "/usr/bin/python3", FAKEMODEM_PY, "--tcp", FAKEMODEM_PORT,
	                               "--imsi", imsi, "--control", ctl, "--log", modem_log, NULL },
	        "modem.log", NULL);
	harness_wait_until(modem_listening, h, 10000, "the fake modem");
	write_file(conf, "[fakemodem]\nAddress=127.0.0.1\nPort=" FAKEMODEM_PORT "\n");
	h->ofono_pid = harness_spawn(
	        h,
	        (const char *const[]){
	                "ofonod", "-n", "-d", "-P",
	                "udevng,rildev,hfp_bluez5,hfp_ag_bluez5,dun_gw_bluez5,upower,"
	                "connman",
	                NULL },
	        "ofonod.log", (const char *const[]){ "OFONO_PHONESIM_CONFIG", conf, NULL });
	harness_wait_until(modem_listed, h, 10000, "ofonod to list /fakemodem");
}

void
harness_ofono_online(Harness *h)
{
	modem_set(h, "Powered", TRUE);
	harness_wait_until(modem_has_sim, h, 10000, "the SIM manager");
	modem_set(h, "Online", TRUE);
	harness_wait_until(modem_has_connman, h, 10000, "the ConnectionManager");
}

void
harness_stop_ofono(Harness *h)
{
	harness_kill(&h->ofono_pid);
	harness_kill(&h->modem_pid);
}

/* --- mmsd-tng ----------------------------------------------------------------- */

char *
harness_mmsd_settings_file(Harness *h)
{
	return g_build_filename(h->dir, "home", ".mms", "modemmanager", "mms", NULL);
}

static gboolean
mmsd_started(gpointer data)
{
	Harness *h = data;
	g_autoptr(GVariant) reply = NULL;

	/* the name alone is not enough: wait until the settings object answers */
	reply = g_dbus_connection_call_sync(h->bus, "org.ofono.mms", "/org/ofono/mms",
	                                    "org.ofono.mms.ModemManager", "ViewSettings", NULL,
	                                    G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 1000,
	                                    NULL, NULL);
	return reply != NULL;
}

void
harness_start_mmsd(Harness *h)
{
	g_autofree char *home = g_build_filename(h->dir, "home", NULL);

	g_assert_cmpint(h->mmsd_pid, ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(home, 0700), ==, 0);
	h->mmsd_pid = harness_spawn(h, (const char *const[]){ "mmsdtng", "-d", NULL }, "mmsd.log",
	                            (const char *const[]){ "HOME", home, NULL });
	harness_wait_until(mmsd_started, h, 20000, "mmsd-tng on the bus");
}

void
harness_stop_mmsd(Harness *h)
{
	harness_kill(&h->mmsd_pid);
}

/* --- profiles ---------------------------------------------------------------- */

/* OmacpProfile * -> char *: the message of harness_profile_set_message() */
static GHashTable *profile_messages;

OmacpProfile *
harness_profile(OmacpProfileKind kind, const char *identity, const char *name, const char *imsi,
                const char *settings, const char *secrets)
{
	OmacpProfile *p = g_new0(OmacpProfile, 1);
	g_autoptr(GError) error = NULL;

	p->kind = kind;
	p->identity = g_strdup(identity);
	p->name = g_strdup(name);
	p->imsi = g_strdup(imsi);
	/* g_variant_parse() returns a full (non-floating) reference */
	p->settings =
	        g_variant_parse(G_VARIANT_TYPE_VARDICT, settings != NULL ? settings : "@a{sv} {}",
	                        NULL, NULL, &error);
	g_assert_no_error(error);
	if (secrets != NULL) {
		p->secrets = g_variant_parse(G_VARIANT_TYPE_VARDICT, secrets, NULL, NULL, &error);
		g_assert_no_error(error);
	}
	p->risks = g_ptr_array_new_with_free_func(g_free);
	return p;
}

void
harness_profile_free(OmacpProfile *p)
{
	if (p == NULL)
		return;
	if (profile_messages != NULL)
		g_hash_table_remove(profile_messages, p);
	g_free(p->identity);
	g_free(p->name);
	g_free(p->imsi);
	g_clear_pointer(&p->settings, g_variant_unref);
	g_clear_pointer(&p->secrets, g_variant_unref);
	g_clear_pointer(&p->risks, g_ptr_array_unref);
	g_free(p);
}

void
harness_profile_set_message(OmacpProfile *p, const char *message)
{
	if (profile_messages == NULL)
		profile_messages = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	g_hash_table_insert(profile_messages, p, g_strdup(message));
}

char *
harness_apply(OmacpBackend *backend, const OmacpProfile *p, const char *existing_id, gboolean force,
              GVariant **out_undo, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	const char *message =
	        profile_messages != NULL ? g_hash_table_lookup(profile_messages, p) : NULL;

	backend->klass->apply_async(backend, p, message, existing_id, force, NULL,
	                            harness_store_result, &result);
	harness_wait_result(&result, "apply");
	return backend->klass->apply_finish(backend, result, out_undo, error);
}

char *
harness_apply_ok(OmacpBackend *backend, const OmacpProfile *p, const char *existing_id,
                 gboolean force, GVariant **out_undo)
{
	g_autoptr(GError) error = NULL;
	char *id = harness_apply(backend, p, existing_id, force, out_undo, &error);

	g_assert_no_error(error);
	g_assert_nonnull(id);
	return id;
}

gboolean
harness_remove(OmacpBackend *backend, const char *id, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	backend->klass->remove_async(backend, id, NULL, harness_store_result, &result);
	harness_wait_result(&result, "remove");
	return backend->klass->remove_finish(backend, result, error);
}

void
harness_remove_ok(OmacpBackend *backend, const char *id)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(harness_remove(backend, id, &error));
	g_assert_no_error(error);
}

gboolean
harness_undo(OmacpBackend *backend, const char *id, GVariant *undo, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	backend->klass->undo_async(backend, id, undo, NULL, harness_store_result, &result);
	harness_wait_result(&result, "undo");
	return backend->klass->undo_finish(backend, result, error);
}

void
harness_undo_ok(OmacpBackend *backend, const char *id, GVariant *undo)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(harness_undo(backend, id, undo, &error));
	g_assert_no_error(error);
}

static void
count_signal(OmacpBackend *backend, gpointer user_data)
{
	guint *counter = user_data;

	(*counter)++;
}

void
harness_count_availability(OmacpBackend *backend, guint *counter)
{
	backend->availability_changed = count_signal;
	backend->availability_user_data = counter;
}

gboolean
harness_backend_available(gpointer backend)
{
	OmacpBackend *b = backend;

	return b->klass->is_available(b);
}

gboolean
harness_backend_unavailable(gpointer backend)
{
	return !harness_backend_available(backend);
}

char *
harness_preview_text(OmacpBackend *backend, const OmacpProfile *p, const char *id)
{
	g_autoptr(GVariant) preview = backend->klass->preview(backend, p, id);
	g_autoptr(GString) text = g_string_new(NULL);
	GVariantIter iter;
	GVariant *entry;

	if (preview == NULL)
		return g_strdup("(null)");
	g_assert_true(g_variant_is_floating(preview));
	g_variant_ref_sink(preview);
	g_assert_cmpstr(g_variant_get_type_string(preview), ==, "aa{sv}");
	g_variant_iter_init(&iter, preview);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		const char *field = NULL;
		const char *old_value = NULL;
		const char *new_value = NULL;
		const char *risk = NULL;

		g_assert_true(g_variant_lookup(entry, "field", "&s", &field));
		g_assert_true(g_variant_lookup(entry, "old", "&s", &old_value));
		g_assert_true(g_variant_lookup(entry, "new", "&s", &new_value));
		g_string_append_printf(
		        text, "%s%s: '%s' -> '%s'%s", text->len > 0 ? "\n" : "", field, old_value,
		        new_value, g_variant_lookup(entry, "risk", "&s", &risk) ? " [risk]" : "");
		g_variant_unref(entry);
	}
	return g_string_free(g_steal_pointer(&text), FALSE);
}

char *
harness_preview_risk(OmacpBackend *backend, const OmacpProfile *p, const char *id,
                     const char *field)
{
	g_autoptr(GVariant) preview = backend->klass->preview(backend, p, id);
	GVariantIter iter;
	GVariant *entry;
	char *risk = NULL;

	if (preview == NULL)
		return NULL;
	g_variant_ref_sink(preview);
	g_variant_iter_init(&iter, preview);
	while (risk == NULL && (entry = g_variant_iter_next_value(&iter)) != NULL) {
		const char *f = NULL;

		if (g_variant_lookup(entry, "field", "&s", &f) && strcmp(f, field) == 0)
			g_variant_lookup(entry, "risk", "s", &risk);
		g_variant_unref(entry);
	}
	return risk;
}

void
harness_assert_preview(OmacpBackend *backend, const OmacpProfile *p, const char *id,
                       const char *expected)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	g_autofree char *text = harness_preview_text(backend, p, id);

	while (strcmp(text, expected) != 0 && g_get_monotonic_time() < deadline) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(10000);
		g_free(text);
		text = harness_preview_text(backend, p, id);
	}
	g_assert_cmpstr(text, ==, expected);
}
