/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* omacpd's own object manager for its message and profile objects: what
 * GDBusObjectManagerServer did, without a registration per object.
 *
 * One subtree per child folder of the manager path (".../message",
 * ".../profile") is registered on the connection; its dispatch hands GDBus
 * the vtable of the object's generated interface skeleton with the skeleton
 * as its user data, so that the generated method and property handlers
 * serve the calls (Properties.Get and GetAll included) as they do for an
 * exported skeleton. org.freedesktop.DBus.ObjectManager is served on the
 * manager path: GetManagedObjects, InterfacesAdded when an object is
 * exported on a connection, InterfacesRemoved when it is unexported.
 *
 * A skeleton that is not exported itself emits no PropertiesChanged: its
 * class tells the server what changed (omacp_object_server_notify(), when a
 * property is set to another value), and the server emits one PropertiesChanged per object
 * per main-loop turn with the changed values, as the skeleton did. Each
 * object has one interface. */

#include <gio/gio.h>

G_BEGIN_DECLS

#define OMACP_TYPE_OBJECT_SERVER (omacp_object_server_get_type())
G_DECLARE_FINAL_TYPE(OmacpObjectServer, omacp_object_server, OMACP, OBJECT_SERVER, GObject)

/* A server for the objects at @path/@folders[i]/N (not on a connection). */
OmacpObjectServer *omacp_object_server_new(const char *path, const char *const *folders);

/* Puts the server on @bus (the objects exported so far without a signal),
 * or takes it off (@bus NULL: no InterfacesRemoved, the objects stay). */
gboolean omacp_object_server_set_connection(OmacpObjectServer *self, GDBusConnection *bus,
                                            GError **error);
GDBusConnection *omacp_object_server_get_connection(OmacpObjectServer *self);

/* Exports @iface at @object_path (under one of the folders), with
 * InterfacesAdded when on a connection; the server holds a reference to
 * @iface until it is unexported. */
void omacp_object_server_export(OmacpObjectServer *self, const char *object_path,
                                GDBusInterfaceSkeleton *iface);
/* Unexports the object at @object_path (when there), with
 * InterfacesRemoved when on a connection; its pending PropertiesChanged
 * goes with it. */
void omacp_object_server_unexport(OmacpObjectServer *self, const char *object_path);
gboolean omacp_object_server_is_exported(OmacpObjectServer *self, const char *object_path);

/* The GObject property @property_name (as gdbus-codegen names it: the
 * D-Bus name in lower case, words joined by '-') of the object at
 * @object_path changed: its D-Bus property goes out in the object's next
 * PropertiesChanged. Nothing when the object is not exported or the server
 * is on no connection. */
void omacp_object_server_notify(OmacpObjectServer *self, const char *object_path,
                                const char *property_name);

/* Whether a property's value @a is @b, as the generated skeletons judge it
 * (a change is announced only when it is not). */
gboolean omacp_object_server_values_equal(const GValue *a, const GValue *b);

/* The values of a gdbus-codegen interface skeleton, one GValue per
 * property in the XML's order, initialised to its type by the skeleton's
 * init: the array at the head of the skeleton's private part
 * (@skeleton_priv, its "priv" field). The daemon-message test checks this
 * against the getters for every property. */
GValue *omacp_object_server_skeleton_values(gpointer skeleton_priv);

/* For a generated skeleton class's set_property, replaced by a subclass
 * that is served here: sets @value with the class's own @chain and, when
 * @self is set and @value is not @values[@prop_id - 1] (the skeleton's
 * values, before), announces the property of @object_path as an exported
 * skeleton would (omacp_object_server_notify()). */
void omacp_object_server_set_property(OmacpObjectServer *self, const char *object_path,
                                      const GValue *values, GObject *object, guint prop_id,
                                      const GValue *value, GParamSpec *pspec,
                                      GObjectSetPropertyFunc chain);

/* Sends the pending PropertiesChanged signals now. */
void omacp_object_server_flush(OmacpObjectServer *self);

G_END_DECLS
