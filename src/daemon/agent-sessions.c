/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "agent-sessions.h"

#include <string.h>

#define LOGIND_NAME      "org.freedesktop.login1"
#define LOGIND_PATH      "/org/freedesktop/login1"
#define LOGIND_MANAGER   "org.freedesktop.login1.Manager"
#define LOGIND_SEAT      "org.freedesktop.login1.Seat"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"
#define SEAT_PREFIX      LOGIND_PATH "/seat/"

#define MM_NAME       "org.freedesktop.ModemManager1"
#define MM_PREFIX     "/org/freedesktop/ModemManager1/"
#define MM_MODEM      MM_NAME ".Modem"
#define OFONO_NAME    "org.ofono"
#define OFONO_MODEM   "org.ofono.Modem"
#define UDEV_DATA_DIR "/run/udev/data"

/* Modem seats remembered at most: a Deliver can name any modem. */
#define MAX_MODEMS 64
/* A modem stack that does not answer in time: its modem is on the default
 * seat. */
#define MODEM_LOOKUP_TIMEOUT_MS 5000
/* logind's seat names: "seat0", "seat-usb-pci-..." */
#define MAX_SEAT_LEN 255

struct _OmacpAgentSessions {
	GDBusConnection *bus;
	char *seat;         /* the default seat: modems of no known seat */
	GHashTable *active; /* seat id → active session path (absent: none known) */
	GHashTable *modems; /* modem path → seat id, "" while looked up */
	/* the modem stacks' bus names (ModemManager's, oFono's): a new owner
	 * numbers its modems afresh, and their lookups of the old one are
	 * dropped (generations) */
	guint stack_watch[2];
	guint stack_generation[2];
	guint watch;
	guint subscription;
	GCancellable *cancellable;
	OmacpAgentSessionsChangedFunc changed;
	gpointer changed_data;
};

static void
changed(OmacpAgentSessions *self)
{
	if (self->changed != NULL)
		self->changed(self->changed_data);
}

/* logind's object path of a seat: its id with every character but ASCII
 * letters and digits as _xx (sd_bus_path_encode). */
static char *
seat_path(const char *seat)
{
	GString *path = g_string_new(SEAT_PREFIX);

	for (const char *c = seat; *c != '\0'; c++) {
		if (g_ascii_isalnum(*c) && !(c == seat && g_ascii_isdigit(*c)))
			g_string_append_c(path, *c);
		else
			g_string_append_printf(path, "_%02x", (guchar) *c);
	}
	return g_string_free(path, FALSE);
}

/* The seat id of a logind seat object path, NULL when it is none. */
static char *
seat_of_path(const char *path)
{
	GString *seat;

	if (!g_str_has_prefix(path, SEAT_PREFIX) || path[strlen(SEAT_PREFIX)] == '\0')
		return NULL;
	seat = g_string_new(NULL);
	for (const char *c = path + strlen(SEAT_PREFIX); *c != '\0'; c++) {
		if (*c == '_' && g_ascii_isxdigit(c[1]) && g_ascii_isxdigit(c[2])) {
			g_string_append_c(seat, (char) (g_ascii_xdigit_value(c[1]) * 16 +
			                                g_ascii_xdigit_value(c[2])));
			c += 2;
		} else {
			g_string_append_c(seat, *c);
		}
	}
	return g_string_free(seat, FALSE);
}

static gboolean
valid_seat(const char *seat)
{
	gsize len = strlen(seat);

	if (len == 0 || len > MAX_SEAT_LEN)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(seat[i]) && seat[i] != '-' && seat[i] != '_')
			return FALSE;
	}
	return TRUE;
}

static void
set_active(OmacpAgentSessions *self, const char *seat, const char *active)
{
	if (g_strcmp0(g_hash_table_lookup(self->active, seat), active) == 0)
		return;
	if (active != NULL)
		g_hash_table_insert(self->active, g_strdup(seat), g_strdup(active));
	else
		g_hash_table_remove(self->active, seat);
	g_message("logind: the active session of %s is %s", seat, active != NULL ? active : "none");
	changed(self);
}

/* ActiveSession is (so): the session id and its object path. */
static void
take_active(OmacpAgentSessions *self, const char *seat, GVariant *value)
{
	const char *path = NULL;

	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE("(so)")))
		return;
	g_variant_get(value, "(&s&o)", NULL, &path);
	set_active(self, seat, g_strcmp0(path, "/") == 0 ? NULL : path);
}

typedef struct {
	OmacpAgentSessions *self;
	char *seat;
} SeatRead;

static void
active_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SeatRead *r = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) value = NULL;

	if (reply != NULL) {
		g_variant_get(reply, "(v)", &value);
		take_active(r->self, r->seat, value);
	} else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_message("logind: no active session of %s read: %s", r->seat, error->message);
	}
	g_free(r->seat);
	g_free(r);
}

static void
read_active(OmacpAgentSessions *self, const char *seat)
{
	SeatRead *r = g_new0(SeatRead, 1);
	g_autofree char *path = seat_path(seat);

	r->self = self;
	r->seat = g_strdup(seat);
	g_dbus_connection_call(self->bus, LOGIND_NAME, path, PROPERTIES_IFACE, "Get",
	                       g_variant_new("(ss)", LOGIND_SEAT, "ActiveSession"),
	                       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
	                       self->cancellable, active_read, r);
}

/* The seats whose active session matters: the default one and those of
 * the modems. */
static void
read_all_active(OmacpAgentSessions *self)
{
	g_autoptr(GHashTable) seats = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter iter;
	gpointer seat;

	g_hash_table_add(seats, self->seat);
	g_hash_table_iter_init(&iter, self->modems);
	while (g_hash_table_iter_next(&iter, NULL, &seat)) {
		if (((const char *) seat)[0] != '\0')
			g_hash_table_add(seats, seat);
	}
	g_hash_table_iter_init(&iter, seats);
	while (g_hash_table_iter_next(&iter, &seat, NULL))
		read_active(self, seat);
}

static void
seat_changed(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
             const char *signal, GVariant *params, gpointer user_data)
{
	OmacpAgentSessions *self = user_data;
	const char *changed_iface = NULL;
	g_autoptr(GVariant) props = NULL;
	g_autoptr(GVariant) value = NULL;
	g_autofree const char **invalidated = NULL;
	g_autofree char *seat = seat_of_path(path);

	if (seat == NULL || !g_variant_is_of_type(params, G_VARIANT_TYPE("(sa{sv}as)")))
		return;
	g_variant_get(params, "(&s@a{sv}^a&s)", &changed_iface, &props, &invalidated);
	if (g_strcmp0(changed_iface, LOGIND_SEAT) != 0)
		return;
	value = g_variant_lookup_value(props, "ActiveSession", G_VARIANT_TYPE("(so)"));
	if (value != NULL) {
		take_active(self, seat, value);
		return;
	}
	for (guint i = 0; invalidated != NULL && invalidated[i] != NULL; i++) {
		if (g_str_equal(invalidated[i], "ActiveSession"))
			read_active(self, seat);
	}
}

static void
logind_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	read_all_active(user_data);
}

static void
logind_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	OmacpAgentSessions *self = user_data;

	if (g_hash_table_size(self->active) == 0)
		return;
	g_hash_table_remove_all(self->active);
	g_message("logind: no active sessions");
	changed(self);
}

/* Whether @modem is oFono's: ModemManager's modems are under its path,
 * oFono's anywhere else. */
static gboolean
is_ofono_modem(const char *modem)
{
	return !g_str_has_prefix(modem, MM_PREFIX);
}

/* The seats of the modems of a modem stack whose bus name changed owner
 * or went: its paths start again (ModemManager's Modem/0, oFono's
 * /DRIVER_0) and may name other devices, on other seats, than before. */
static void
stack_changed(GDBusConnection *bus, const char *name, gpointer user_data)
{
	OmacpAgentSessions *self = user_data;
	gboolean ofono = g_str_equal(name, OFONO_NAME);
	GHashTableIter iter;
	gpointer modem;
	guint forgotten = 0;

	self->stack_generation[ofono]++;
	g_hash_table_iter_init(&iter, self->modems);
	while (g_hash_table_iter_next(&iter, &modem, NULL)) {
		if (is_ofono_modem(modem) == ofono) {
			g_hash_table_iter_remove(&iter);
			forgotten++;
		}
	}
	if (forgotten == 0)
		return;
	g_message("%s has a new owner or none: the seats of its %u modem(s) are looked up again",
	          name, forgotten);
	changed(self);
}

static void
stack_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	stack_changed(bus, name, user_data);
}

OmacpAgentSessions *
omacp_agent_sessions_new(GDBusConnection *bus, const char *seat,
                         OmacpAgentSessionsChangedFunc changed_func, gpointer user_data)
{
	OmacpAgentSessions *self = g_new0(OmacpAgentSessions, 1);

	self->bus = g_object_ref(bus);
	self->seat = g_strdup(seat);
	self->active = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->modems = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->cancellable = g_cancellable_new();
	self->changed = changed_func;
	self->changed_data = user_data;
	if (g_dbus_connection_get_unique_name(bus) == NULL)
		return self; /* a peer-to-peer connection (tests): no logind */
	/* every seat's, filtered by path in seat_changed() */
	self->subscription = g_dbus_connection_signal_subscribe(
	        bus, LOGIND_NAME, PROPERTIES_IFACE, "PropertiesChanged", NULL, LOGIND_SEAT,
	        G_DBUS_SIGNAL_FLAGS_NONE, seat_changed, self, NULL);
	self->watch =
	        g_bus_watch_name_on_connection(bus, LOGIND_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       logind_appeared, logind_vanished, self, NULL);
	self->stack_watch[FALSE] =
	        g_bus_watch_name_on_connection(bus, MM_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       stack_appeared, stack_changed, self, NULL);
	self->stack_watch[TRUE] =
	        g_bus_watch_name_on_connection(bus, OFONO_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       stack_appeared, stack_changed, self, NULL);
	return self;
}

void
omacp_agent_sessions_free(OmacpAgentSessions *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->watch != 0)
		g_bus_unwatch_name(self->watch);
	for (guint i = 0; i < G_N_ELEMENTS(self->stack_watch); i++) {
		if (self->stack_watch[i] != 0)
			g_bus_unwatch_name(self->stack_watch[i]);
	}
	if (self->subscription != 0)
		g_dbus_connection_signal_unsubscribe(self->bus, self->subscription);
	g_clear_object(&self->bus);
	g_clear_pointer(&self->active, g_hash_table_unref);
	g_clear_pointer(&self->modems, g_hash_table_unref);
	g_free(self->seat);
	g_free(self);
}

gboolean
omacp_agent_sessions_is_active(OmacpAgentSessions *self, const char *session)
{
	return omacp_agent_sessions_is_active_on(self, session, NULL);
}

gboolean
omacp_agent_sessions_is_active_on(OmacpAgentSessions *self, const char *session, const char *seat)
{
	return session != NULL &&
	       g_strcmp0(g_hash_table_lookup(self->active, seat != NULL ? seat : self->seat),
	                 session) == 0;
}

/* ---- the seat of a modem ---- */

/* The name of @dev's record in udev's database (as libudev names it), NULL
 * when @dev is no device. */
static char *
udev_id(const char *dev)
{
	g_autofree char *uevent_path = g_build_filename(dev, "uevent", NULL);
	g_autofree char *uevent = NULL;
	g_autofree char *subsystem_link = g_build_filename(dev, "subsystem", NULL);
	g_autofree char *subsystem_target = g_file_read_link(subsystem_link, NULL);
	g_autofree char *subsystem =
	        subsystem_target != NULL ? g_path_get_basename(subsystem_target) : NULL;
	g_autofree char *sysname = g_path_get_basename(dev);
	g_auto(GStrv) lines = NULL;
	const char *major = NULL;
	const char *minor = NULL;
	const char *ifindex = NULL;

	if (!g_file_get_contents(uevent_path, &uevent, NULL, NULL))
		return NULL;
	lines = g_strsplit(uevent, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix(lines[i], "MAJOR="))
			major = lines[i] + strlen("MAJOR=");
		else if (g_str_has_prefix(lines[i], "MINOR="))
			minor = lines[i] + strlen("MINOR=");
		else if (g_str_has_prefix(lines[i], "IFINDEX="))
			ifindex = lines[i] + strlen("IFINDEX=");
	}
	if (major != NULL && minor != NULL)
		return g_strdup_printf("%c%s:%s", g_strcmp0(subsystem, "block") == 0 ? 'b' : 'c',
		                       major, minor);
	if (ifindex != NULL)
		return g_strdup_printf("n%s", ifindex);
	if (subsystem != NULL)
		return g_strdup_printf("+%s:%s", subsystem, sysname);
	return NULL;
}

/* The seat udev gives the device at sysfs path @syspath or the nearest
 * parent it has a record of: its ID_SEAT (udev copies a parent's to its
 * children), else the default. */
static char *
seat_of_device(OmacpAgentSessions *self, const char *syspath)
{
	const char *dir = g_getenv("OMACP_UDEV_DATA_DIR");
	g_autofree char *dev = g_canonicalize_filename(syspath, "/");

	if (dir == NULL)
		dir = UDEV_DATA_DIR;
	while (g_path_skip_root(dev) != NULL && *g_path_skip_root(dev) != '\0') {
		g_autofree char *id = udev_id(dev);
		g_autofree char *record_path = id != NULL ? g_build_filename(dir, id, NULL) : NULL;
		g_autofree char *record = NULL;
		char *parent;

		if (record_path != NULL && g_file_get_contents(record_path, &record, NULL, NULL)) {
			g_auto(GStrv) lines = g_strsplit(record, "\n", -1);

			for (guint i = 0; lines[i] != NULL; i++) {
				const char *seat = lines[i] + strlen("E:ID_SEAT=");

				if (g_str_has_prefix(lines[i], "E:ID_SEAT=") && valid_seat(seat))
					return g_strdup(seat);
			}
			return g_strdup(self->seat);
		}
		parent = g_path_get_dirname(dev);
		g_free(dev);
		dev = parent;
	}
	return g_strdup(self->seat);
}

typedef struct {
	OmacpAgentSessions *self;
	char *modem;
	gboolean ofono;
	guint generation; /* of its modem stack when asked */
} ModemLookup;

static void
modem_lookup_free(ModemLookup *l)
{
	g_free(l->modem);
	g_free(l);
}

static void
modem_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ModemLookup *l = user_data;
	OmacpAgentSessions *self = l->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) value = NULL;
	g_autofree char *seat = NULL;
	const char *syspath = NULL;

	if (reply == NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		modem_lookup_free(l);
		return;
	}
	if (l->generation != self->stack_generation[l->ofono]) {
		/* the answer of a stack's owner that is gone: the path may be
		 * another modem's now, the next request looks it up again */
		g_debug("modem %s: an answer of a former modem stack, dropped", l->modem);
		modem_lookup_free(l);
		changed(self);
		return;
	}
	if (reply != NULL && l->ofono) {
		g_autoptr(GVariant) props = g_variant_get_child_value(reply, 0);

		value = g_variant_lookup_value(props, "SystemPath", G_VARIANT_TYPE_STRING);
	} else if (reply != NULL) {
		g_variant_get(reply, "(v)", &value);
	}
	if (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		syspath = g_variant_get_string(value, NULL);
	if (syspath != NULL && g_path_is_absolute(syspath))
		seat = seat_of_device(self, syspath);
	else
		seat = g_strdup(self->seat);
	g_message("modem %s: on %s (%s)", l->modem, seat,
	          syspath != NULL ? syspath
	          : error != NULL ? error->message
	                          : "no device path");
	g_hash_table_insert(self->modems, g_strdup(l->modem), g_strdup(seat));
	if (g_strcmp0(seat, self->seat) != 0 && !g_hash_table_contains(self->active, seat) &&
	    self->watch != 0)
		read_active(self, seat);
	modem_lookup_free(l);
	changed(self);
}

const char *
omacp_agent_sessions_modem_seat(OmacpAgentSessions *self, const char *modem)
{
	const char *seat;
	ModemLookup *l;

	if (modem == NULL || modem[0] == '\0' || !g_variant_is_object_path(modem) ||
	    self->watch == 0)
		return self->seat;
	seat = g_hash_table_lookup(self->modems, modem);
	if (seat != NULL)
		return seat[0] != '\0' ? seat : NULL;
	if (g_hash_table_size(self->modems) >= MAX_MODEMS)
		g_hash_table_remove_all(self->modems);
	g_hash_table_insert(self->modems, g_strdup(modem), g_strdup(""));
	l = g_new0(ModemLookup, 1);
	l->self = self;
	l->modem = g_strdup(modem);
	l->ofono = is_ofono_modem(modem);
	l->generation = self->stack_generation[l->ofono];
	if (l->ofono)
		g_dbus_connection_call(self->bus, OFONO_NAME, modem, OFONO_MODEM, "GetProperties",
		                       NULL, G_VARIANT_TYPE("(a{sv})"),
		                       G_DBUS_CALL_FLAGS_NO_AUTO_START, MODEM_LOOKUP_TIMEOUT_MS,
		                       self->cancellable, modem_found, l);
	else
		g_dbus_connection_call(self->bus, MM_NAME, modem, PROPERTIES_IFACE, "Get",
		                       g_variant_new("(ss)", MM_MODEM, "Device"),
		                       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
		                       MODEM_LOOKUP_TIMEOUT_MS, self->cancellable, modem_found, l);
	return NULL;
}

/* ---- the session of a process ---- */

static void
session_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	char *path = NULL;

	if (reply != NULL)
		g_variant_get(reply, "(o)", &path);
	else
		g_debug("logind: no session: %s", error->message);
	g_task_return_pointer(task, path, g_free);
}

void
omacp_agent_sessions_lookup_async(OmacpAgentSessions *self, guint32 pid, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);

	if (pid == 0) {
		/* unknown; logind would answer with the caller's own session */
		g_task_return_pointer(task, NULL, NULL);
		g_object_unref(task);
		return;
	}
	g_dbus_connection_call(self->bus, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER,
	                       "GetSessionByPID", g_variant_new("(u)", pid), G_VARIANT_TYPE("(o)"),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, session_found,
	                       task);
}

char *
omacp_agent_sessions_lookup_finish(OmacpAgentSessions *self, GAsyncResult *result)
{
	return g_task_propagate_pointer(G_TASK(result), NULL);
}
