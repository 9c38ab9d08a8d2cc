/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-bench-daemon: what the real omacpd costs on a phone.
 * Starts a private dbus-daemon and omacpd on it (--session, a temporary
 * state directory, no backends, no modem stacks, no rate limits), feeds
 * NETWPIN messages made with the library's encoder (as `omacpctl encode
 * --output tpdu` makes them) through Manager.Deliver and prints:
 *
 *  - fsync()+fdatasync()+syncfs() calls per single-segment Deliver and per
 *    four-segment message, counted by an LD_PRELOAD shim (sync-counter.c);
 *  - Deliver/s on the state directory's file system and on tmpfs, one call
 *    at a time and with several in flight;
 *  - RSS (/proc/PID/smaps_rollup) idle, after the first message, and per
 *    stored message at two store sizes (single and four segments), live
 *    and after a restart;
 *  - the time from exec to the bus name and to the first GetManagedObjects
 *    answer, against the number of stored messages (the empty store too);
 *  - instructions per single-segment Deliver (valgrind --tool=callgrind,
 *    all threads: a run with 1 + K messages minus a run with 1);
 *  - context switches of all omacpd threads while idle.
 *
 *   omacp-bench-daemon [--quick] [--dir DIR] [--idle-seconds S] [--no-callgrind]
 *   omacp-bench-daemon --fill N [--segments 1|4] [--dir DIR]
 *   omacp-bench-daemon --deliver-only [--quick]
 *
 * --fill only makes a store of N messages in a new directory under --dir
 * and prints its path (to profile a start with perf or callgrind).
 * --deliver-only counts the instructions per Deliver only and leaves
 * callgrind's output files in the bench's directory (to profile one).
 * --dir is where the on-disk state directory goes (default /var/tmp);
 * tmpfs figures use /dev/shm. --quick uses smaller stores (200 and 1000
 * messages) and fewer repetitions, and finishes in a couple of minutes.
 * A program, not a test: it asserts nothing and its times vary with the
 * machine. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "omacp-dbus-names.h"
#include "omacp.h"

#define BUS_NAME        OMACP_DBUS_NAME
#define MANAGER_PATH    OMACP_DBUS_PATH
#define MANAGER_IFACE   OMACP_DBUS_MANAGER_INTERFACE
#define IMSI            "244071234567890"
#define START_TIMEOUT_S 120

enum { COUNT_FSYNC, COUNT_FDATASYNC, COUNT_SYNCFS, N_COUNTS };

typedef struct {
	char *tmp; /* the bench's own directory (bus socket, config, logs) */
	GSubprocess *bus;
	GDBusConnection *conn;
	char *config;
	const char *omacpd;
	const char *shim;
	char *counter_path;
	volatile guint64 *counters;
	guint n_daemons;
	/* daemon_start() has callgrind dump its counts at the name and after
	 * the first GetManagedObjects answer */
	gboolean callgrind_dumps;
	gboolean no_callgrind;
	GString *start_instructions; /* printed at the end */
} Bench;

typedef struct {
	GSubprocess *proc;
	int pid;
	char *state;
	double name_ms;     /* exec → name on the bus */
	double gmo_ms;      /* exec → first GetManagedObjects answer */
	double name_cpu_ms; /* omacpd's CPU time until then */
	double gmo_cpu_ms;
	guint n_objects;
} Daemon;

static double cpu_ms(int pid);

/* ---- messages ---- */

/* NETWPIN messages for IMSI, each a distinct document (the daemon stores a
 * replayed document once), as SMS-DELIVER TPDUs: @segments of them each. */
static GPtrArray *
make_messages(guint first, guint n, guint segments)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) g_ptr_array_unref);
	guint pad = segments > 1 ? 100 : 0;

	for (guint i = first; i < first + n; i++) {
		g_autofree char *apn = g_strdup_printf("a%u.example", i);
		g_autofree char *name = NULL;
		g_autofree char *xml = NULL;
		g_autoptr(GError) error = NULL;
		GPtrArray *items;
		OmacpTemplateOptions t = { .kind = OMACP_TEMPLATE_INTERNET, .apn = apn };
		OmacpEncodeOptions o = { .sec = OMACP_SEC_NETWPIN,
			                 .imsi = IMSI,
			                 .output = OMACP_ENCODE_OUTPUT_TPDU,
			                 .ref = (gint) (i % 256) };

		for (;;) {
			/* a longer NAME, AUTHNAME and AUTHSECRET (up to 100 each)
			 * until the push takes @segments SMS */
			g_autofree char *fill_name = g_strnfill(MIN(pad, 100), 'n');
			g_autofree char *user =
			        g_strnfill(pad > 100 ? MIN(pad - 100, 100) : 0, 'u');
			g_autofree char *pass =
			        g_strnfill(pad > 200 ? MIN(pad - 200, 100) : 0, 'p');

			g_free(name);
			name = pad > 0 ? g_strdup_printf("%u %s", i, fill_name) : NULL;
			t.name = name;
			t.username = user[0] != '\0' ? user : NULL;
			t.password = pass[0] != '\0' ? pass : NULL;
			g_free(xml);
			xml = omacp_template_build(&t, &error);
			if (xml == NULL)
				g_error("bench: template: %s", error->message);
			items = omacp_encode_document(xml, strlen(xml), &o, NULL, NULL, &error);
			if (items == NULL)
				g_error("bench: encode: %s", error->message);
			if (items->len == segments)
				break;
			if (items->len > segments || pad > 300)
				g_error("bench: no document of %u segments (%u with %u)", segments,
				        items->len, pad);
			g_ptr_array_unref(items);
			pad += 10;
		}
		g_ptr_array_add(out, items);
	}
	return out;
}

/* ---- the bus and the daemon ---- */

static double
ms_since(gint64 start)
{
	return (double) (g_get_monotonic_time() - start) / 1000.0;
}

static void
bench_start_bus(Bench *b)
{
	g_autofree char *conf = g_build_filename(b->tmp, "bus.conf", NULL);
	g_autofree char *text = g_strdup_printf(
	        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
	        "1.0//EN\"\n"
	        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	        "<busconfig>\n  <type>session</type>\n  <listen>unix:dir=%s</listen>\n"
	        "  <auth>EXTERNAL</auth>\n  <policy context=\"default\">\n"
	        "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	        "    <allow eavesdrop=\"true\"/>\n    <allow own=\"*\"/>\n  </policy>\n"
	        "  <limit name=\"max_message_size\">268435456</limit>\n</busconfig>\n",
	        b->tmp);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDataInputStream) in = NULL;
	g_autofree char *address = NULL;

	if (!g_file_set_contents(conf, text, -1, &error))
		g_error("bench: %s", error->message);
	b->bus = g_subprocess_new(
	        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
	        "dbus-daemon", "--nofork", "--print-address=1", "--config-file", conf, NULL);
	if (b->bus == NULL)
		g_error("bench: dbus-daemon: %s", error->message);
	in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(b->bus));
	address = g_data_input_stream_read_line(in, NULL, NULL, &error);
	if (address == NULL)
		g_error("bench: dbus-daemon gave no address");
	g_strstrip(address);
	g_setenv("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
	b->conn = g_dbus_connection_new_for_address_sync(
	        address,
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, &error);
	if (b->conn == NULL)
		g_error("bench: connecting to %s: %s", address, error->message);
}

static void
name_owner_changed(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
                   const char *signal, GVariant *params, gpointer user_data)
{
	const char *new_owner = NULL;

	g_variant_get(params, "(&s&s&s)", NULL, NULL, &new_owner);
	if (new_owner[0] != '\0')
		*(gboolean *) user_data = TRUE;
}

/* callgrind_control -d @pid: the counts so far into the next numbered
 * dump file, the counter set to 0. */
static void
callgrind_dump(int pid)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *id = g_strdup_printf("%d", pid);
	g_autoptr(GSubprocess) p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
	                                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE,
	                                            &error, "callgrind_control", "-d", id, NULL);

	if (p == NULL || !g_subprocess_wait_check(p, NULL, &error))
		g_printerr("bench: callgrind_control -d: %s\n", error ? error->message : "failed");
}

/* Starts omacpd on @state (created when missing); @wrapper (may be NULL)
 * is a command line to run it under. Waits for its name and its first
 * GetManagedObjects answer. */
static Daemon *
daemon_start(Bench *b, const char *state, const char *const *wrapper, gboolean count_syncs)
{
	g_autoptr(GSubprocessLauncher) l =
	        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) objects = NULL;
	g_autofree char *log = g_strdup_printf("%s/omacpd-%u.log", b->tmp, b->n_daemons++);
	Daemon *d = g_new0(Daemon, 1);
	gboolean named = FALSE;
	guint sub;
	gint64 start;

	d->state = g_strdup(state);
	g_subprocess_launcher_set_stdout_file_path(l, log);
	g_subprocess_launcher_setenv(l, "G_MESSAGES_DEBUG", "", TRUE);
	/* as omacpd.service runs it (GLib before 2.76 keeps what g_slice
	 * freed); OMACP_BENCH_G_SLICE= sets another value, "" none */
	if (g_getenv("OMACP_BENCH_G_SLICE") == NULL)
		g_subprocess_launcher_setenv(l, "G_SLICE", "always-malloc", TRUE);
	else if (g_getenv("OMACP_BENCH_G_SLICE")[0] != '\0')
		g_subprocess_launcher_setenv(l, "G_SLICE", g_getenv("OMACP_BENCH_G_SLICE"), TRUE);
	else
		g_subprocess_launcher_unsetenv(l, "G_SLICE");
	if (count_syncs) {
		g_subprocess_launcher_setenv(l, "LD_PRELOAD", b->shim, TRUE);
		g_subprocess_launcher_setenv(l, "OMACP_BENCH_SYNC_COUNTER", b->counter_path, TRUE);
	}
	for (guint i = 0; wrapper != NULL && wrapper[i] != NULL; i++)
		g_ptr_array_add(argv, (char *) wrapper[i]);
	g_ptr_array_add(argv, (char *) b->omacpd);
	g_ptr_array_add(argv, "--session");
	g_ptr_array_add(argv, "--state-dir");
	g_ptr_array_add(argv, (char *) state);
	g_ptr_array_add(argv, "--config");
	g_ptr_array_add(argv, b->config);
	g_ptr_array_add(argv, NULL);

	sub = g_dbus_connection_signal_subscribe(
	        b->conn, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
	        "/org/freedesktop/DBus", BUS_NAME, G_DBUS_SIGNAL_FLAGS_NONE, name_owner_changed,
	        &named, NULL);
	/* the subscription's AddMatch reaches the bus before the exec */
	g_dbus_connection_call_sync(b->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	                            "org.freedesktop.DBus", "GetId", NULL, NULL,
	                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	start = g_get_monotonic_time();
	d->proc = g_subprocess_launcher_spawnv(l, (const char *const *) argv->pdata, &error);
	if (d->proc == NULL)
		g_error("bench: %s: %s", b->omacpd, error->message);
	d->pid = atoi(g_subprocess_get_identifier(d->proc));
	while (!named) {
		g_main_context_iteration(NULL, FALSE);
		if (named)
			break;
		if (ms_since(start) > START_TIMEOUT_S * 1000.0)
			g_error("bench: omacpd did not take its name (log: %s)", log);
		if (g_subprocess_get_identifier(d->proc) == NULL)
			g_error("bench: omacpd exited (log: %s)", log);
		g_usleep(200);
	}
	d->name_ms = ms_since(start);
	d->name_cpu_ms = cpu_ms(d->pid);
	g_dbus_connection_signal_unsubscribe(b->conn, sub);
	if (b->callgrind_dumps)
		callgrind_dump(d->pid);
	reply = g_dbus_connection_call_sync(
	        b->conn, BUS_NAME, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
	        "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
	        G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL, &error);
	if (reply == NULL)
		g_error("bench: GetManagedObjects: %s", error->message);
	d->gmo_ms = ms_since(start);
	d->gmo_cpu_ms = cpu_ms(d->pid);
	if (b->callgrind_dumps)
		callgrind_dump(d->pid);
	objects = g_variant_get_child_value(reply, 0);
	d->n_objects = (guint) g_variant_n_children(objects);
	return d;
}

static void
daemon_stop(Daemon *d)
{
	g_autoptr(GError) error = NULL;

	g_subprocess_send_signal(d->proc, SIGTERM);
	if (!g_subprocess_wait(d->proc, NULL, &error))
		g_error("bench: waiting for omacpd: %s", error->message);
	if (!g_subprocess_get_if_exited(d->proc) || g_subprocess_get_exit_status(d->proc) != 0)
		g_printerr("bench: omacpd did not exit cleanly\n");
	g_object_unref(d->proc);
	g_free(d->state);
	g_free(d);
}

/* ---- Deliver ---- */

typedef struct {
	Bench *b;
	GPtrArray *messages;
	guint next_message;
	guint next_segment;
	guint in_flight;
	guint done;
	guint total;
} Feed;

static GVariant *
deliver_params(GBytes *tpdu)
{
	GVariantBuilder opts;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(tpdu, &len);

	g_variant_builder_init(&opts, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&opts, "{sv}", "imsi", g_variant_new_string(IMSI));
	return g_variant_new("(@ays@a{sv})",
	                     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1),
	                     "sms-tpdu", g_variant_builder_end(&opts));
}

static void feed_next(Feed *f);

static void
delivered(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Feed *f = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

	if (reply == NULL)
		g_error("bench: Deliver: %s", error->message);
	f->in_flight--;
	f->done++;
	feed_next(f);
}

static void
feed_next(Feed *f)
{
	GPtrArray *segments;

	if (f->next_message >= f->messages->len)
		return;
	segments = g_ptr_array_index(f->messages, f->next_message);
	g_dbus_connection_call(f->b->conn, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Deliver",
	                       deliver_params(g_ptr_array_index(segments, f->next_segment)),
	                       G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL,
	                       delivered, f);
	f->in_flight++;
	if (++f->next_segment == segments->len) {
		f->next_segment = 0;
		f->next_message++;
	}
}

/* Delivers every segment of @messages with @window calls in flight;
 * returns the seconds it took. */
static double
deliver_all(Bench *b, GPtrArray *messages, guint window)
{
	Feed f = { b, messages, 0, 0, 0, 0, 0 };
	gint64 start = g_get_monotonic_time();

	for (guint i = 0; i < messages->len; i++)
		f.total += ((GPtrArray *) g_ptr_array_index(messages, i))->len;
	for (guint i = 0; i < window; i++)
		feed_next(&f);
	while (f.done < f.total)
		g_main_context_iteration(NULL, TRUE);
	return (double) (g_get_monotonic_time() - start) / G_USEC_PER_SEC;
}

/* ---- what /proc says ---- */

static guint64
syncs(Bench *b)
{
	return b->counters[COUNT_FSYNC] + b->counters[COUNT_FDATASYNC] + b->counters[COUNT_SYNCFS];
}

/* kB */
static guint64
rss_kb(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/smaps_rollup", pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL) || (p = strstr(text, "\nRss:")) == NULL)
		return 0;
	return g_ascii_strtoull(p + 5, NULL, 10);
}

static guint64
context_switches(int pid)
{
	g_autofree char *dir = g_strdup_printf("/proc/%d/task", pid);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint64 total = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, "status", NULL);
		g_autofree char *text = NULL;
		const char *keys[] = { "\nvoluntary_ctxt_switches:",
			               "\nnonvoluntary_ctxt_switches:" };

		if (!g_file_get_contents(path, &text, NULL, NULL))
			continue;
		for (guint k = 0; k < G_N_ELEMENTS(keys); k++) {
			const char *p = strstr(text, keys[k]);

			if (p != NULL)
				total += g_ascii_strtoull(p + strlen(keys[k]), NULL, 10);
		}
	}
	return total;
}

/* CPU time of all threads of @pid so far, in ms (/proc/PID/task/N/schedstat):
 * what a start costs whatever else the machine runs. */
static double
cpu_ms(int pid)
{
	g_autofree char *dir = g_strdup_printf("/proc/%d/task", pid);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint64 ns = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, "schedstat", NULL);
		g_autofree char *text = NULL;

		if (g_file_get_contents(path, &text, NULL, NULL))
			ns += g_ascii_strtoull(text, NULL, 10);
	}
	return (double) ns / 1e6;
}

static const char *
fs_name(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) != 0)
		return "?";
	switch ((unsigned long) st.f_type) {
	case 0xEF53:
		return "ext4";
	case 0x01021994:
		return "tmpfs";
	case 0x9123683E:
		return "btrfs";
	case 0x58465342:
		return "xfs";
	case 0xF2F52010:
		return "f2fs";
	case 0x794C7630:
		return "overlayfs";
	default:
		return "other";
	}
}

/* ---- the measurements ---- */

static char *
new_state_dir(const char *parent)
{
	g_autofree char *tmpl = g_build_filename(parent, "omacp-bench-XXXXXX", NULL);
	char *dir = g_mkdtemp(tmpl);

	if (dir == NULL)
		g_error("bench: mkdtemp in %s: %s", parent, g_strerror(errno));
	g_steal_pointer(&tmpl);
	return dir;
}

static void
remove_tree(const char *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) rm =
	        g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, "rm", "-rf", "--", dir, NULL);

	if (rm != NULL)
		g_subprocess_wait(rm, NULL, NULL);
}

static void
copy_tree(const char *from, const char *to)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) cp =
	        g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, "cp", "-a", "--", from, to, NULL);

	if (cp == NULL || !g_subprocess_wait_check(cp, NULL, &error))
		g_error("bench: cp %s %s: %s", from, to, error ? error->message : "failed");
}

static guint message_serial = 1;

static GPtrArray *
fresh_messages(guint n, guint segments)
{
	GPtrArray *m = make_messages(message_serial, n, segments);

	message_serial += n;
	return m;
}

/* fsyncs and Deliver/s on the file system of @parent; with @keep the
 * daemon is left running and returned (its state directory in *@keep). */
static Daemon *
measure_writes(Bench *b, const char *parent, guint n, gboolean with_syncs, char **keep)
{
	g_autofree char *state = new_state_dir(parent);
	Daemon *d = daemon_start(b, state, NULL, TRUE);
	g_autoptr(GPtrArray) warm = fresh_messages(1, 1);
	g_autoptr(GPtrArray) one = fresh_messages(n, 1);
	g_autoptr(GPtrArray) one_w = fresh_messages(n, 1);
	g_autoptr(GPtrArray) four = fresh_messages(n / 4, 4);
	g_autoptr(GPtrArray) four_w = fresh_messages(n / 4, 4);
	guint64 s0, s1, s2;
	double t1, t1w, t4, t4w;

	deliver_all(b, warm, 1);
	s0 = syncs(b);
	t1 = deliver_all(b, one, 1);
	s1 = syncs(b);
	t4 = deliver_all(b, four, 1);
	s2 = syncs(b);
	t1w = deliver_all(b, one_w, 16);
	t4w = deliver_all(b, four_w, 16);
	if (with_syncs) {
		printf("fsyncs (fsync + fdatasync + syncfs calls, LD_PRELOAD counter):\n");
		printf("  per single-segment Deliver       %6.2f\n", (double) (s1 - s0) / n);
		printf("  per four-segment message         %6.2f  (%.2f per segment)\n",
		       (double) (s2 - s1) / (n / 4), (double) (s2 - s1) / (n / 4) / 4);
		printf("Deliver/s (%u messages; one call at a time | 16 in flight):\n", n);
	}
	printf("  %-6s single-segment %7.0f | %7.0f   four-segment %6.0f | %6.0f messages/s\n",
	       fs_name(state), n / t1, n / t1w, (n / 4) / t4, (n / 4) / t4w);
	if (keep != NULL) {
		*keep = g_steal_pointer(&state);
		return d;
	}
	daemon_stop(d);
	remove_tree(state);
	return NULL;
}

typedef struct {
	double name_ms[3];
	double gmo_ms[3];
	double name_cpu_ms[3];
	double gmo_cpu_ms[3];
	guint64 rss_kb;
	guint n_objects;
} Starts;

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static void
measure_starts(Bench *b, const char *state, guint reps, Starts *out)
{
	memset(out, 0, sizeof(*out));
	for (guint r = 0; r < reps; r++) {
		Daemon *d = daemon_start(b, state, NULL, FALSE);

		out->name_ms[r] = d->name_ms;
		out->gmo_ms[r] = d->gmo_ms;
		out->name_cpu_ms[r] = d->name_cpu_ms;
		out->gmo_cpu_ms[r] = d->gmo_cpu_ms;
		out->n_objects = d->n_objects;
		/* omacpd hands the memory of its answer back once the answer is
		 * written: after it, not during */
		g_usleep(300 * 1000);
		out->rss_kb = rss_kb(d->pid);
		daemon_stop(d);
	}
	qsort(out->name_ms, reps, sizeof(double), compare_double);
	qsort(out->gmo_ms, reps, sizeof(double), compare_double);
	qsort(out->name_cpu_ms, reps, sizeof(double), compare_double);
	qsort(out->gmo_cpu_ms, reps, sizeof(double), compare_double);
}

static void
print_start(GString *out, guint n, guint segments, const Starts *s, guint reps)
{
	g_string_append_printf(
	        out,
	        "  %5u %-6s name %7.1f ms (median %7.1f, cpu %6.1f)   "
	        "GetManagedObjects %7.1f ms (median %7.1f, cpu %6.1f)   %u objects\n",
	        n, segments == 1 ? "single" : "four", s->name_ms[0], s->name_ms[reps / 2],
	        s->name_cpu_ms[0], s->gmo_ms[0], s->gmo_ms[reps / 2], s->gmo_cpu_ms[0],
	        s->n_objects);
}

static guint64 callgrind_total(const char *path);

/* Instructions (callgrind, all threads) from exec to the bus name and to
 * the first GetManagedObjects answer, with the store @state. */
static void
callgrind_start(Bench *b, const char *state, guint64 *to_name, guint64 *to_answer)
{
	g_autofree char *out = g_strdup_printf("%s/callgrind-start.%u", b->tmp, b->n_daemons);
	g_autofree char *out_arg = g_strdup_printf("--callgrind-out-file=%s", out);
	g_autofree char *dump1 = g_strdup_printf("%s.1", out);
	g_autofree char *dump2 = g_strdup_printf("%s.2", out);
	const char *wrapper[] = { "valgrind", "--tool=callgrind", "--quiet", out_arg, NULL };
	Daemon *d;

	b->callgrind_dumps = TRUE;
	d = daemon_start(b, state, wrapper, FALSE);
	b->callgrind_dumps = FALSE;
	daemon_stop(d);
	*to_name = callgrind_total(dump1);
	*to_answer = *to_name + callgrind_total(dump2);
}

/* The start's instructions with the empty store (first call) and with the
 * store @state of @n messages, into b->start_instructions. */
static void
measure_start_instructions(Bench *b, const char *state, guint n, guint segments)
{
	static guint64 empty_name, empty_answer;
	g_autofree char *valgrind = g_find_program_in_path("valgrind");
	guint64 name = 0, answer = 0;

	if (b->no_callgrind || valgrind == NULL)
		return;
	if (b->start_instructions == NULL) {
		g_autofree char *empty = new_state_dir("/dev/shm");

		callgrind_start(b, empty, &empty_name, &empty_answer);
		remove_tree(empty);
		b->start_instructions = g_string_new(NULL);
		g_string_append_printf(b->start_instructions,
		                       "start, instructions (callgrind, all omacpd threads, from "
		                       "exec):\n"
		                       "      0 %-6s to the name %7.1f M   to the first "
		                       "GetManagedObjects answer %7.1f M\n",
		                       "", empty_name / 1e6, empty_answer / 1e6);
	}
	callgrind_start(b, state, &name, &answer);
	g_string_append_printf(b->start_instructions,
	                       "  %5u %-6s to the name %7.1f M   to the first GetManagedObjects "
	                       "answer %7.1f M   (%.0f k and %.0f k per message)\n",
	                       n, segments == 1 ? "single" : "four", name / 1e6, answer / 1e6,
	                       ((double) name - empty_name) / n / 1e3,
	                       ((double) answer - empty_answer) / n / 1e3);
}

/* RSS per stored message at @n1 and @n2, live and after a restart, and the
 * start times at both sizes. */
static void
measure_store_sizes(Bench *b, guint n1, guint n2, guint segments, guint reps, guint64 rss_idle,
                    GString *starts_text)
{
	g_autofree char *state = new_state_dir("/dev/shm");
	g_autofree char *copy = new_state_dir("/dev/shm");
	g_autofree char *copy_state = g_build_filename(copy, "state", NULL);
	Daemon *d = daemon_start(b, state, NULL, FALSE);
	g_autoptr(GPtrArray) first = fresh_messages(1, segments);
	g_autoptr(GPtrArray) to_n1 = fresh_messages(n1 - 1, segments);
	g_autoptr(GPtrArray) to_n2 = fresh_messages(n2 - n1, segments);
	guint64 rss1, rss_n1, rss_n2;
	Starts s1, s2;

	deliver_all(b, first, 4);
	rss1 = rss_kb(d->pid);
	deliver_all(b, to_n1, 4);
	rss_n1 = rss_kb(d->pid);
	daemon_stop(d);
	copy_tree(state, copy_state);
	d = daemon_start(b, state, NULL, FALSE);
	deliver_all(b, to_n2, 4);
	rss_n2 = rss_kb(d->pid);
	daemon_stop(d);
	measure_starts(b, copy_state, reps, &s1);
	measure_starts(b, state, reps, &s2);
	measure_start_instructions(b, copy_state, n1, segments);
	/* per message: live, above the RSS after the first one (which
	 * includes the provider database the first message loads); restored,
	 * above the idle empty store (a restored daemon loads that database
	 * only when a message is decoded again) */
	printf("  %s-segment: after the first %.1f MB (the idle empty store: %.1f MB)\n",
	       segments == 1 ? "single" : "four", rss1 / 1024.0, rss_idle / 1024.0);
	printf("    live     at %5u: %6.1f MB = %5.1f KB/message   at %5u: %6.1f MB = %5.1f "
	       "KB/message\n",
	       n1, rss_n1 / 1024.0, (double) (rss_n1 - rss1) / (n1 - 1), n2, rss_n2 / 1024.0,
	       (double) (rss_n2 - rss1) / (n2 - 1));
	printf("    restored at %5u: %6.1f MB = %5.1f KB/message   at %5u: %6.1f MB = %5.1f "
	       "KB/message\n",
	       n1, s1.rss_kb / 1024.0, (double) ((gint64) s1.rss_kb - (gint64) rss_idle) / n1, n2,
	       s2.rss_kb / 1024.0, (double) ((gint64) s2.rss_kb - (gint64) rss_idle) / n2);
	/* printed later, beside the empty store */
	print_start(starts_text, n1, segments, &s1, reps);
	print_start(starts_text, n2, segments, &s2, reps);
	remove_tree(state);
	remove_tree(copy);
}

/* The "summary:" or "totals:" figure of a callgrind output file. */
static guint64
callgrind_total(const char *path)
{
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	if ((p = strstr(text, "\nsummary:")) != NULL)
		return g_ascii_strtoull(p + 9, NULL, 10);
	if ((p = strstr(text, "\ntotals:")) != NULL)
		return g_ascii_strtoull(p + 8, NULL, 10);
	return 0;
}

static guint64
callgrind_run(Bench *b, guint n)
{
	g_autofree char *state = new_state_dir("/dev/shm");
	g_autofree char *out = g_strdup_printf("%s/callgrind.%u", b->tmp, n);
	g_autofree char *out_arg = g_strdup_printf("--callgrind-out-file=%s", out);
	const char *wrapper[] = { "valgrind", "--tool=callgrind", "--quiet", out_arg, NULL };
	Daemon *d = daemon_start(b, state, wrapper, FALSE);
	g_autoptr(GPtrArray) warm = fresh_messages(1, 1);
	g_autoptr(GPtrArray) more = n > 0 ? fresh_messages(n, 1) : NULL;

	deliver_all(b, warm, 1);
	if (more != NULL)
		deliver_all(b, more, 1);
	daemon_stop(d);
	remove_tree(state);
	return callgrind_total(out);
}

static void
measure_instructions(Bench *b, guint n)
{
	g_autofree char *valgrind = g_find_program_in_path("valgrind");
	guint64 base, with;

	if (valgrind == NULL) {
		printf("instructions per Deliver: valgrind not found, not measured\n");
		return;
	}
	base = callgrind_run(b, 0);
	with = callgrind_run(b, n);
	if (base == 0 || with == 0) {
		printf("instructions per Deliver: callgrind gave no totals\n");
		return;
	}
	printf("instructions per single-segment Deliver (callgrind, all omacpd threads, "
	       "%u messages after the first): %.2f M\n",
	       n, (double) (with - base) / n / 1e6);
	printf("  start with the empty store and the first message (its provider database "
	       "load): %.1f M\n",
	       base / 1e6);
}

/* Stops the private bus and lets go of @b; the temporary directory is
 * removed unless something in it is kept for the user. */
static void
bench_finish(Bench *b, gboolean remove_dir)
{
	g_object_unref(b->conn);
	g_subprocess_send_signal(b->bus, SIGTERM);
	g_subprocess_wait(b->bus, NULL, NULL);
	g_object_unref(b->bus);
	if (remove_dir)
		remove_tree(b->tmp);
	g_free(b->tmp);
	g_free(b->config);
	g_free(b->counter_path);
}

int
main(int argc, char **argv)
{
	gboolean quick = FALSE;
	gboolean no_callgrind = FALSE;
	gint idle_seconds = 0;
	gint fill = 0;
	gint fill_segments = 1;
	gboolean deliver_only = FALSE;
	g_autofree char *start_only = NULL;
	g_autofree char *dir = NULL;
	GOptionEntry entries[] = {
		{ "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Smaller stores, fewer repetitions",
		  NULL },
		{ "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir,
		  "Where the on-disk state directory goes (default /var/tmp)", "DIR" },
		{ "idle-seconds", 'i', 0, G_OPTION_ARG_INT, &idle_seconds,
		  "How long the idle wakeups are counted (default 10, quick 3)", "S" },
		{ "no-callgrind", 0, 0, G_OPTION_ARG_NONE, &no_callgrind,
		  "Do not count instructions", NULL },
		{ "fill", 0, 0, G_OPTION_ARG_INT, &fill,
		  "Only make a store of N messages under --dir and print its path", "N" },
		{ "segments", 0, 0, G_OPTION_ARG_INT, &fill_segments,
		  "With --fill: segments per message (1 or 4)", "K" },
		{ "deliver-only", 0, 0, G_OPTION_ARG_NONE, &deliver_only,
		  "Only count the instructions per Deliver (and keep callgrind's files)", NULL },
		{ "start-only", 0, 0, G_OPTION_ARG_FILENAME, &start_only,
		  "Only time starts with the empty store and with the store DIR (made by --fill; "
		  "best and median of 3) and count their instructions",
		  "DIR" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("— omacpd benchmark");
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) starts = g_string_new(NULL);
	Bench b = { 0 };
	guint n_writes, n1, n2, reps;
	int fd;
	g_autofree char *idle_state = NULL;
	Daemon *idle = NULL;
	guint64 rss_idle = 0;
	Starts s0;
	g_autofree char *empty = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "omacp-bench-daemon: %s\n", error->message);
		return 1;
	}
	if (dir == NULL)
		dir = g_strdup("/var/tmp");
	if (idle_seconds <= 0)
		idle_seconds = quick ? 3 : 10;
	n_writes = quick ? 100 : 400;
	n1 = quick ? 200 : 1000;
	n2 = quick ? 1000 : 5000;
	reps = quick ? 1 : 3;
	b.omacpd = g_getenv("OMACPD") ? g_getenv("OMACPD") : OMACP_BENCH_OMACPD;
	b.shim = g_getenv("OMACP_BENCH_SHIM") ? g_getenv("OMACP_BENCH_SHIM") : OMACP_BENCH_SHIM;
	b.tmp = g_dir_make_tmp("omacp-bench-daemon-XXXXXX", &error);
	if (b.tmp == NULL)
		g_error("bench: %s", error->message);
	b.config = g_build_filename(b.tmp, "omacpd.conf", NULL);
	if (!g_file_set_contents(b.config,
	                         "[Backends]\nNetworkManager=false\noFono=false\nmmsd=false\n"
	                         "[Adapters]\noFono=false\nModemManager=false\n"
	                         "[Limits]\nMaxMessagesPerSenderPerHour=0\n"
	                         "MaxMessagesPerModemPerHour=0\nMaxStoredMessages=100000\n",
	                         -1, &error))
		g_error("bench: %s", error->message);
	b.counter_path = g_build_filename(b.tmp, "syncs", NULL);
	fd = g_open(b.counter_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, N_COUNTS * sizeof(guint64)) != 0)
		g_error("bench: %s: %s", b.counter_path, g_strerror(errno));
	b.counters =
	        mmap(NULL, N_COUNTS * sizeof(guint64), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (b.counters == MAP_FAILED)
		g_error("bench: mmap: %s", g_strerror(errno));
	b.no_callgrind = no_callgrind;
	bench_start_bus(&b);

	if (fill > 0) {
		g_autofree char *state = new_state_dir(dir);
		g_autoptr(GPtrArray) m = fresh_messages((guint) fill, fill_segments == 4 ? 4 : 1);
		Daemon *d = daemon_start(&b, state, NULL, FALSE);

		deliver_all(&b, m, 16);
		daemon_stop(d);
		printf("%s\n", state);
		bench_finish(&b, TRUE);
		return 0;
	}
	if (deliver_only) {
		/* for profiling: callgrind.0 (the first message) and
		 * callgrind.N (N more) stay in the bench's directory */
		measure_instructions(&b, quick ? 20 : 50);
		printf("callgrind output in %s\n", b.tmp);
		bench_finish(&b, FALSE); /* the callgrind files stay */
		return 0;
	}
	if (start_only != NULL) {
		g_autoptr(GString) line = g_string_new(NULL);
		Starts s;

		empty = new_state_dir("/dev/shm");
		measure_starts(&b, empty, 3, &s0);
		remove_tree(empty);
		measure_starts(&b, start_only, 3, &s);
		print_start(line, 0, 1, &s0, 3);
		print_start(line, s.n_objects, fill_segments == 4 ? 4 : 1, &s, 3);
		printf("omacp-bench-daemon --start-only: %s\nstart, from exec (best of 3, median; "
		       "omacpd's CPU time, best):\n%s",
		       b.omacpd, line->str);
		measure_start_instructions(&b, start_only, MAX(s.n_objects, 1),
		                           fill_segments == 4 ? 4 : 1);
		if (b.start_instructions != NULL) {
			printf("%s", b.start_instructions->str);
			g_string_free(b.start_instructions, TRUE);
		}
		bench_finish(&b, TRUE);
		return 0;
	}
	printf("omacp-bench-daemon%s: %s\n  state directory in %s (%s), tmpfs in /dev/shm\n",
	       quick ? " --quick" : "", b.omacpd, dir, fs_name(dir));

	/* the empty store: start, idle RSS */
	empty = new_state_dir("/dev/shm");
	measure_starts(&b, empty, reps, &s0);
	rss_idle = s0.rss_kb;
	remove_tree(empty);

	idle = measure_writes(&b, dir, n_writes, TRUE, &idle_state);
	{
		guint64 before;
		guint64 after;

		/* let the last signals and timeouts go */
		g_usleep(2 * G_USEC_PER_SEC);
		before = context_switches(idle->pid);
		g_usleep((gulong) idle_seconds * G_USEC_PER_SEC);
		after = context_switches(idle->pid);
		daemon_stop(idle);
		remove_tree(idle_state);
		measure_writes(&b, "/dev/shm", n_writes, FALSE, NULL);
		printf("idle: %" G_GUINT64_FORMAT " context switches of all omacpd threads in %d s "
		       "(%u messages stored)\n",
		       after - before, idle_seconds, 1 + n_writes * 2 + (n_writes / 4) * 2);
	}

	printf("RSS (/proc/PID/smaps_rollup Rss; stores on tmpfs):\n");
	measure_store_sizes(&b, n1, n2, 1, reps, rss_idle, starts);
	measure_store_sizes(&b, n1, n2, 4, reps, rss_idle, starts);

	printf("start, from exec (best of %u, median; omacpd's CPU time, best):\n", reps);
	{
		g_autoptr(GString) line = g_string_new(NULL);

		print_start(line, 0, 1, &s0, reps);
		printf("%s%s", line->str, starts->str);
	}

	if (b.start_instructions != NULL) {
		printf("%s", b.start_instructions->str);
		g_string_free(b.start_instructions, TRUE);
	}
	if (!no_callgrind)
		measure_instructions(&b, quick ? 20 : 50);

	bench_finish(&b, TRUE);
	return 0;
}
