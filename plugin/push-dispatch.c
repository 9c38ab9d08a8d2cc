/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The push dispatcher: consumers from push.d files, matching by content type
 * and application id, forwarding over D-Bus. */

#include "push-dispatch.h"

#include "omacp.h"

#define CONSUMER_GROUP "Consumer"

struct _OmacpPushDispatcher {
	GPtrArray *consumers; /* OmacpPushConsumer * */
};

void
omacp_push_consumer_free(OmacpPushConsumer *consumer)
{
	if (consumer == NULL)
		return;
	g_free(consumer->id);
	g_strfreev(consumer->content_types);
	g_strfreev(consumer->app_ids);
	g_free(consumer->bus_name);
	g_free(consumer->address);
	g_free(consumer->object_path);
	g_free(consumer->interface);
	g_free(consumer->method);
	g_free(consumer);
}

/* "application/vnd.wap.mms-message; charset=x" -> "application/vnd.wap.mms-message" */
static char *
normalise_media_type(const char *text)
{
	g_autofree char *copy = g_strdup(text);
	char *semi = strchr(copy, ';');

	if (semi != NULL)
		*semi = '\0';
	return g_ascii_strdown(g_strstrip(copy), -1);
}

static char **
get_list(GKeyFile *kf, const char *key, gboolean lower)
{
	g_auto(GStrv) raw = g_key_file_get_string_list(kf, CONSUMER_GROUP, key, NULL, NULL);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; raw != NULL && raw[i] != NULL; i++) {
		g_autofree char *item = lower ? normalise_media_type(raw[i]) : g_strdup(raw[i]);

		g_strstrip(item);
		if (item[0] == '\0')
			continue;
		g_ptr_array_add(out, g_steal_pointer(&item));
	}
	g_ptr_array_add(out, NULL);
	return (char **) g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

static gboolean
get_required(GKeyFile *kf, const char *path, const char *key, char **out, GError **error)
{
	g_autofree char *value = g_key_file_get_string(kf, CONSUMER_GROUP, key, NULL);

	if (value == NULL || g_strstrip(value)[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: [" CONSUMER_GROUP "] has no %s", path, key);
		return FALSE;
	}
	*out = g_steal_pointer(&value);
	return TRUE;
}

/* One of the two words @key of [Consumer] may say (stripped; compared
 * ignoring case when @fold) and what it means; absent means the first. */
typedef struct {
	const char *word;
	int value;
} Choice;

static gboolean
load_choice(GKeyFile *kf, const char *path, const char *key, const Choice choices[2], gboolean fold,
            int *out, GError **error)
{
	g_autofree char *text = g_key_file_get_string(kf, CONSUMER_GROUP, key, NULL);

	if (text != NULL)
		g_strstrip(text);
	for (guint i = 0; i < 2; i++) {
		if ((text == NULL && i == 0) ||
		    (text != NULL && (fold ? g_ascii_strcasecmp(text, choices[i].word)
		                           : strcmp(text, choices[i].word)) == 0)) {
			*out = choices[i].value;
			return TRUE;
		}
	}
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
	            "push.d: %s: %s '%s' is neither '%s' nor '%s'", path, key, text,
	            choices[0].word, choices[1].word);
	return FALSE;
}

/* The value of @key of [Consumer] (stripped; @fallback when absent), or NULL
 * and an error naming @path when @valid refuses it (it is not @what). */
static char *
load_name(GKeyFile *kf, const char *path, const char *key, const char *fallback,
          gboolean (*valid)(const gchar *), const char *what, GError **error)
{
	g_autofree char *value = g_key_file_get_string(kf, CONSUMER_GROUP, key, NULL);

	if (value == NULL)
		value = g_strdup(fallback);
	g_strstrip(value);
	if (!valid(value)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: %s '%s' is not %s", path, key, value, what);
		return NULL;
	}
	return g_steal_pointer(&value);
}

gboolean
omacp_push_consumer_load(const char *path, OmacpPushConsumer **out, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(OmacpPushConsumer) consumer = g_new0(OmacpPushConsumer, 1);
	g_autoptr(GError) local = NULL;
	g_autofree char *contents = NULL;
	g_autofree char *base = g_path_get_basename(path);
	static const Choice buses[2] = { { "system", G_BUS_TYPE_SYSTEM },
		                         { "session", G_BUS_TYPE_SESSION } };
	static const Choice arguments[2] = { { "notification,info",
		                               OMACP_PUSH_ARGS_NOTIFICATION_INFO },
		                             { "notification", OMACP_PUSH_ARGS_NOTIFICATION } };
	int choice = 0;
	gsize len = 0;

	if (!g_file_get_contents(path, &contents, &len, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED, "push.d: %s: %s", path,
		            local->message);
		return FALSE;
	}
	if (len > OMACP_PUSH_DISPATCH_MAX_FILE_SIZE) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "push.d: %s: %" G_GSIZE_FORMAT " octets is more than the %d allowed",
		            path, len, OMACP_PUSH_DISPATCH_MAX_FILE_SIZE);
		return FALSE;
	}
	if (!g_key_file_load_from_data(kf, contents, len, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "push.d: %s: %s", path,
		            local->message);
		return FALSE;
	}
	if (!g_key_file_has_group(kf, CONSUMER_GROUP)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: no [" CONSUMER_GROUP "] group", path);
		return FALSE;
	}

	if (g_str_has_suffix(base, ".conf"))
		base[strlen(base) - strlen(".conf")] = '\0';
	consumer->id = g_steal_pointer(&base);
	consumer->content_types = get_list(kf, "ContentType", TRUE);
	consumer->app_ids = get_list(kf, "ApplicationId", FALSE);
	if (consumer->content_types[0] == NULL && consumer->app_ids[0] == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: neither ContentType nor ApplicationId is set", path);
		return FALSE;
	}

	if (!get_required(kf, path, "BusName", &consumer->bus_name, error) ||
	    !get_required(kf, path, "ObjectPath", &consumer->object_path, error))
		return FALSE;
	if (!g_dbus_is_name(consumer->bus_name)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: BusName '%s' is not a D-Bus name", path,
		            consumer->bus_name);
		return FALSE;
	}
	if (!g_variant_is_object_path(consumer->object_path)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: ObjectPath '%s' is not an object path", path,
		            consumer->object_path);
		return FALSE;
	}

	consumer->interface = load_name(kf, path, "Interface", "org.ofono.PushNotificationAgent",
	                                g_dbus_is_interface_name, "an interface name", error);
	if (consumer->interface == NULL)
		return FALSE;
	consumer->method = load_name(kf, path, "Method", "ReceiveNotification",
	                             g_dbus_is_member_name, "a member name", error);
	if (consumer->method == NULL)
		return FALSE;

	if (!load_choice(kf, path, "Bus", buses, TRUE, &choice, error))
		return FALSE;
	consumer->bus_type = (GBusType) choice;

	consumer->address = g_key_file_get_string(kf, CONSUMER_GROUP, "Address", NULL);
	if (consumer->address != NULL && g_strstrip(consumer->address)[0] == '\0')
		g_clear_pointer(&consumer->address, g_free);
	if (consumer->address != NULL && !g_dbus_is_supported_address(consumer->address, NULL)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "push.d: %s: Address '%s' is not a D-Bus address", path,
		            consumer->address);
		return FALSE;
	}

	if (!load_choice(kf, path, "Arguments", arguments, FALSE, &choice, error))
		return FALSE;
	consumer->args = (OmacpPushArgs) choice;

	*out = g_steal_pointer(&consumer);
	return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

OmacpPushDispatcher *
omacp_push_dispatcher_new(const char *dir, GPtrArray *warnings, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) gdir = NULL;
	OmacpPushDispatcher *self;
	const char *name;

	if (dir != NULL) {
		gdir = g_dir_open(dir, 0, &local);
		if (gdir == NULL && !g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED, "push.d: %s",
			            local->message);
			return NULL;
		}
	}
	while (gdir != NULL && (name = g_dir_read_name(gdir)) != NULL) {
		if (g_str_has_suffix(name, ".conf") && name[0] != '.')
			g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, compare_names);

	self = g_new0(OmacpPushDispatcher, 1);
	self->consumers = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_push_consumer_free);
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
		g_autoptr(GError) file_error = NULL;
		OmacpPushConsumer *consumer = NULL;

		if (self->consumers->len >= OMACP_PUSH_DISPATCH_MAX_CONSUMERS) {
			if (warnings != NULL)
				g_ptr_array_add(warnings,
				                g_strdup_printf("push.d: %s: skipped, more than %d "
				                                "consumers",
				                                path,
				                                OMACP_PUSH_DISPATCH_MAX_CONSUMERS));
			continue;
		}
		if (!omacp_push_consumer_load(path, &consumer, &file_error)) {
			g_debug("%s", file_error->message);
			if (warnings != NULL)
				g_ptr_array_add(warnings, g_strdup(file_error->message));
			continue;
		}
		g_ptr_array_add(self->consumers, consumer);
	}
	return self;
}

void
omacp_push_dispatcher_free(OmacpPushDispatcher *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->consumers);
	g_free(self);
}

guint
omacp_push_dispatcher_get_n_consumers(OmacpPushDispatcher *self)
{
	return self->consumers->len;
}

/* A number in decimal or 0x-hex; FALSE for anything else. */
static gboolean
parse_app_code(const char *text, gint64 *out)
{
	guint64 value = 0;

	if (g_ascii_strncasecmp(text, "0x", 2) == 0) {
		if (!g_ascii_string_to_unsigned(text + 2, 16, 0, G_MAXINT32, &value, NULL))
			return FALSE;
	} else if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT32, &value, NULL)) {
		return FALSE;
	}
	*out = (gint64) value;
	return TRUE;
}

static gboolean
app_id_matches(const char *wanted, const OmacpPush *push)
{
	gint64 code = 0;

	if (!push->has_app_id)
		return FALSE;
	if (parse_app_code(wanted, &code))
		return push->app_id_code >= 0 && push->app_id_code == code;
	if (push->app_id == NULL)
		return FALSE;
	if (g_ascii_strcasecmp(wanted, push->app_id) == 0)
		return TRUE;
	/* "mms.ua" stands for "x-wap-application:mms.ua" */
	if (g_str_has_prefix(push->app_id, "x-wap-application:"))
		return g_ascii_strcasecmp(wanted, push->app_id + strlen("x-wap-application:")) == 0;
	return FALSE;
}

static gboolean
consumer_matches(const OmacpPushConsumer *consumer, const OmacpPush *push)
{
	g_autofree char *type = NULL;

	if (push->content_type != NULL)
		type = normalise_media_type(push->content_type);
	for (guint i = 0; consumer->content_types[i] != NULL; i++) {
		const char *wanted = consumer->content_types[i];

		if (g_strcmp0(wanted, "*") == 0 || g_strcmp0(wanted, type) == 0)
			return TRUE;
	}
	for (guint i = 0; consumer->app_ids[i] != NULL; i++) {
		if (app_id_matches(consumer->app_ids[i], push))
			return TRUE;
	}
	return FALSE;
}

GPtrArray *
omacp_push_dispatcher_match(OmacpPushDispatcher *self, const OmacpPush *push)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < self->consumers->len; i++) {
		OmacpPushConsumer *consumer = self->consumers->pdata[i];

		if (consumer_matches(consumer, push))
			g_ptr_array_add(out, consumer);
	}
	return out;
}

typedef struct {
	guint pending;
	guint n_ok;
	guint n_sent;
	OmacpPushForwardFunc callback;
	gpointer user_data;
	gboolean cancelled;
} ForwardState;

static void
forward_finish_one(ForwardState *state)
{
	if (--state->pending > 0)
		return;
	if (state->callback != NULL)
		state->callback(state->n_ok, state->n_sent, state->cancelled, state->user_data);
	g_free(state);
}

/* One consumer's forward. Everything it needs is copied: the dispatcher
 * may be freed while a connect is pending. */
typedef struct {
	ForwardState *state;
	char *consumer_id;
	char *bus_name;
	char *object_path;
	char *interface;
	char *method;
	GVariant *params;          /* not floating */
	GCancellable *cancellable; /* the caller's, or NULL */
	GCancellable *connecting;  /* cancelled by the connect timeout */
	gulong cancelled_id;       /* on @cancellable: cancels @connecting */
	guint timeout_id;
	gboolean own_connection; /* closed after the call: a connect to Address= */
} ForwardCall;

static void
forward_call_free(ForwardCall *call)
{
	if (call->timeout_id != 0)
		g_source_remove(call->timeout_id);
	if (call->cancelled_id != 0)
		g_cancellable_disconnect(call->cancellable, call->cancelled_id);
	g_clear_object(&call->connecting);
	g_clear_object(&call->cancellable);
	g_clear_pointer(&call->params, g_variant_unref);
	g_free(call->consumer_id);
	g_free(call->bus_name);
	g_free(call->object_path);
	g_free(call->interface);
	g_free(call->method);
	g_free(call);
}

static void
forward_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ForwardCall *call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

	if (reply != NULL) {
		call->state->n_ok++;
	} else {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			call->state->cancelled = TRUE;
		g_debug("push.d: consumer %s did not take the push: %s", call->consumer_id,
		        error->message);
	}
	if (call->own_connection)
		g_dbus_connection_close(G_DBUS_CONNECTION(source), NULL, NULL, NULL);
	forward_finish_one(call->state);
	forward_call_free(call);
}

/* Sends the call of @call on @bus; @call is the reply's. */
static void
forward_send(ForwardCall *call, GDBusConnection *bus)
{
	g_dbus_connection_call(bus, call->bus_name, call->object_path, call->interface,
	                       call->method, call->params, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
	                       OMACP_PUSH_DISPATCH_TIMEOUT_MS, call->cancellable, forward_done,
	                       call);
}

/* A failed connect or bus: this consumer did not take it. */
static void
forward_fail(ForwardCall *call, const GError *error)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && call->cancellable != NULL &&
	    g_cancellable_is_cancelled(call->cancellable))
		call->state->cancelled = TRUE;
	g_debug("push.d: consumer %s: no connection: %s", call->consumer_id, error->message);
	forward_finish_one(call->state);
	forward_call_free(call);
}

static gboolean
connect_timed_out(gpointer user_data)
{
	ForwardCall *call = user_data;

	call->timeout_id = 0;
	g_cancellable_cancel(call->connecting);
	return G_SOURCE_REMOVE;
}

static void
caller_cancelled(GCancellable *cancellable, gpointer user_data)
{
	g_cancellable_cancel(G_CANCELLABLE(user_data));
}

/* The connection for @call is there (@bus), or not (@error); @own: ours
 * alone, closed after the call. */
static void
forward_on(ForwardCall *call, GDBusConnection *bus, const GError *error, gboolean own)
{
	if (bus == NULL) {
		forward_fail(call, error);
		return;
	}
	g_clear_handle_id(&call->timeout_id, g_source_remove);
	call->own_connection = own;
	forward_send(call, bus);
}

static void
connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_finish(res, &error);

	forward_on(user_data, bus, error, TRUE);
}

static void
got_bus(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = g_bus_get_finish(res, &error);

	forward_on(user_data, bus, error, FALSE);
}

/* Starts a connect for @call that gives up after the connect timeout or
 * when the caller's cancellable fires. */
static void
forward_connect(ForwardCall *call, const OmacpPushConsumer *consumer)
{
	call->connecting = g_cancellable_new();
	if (call->cancellable != NULL)
		call->cancelled_id =
		        g_cancellable_connect(call->cancellable, G_CALLBACK(caller_cancelled),
		                              g_object_ref(call->connecting), g_object_unref);
	call->timeout_id =
	        g_timeout_add(OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS, connect_timed_out, call);
	if (consumer->address != NULL)
		g_dbus_connection_new_for_address(
		        consumer->address,
		        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		        NULL, call->connecting, connected, call);
	else
		g_bus_get(consumer->bus_type, call->connecting, got_bus, call);
}

guint
omacp_push_dispatcher_forward(OmacpPushDispatcher *self, GDBusConnection *system_bus,
                              const OmacpPush *push, GVariant *notification, GVariant *info,
                              GCancellable *cancellable, OmacpPushForwardFunc callback,
                              gpointer user_data)
{
	g_autoptr(GPtrArray) consumers = omacp_push_dispatcher_match(self, push);
	/* a floating @info is ours even when no consumer matches */
	g_autoptr(GVariant) own_info =
	        g_variant_ref_sink(info != NULL ? info : g_variant_new("a{sv}", NULL));
	ForwardState *state;

	info = own_info;

	state = g_new0(ForwardState, 1);
	state->callback = callback;
	state->user_data = user_data;
	state->pending = 1; /* held until every call is out */

	/* Nothing here waits for a consumer: a consumer at an Address= (a user's
	 * bus socket) or on a session bus is connected to asynchronously, with
	 * OMACP_PUSH_DISPATCH_CONNECT_TIMEOUT_MS to finish the handshake, on a
	 * fresh connection each time. */
	for (guint i = 0; i < consumers->len; i++) {
		OmacpPushConsumer *consumer = consumers->pdata[i];
		ForwardCall *call;
		GVariant *params = NULL;

		switch (consumer->args) {
		case OMACP_PUSH_ARGS_NOTIFICATION_INFO:
			params = g_variant_new("(@ay@a{sv})", notification, info);
			break;
		case OMACP_PUSH_ARGS_NOTIFICATION:
			params = g_variant_new("(@ay)", notification);
			break;
		}

		call = g_new0(ForwardCall, 1);
		call->state = state;
		call->consumer_id = g_strdup(consumer->id);
		call->bus_name = g_strdup(consumer->bus_name);
		call->object_path = g_strdup(consumer->object_path);
		call->interface = g_strdup(consumer->interface);
		call->method = g_strdup(consumer->method);
		call->params = g_variant_ref_sink(params);
		call->cancellable = cancellable != NULL ? g_object_ref(cancellable) : NULL;
		state->pending++;
		state->n_sent++;
		g_debug("push.d: forwarding %s push to consumer %s (%s %s)",
		        push->content_type != NULL ? push->content_type : "?", consumer->id,
		        consumer->bus_name, consumer->object_path);
		if (consumer->address == NULL && consumer->bus_type == G_BUS_TYPE_SYSTEM &&
		    system_bus != NULL)
			forward_send(call, system_bus);
		else
			forward_connect(call, consumer);
	}

	{
		guint n_sent = state->n_sent;

		forward_finish_one(state);
		return n_sent;
	}
}
