/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The push dispatcher: oFono allows one PushNotification agent per modem, so
 * omacpd takes the slot and forwards every push that is not provisioning to
 * the consumers configured in a push.d directory (one keyfile per consumer,
 * see plugin/ofono/README.md). The consumer gets the push unchanged. */

#include <gio/gio.h>

#include "omacp.h"

G_BEGIN_DECLS

/* Caps on what the configuration directory can make us load. */
#define OMACP_PUSH_DISPATCH_MAX_CONSUMERS 64
#define OMACP_PUSH_DISPATCH_MAX_FILE_SIZE (64 * 1024)
/* How long a forwarded call may take before we give up on it (ms). */
#define OMACP_PUSH_DISPATCH_TIMEOUT_MS 10000
/* a consumer at an Address= (a user's bus) gets this long to connect */
#define OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS 3000

typedef enum {
	OMACP_PUSH_ARGS_NOTIFICATION_INFO, /* (ay, a{sv}): org.ofono.PushNotificationAgent */
	OMACP_PUSH_ARGS_NOTIFICATION,      /* (ay): e.g. mmsd-tng's PushNotify */
} OmacpPushArgs;

typedef struct {
	char *id;             /* file name without ".conf" */
	char **content_types; /* media types (lower case, no parameters), "*" = any */
	char **app_ids;       /* "x-wap-application:mms.ua", a URI, or a number ("4", "0x04") */
	GBusType bus_type;    /* G_BUS_TYPE_SYSTEM (the modem stack's bus) or _SESSION */
	char *address;        /* explicit bus address (Address=), overrides bus_type */
	char *bus_name;
	char *object_path;
	char *interface;
	char *method;
	OmacpPushArgs args;
} OmacpPushConsumer;

void omacp_push_consumer_free(OmacpPushConsumer *consumer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpPushConsumer, omacp_push_consumer_free)

/* Parses one consumer file (keyfile, group [Consumer]). */
gboolean omacp_push_consumer_load(const char *path, OmacpPushConsumer **out, GError **error);

typedef struct _OmacpPushDispatcher OmacpPushDispatcher;

/* Loads every "*.conf" of @dir in name order. A missing directory gives an
 * empty dispatcher; a broken file is skipped and named in @warnings (char *,
 * may be NULL). Fails only when @dir exists and cannot be read. */
OmacpPushDispatcher *omacp_push_dispatcher_new(const char *dir, GPtrArray *warnings,
                                               GError **error);
void omacp_push_dispatcher_free(OmacpPushDispatcher *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpPushDispatcher, omacp_push_dispatcher_free)

/* The consumers (OmacpPushConsumer *, owned by @self) that want a push. */
GPtrArray *omacp_push_dispatcher_match(OmacpPushDispatcher *self, const OmacpPush *push);
guint omacp_push_dispatcher_get_n_consumers(OmacpPushDispatcher *self);

/* Which pushes are the consumers', which omacpd's: omacp_push_kind_is_provisioning()
 * (wsp.h) says the latter. */

/* Called once every forwarded call has answered: @n_ok of @n_sent consumers
 * took the push. With @cancelled set the caller's state may be gone: only
 * free @user_data. */
typedef void (*OmacpPushForwardFunc)(guint n_ok, guint n_sent, gboolean cancelled,
                                     gpointer user_data);

/* Forwards @notification (ay) and @info (a{sv}, may be NULL: empty; a
 * floating @info is consumed) to every matching consumer. Calls on
 * G_BUS_TYPE_SYSTEM consumers go over @system_bus (the bus the modem stack
 * lives on); other consumers are connected to asynchronously, within
 * OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS: this never blocks. @callback (may
 * be NULL) runs exactly once, possibly before this returns (no consumer).
 * Returns the number of consumers the push is being sent to. */
guint omacp_push_dispatcher_forward(OmacpPushDispatcher *self, GDBusConnection *system_bus,
                                    const OmacpPush *push, GVariant *notification, GVariant *info,
                                    GCancellable *cancellable, OmacpPushForwardFunc callback,
                                    gpointer user_data);

G_END_DECLS
