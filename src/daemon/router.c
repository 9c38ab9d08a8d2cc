/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "router.h"

#include "omacp.h"
#include "push-dispatch.h"

struct _OmacpRouter {
	GDBusConnection *bus;
	OmacpPushDispatcher *dispatcher; /* NULL: no forwarding */
	OmacpRouterDeliverFunc deliver;
	gpointer deliver_data;
	GCancellable *cancellable;   /* of the forwards on their way */
	OmacpRouterMmsFunc mms_func; /* MMS notifications nobody in push.d took */
	gpointer mms_data;
};

OmacpRouter *
omacp_router_new(GDBusConnection *bus, const char *push_dir, OmacpRouterDeliverFunc deliver,
                 gpointer user_data)
{
	OmacpRouter *self = g_new0(OmacpRouter, 1);

	g_return_val_if_fail(deliver != NULL, NULL);
	self->bus = bus != NULL ? g_object_ref(bus) : NULL;
	self->deliver = deliver;
	self->deliver_data = user_data;
	self->cancellable = g_cancellable_new();
	if (push_dir != NULL) {
		g_autoptr(GError) error = NULL;

		self->dispatcher = omacp_push_dispatcher_new(push_dir, NULL, &error);
		if (self->dispatcher == NULL)
			g_warning("push forwarding off: %s", error->message);
	}
	return self;
}

void
omacp_router_free(OmacpRouter *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->dispatcher, omacp_push_dispatcher_free);
	g_clear_object(&self->bus);
	g_free(self);
}

/* A push on its way to the push.d consumers. */
typedef struct {
	OmacpPushRoutedFunc routed;
	gpointer routed_data;
	char *adapter;
	char *modem;
} Forward;

static void
forward_done(guint n_ok, guint n_sent, gboolean cancelled, gpointer user_data)
{
	Forward *forward = user_data;

	if (!cancelled)
		g_debug("%s: %s: push taken by %u of %u consumers", forward->adapter,
		        forward->modem, n_ok, n_sent);
	if (forward->routed != NULL)
		forward->routed(!cancelled && n_ok > 0 ? OMACP_PUSH_FORWARDED : OMACP_PUSH_LEFT,
		                forward->routed_data);
	g_free(forward->adapter);
	g_free(forward->modem);
	g_free(forward);
}

/* Forwards @push to the consumers that want it: FALSE when none does. */
static gboolean
forward(OmacpRouter *self, const OmacpPushEvent *event, const OmacpPush *push,
        OmacpPushRoutedFunc routed, gpointer routed_data)
{
	g_autoptr(GPtrArray) consumers = NULL;
	g_autoptr(GVariant) notification = NULL;
	Forward *data;

	if (self->dispatcher == NULL)
		return FALSE;
	consumers = omacp_push_dispatcher_match(self->dispatcher, push);
	if (consumers->len == 0)
		return FALSE;
	data = g_new0(Forward, 1);
	data->routed = routed;
	data->routed_data = routed_data;
	data->adapter = g_strdup(event->adapter);
	data->modem = g_strdup(event->modem);
	/* the dispatcher uses it once per consumer: not floating */
	notification = g_variant_ref_sink(
	        g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, event->datagram, TRUE));
	omacp_push_dispatcher_forward(self->dispatcher, self->bus, push, notification, event->info,
	                              self->cancellable, forward_done, data);
	return TRUE;
}

/* Hands @event with its parsed @push to the intake. */
static gboolean
deliver_parsed(OmacpRouter *self, const OmacpPushEvent *event, const OmacpPush *push,
               GError **error)
{
	OmacpPushEvent parsed = *event;

	parsed.push = push;
	return self->deliver(&parsed, self->deliver_data, error);
}

void
omacp_router_push(const OmacpPushEvent *event, OmacpPushRoutedFunc routed, gpointer routed_data,
                  gpointer user_data)
{
	OmacpRouter *self = user_data;
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(GError) error = NULL;
	OmacpPushRoute route = OMACP_PUSH_LEFT;

	if (!omacp_wsp_parse_push_bytes(event->datagram, &push, &error)) {
		g_debug("%s: %s: data that is no WAP push, left alone: %s", event->adapter,
		        event->modem, error->message);
	} else if (!omacp_push_kind_is_provisioning(push->kind)) {
		if (forward(self, event, push, routed, routed_data))
			return; /* forward_done answers */
		if (push->kind == OMACP_PUSH_KIND_MMS && self->mms_func != NULL &&
		    self->mms_func(event, routed, routed_data, self->mms_data))
			return; /* the MMS hand-off answers */
		g_debug("%s: %s: %s push, not ours, left alone", event->adapter, event->modem,
		        push->content_type != NULL ? push->content_type : "?");
	} else if (deliver_parsed(self, event, push, &error)) {
		route = OMACP_PUSH_TAKEN;
	} else {
		/* a provisioning push the daemon refused is nobody else's: left
		 * in the modem's storage it would stay there, fill the SIM (and
		 * on ModemManager 1.20 block its concatenation reference), and
		 * be refused again at every start */
		g_message("%s: %s: the daemon refused a provisioning push, deleting it: %s",
		          event->adapter, event->modem,
		          error != NULL ? error->message : "no reason given");
		route = OMACP_PUSH_REFUSED;
	}
	if (routed != NULL)
		routed(route, routed_data);
}

/* ---- the adapters omacpd.conf enables ---- */

struct _OmacpAdapters {
	OmacpRouter *router;
	GPtrArray *running; /* Running */
};

typedef struct {
	const OmacpAdapterInfo *info;
	OmacpAdapter *adapter;
} Running;

/* The adapters omacpd.conf can enable. */
static const struct {
	const char *name;  /* OmacpAdapterInfo.name */
	const char *title; /* for the log */
	gsize enabled;     /* offset of its gboolean in OmacpConfig */
} known_adapters[] = {
	{ "ofono", "oFono", G_STRUCT_OFFSET(OmacpConfig, adapter_ofono) },
	{ "modemmanager", "ModemManager", G_STRUCT_OFFSET(OmacpConfig, adapter_modemmanager) },
};

static void
modem_state_changed(const char *adapter, const char *modem, const char *imsi, gboolean listening,
                    gpointer user_data)
{
	/* an IMSI is personal data: masked as everywhere else */
	g_autofree char *masked = omacp_mask_imsi(imsi);

	g_message("%s: %s modem %s%s%s", adapter, listening ? "listening on" : "stopped on", modem,
	          imsi != NULL ? ", SIM " : "", masked);
}

OmacpAdapters *
omacp_adapters_new(const OmacpConfig *config, GDBusConnection *bus, OmacpRouterDeliverFunc deliver,
                   gpointer user_data)
{
	OmacpAdapters *self = g_new0(OmacpAdapters, 1);
	OmacpAdapterOptions options = {
		.push = omacp_router_push,
		.modem_state = modem_state_changed,
	};

	self->router = omacp_router_new(bus, config->push_forward_dir, deliver, user_data);
	options.push_data = self->router;
	self->running = g_ptr_array_new_with_free_func(g_free);
	for (gsize i = 0; i < G_N_ELEMENTS(known_adapters); i++) {
		const OmacpAdapterInfo *info;
		Running *running;

		if (!G_STRUCT_MEMBER(gboolean, config, known_adapters[i].enabled))
			continue;
		info = omacp_adapter_info_lookup(known_adapters[i].name);
		if (info == NULL) {
			g_message("this omacpd was built without the %s adapter",
			          known_adapters[i].title);
			continue;
		}
		running = g_new0(Running, 1);
		running->info = info;
		running->adapter = info->create(bus, &options);
		if (running->adapter == NULL) {
			g_free(running);
			continue;
		}
		g_ptr_array_add(self->running, running);
	}
	return self;
}

void
omacp_adapters_free(OmacpAdapters *self)
{
	if (self == NULL)
		return;
	/* the adapters first: what the router still answers finds them gone */
	for (guint i = 0; i < self->running->len; i++) {
		Running *running = g_ptr_array_index(self->running, i);

		g_clear_pointer(&running->adapter, running->info->free);
	}
	g_ptr_array_unref(self->running);
	omacp_router_free(self->router);
	g_free(self);
}

void
omacp_adapters_set_mms_func(OmacpAdapters *self, OmacpRouterMmsFunc func, gpointer user_data)
{
	self->router->mms_func = func;
	self->router->mms_data = user_data;
}

GPtrArray *
omacp_adapters_get_imsis(OmacpAdapters *self)
{
	GPtrArray *imsis = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < self->running->len; i++) {
		Running *running = g_ptr_array_index(self->running, i);
		g_autoptr(GPtrArray) more = running->info->get_imsis(running->adapter);

		for (guint j = 0; more != NULL && j < more->len; j++)
			g_ptr_array_add(imsis, g_strdup(g_ptr_array_index(more, j)));
	}
	return imsis;
}

gboolean
omacp_adapters_sim_network(gpointer adapters, const char *imsi, char **mcc_mnc, char **spn)
{
	OmacpAdapters *self = adapters;

	for (guint i = 0; self != NULL && imsi != NULL && i < self->running->len; i++) {
		Running *running = g_ptr_array_index(self->running, i);

		if (running->info->get_network != NULL &&
		    running->info->get_network(running->adapter, imsi, mcc_mnc, spn))
			return TRUE;
	}
	return FALSE;
}
