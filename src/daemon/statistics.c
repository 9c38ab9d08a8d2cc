/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "statistics.h"

#define STATISTICS_INTERVAL_US G_USEC_PER_SEC

typedef struct {
	OmacpDBusManagerSkeleton parent;
	OmacpStatisticsReadFunc read; /* NULL once detached */
	gpointer data;

	GVariant *sent; /* what the last PropertiesChanged said */
	gint64 sent_us;
	guint source;
} OmacpStatisticsSkeleton;

typedef struct {
	OmacpDBusManagerSkeletonClass parent_class;
} OmacpStatisticsSkeletonClass;

static GType omacp_statistics_skeleton_get_type(void);
G_DEFINE_TYPE(OmacpStatisticsSkeleton, omacp_statistics_skeleton, OMACP_DBUS_TYPE_MANAGER_SKELETON)

enum { PROP_0, PROP_STATISTICS };

static GVariant *
read_now(OmacpStatisticsSkeleton *self)
{
	return self->read != NULL ? self->read(self->data) : g_variant_new("a{st}", NULL);
}

static void
omacp_statistics_skeleton_get_property(GObject *object, guint prop_id, GValue *value,
                                       GParamSpec *pspec)
{
	if (prop_id != PROP_STATISTICS) {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		return;
	}
	g_value_set_variant(value, read_now((OmacpStatisticsSkeleton *) object));
}

static void
omacp_statistics_skeleton_set_property(GObject *object, guint prop_id, const GValue *value,
                                       GParamSpec *pspec)
{
	/* the value is read live: nothing to keep */
	if (prop_id != PROP_STATISTICS)
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

static gboolean
emit_statistics(gpointer user_data)
{
	OmacpStatisticsSkeleton *self = user_data;
	GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON(self);
	g_autoptr(GVariant) now = g_variant_ref_sink(read_now(self));
	GDBusConnection *bus = g_dbus_interface_skeleton_get_connection(skeleton);
	GVariantBuilder changed;

	self->source = 0;
	if (self->sent != NULL && g_variant_equal(now, self->sent))
		return G_SOURCE_REMOVE;
	g_clear_pointer(&self->sent, g_variant_unref);
	self->sent = g_variant_ref(now);
	self->sent_us = g_get_monotonic_time();
	if (bus == NULL)
		return G_SOURCE_REMOVE;
	g_variant_builder_init(&changed, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&changed, "{sv}", "Statistics", now);
	g_dbus_connection_emit_signal(
	        bus, NULL, g_dbus_interface_skeleton_get_object_path(skeleton),
	        "org.freedesktop.DBus.Properties", "PropertiesChanged",
	        g_variant_new("(sa{sv}as)", OMACP_DBUS_MANAGER_INTERFACE, &changed, NULL), NULL);
	return G_SOURCE_REMOVE;
}

void
omacp_statistics_skeleton_changed(OmacpDBusManager *skeleton)
{
	OmacpStatisticsSkeleton *self = (OmacpStatisticsSkeleton *) skeleton;
	gint64 due = self->sent_us + STATISTICS_INTERVAL_US;
	gint64 now = g_get_monotonic_time();

	if (self->source != 0 || self->read == NULL)
		return;
	if (self->sent == NULL || now >= due) {
		emit_statistics(self);
		return;
	}
	self->source = g_timeout_add((guint) ((due - now + 999) / 1000), emit_statistics, self);
}

void
omacp_statistics_skeleton_detach(OmacpDBusManager *skeleton)
{
	OmacpStatisticsSkeleton *self = (OmacpStatisticsSkeleton *) skeleton;

	self->read = NULL;
	self->data = NULL;
	g_clear_handle_id(&self->source, g_source_remove);
}

OmacpDBusManager *
omacp_statistics_skeleton_new(OmacpStatisticsReadFunc read, gpointer data)
{
	OmacpStatisticsSkeleton *self = g_object_new(omacp_statistics_skeleton_get_type(), NULL);

	self->read = read;
	self->data = data;
	return OMACP_DBUS_MANAGER(self);
}

static void
omacp_statistics_skeleton_init(OmacpStatisticsSkeleton *self)
{
}

static void
omacp_statistics_skeleton_finalize(GObject *object)
{
	OmacpStatisticsSkeleton *self = (OmacpStatisticsSkeleton *) object;

	g_clear_handle_id(&self->source, g_source_remove);
	g_clear_pointer(&self->sent, g_variant_unref);
	G_OBJECT_CLASS(omacp_statistics_skeleton_parent_class)->finalize(object);
}

static void
omacp_statistics_skeleton_class_init(OmacpStatisticsSkeletonClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = omacp_statistics_skeleton_get_property;
	object_class->set_property = omacp_statistics_skeleton_set_property;
	object_class->finalize = omacp_statistics_skeleton_finalize;
	g_object_class_override_property(object_class, PROP_STATISTICS, "statistics");
}
