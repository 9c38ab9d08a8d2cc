/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "object-server.h"

#include <string.h>

#define OBJECT_MANAGER_IFACE "org.freedesktop.DBus.ObjectManager"
#define PROPERTIES_IFACE     "org.freedesktop.DBus.Properties"

/* What the server knows of one exported object. */
typedef struct {
	char *path;
	GDBusInterfaceSkeleton *iface;
	guint64 changed; /* properties (bits: their index in the info) to announce */
	gboolean queued; /* in self->dirty */
} Entry;

struct _OmacpObjectServer {
	GObject parent;

	char *path;
	GStrv folders;       /* "message", "profile" */
	GStrv folder_paths;  /* path + "/" + folder */
	GHashTable *objects; /* object path → Entry * */
	GDBusConnection *bus;
	guint manager_id;
	GArray *subtree_ids; /* guint */
	GPtrArray *dirty;    /* Entry * with properties to announce, in order */
	guint dirty_source;
};

G_DEFINE_TYPE(OmacpObjectServer, omacp_object_server, G_TYPE_OBJECT)

static const char manager_xml[] =
        "<node>"
        "  <interface name='" OBJECT_MANAGER_IFACE "'>"
        "    <method name='GetManagedObjects'>"
        "      <arg type='a{oa{sa{sv}}}' name='object_paths_interfaces_and_properties' "
        "           direction='out'/>"
        "    </method>"
        "    <signal name='InterfacesAdded'>"
        "      <arg type='o' name='object_path'/>"
        "      <arg type='a{sa{sv}}' name='interfaces_and_properties'/>"
        "    </signal>"
        "    <signal name='InterfacesRemoved'>"
        "      <arg type='o' name='object_path'/>"
        "      <arg type='as' name='interfaces'/>"
        "    </signal>"
        "  </interface>"
        "</node>";

static GDBusInterfaceInfo *
manager_info(void)
{
	static GDBusNodeInfo *node;

	if (g_once_init_enter(&node)) {
		GDBusNodeInfo *n = g_dbus_node_info_new_for_xml(manager_xml, NULL);

		g_assert(n != NULL);
		g_once_init_leave(&node, n);
	}
	return node->interfaces[0];
}

static void
entry_free(Entry *e)
{
	g_free(e->path);
	g_clear_object(&e->iface);
	g_free(e);
}

/* ---- properties ---- */

/* The properties of @e's interface as a{sv} (the skeleton's own
 * get_properties: the daemon's classes write them serialised at once). */
static GVariant *
properties_of(Entry *e)
{
	/* transfer full, floating or not */
	return g_variant_take_ref(g_dbus_interface_skeleton_get_properties(e->iface));
}

/* {sa{sv}} of @e: its interface and properties. */
static GVariant *
interfaces_of(Entry *e)
{
	g_autoptr(GVariant) props = properties_of(e);
	GDBusInterfaceInfo *info = g_dbus_interface_skeleton_get_info(e->iface);
	GVariant *entry = g_variant_new_dict_entry(g_variant_new_string(info->name), props);

	return g_variant_new_array(NULL, &entry, 1);
}

static void
emit(OmacpObjectServer *self, const char *path, const char *iface, const char *member,
     GVariant *args)
{
	g_autoptr(GError) error = NULL;

	g_variant_ref_sink(args);
	if (self->bus != NULL &&
	    !g_dbus_connection_emit_signal(self->bus, NULL, path, iface, member, args, &error))
		g_debug("%s %s.%s: %s", path, iface, member, error->message);
	g_variant_unref(args);
}

/* One PropertiesChanged for @e with the values its changed properties have
 * now. */
static void
announce_changes(OmacpObjectServer *self, Entry *e)
{
	GDBusInterfaceInfo *info = g_dbus_interface_skeleton_get_info(e->iface);
	g_autoptr(GVariant) props = NULL;
	GVariantBuilder changed;
	guint n = 0;

	e->queued = FALSE;
	if (e->changed == 0)
		return;
	props = properties_of(e);
	g_variant_builder_init(&changed, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; info->properties[i] != NULL && i < 64; i++) {
		g_autoptr(GVariant) value = NULL;

		if ((e->changed & (G_GUINT64_CONSTANT(1) << i)) == 0)
			continue;
		value = g_variant_lookup_value(props, info->properties[i]->name, NULL);
		if (value == NULL)
			continue;
		g_variant_builder_add(&changed, "{sv}", info->properties[i]->name, value);
		n++;
	}
	e->changed = 0;
	if (n == 0) {
		g_variant_builder_clear(&changed);
		return;
	}
	emit(self, e->path, PROPERTIES_IFACE, "PropertiesChanged",
	     g_variant_new("(sa{sv}as)", info->name, &changed, NULL));
}

void
omacp_object_server_flush(OmacpObjectServer *self)
{
	g_autoptr(GPtrArray) dirty = g_steal_pointer(&self->dirty);

	g_clear_handle_id(&self->dirty_source, g_source_remove);
	for (guint i = 0; dirty != NULL && i < dirty->len; i++)
		announce_changes(self, g_ptr_array_index(dirty, i));
}

static gboolean
flush_cb(gpointer user_data)
{
	OmacpObjectServer *self = user_data;

	self->dirty_source = 0;
	omacp_object_server_flush(self);
	return G_SOURCE_REMOVE;
}

/* The index of the property gdbus-codegen calls @name in @info, -1 when
 * there is none: "PinAttemptsLeft" is "pin-attempts-left". */
static gint
property_index(GDBusInterfaceInfo *info, const char *name)
{
	for (guint i = 0; info->properties[i] != NULL; i++) {
		const char *d = info->properties[i]->name;
		const char *n = name;

		for (; *d != '\0' && *n != '\0'; d++, n++) {
			if (g_ascii_isupper(*d) && d != info->properties[i]->name) {
				if (*n != '-')
					break;
				n++;
			}
			if (g_ascii_tolower(*d) != *n)
				break;
		}
		if (*d == '\0' && *n == '\0')
			return (gint) i;
	}
	return -1;
}

void
omacp_object_server_notify(OmacpObjectServer *self, const char *object_path,
                           const char *property_name)
{
	Entry *e;
	gint i;

	if (self->bus == NULL || (e = g_hash_table_lookup(self->objects, object_path)) == NULL)
		return;
	i = property_index(g_dbus_interface_skeleton_get_info(e->iface), property_name);
	if (i < 0 || i >= 64)
		return;
	e->changed |= G_GUINT64_CONSTANT(1) << i;
	if (e->queued)
		return;
	e->queued = TRUE;
	if (self->dirty == NULL)
		self->dirty = g_ptr_array_new();
	g_ptr_array_add(self->dirty, e);
	if (self->dirty_source == 0)
		/* the priority of the generated skeleton's own */
		self->dirty_source = g_idle_add_full(G_PRIORITY_DEFAULT, flush_cb, self, NULL);
}

typedef struct {
	GValue *properties;
} SkeletonHead;

GValue *
omacp_object_server_skeleton_values(gpointer skeleton_priv)
{
	return ((SkeletonHead *) skeleton_priv)->properties;
}

void
omacp_object_server_set_property(OmacpObjectServer *self, const char *object_path,
                                 const GValue *values, GObject *object, guint prop_id,
                                 const GValue *value, GParamSpec *pspec,
                                 GObjectSetPropertyFunc chain)
{
	gboolean announce =
	        self != NULL && !omacp_object_server_values_equal(value, &values[prop_id - 1]);

	chain(object, prop_id, value, pspec);
	if (announce)
		omacp_object_server_notify(self, object_path, pspec->name);
}

gboolean
omacp_object_server_values_equal(const GValue *a, const GValue *b)
{
	if (G_VALUE_TYPE(a) != G_VALUE_TYPE(b))
		return FALSE;
	if (G_VALUE_HOLDS_STRING(a))
		return g_strcmp0(g_value_get_string(a), g_value_get_string(b)) == 0;
	if (G_VALUE_HOLDS(a, G_TYPE_STRV)) {
		const char *const *x = g_value_get_boxed(a);
		const char *const *y = g_value_get_boxed(b);

		if (x == NULL || y == NULL)
			return x == y;
		return g_strv_equal(x, y);
	}
	if (G_VALUE_HOLDS_VARIANT(a)) {
		GVariant *x = g_value_get_variant(a);
		GVariant *y = g_value_get_variant(b);

		if (x == NULL || y == NULL)
			return x == y;
		return g_variant_equal(x, y);
	}
	switch (G_VALUE_TYPE(a)) {
	case G_TYPE_BOOLEAN:
		return g_value_get_boolean(a) == g_value_get_boolean(b);
	case G_TYPE_UCHAR:
		return g_value_get_uchar(a) == g_value_get_uchar(b);
	case G_TYPE_INT:
		return g_value_get_int(a) == g_value_get_int(b);
	case G_TYPE_UINT:
		return g_value_get_uint(a) == g_value_get_uint(b);
	case G_TYPE_INT64:
		return g_value_get_int64(a) == g_value_get_int64(b);
	case G_TYPE_UINT64:
		return g_value_get_uint64(a) == g_value_get_uint64(b);
	default:
		/* a type the interfaces do not use: a change */
		return FALSE;
	}
}

/* ---- the objects ---- */

void
omacp_object_server_export(OmacpObjectServer *self, const char *object_path,
                           GDBusInterfaceSkeleton *iface)
{
	Entry *e;

	if (g_hash_table_contains(self->objects, object_path))
		return;
	e = g_new0(Entry, 1);
	e->path = g_strdup(object_path);
	e->iface = g_object_ref(iface);
	g_hash_table_insert(self->objects, e->path, e);
	if (self->bus != NULL)
		emit(self, self->path, OBJECT_MANAGER_IFACE, "InterfacesAdded",
		     g_variant_new("(o@a{sa{sv}})", object_path, interfaces_of(e)));
}

static void
drop_dirty(OmacpObjectServer *self, Entry *e)
{
	if (e->queued && self->dirty != NULL)
		g_ptr_array_remove(self->dirty, e);
	e->queued = FALSE;
	e->changed = 0;
}

void
omacp_object_server_unexport(OmacpObjectServer *self, const char *object_path)
{
	Entry *e = g_hash_table_lookup(self->objects, object_path);
	const char *names[2] = { NULL, NULL };

	if (e == NULL)
		return;
	drop_dirty(self, e);
	names[0] = g_dbus_interface_skeleton_get_info(e->iface)->name;
	if (self->bus != NULL)
		emit(self, self->path, OBJECT_MANAGER_IFACE, "InterfacesRemoved",
		     g_variant_new("(o^as)", object_path, names));
	g_hash_table_remove(self->objects, object_path);
}

gboolean
omacp_object_server_is_exported(OmacpObjectServer *self, const char *object_path)
{
	return g_hash_table_contains(self->objects, object_path);
}

/* ---- GetManagedObjects ---- */

static void
manager_method_call(GDBusConnection *bus, const char *sender, const char *object_path,
                    const char *interface_name, const char *method_name, GVariant *parameters,
                    GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpObjectServer *self = user_data;
	GVariantBuilder answer;
	GHashTableIter iter;
	gpointer value;

	if (g_strcmp0(method_name, "GetManagedObjects") != 0) {
		g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
		                                      G_DBUS_ERROR_UNKNOWN_METHOD, "no method %s",
		                                      method_name);
		return;
	}
	g_variant_builder_init(&answer, G_VARIANT_TYPE("a{oa{sa{sv}}}"));
	g_hash_table_iter_init(&iter, self->objects);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Entry *e = value;

		g_variant_builder_add(&answer, "{o@a{sa{sv}}}", e->path, interfaces_of(e));
	}
	g_dbus_method_invocation_return_value(invocation,
	                                      g_variant_new("(a{oa{sa{sv}}})", &answer));
}

static const GDBusInterfaceVTable manager_vtable = { manager_method_call, NULL, NULL, { 0 } };

/* ---- the subtrees ---- */

/* The entry of @node in the subtree at @folder_path, NULL when none. GDBus
 * gives introspect the subtree's path and @node, but gives a method call's
 * introspect and dispatch the object's whole path as @folder_path. */
static Entry *
lookup_node(OmacpObjectServer *self, const char *folder_path, const char *node)
{
	g_autofree char *path = NULL;
	size_t len, node_len;

	if (node == NULL)
		return NULL;
	len = strlen(folder_path);
	node_len = strlen(node);
	if (len > node_len && folder_path[len - node_len - 1] == '/' &&
	    strcmp(folder_path + len - node_len, node) == 0)
		return g_hash_table_lookup(self->objects, folder_path);
	path = g_strconcat(folder_path, "/", node, NULL);
	return g_hash_table_lookup(self->objects, path);
}

static char **
subtree_enumerate(GDBusConnection *bus, const char *sender, const char *folder_path,
                  gpointer user_data)
{
	OmacpObjectServer *self = user_data;
	g_autoptr(GPtrArray) nodes = g_ptr_array_new();
	size_t len = strlen(folder_path);
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, self->objects);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		const char *path = key;

		if (strncmp(path, folder_path, len) == 0 && path[len] == '/')
			g_ptr_array_add(nodes, g_strdup(path + len + 1));
	}
	g_ptr_array_add(nodes, NULL);
	return (char **) g_ptr_array_free(g_steal_pointer(&nodes), FALSE);
}

static GDBusInterfaceInfo **
subtree_introspect(GDBusConnection *bus, const char *sender, const char *folder_path,
                   const char *node, gpointer user_data)
{
	Entry *e = lookup_node(user_data, folder_path, node);
	GDBusInterfaceInfo **infos;

	if (e == NULL)
		return NULL;
	infos = g_new0(GDBusInterfaceInfo *, 2);
	infos[0] = g_dbus_interface_info_ref(g_dbus_interface_skeleton_get_info(e->iface));
	return infos;
}

/* The generated skeleton's own handlers, with the skeleton as their data:
 * what g_dbus_interface_skeleton_export() registers (the daemon connects
 * nothing to g-authorize-method and handles its calls in the main thread). */
static const GDBusInterfaceVTable *
subtree_dispatch(GDBusConnection *bus, const char *sender, const char *folder_path,
                 const char *interface_name, const char *node, gpointer *out_user_data,
                 gpointer user_data)
{
	Entry *e = lookup_node(user_data, folder_path, node);

	if (e == NULL ||
	    g_strcmp0(interface_name, g_dbus_interface_skeleton_get_info(e->iface)->name) != 0)
		return NULL;
	*out_user_data = e->iface;
	return g_dbus_interface_skeleton_get_vtable(e->iface);
}

static const GDBusSubtreeVTable subtree_vtable = {
	subtree_enumerate, subtree_introspect, subtree_dispatch, { 0 }
};

/* ---- the connection ---- */

static void
unregister(OmacpObjectServer *self)
{
	if (self->bus == NULL)
		return;
	for (guint i = 0; i < self->subtree_ids->len; i++)
		g_dbus_connection_unregister_subtree(self->bus,
		                                     g_array_index(self->subtree_ids, guint, i));
	g_array_set_size(self->subtree_ids, 0);
	if (self->manager_id != 0)
		g_dbus_connection_unregister_object(self->bus, self->manager_id);
	self->manager_id = 0;
	g_clear_object(&self->bus);
}

gboolean
omacp_object_server_set_connection(OmacpObjectServer *self, GDBusConnection *bus, GError **error)
{
	GHashTableIter iter;
	gpointer value;

	/* what was pending is not sent any more */
	g_hash_table_iter_init(&iter, self->objects);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		drop_dirty(self, value);
	g_clear_handle_id(&self->dirty_source, g_source_remove);
	unregister(self);
	if (bus == NULL)
		return TRUE;
	self->manager_id = g_dbus_connection_register_object(bus, self->path, manager_info(),
	                                                     &manager_vtable, self, NULL, error);
	if (self->manager_id == 0)
		return FALSE;
	self->bus = g_object_ref(bus);
	for (guint i = 0; self->folder_paths[i] != NULL; i++) {
		guint id = g_dbus_connection_register_subtree(
		        bus, self->folder_paths[i], &subtree_vtable,
		        G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES, self, NULL, error);

		if (id == 0) {
			unregister(self);
			return FALSE;
		}
		g_array_append_val(self->subtree_ids, id);
	}
	return TRUE;
}

GDBusConnection *
omacp_object_server_get_connection(OmacpObjectServer *self)
{
	return self->bus;
}

/* ---- life cycle ---- */

OmacpObjectServer *
omacp_object_server_new(const char *path, const char *const *folders)
{
	OmacpObjectServer *self = g_object_new(OMACP_TYPE_OBJECT_SERVER, NULL);
	guint n = g_strv_length((GStrv) folders);

	self->path = g_strdup(path);
	self->folders = g_strdupv((GStrv) folders);
	self->folder_paths = g_new0(char *, n + 1);
	for (guint i = 0; i < n; i++)
		self->folder_paths[i] = g_strconcat(path, "/", folders[i], NULL);
	return self;
}

static void
omacp_object_server_init(OmacpObjectServer *self)
{
	self->objects =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
	self->subtree_ids = g_array_new(FALSE, FALSE, sizeof(guint));
}

static void
omacp_object_server_dispose(GObject *object)
{
	OmacpObjectServer *self = OMACP_OBJECT_SERVER(object);

	if (self->objects != NULL)
		omacp_object_server_set_connection(self, NULL, NULL);
	g_clear_pointer(&self->dirty, g_ptr_array_unref);
	g_clear_pointer(&self->objects, g_hash_table_unref);
	G_OBJECT_CLASS(omacp_object_server_parent_class)->dispose(object);
}

static void
omacp_object_server_finalize(GObject *object)
{
	OmacpObjectServer *self = OMACP_OBJECT_SERVER(object);

	g_free(self->path);
	g_strfreev(self->folders);
	g_strfreev(self->folder_paths);
	g_clear_pointer(&self->subtree_ids, g_array_unref);
	G_OBJECT_CLASS(omacp_object_server_parent_class)->finalize(object);
}

static void
omacp_object_server_class_init(OmacpObjectServerClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = omacp_object_server_dispose;
	G_OBJECT_CLASS(klass)->finalize = omacp_object_server_finalize;
}
