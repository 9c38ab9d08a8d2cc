/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-agent: the user's side of omacpd. Registers as agent on the system
 * bus, answers RequestPin/RequestConfirmation asynchronously (the invocation
 * is kept until the user answers), notifies about every message that waits
 * (quarantined ones too), and shows the review page and the settings view. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <string.h>

#include "agent-feedback.h"
#include "agent-activate.h"
#include "agent-mms.h"
#include "agent-text.h"
#include "omacp-dbus-names.h"
#include "omacp-state.h"

#define APP_ID          "org.omacp.Agent"
#define BUS_NAME        OMACP_DBUS_NAME
#define ROOT_PATH       OMACP_DBUS_PATH
#define MANAGER_IFACE   OMACP_DBUS_MANAGER_INTERFACE
#define MESSAGE_IFACE   OMACP_DBUS_MESSAGE_INTERFACE
#define PROFILE_IFACE   OMACP_DBUS_PROFILE_INTERFACE
#define AGENT_IFACE     OMACP_DBUS_AGENT_INTERFACE
#define AGENT_PATH      "/org/omacp/Agent"
#define ERROR_PREFIX    OMACP_DBUS_ERROR_PREFIX
#define NOTIFICATION_ID "waiting"
/* Mutating calls may make polkit ask for a password in the session. */
#define CALL_FLAGS      G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
#define CALL_TIMEOUT_MS (5 * 60 * 1000)
/* a notification lists this many messages at most */
#define NOTIFY_MAX_LINES 3
/* a message whose properties are not read yet, or whose State is no state
 * this agent knows: it matches no case below */
#define MSG_STATE_NONE ((OmacpMessageState) (OMACP_MESSAGE_STATE_LAST + 1))

typedef struct {
	char *path;
	GVariant *props;                   /* a{sv} */
	OmacpMessageState state;           /* @props' State, read once it is set */
	GDBusMethodInvocation *invocation; /* the daemon's request, until answered */
	gboolean invocation_pin;
	gboolean dismissed;
	gboolean awaiting; /* we answered; the outcome is not known yet */
	gboolean rejecting;
	guint attempts_at_answer;
	gboolean risks_confirmed; /* the user said yes to the warnings */
	gboolean activate;        /* "Install and use now": AcceptAndActivate */
	guint updates;            /* reads of @props or the changes under way */
	int install_pending;      /* 1 Install, 2 Install and use now: chosen
	                           * while the changes were read */
} Msg;

typedef struct {
	AdwApplication *app;
	GDBusConnection *bus;
	GDBusNodeInfo *agent_info;
	guint agent_object;
	guint name_watch;
	guint subscriptions[3];
	gboolean registered;
	gboolean daemon_can_ask; /* Manager.Ask() (proposed) is there */
	char *daemon_owner;      /* omacpd's unique name: the only caller we answer */
	GHashTable *messages;    /* path → Msg */
	GHashTable *profiles;    /* path → GVariant a{sv} */
	char *notified_key;
	guint list_idle;

	/* the window */
	GtkWindow *window;
	AdwToastOverlay *toasts;
	GtkStack *stack;
	AdwWindowTitle *review_title;
	AdwClamp *list_clamp;
	AdwClamp *review_clamp;
	AdwClamp *review_bottom;
	char *shown; /* the message on the review page, NULL on the list */
	GtkPasswordEntry *pin_entry;
	GtkLabel *attempts_label;
	GtkLabel *status_label;
	GtkWidget *install_button;
	char *status_text;
	gboolean status_error;
	GPtrArray *open_after_fetch; /* paths to show once known */
} Agent;

static Agent A;

static void show_review(const char *path);
static gboolean answer_confirmed_already(Msg *m);
static void show_list(void);
static void update_notification(void);
static void queue_list_update(void);
static void fetch_message(const char *path, gboolean then_show);
static void fetch_message_full(const char *path, gboolean then_show, gboolean check_form);
static void update_message_full(const char *path, GVariant *props, gboolean refresh,
                                gboolean then_show, gboolean check_form);
static void install_chosen(gboolean activate);
static void build_review(Msg *m);
static const char *pin_text(void);

/* ---- the message cache ---- */

static void
msg_free(Msg *m)
{
	if (m->invocation != NULL)
		g_dbus_method_invocation_return_dbus_error(m->invocation, ERROR_PREFIX "Failed",
		                                           "omacp-agent: the agent is closing");
	g_free(m->path);
	g_clear_pointer(&m->props, g_variant_unref);
	g_free(m);
}

static const char *
prop_s(GVariant *props, const char *key)
{
	const char *v = NULL;

	if (props == NULL || !g_variant_lookup(props, key, "&s", &v))
		return "";
	return v;
}

static guint
prop_u(GVariant *props, const char *key)
{
	guint32 v = 0;

	if (props == NULL)
		return 0;
	g_variant_lookup(props, key, "u", &v);
	return v;
}

static gboolean
prop_b(GVariant *props, const char *key)
{
	gboolean v = FALSE;

	if (props != NULL)
		g_variant_lookup(props, key, "b", &v);
	return v;
}

static OmacpMessageState
props_state(GVariant *props)
{
	OmacpMessageState state;

	if (!omacp_message_state_from_string(prop_s(props, "State"), &state))
		return MSG_STATE_NONE;
	return state;
}

static OmacpMessageState
msg_state(Msg *m)
{
	return m->state;
}

/* for the log: the name of the State property, "" for none */
static const char *
state_name(OmacpMessageState state)
{
	return state == MSG_STATE_NONE ? "" : omacp_message_state_to_string(state);
}

/* a user's answer is asked for: a PIN, a confirmation, or a yes to an
 * unsigned message */
static gboolean
state_waits(OmacpMessageState state)
{
	return omacp_message_state_waits_for_user(state);
}

static GVariant *
merge_props(GVariant *old, GVariant *changed)
{
	GVariantDict d;
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_dict_init(&d, old);
	g_variant_iter_init(&iter, changed);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		g_variant_dict_insert_value(&d, key, value);
		g_variant_unref(value);
	}
	return g_variant_ref_sink(g_variant_dict_end(&d));
}

static Msg *
msg_lookup(const char *path)
{
	return g_hash_table_lookup(A.messages, path);
}

static Msg *
msg_ensure(const char *path)
{
	Msg *m = msg_lookup(path);

	if (m == NULL) {
		m = g_new0(Msg, 1);
		m->path = g_strdup(path);
		m->state = MSG_STATE_NONE;
		g_hash_table_insert(A.messages, m->path, m);
	}
	return m;
}

static char *
msg_summary(Msg *m)
{
	g_autoptr(GVariant) changes =
	        m->props ? g_variant_lookup_value(m->props, "Changes", G_VARIANT_TYPE("aa{sv}"))
	                 : NULL;

	return omacp_agent_summary(changes, prop_s(m->props, "Imsi"));
}

static const char *
msg_sender(Msg *m)
{
	const char *s = prop_s(m->props, "Sender");

	return s[0] != '\0' ? s : _("Unknown sender");
}

/* ---- answering the daemon ---- */

static void
answer_invocation(Msg *m, GVariant *reply)
{
	GDBusMethodInvocation *inv = g_steal_pointer(&m->invocation);

	g_dbus_method_invocation_return_value(inv, reply);
}

static void
decline_invocation(Msg *m, const char *why)
{
	GDBusMethodInvocation *inv = g_steal_pointer(&m->invocation);

	if (inv != NULL)
		g_dbus_method_invocation_return_dbus_error(inv, ERROR_PREFIX "Failed", why);
}

/* ---- the status line of the review page ---- */

static void
set_status(const char *text, gboolean error)
{
	char *copy = g_strdup(text); /* @text may be A.status_text itself */

	g_free(A.status_text);
	A.status_text = copy;
	text = copy;
	A.status_error = error;
	if (A.status_label == NULL)
		return;
	gtk_label_set_text(A.status_label, text ? text : "");
	gtk_widget_set_visible(GTK_WIDGET(A.status_label), text != NULL && text[0] != '\0');
	if (error) {
		gtk_widget_remove_css_class(GTK_WIDGET(A.status_label), "success");
		gtk_widget_add_css_class(GTK_WIDGET(A.status_label), "error");
	} else {
		gtk_widget_remove_css_class(GTK_WIDGET(A.status_label), "error");
		gtk_widget_add_css_class(GTK_WIDGET(A.status_label), "success");
	}
	/* what the page says, for the log (and the tests) */
	if (text != NULL && A.shown != NULL)
		g_message("%s: shown: %s", A.shown, text);
}

static void
toast(const char *text)
{
	g_message("toast: %s", text);
	if (A.toasts != NULL)
		adw_toast_overlay_add_toast(A.toasts, adw_toast_new(text));
}

static const char *
pin_text(void)
{
	if (A.pin_entry == NULL)
		return "";
	return gtk_editable_get_text(GTK_EDITABLE(A.pin_entry));
}

static void
clear_pin(void)
{
	if (A.pin_entry != NULL) {
		gtk_editable_set_text(GTK_EDITABLE(A.pin_entry), "");
		gtk_widget_grab_focus(GTK_WIDGET(A.pin_entry));
	}
}

/* the outcome of our answer, once the state says it */
static void
show_outcome(Msg *m)
{
	const char *error = prop_s(m->props, "Error");

	switch (msg_state(m)) {
	case OMACP_MESSAGE_STATE_ACCEPTED:
		set_status(error[0] ? error : _("Installing…"), FALSE);
		break;
	case OMACP_MESSAGE_STATE_APPLIED:
		set_status(_("Installed"), FALSE);
		m->awaiting = FALSE;
		break;
	case OMACP_MESSAGE_STATE_FAILED: {
		g_autofree char *t = g_strdup_printf(_("Failed: %s"), error);

		set_status(t, TRUE);
		m->awaiting = FALSE;
		break;
	}
	case OMACP_MESSAGE_STATE_REJECTED:
		if (m->rejecting)
			set_status(_("Rejected"), FALSE);
		else
			set_status(_("Too many wrong PINs — the message was rejected"), TRUE);
		m->awaiting = FALSE;
		break;
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
		if (m->risks_confirmed) {
			/* the user's yes to the warnings answers omacpd's question */
			set_status(_("Installing…"), FALSE);
		} else {
			set_status(_("PIN verified. Check the changes and confirm to install."),
			           FALSE);
			m->awaiting = FALSE;
		}
		break;
	case OMACP_MESSAGE_STATE_UNDONE:
		set_status(_("Undone"), FALSE);
		m->awaiting = FALSE;
		break;
	default: /* receiving, pending-pin, quarantined: no outcome yet */
		break;
	}
}

static void
call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree char *path = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	Msg *m = msg_lookup(path);
	g_autofree char *remote = error ? g_dbus_error_get_remote_error(error) : NULL;

	if (m == NULL)
		return;
	if (reply != NULL) {
		if (g_strcmp0(A.shown, path) == 0)
			show_outcome(m);
		return;
	}
	m->awaiting = FALSE;
	m->rejecting = FALSE;
	g_dbus_error_strip_remote_error(error);
	g_message("%s: the call failed: %s (%s)", path, error->message, remote ? remote : "local");
	if (g_strcmp0(A.shown, path) != 0)
		return;
	if (g_strcmp0(remote, ERROR_PREFIX "BadPin") == 0) {
		g_autofree char *t =
		        omacp_agent_wrong_pin_text(prop_u(m->props, "PinAttemptsLeft"));

		set_status(t, TRUE);
		clear_pin();
	} else if (g_strcmp0(remote, ERROR_PREFIX "PermissionDenied") == 0 ||
	           g_strcmp0(remote, "org.freedesktop.DBus.Error.AccessDenied") == 0 ||
	           g_strcmp0(remote,
	                     "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") == 0) {
		g_autofree char *t = g_strdup_printf(_("Not allowed: %s"), error->message);

		set_status(t, TRUE);
	} else {
		g_autofree char *t = g_strdup_printf(_("Failed: %s"), error->message);

		set_status(t, TRUE);
	}
}

static void
call_message(Msg *m, const char *method, GVariant *args)
{
	g_dbus_connection_call(A.bus, BUS_NAME, m->path, MESSAGE_IFACE, method, args, NULL,
	                       CALL_FLAGS, CALL_TIMEOUT_MS, NULL, call_done, g_strdup(m->path));
}

static void
do_install(Msg *m)
{
	m->awaiting = TRUE;
	m->rejecting = FALSE;
	m->attempts_at_answer = prop_u(m->props, "PinAttemptsLeft");
	switch (msg_state(m)) {
	case OMACP_MESSAGE_STATE_PENDING_PIN: {
		g_autofree char *pin = g_strdup(pin_text());

		if (pin[0] == '\0') {
			m->awaiting = FALSE;
			set_status(_("Type the PIN you were given."), TRUE);
			return;
		}
		set_status(_("Checking the PIN…"), FALSE);
		/* the daemon's request cannot carry "use now": Accept* ends it */
		if (m->invocation != NULL && m->invocation_pin && !m->activate)
			answer_invocation(m, g_variant_new("(s)", pin));
		else
			call_message(m, omacp_agent_accept_method(m->activate),
			             g_variant_new("(s)", pin));
		memset(pin, 0, strlen(pin));
		break;
	}
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
		set_status(_("Installing…"), FALSE);
		if (m->invocation != NULL && !m->invocation_pin && !m->activate)
			answer_invocation(m, g_variant_new("(b)", TRUE));
		else
			call_message(m, omacp_agent_accept_method(m->activate),
			             g_variant_new("(s)", ""));
		break;
	case OMACP_MESSAGE_STATE_QUARANTINED:
		set_status(_("Installing…"), FALSE);
		call_message(m, omacp_agent_accept_method(m->activate), g_variant_new("(s)", ""));
		break;
	default:
		m->awaiting = FALSE;
		break;
	}
}

static void
confirm_response(AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
	g_autofree char *path = user_data;
	Msg *m = msg_lookup(path);

	if (m == NULL || g_strcmp0(response, "install") != 0 || g_strcmp0(A.shown, path) != 0)
		return;
	g_message("%s: the user confirmed the warning", path);
	m->risks_confirmed = msg_state(m) != OMACP_MESSAGE_STATE_QUARANTINED;
	do_install(m);
}

/* Install, or with @activate "Install and use now". */
static void
install_chosen(gboolean activate)
{
	Msg *m = A.shown ? msg_lookup(A.shown) : NULL;
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GPtrArray) risks = NULL;
	OmacpMessageState state;
	GtkWidget *dialog;

	if (m == NULL || m->awaiting)
		return;
	m->activate = activate;
	if (activate)
		g_message("%s: the user chose Install and use now", m->path);
	state = msg_state(m);
	if (state == OMACP_MESSAGE_STATE_PENDING_PIN && pin_text()[0] == '\0') {
		set_status(_("Type the PIN you were given."), TRUE);
		return;
	}
	if (m->updates > 0) {
		/* the risks are read anew: decide on them once they are here */
		m->install_pending = activate ? 2 : 1;
		return;
	}
	changes = g_variant_lookup_value(m->props, "Changes", G_VARIANT_TYPE("aa{sv}"));
	risks = omacp_agent_risks(changes);
	if (state != OMACP_MESSAGE_STATE_QUARANTINED && risks->len == 0) {
		do_install(m);
		return;
	}
	/* an explicit second yes: unsigned, or with risks */
	if (state == OMACP_MESSAGE_STATE_QUARANTINED)
		dialog = adw_message_dialog_new(
		        A.window, _("Install unsigned settings?"),
		        _("Nothing shows who sent this message. Anyone can send settings like "
		          "these, for example to read your traffic."));
	else
		dialog = adw_message_dialog_new(A.window, _("Install despite the warnings?"),
		                                _("This message carries settings you should look "
		                                  "at twice; they are listed at the top."));
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Cancel"),
	                                 "install", _("_Install anyway"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "install",
	                                           ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	gtk_window_set_title(GTK_WINDOW(dialog), _("Confirm installation"));
	g_signal_connect(dialog, "response", G_CALLBACK(confirm_response), g_strdup(m->path));
	gtk_window_present(GTK_WINDOW(dialog));
}

static void
install_clicked(GtkWidget *button, gpointer user_data)
{
	install_chosen(FALSE);
}

static void
install_now_clicked(GtkWidget *button, gpointer user_data)
{
	install_chosen(TRUE);
}

static void
reject_clicked(GtkWidget *button, gpointer user_data)
{
	Msg *m = A.shown ? msg_lookup(A.shown) : NULL;

	if (m == NULL)
		return;
	m->awaiting = TRUE;
	m->rejecting = TRUE;
	if (m->invocation != NULL && !m->invocation_pin) {
		answer_invocation(m, g_variant_new("(b)", FALSE));
	} else {
		/* a PIN request cannot say no: Reject() also ends it */
		call_message(m, "Reject", NULL);
	}
	set_status(_("Rejecting…"), FALSE);
}

static void
undo_clicked(GtkWidget *button, gpointer user_data)
{
	Msg *m = A.shown ? msg_lookup(A.shown) : NULL;

	if (m == NULL)
		return;
	m->awaiting = TRUE;
	set_status(_("Undoing…"), FALSE);
	call_message(m, "Undo", NULL);
}

static void
delete_clicked(GtkWidget *button, gpointer user_data)
{
	Msg *m = A.shown ? msg_lookup(A.shown) : NULL;

	if (m == NULL)
		return;
	call_message(m, "Delete", NULL);
	show_list();
}

/* ---- the review page ---- */

static GtkWidget *
wrap_label(const char *text, const char *css)
{
	GtkWidget *l = gtk_label_new(text);

	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(l), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_set_halign(l, GTK_ALIGN_FILL);
	if (css != NULL)
		gtk_widget_add_css_class(l, css);
	return l;
}

static GtkWidget *
info_row(const char *title, const char *subtitle)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (subtitle != NULL)
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	return row;
}

static GtkWidget *
risk_box(GPtrArray *risks)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);

	gtk_widget_add_css_class(box, "card");
	gtk_widget_add_css_class(box, "omacp-risks");
	gtk_box_append(GTK_BOX(head), gtk_image_new_from_icon_name("dialog-warning-symbolic"));
	gtk_box_append(GTK_BOX(head), wrap_label(_("Look twice before installing"), "heading"));
	gtk_box_append(GTK_BOX(box), head);
	for (guint i = 0; i < risks->len; i++) {
		g_autofree char *line =
		        g_strdup_printf("• %s", (char *) g_ptr_array_index(risks, i));

		gtk_box_append(GTK_BOX(box), wrap_label(line, NULL));
	}
	return box;
}

static GtkWidget *
changes_groups(GVariant *changes)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_autoptr(GHashTable) groups = g_hash_table_new(g_str_hash, g_str_equal);
	GVariantIter iter;
	GVariant *entry;

	if (changes == NULL)
		return box;
	g_variant_iter_init(&iter, changes);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		OmacpAgentChange c;
		const char *label;
		GtkWidget *group;
		g_autofree char *value = NULL;

		omacp_agent_change_parse(entry, &c);
		label = omacp_agent_field_label(c.field);
		group = g_hash_table_lookup(groups, c.profile);
		if (group == NULL) {
			group = adw_preferences_group_new();
			adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group),
			                                omacp_agent_kind_label(c.kind));
			g_hash_table_insert(groups, (gpointer) c.profile, group);
			gtk_box_append(GTK_BOX(box), group);
		}
		if (label != NULL) {
			if (c.old_value[0] != '\0' && c.new_value[0] != '\0') {
				g_autofree char *o = omacp_agent_value_text(c.field, c.old_value);
				g_autofree char *n = omacp_agent_value_text(c.field, c.new_value);

				/* TRANSLATORS: a setting's old and new value */
				value = g_strdup_printf(_("%s → %s"), o, n);
			} else if (c.new_value[0] != '\0') {
				value = omacp_agent_value_text(c.field, c.new_value);
			} else {
				value = g_strdup(_("Removed"));
			}
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
			                          info_row(label, value));
		}
		g_variant_unref(entry);
	}
	return box;
}

static const char *
security_icon(Msg *m)
{
	const char *sec = prop_s(m->props, "Security");

	if (g_strcmp0(sec, "netwpin") == 0 && prop_b(m->props, "Authenticated"))
		return "security-high-symbolic";
	if (g_str_has_prefix(sec, "user"))
		return "dialog-password-symbolic";
	return "dialog-warning-symbolic";
}

static void
pin_activated(GtkWidget *entry, gpointer user_data)
{
	install_clicked(NULL, NULL);
}

/* "Install and use now" on a line of its own below Reject/Install (three
 * buttons do not fit a phone's width), or NULL when not offered. */
static GtkWidget *
use_now_button(Msg *m, GVariant *changes)
{
	GtkWidget *now;

	if (!omacp_agent_offers_activate(omacp_agent_activate_policy(), changes))
		return NULL;
	now = gtk_button_new_with_mnemonic(_("Install and _use now"));
	gtk_widget_set_tooltip_text(now, _("Also switch mobile data to these settings at once"));
	g_signal_connect(now, "clicked", G_CALLBACK(install_now_clicked), NULL);
	g_message("%s: offers Install and use now", m->path);
	return now;
}

static void
build_review(Msg *m)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
	GtkWidget *group;
	GtkWidget *buttons;
	GtkWidget *bottom;
	GtkWidget *row;
	OmacpMessageState state = msg_state(m);
	const char *sec_title = NULL;
	const char *sec_detail = NULL;
	g_autofree char *summary = msg_summary(m);
	g_autofree char *sim = omacp_agent_sim_text(prop_s(m->props, "Imsi"));
	g_autoptr(GVariant) changes =
	        g_variant_lookup_value(m->props, "Changes", G_VARIANT_TYPE("aa{sv}"));
	g_autoptr(GPtrArray) risks = omacp_agent_risks(changes);
	gboolean waits = state_waits(state);
	GtkWidget *use_now = NULL;

	gtk_widget_set_margin_top(box, 18);
	gtk_widget_set_margin_bottom(box, 18);
	gtk_widget_set_margin_start(box, 12);
	gtk_widget_set_margin_end(box, 12);

	A.pin_entry = NULL;
	A.attempts_label = NULL;
	A.install_button = NULL;

	gtk_box_append(GTK_BOX(box), wrap_label(summary, "title-2"));
	gtk_box_append(GTK_BOX(box), wrap_label(omacp_agent_state_label(state), "dim-label"));
	if (risks->len > 0)
		gtk_box_append(GTK_BOX(box), risk_box(risks));

	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("Who sent it"));
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), info_row(_("From"), msg_sender(m)));
	if (sim != NULL)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), info_row(_("For"), sim));
	omacp_agent_security_text(prop_s(m->props, "Security"), prop_b(m->props, "Authenticated"),
	                          &sec_title, &sec_detail);
	row = info_row(sec_title, sec_detail);
	adw_action_row_add_prefix(ADW_ACTION_ROW(row),
	                          gtk_image_new_from_icon_name(security_icon(m)));
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	gtk_box_append(GTK_BOX(box), group);

	gtk_box_append(GTK_BOX(box), wrap_label(_("What it changes"), "heading"));
	gtk_box_append(GTK_BOX(box), changes_groups(changes));

	/* the answer stays on screen below the scrolled details */
	bottom = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	gtk_widget_set_margin_top(bottom, 10);
	gtk_widget_set_margin_bottom(bottom, 12);
	gtk_widget_set_margin_start(bottom, 12);
	gtk_widget_set_margin_end(bottom, 12);
	if (state == OMACP_MESSAGE_STATE_PENDING_PIN) {
		g_autofree char *attempts =
		        omacp_agent_attempts_text(prop_u(m->props, "PinAttemptsLeft"));
		GtkWidget *pin_box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);

		gtk_box_append(GTK_BOX(pin_box), wrap_label(_("PIN you were given"), "heading"));
		A.pin_entry = GTK_PASSWORD_ENTRY(gtk_password_entry_new());
		gtk_password_entry_set_show_peek_icon(A.pin_entry, TRUE);
		gtk_accessible_update_property(GTK_ACCESSIBLE(A.pin_entry),
		                               GTK_ACCESSIBLE_PROPERTY_LABEL, _("PIN"), -1);
		g_signal_connect(A.pin_entry, "activate", G_CALLBACK(pin_activated), NULL);
		gtk_box_append(GTK_BOX(pin_box), GTK_WIDGET(A.pin_entry));
		A.attempts_label = GTK_LABEL(wrap_label(attempts, "dim-label"));
		gtk_box_append(GTK_BOX(pin_box), GTK_WIDGET(A.attempts_label));
		gtk_box_append(GTK_BOX(bottom), pin_box);
	}

	A.status_label = GTK_LABEL(wrap_label("", "heading"));
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(A.status_label));
	set_status(A.status_text, A.status_error);

	buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	gtk_box_set_homogeneous(GTK_BOX(buttons), TRUE);
	if (waits) {
		GtkWidget *reject = gtk_button_new_with_mnemonic(_("_Reject"));
		GtkWidget *install = gtk_button_new_with_mnemonic(_("_Install"));

		gtk_widget_add_css_class(reject, "destructive-action");
		gtk_widget_add_css_class(install, "suggested-action");
		g_signal_connect(reject, "clicked", G_CALLBACK(reject_clicked), NULL);
		g_signal_connect(install, "clicked", G_CALLBACK(install_clicked), NULL);
		gtk_box_append(GTK_BOX(buttons), reject);
		gtk_box_append(GTK_BOX(buttons), install);
		A.install_button = install;
		use_now = use_now_button(m, changes);
	} else {
		GtkWidget *del = gtk_button_new_with_mnemonic(_("_Delete message"));

		if (state == OMACP_MESSAGE_STATE_APPLIED) {
			GtkWidget *undo = gtk_button_new_with_mnemonic(_("_Undo"));

			g_signal_connect(undo, "clicked", G_CALLBACK(undo_clicked), NULL);
			gtk_box_append(GTK_BOX(buttons), undo);
		}
		g_signal_connect(del, "clicked", G_CALLBACK(delete_clicked), NULL);
		gtk_box_append(GTK_BOX(buttons), del);
	}
	gtk_box_append(GTK_BOX(bottom), buttons);
	if (use_now != NULL)
		gtk_box_append(GTK_BOX(bottom), use_now);

	adw_clamp_set_child(A.review_clamp, box);
	adw_clamp_set_child(A.review_bottom, bottom);
	if (A.pin_entry != NULL)
		gtk_widget_grab_focus(GTK_WIDGET(A.pin_entry));
	else if (A.install_button != NULL)
		gtk_widget_grab_focus(A.install_button);
}

static void
close_review(const char *why)
{
	g_message("%s: review closed (%s)", A.shown ? A.shown : "-", why);
	show_list();
}

/* ---- the list (the settings view) ---- */

static void
row_activated(AdwActionRow *row, gpointer user_data)
{
	show_review(g_object_get_data(G_OBJECT(row), "path"));
}

static void
remove_response(AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
	g_autofree char *path = user_data;

	if (g_strcmp0(response, "remove") != 0)
		return;
	g_dbus_connection_call(A.bus, BUS_NAME, path, PROFILE_IFACE, "Remove", NULL, NULL,
	                       CALL_FLAGS, CALL_TIMEOUT_MS, NULL, NULL, NULL);
}

static void
remove_clicked(GtkButton *button, gpointer user_data)
{
	const char *path = g_object_get_data(G_OBJECT(button), "path");
	GtkWidget *dialog =
	        adw_message_dialog_new(A.window, _("Remove these settings?"),
	                               _("The connection or account made from them is deleted."));

	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Cancel"),
	                                 "remove", _("_Remove"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "remove",
	                                           ADW_RESPONSE_DESTRUCTIVE);
	g_signal_connect(dialog, "response", G_CALLBACK(remove_response), g_strdup(path));
	gtk_window_present(GTK_WINDOW(dialog));
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	const char *x = *(const char *const *) a;
	const char *y = *(const char *const *) b;
	const char *nx = strrchr(x, '/');
	const char *ny = strrchr(y, '/');

	/* newest first */
	return (int) (g_ascii_strtoull(ny ? ny + 1 : y, NULL, 10) -
	              g_ascii_strtoull(nx ? nx + 1 : x, NULL, 10));
}

static GPtrArray *
sorted_keys(GHashTable *table)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, table);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		g_ptr_array_add(keys, key);
	g_ptr_array_sort(keys, compare_paths);
	return keys;
}

static gboolean
build_list(gpointer user_data)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
	GtkWidget *waiting = adw_preferences_group_new();
	GtkWidget *earlier = adw_preferences_group_new();
	GtkWidget *installed = adw_preferences_group_new();
	g_autoptr(GPtrArray) msgs = sorted_keys(A.messages);
	g_autoptr(GPtrArray) profs = sorted_keys(A.profiles);
	guint n_waiting = 0;
	guint n_earlier = 0;

	A.list_idle = 0;
	if (A.list_clamp == NULL)
		return G_SOURCE_REMOVE;
	gtk_widget_set_margin_top(box, 18);
	gtk_widget_set_margin_bottom(box, 18);
	gtk_widget_set_margin_start(box, 12);
	gtk_widget_set_margin_end(box, 12);
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(waiting), _("Waiting for you"));
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(earlier), _("Messages"));
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(installed), _("Installed settings"));

	for (guint i = 0; i < msgs->len; i++) {
		Msg *m = msg_lookup(g_ptr_array_index(msgs, i));
		g_autofree char *summary = NULL;
		g_autofree char *subtitle = NULL;
		GtkWidget *row;

		if (m->props == NULL || msg_state(m) == OMACP_MESSAGE_STATE_RECEIVING)
			continue;
		summary = msg_summary(m);
		/* TRANSLATORS: state and sender of a message in the list */
		subtitle = g_strdup_printf(_("%s · from %s"), omacp_agent_state_label(msg_state(m)),
		                           msg_sender(m));
		row = info_row(summary, subtitle);
		gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row),
		                          gtk_image_new_from_icon_name("go-next-symbolic"));
		g_object_set_data_full(G_OBJECT(row), "path", g_strdup(m->path), g_free);
		g_signal_connect(row, "activated", G_CALLBACK(row_activated), NULL);
		if (state_waits(msg_state(m))) {
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(waiting), row);
			n_waiting++;
		} else {
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(earlier), row);
			n_earlier++;
		}
	}
	for (guint i = 0; i < profs->len; i++) {
		const char *path = g_ptr_array_index(profs, i);
		GVariant *p = g_hash_table_lookup(A.profiles, path);
		const char *name = prop_s(p, "Name");
		const char *kind = omacp_agent_kind_label(prop_s(p, "Kind"));
		g_autofree char *sim = omacp_agent_sim_text(prop_s(p, "Imsi"));
		g_autofree char *subtitle =
		        sim ? g_strdup_printf(_("%s · %s"), kind, sim) : g_strdup(kind);
		GtkWidget *row = adw_expander_row_new();
		GtkWidget *remove = gtk_button_new_from_icon_name("user-trash-symbolic");
		g_autoptr(GVariant) settings =
		        g_variant_lookup_value(p, "Settings", G_VARIANT_TYPE_VARDICT);
		GVariantIter iter;
		const char *key;
		GVariant *value;

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), name[0] ? name : kind);
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_expander_row_set_subtitle(ADW_EXPANDER_ROW(row), subtitle);
		gtk_widget_set_valign(remove, GTK_ALIGN_CENTER);
		gtk_widget_set_tooltip_text(remove, _("Remove"));
		gtk_widget_add_css_class(remove, "flat");
		g_object_set_data_full(G_OBJECT(remove), "path", g_strdup(path), g_free);
		g_signal_connect(remove, "clicked", G_CALLBACK(remove_clicked), NULL);
		adw_expander_row_add_action(ADW_EXPANDER_ROW(row), remove);
		if (settings != NULL) {
			g_variant_iter_init(&iter, settings);
			while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
				const char *label = omacp_agent_field_label(key);
				g_autofree char *raw = NULL;
				g_autofree char *text = NULL;

				if (label != NULL) {
					if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
						raw = g_variant_dup_string(value, NULL);
					else if (g_variant_is_of_type(value,
					                              G_VARIANT_TYPE_BOOLEAN))
						raw = g_strdup(g_variant_get_boolean(value)
						                       ? "true"
						                       : "false");
					else
						raw = g_variant_print(value, FALSE);
					text = omacp_agent_value_text(key, raw);
					adw_expander_row_add_row(ADW_EXPANDER_ROW(row),
					                         info_row(label, text));
				}
				g_variant_unref(value);
			}
		}
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(installed), row);
	}
	if (n_waiting == 0 && n_earlier == 0 && profs->len == 0) {
		GtkWidget *empty = adw_status_page_new();

		adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty), "network-cellular-symbolic");
		adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No configuration messages"));
		adw_status_page_set_description(
		        ADW_STATUS_PAGE(empty),
		        _("Settings your operator sends by SMS will show up here."));
		gtk_box_append(GTK_BOX(box), empty);
	}
	if (n_waiting > 0)
		gtk_box_append(GTK_BOX(box), waiting);
	if (n_earlier > 0)
		gtk_box_append(GTK_BOX(box), earlier);
	if (profs->len > 0)
		gtk_box_append(GTK_BOX(box), installed);
	if (!A.registered) {
		gtk_box_prepend(GTK_BOX(box),
		                wrap_label(_("The provisioning service is not running."), "error"));
	}
	adw_clamp_set_child(A.list_clamp, box);
	return G_SOURCE_REMOVE;
}

static void
queue_list_update(void)
{
	if (A.list_idle == 0 && A.list_clamp != NULL)
		A.list_idle = g_idle_add(build_list, NULL);
}

/* ---- the window ---- */

static void
back_clicked(GtkButton *button, gpointer user_data)
{
	close_review("back");
}

static GtkWidget *
page(AdwHeaderBar *header, AdwClamp **clamp)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *scroll = gtk_scrolled_window_new();

	*clamp = ADW_CLAMP(adw_clamp_new());
	adw_clamp_set_maximum_size(*clamp, 640);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
	                               GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(*clamp));
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(header));
	gtk_box_append(GTK_BOX(box), scroll);
	return box;
}

static void
window_destroyed(GtkWidget *w, gpointer user_data)
{
	A.window = NULL;
	A.toasts = NULL;
	A.stack = NULL;
	A.list_clamp = A.review_clamp = A.review_bottom = NULL;
	A.pin_entry = NULL;
	A.status_label = A.attempts_label = NULL;
	A.install_button = NULL;
	g_clear_pointer(&A.shown, g_free);
}

static void
ensure_window(void)
{
	GtkWidget *list_header;
	GtkWidget *review_header;
	GtkWidget *review;
	GtkWidget *back;

	if (A.window != NULL)
		return;
	A.window = GTK_WINDOW(adw_application_window_new(GTK_APPLICATION(A.app)));
	gtk_window_set_default_size(A.window, 420, 720);
	gtk_window_set_title(A.window, _("Configuration messages"));
	gtk_window_set_hide_on_close(A.window, TRUE);
	g_signal_connect(A.window, "destroy", G_CALLBACK(window_destroyed), NULL);

	A.toasts = ADW_TOAST_OVERLAY(adw_toast_overlay_new());
	A.stack = GTK_STACK(gtk_stack_new());
	gtk_stack_set_transition_type(A.stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);

	list_header = adw_header_bar_new();
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(list_header),
	                                adw_window_title_new(_("Configuration messages"), NULL));
	gtk_stack_add_named(A.stack, page(ADW_HEADER_BAR(list_header), &A.list_clamp), "list");

	review_header = adw_header_bar_new();
	back = gtk_button_new_from_icon_name("go-previous-symbolic");
	gtk_widget_set_tooltip_text(back, _("Back"));
	g_signal_connect(back, "clicked", G_CALLBACK(back_clicked), NULL);
	adw_header_bar_pack_start(ADW_HEADER_BAR(review_header), back);
	A.review_title = ADW_WINDOW_TITLE(adw_window_title_new(_("Review"), NULL));
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(review_header), GTK_WIDGET(A.review_title));
	review = page(ADW_HEADER_BAR(review_header), &A.review_clamp);
	A.review_bottom = ADW_CLAMP(adw_clamp_new());
	adw_clamp_set_maximum_size(A.review_bottom, 640);
	gtk_box_append(GTK_BOX(review), gtk_separator_new(GTK_ORIENTATION_HORIZONTAL));
	gtk_box_append(GTK_BOX(review), GTK_WIDGET(A.review_bottom));
	gtk_stack_add_named(A.stack, review, "review");

	adw_toast_overlay_set_child(A.toasts, GTK_WIDGET(A.stack));
	adw_application_window_set_content(ADW_APPLICATION_WINDOW(A.window), GTK_WIDGET(A.toasts));
	build_list(NULL);
}

static void
show_list(void)
{
	ensure_window();
	g_clear_pointer(&A.shown, g_free);
	A.pin_entry = NULL;
	A.status_label = A.attempts_label = NULL;
	A.install_button = NULL;
	gtk_stack_set_visible_child_name(A.stack, "list");
	gtk_window_set_title(A.window, _("Configuration messages"));
	queue_list_update();
}

static void
show_review(const char *path)
{
	Msg *m = msg_lookup(path);
	const char *sec_title = NULL;
	const char *sec_detail = NULL;

	if (m == NULL || m->props == NULL) {
		fetch_message(path, TRUE);
		return;
	}
	ensure_window();
	if (g_strcmp0(A.shown, path) != 0) {
		g_free(A.shown);
		A.shown = g_strdup(path);
		g_clear_pointer(&A.status_text, g_free);
		A.status_error = FALSE;
	}
	m->dismissed = TRUE; /* seen: no need to notify about it again */
	if (omacp_message_state_is_pending(msg_state(m)) && m->invocation == NULL &&
	    A.daemon_can_ask && A.registered) {
		/* the request timed out or went elsewhere: ask omacpd to ask us
		 * again, so that the answer takes the agent's path (without Ask()
		 * the page calls Accept() itself) */
		g_dbus_connection_call(A.bus, BUS_NAME, ROOT_PATH, MANAGER_IFACE, "Ask",
		                       g_variant_new("(o)", path), NULL, G_DBUS_CALL_FLAGS_NONE, -1,
		                       NULL, NULL, NULL);
	}
	build_review(m);
	adw_window_title_set_subtitle(A.review_title, msg_sender(m));
	gtk_stack_set_visible_child_name(A.stack, "review");
	gtk_window_set_title(A.window, _("Review configuration message"));
	gtk_window_present(A.window);
	omacp_agent_security_text(prop_s(m->props, "Security"), prop_b(m->props, "Authenticated"),
	                          &sec_title, &sec_detail);
	g_message("%s: review shown (%s; %s)", path, state_name(msg_state(m)), sec_title);
	update_notification();
}

/* ---- reacting to the daemon's objects ---- */

static void
message_changed(Msg *m, OmacpMessageState old_state, guint old_attempts)
{
	OmacpMessageState state = msg_state(m);
	gboolean state_changed = old_state != state;

	if (g_strcmp0(A.shown, m->path) == 0) {
		if (state_changed && !m->awaiting && state_waits(old_state) &&
		    !state_waits(state)) {
			/* answered elsewhere (omacpctl, another agent) */
			g_autofree char *t = NULL;

			if (pin_text()[0] != '\0')
				t = g_strdup_printf(
				        _("This message was answered elsewhere (%s); the "
				          "PIN you typed was not used."),
				        omacp_agent_state_label(state));
			else
				t = g_strdup_printf(_("This message was answered elsewhere (%s)."),
				                    omacp_agent_state_label(state));
			toast(t);
			close_review("answered elsewhere");
		} else if (state_changed) {
			if (m->awaiting)
				show_outcome(m);
			build_review(m);
		} else if (state == OMACP_MESSAGE_STATE_PENDING_PIN &&
		           prop_u(m->props, "PinAttemptsLeft") < old_attempts) {
			guint left = prop_u(m->props, "PinAttemptsLeft");
			g_autofree char *t = omacp_agent_wrong_pin_text(left);
			g_autofree char *a = omacp_agent_attempts_text(left);

			m->awaiting = FALSE;
			set_status(t, TRUE);
			if (A.attempts_label != NULL)
				gtk_label_set_text(A.attempts_label, a);
			clear_pin();
		} else if (m->awaiting) {
			show_outcome(m);
		}
	}
	if (!state_waits(state))
		decline_invocation(m, "omacp-agent: the message is no longer waiting");
	update_notification();
	queue_list_update();
}

static void
set_message_props(const char *path, GVariant *props)
{
	Msg *m = msg_ensure(path);
	OmacpMessageState old_state = msg_state(m);
	guint old_attempts = prop_u(m->props, "PinAttemptsLeft");
	gboolean first = m->props == NULL;

	g_clear_pointer(&m->props, g_variant_unref);
	m->props = g_variant_take_ref(props); /* ours: floating or a reference given */
	m->state = props_state(m->props);
	if (first) {
		update_notification();
		queue_list_update();
	} else {
		message_changed(m, old_state, old_attempts);
	}
}

static void
add_object(const char *path, GVariant *interfaces)
{
	g_autoptr(GVariant) msg = g_variant_lookup_value(interfaces, MESSAGE_IFACE, NULL);
	g_autoptr(GVariant) prof = g_variant_lookup_value(interfaces, PROFILE_IFACE, NULL);

	if (msg != NULL)
		update_message_full(path, msg, FALSE, FALSE, FALSE);
	if (prof != NULL) {
		g_hash_table_replace(A.profiles, g_strdup(path), g_steal_pointer(&prof));
		queue_list_update();
	}
}

static void
on_signal(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
          const char *member, GVariant *params, gpointer user_data)
{
	if (g_strcmp0(member, "PropertiesChanged") == 0) {
		const char *which = NULL;
		g_autoptr(GVariant) changed = NULL;
		g_autoptr(GVariant) invalidated = NULL;

		g_variant_get(params, "(&s@a{sv}@as)", &which, &changed, &invalidated);
		if (g_strcmp0(which, MESSAGE_IFACE) == 0) {
			Msg *m = msg_lookup(path);

			if (m == NULL || m->props == NULL) {
				fetch_message(path, FALSE);
			} else {
				set_message_props(path, merge_props(m->props, changed));
				if (msg_lookup(path) != NULL)
					update_message_full(path, NULL, TRUE, FALSE, FALSE);
			}
		} else if (g_strcmp0(which, PROFILE_IFACE) == 0) {
			GVariant *old = g_hash_table_lookup(A.profiles, path);

			if (old != NULL) {
				g_hash_table_replace(A.profiles, g_strdup(path),
				                     merge_props(old, changed));
				queue_list_update();
			}
		}
	} else if (g_strcmp0(member, "InterfacesAdded") == 0) {
		const char *obj = NULL;
		g_autoptr(GVariant) ifaces = NULL;

		g_variant_get(params, "(&o@a{sa{sv}})", &obj, &ifaces);
		add_object(obj, ifaces);
	} else if (g_strcmp0(member, "InterfacesRemoved") == 0) {
		const char *obj = NULL;

		g_variant_get(params, "(&o@as)", &obj, NULL);
		if (g_hash_table_remove(A.profiles, obj))
			queue_list_update();
		if (msg_lookup(obj) != NULL) {
			if (g_strcmp0(A.shown, obj) == 0)
				close_review("deleted");
			g_hash_table_remove(A.messages, obj);
			update_notification();
			queue_list_update();
		}
	} else if (g_strcmp0(member, "MessageReceived") == 0) {
		const char *obj = NULL;

		g_variant_get(params, "(&o)", &obj);
		g_message("%s: received", obj);
		if (msg_lookup(obj) == NULL ||
		    (msg_lookup(obj)->props == NULL && msg_lookup(obj)->updates == 0))
			fetch_message(obj, FALSE);
		else
			update_notification();
	}
}

/* A message's changes are not on its object: they come from
 * Message.GetChanges, and are kept in the message's properties as
 * "Changes". A message is first known with both: its properties (from
 * InterfacesAdded, GetManagedObjects or GetAll) count once GetChanges has
 * answered too, so that no notification, list row or review shows a
 * message without its changes. Every later PropertiesChanged is applied at
 * once, as before, and the changes are read again (they change with the
 * state, as a message is applied or meets a hand edit). */
typedef struct {
	char *path;
	GVariant *props;     /* all the properties (given, or from GetAll) */
	GVariant *changes;   /* GetChanges' answer */
	gboolean refresh;    /* the changes only, of a message known */
	gboolean get_all;    /* @props come from a GetAll */
	gboolean failed;     /* that GetAll failed */
	guint outstanding;   /* calls not answered yet */
	gboolean show;       /* show the review once known */
	gboolean check_form; /* asked again after our PIN: did it cost an attempt? */
} Update;

static void
update_free(Update *u)
{
	g_free(u->path);
	g_clear_pointer(&u->props, g_variant_unref);
	g_clear_pointer(&u->changes, g_variant_unref);
	g_free(u);
}

/* @props with "Changes" set to @changes (if any): a new floating value */
static GVariant *
props_with_changes(GVariant *props, GVariant *changes)
{
	GVariantDict d;

	g_variant_dict_init(&d, props);
	if (changes != NULL)
		g_variant_dict_insert_value(&d, "Changes", changes);
	return g_variant_dict_end(&d);
}

/* New changes of a message known: the views that show them follow. */
static void
update_refresh(Msg *m, GVariant *changes)
{
	g_autoptr(GVariant) old =
	        g_variant_lookup_value(m->props, "Changes", G_VARIANT_TYPE("aa{sv}"));
	GVariant *props;

	if (changes == NULL || (old != NULL && g_variant_equal(old, changes)))
		return;
	props = g_variant_ref_sink(props_with_changes(m->props, changes));
	g_variant_unref(m->props);
	m->props = props;
	update_notification();
	queue_list_update();
	/* the review page again, unless the user is typing or waiting */
	if (g_strcmp0(A.shown, m->path) == 0 && !m->awaiting && pin_text()[0] == '\0')
		build_review(m);
}

static void
update_apply(Update *u)
{
	Msg *m = msg_lookup(u->path);

	if (m == NULL) /* removed meanwhile */
		return;
	m->updates--;
	if (u->refresh) {
		if (m->props != NULL)
			update_refresh(m, u->changes);
	} else if (u->failed) {
		/* gone, or unreadable: forget it unless omacpd asks about it */
		if (m->props == NULL && m->updates == 0 && m->invocation == NULL) {
			g_hash_table_remove(A.messages, u->path);
			return;
		}
	} else {
		set_message_props(u->path, props_with_changes(u->props, u->changes));
		m = msg_lookup(u->path);
		if (m == NULL)
			return;
		if (u->check_form && m->awaiting && g_strcmp0(A.shown, u->path) == 0 &&
		    msg_state(m) == OMACP_MESSAGE_STATE_PENDING_PIN &&
		    prop_u(m->props, "PinAttemptsLeft") == m->attempts_at_answer) {
			/* asked again without costing an attempt: a PIN of impossible form */
			m->awaiting = FALSE;
			set_status(_("That PIN cannot be right. Check it and try again."), TRUE);
			clear_pin();
		}
		if (u->show)
			show_review(u->path);
	}
	/* an Install chosen while the changes were read: decided on them now */
	if (m->updates == 0 && m->install_pending != 0 && g_strcmp0(A.shown, m->path) == 0) {
		gboolean activate = m->install_pending == 2;

		m->install_pending = 0;
		install_chosen(activate);
	}
}

static void
update_answered(Update *u)
{
	if (--u->outstanding > 0)
		return;
	update_apply(u);
	update_free(u);
}

static void
got_all(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Update *u = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply != NULL) {
		u->props = g_variant_get_child_value(reply, 0);
	} else {
		g_message("%s: cannot read it: %s", u->path, error->message);
		u->failed = TRUE;
	}
	update_answered(u);
}

static void
got_changes(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Update *u = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	/* without an answer (the message went; an omacpd from before the
	 * method, whose Changes are a property) the properties stand alone */
	if (reply != NULL)
		u->changes = g_variant_get_child_value(reply, 0);
	else
		g_debug("%s: its changes: %s", u->path, error->message);
	update_answered(u);
}

/* Reads what is not known of a message: with @props, its changes; with
 * @refresh, its changes again; else its properties (GetAll) and changes,
 * both asked at once, so that they are from one moment. */
static void
update_message_full(const char *path, GVariant *props, gboolean refresh, gboolean then_show,
                    gboolean check_form)
{
	Update *u = g_new0(Update, 1);
	Msg *m = msg_ensure(path); /* so that a removal meanwhile is seen */

	m->updates++;
	u->path = g_strdup(path);
	u->props = props ? g_variant_ref(props) : NULL;
	u->refresh = refresh;
	u->get_all = props == NULL && !refresh;
	u->show = then_show;
	u->check_form = check_form;
	u->outstanding = u->get_all ? 2 : 1;
	if (u->get_all)
		g_dbus_connection_call(A.bus, BUS_NAME, path, "org.freedesktop.DBus.Properties",
		                       "GetAll", g_variant_new("(s)", MESSAGE_IFACE),
		                       G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
		                       got_all, u);
	g_dbus_connection_call(A.bus, BUS_NAME, path, MESSAGE_IFACE, "GetChanges", NULL,
	                       G_VARIANT_TYPE("(aa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
	                       got_changes, u);
}

static void
fetch_message_full(const char *path, gboolean then_show, gboolean check_form)
{
	update_message_full(path, NULL, FALSE, then_show, check_form);
}

static void
fetch_message(const char *path, gboolean then_show)
{
	fetch_message_full(path, then_show, FALSE);
}

static void
managed_objects(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *ifaces;

	if (reply == NULL) {
		g_message("cannot list the daemon's objects: %s", error->message);
		return;
	}
	objects = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_next(&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		add_object(path, ifaces);
		g_variant_unref(ifaces);
	}
	update_notification();
	queue_list_update();
}

/* ---- the agent object ---- */

static void
agent_method(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
             const char *method, GVariant *params, GDBusMethodInvocation *invocation,
             gpointer user_data)
{
	const char *msg_path = NULL;
	Msg *m;

	/* the bus policy lets only root call agents; omacpd alone is answered */
	if (A.daemon_owner == NULL || g_strcmp0(sender, A.daemon_owner) != 0) {
		g_message("agent call %s from %s refused: not omacpd", method, sender);
		g_dbus_method_invocation_return_dbus_error(
		        invocation, "org.freedesktop.DBus.Error.AccessDenied",
		        "omacp-agent: only " BUS_NAME " may call this agent");
		return;
	}
	if (g_strcmp0(method, "Release") == 0) {
		GHashTableIter iter;
		gpointer value;

		g_message("released by omacpd");
		A.registered = FALSE;
		omacp_agent_mms_daemon_gone();
		g_dbus_method_invocation_return_value(invocation, NULL);
		g_hash_table_iter_init(&iter, A.messages);
		while (g_hash_table_iter_next(&iter, NULL, &value))
			decline_invocation(value, "omacp-agent: released");
		if (A.shown != NULL && pin_text()[0] == '\0')
			close_review("released");
		else if (A.shown != NULL)
			set_status(_("The provisioning service stopped. Your PIN is kept; "
			             "install when it is back."),
			           TRUE);
		queue_list_update();
		return;
	}
	if (g_strcmp0(method, "ApplyMms") == 0) {
		omacp_agent_mms_apply(bus, A.daemon_owner, invocation);
		return;
	}
	if (g_strcmp0(method, "PushMms") == 0) {
		omacp_agent_mms_push(invocation);
		return;
	}
	g_variant_get(params, "(&o)", &msg_path);
	if (!g_str_has_prefix(msg_path, ROOT_PATH "/message/")) {
		g_dbus_method_invocation_return_dbus_error(invocation, ERROR_PREFIX "InvalidArgs",
		                                           "omacp-agent: not a message path");
		return;
	}
	m = msg_ensure(msg_path);
	if (g_strcmp0(method, "Cancel") == 0) {
		g_message("%s: request cancelled by omacpd", msg_path);
		g_dbus_method_invocation_return_value(invocation, NULL);
		decline_invocation(m, "omacp-agent: cancelled");
		if (g_strcmp0(A.shown, msg_path) != 0 || m->awaiting)
			return;
		if (pin_text()[0] != '\0') {
			/* nothing typed is lost: the PIN goes to Accept() directly */
			set_status(_("The service stopped waiting for an answer. Your PIN is kept: "
			             "Install still works."),
			           FALSE);
		} else {
			toast(_("The request ended; the message still waits in the list."));
			close_review("cancelled");
		}
		return;
	}
	/* RequestPin / RequestConfirmation */
	if (m->invocation != NULL)
		decline_invocation(m, "omacp-agent: asked again");
	if (m->dismissed && g_strcmp0(A.shown, msg_path) != 0) {
		/* the user said "not now"; the daemon may ask about others */
		g_dbus_method_invocation_return_dbus_error(invocation, ERROR_PREFIX "Failed",
		                                           "omacp-agent: dismissed by the user");
		return;
	}
	m->invocation = g_object_ref(invocation);
	m->invocation_pin = g_strcmp0(method, "RequestPin") == 0;
	g_message("%s: omacpd asks for %s", msg_path,
	          m->invocation_pin ? "the PIN" : "a confirmation");
	if (answer_confirmed_already(m))
		return;
	if (g_strcmp0(A.shown, msg_path) == 0 && m->awaiting && m->invocation_pin) {
		/* asked again after our PIN: the signal with the attempts left may
		 * come after this call, so read the message now and decide then */
		fetch_message_full(msg_path, FALSE, TRUE);
	} else if (m->props == NULL && m->updates == 0) {
		fetch_message(msg_path, FALSE);
	} else if (m->props != NULL) {
		update_notification();
	}
}

static const GDBusInterfaceVTable agent_vtable = { agent_method, NULL, NULL, { 0 } };

/* After a right PIN omacpd asks for a confirmation of a message with risks:
 * the user who said yes to the warnings before the PIN went
 * out is not asked twice. */
static gboolean
answer_confirmed_already(Msg *m)
{
	if (m->invocation == NULL || m->invocation_pin || !m->risks_confirmed)
		return FALSE;
	g_message("%s: the user confirmed the warnings already", m->path);
	answer_invocation(m, g_variant_new("(b)", TRUE));
	return TRUE;
}

static void
registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL && user_data != NULL &&
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
		/* an omacpd without the MMS hand-off */
		g_dbus_connection_call(A.bus, BUS_NAME, ROOT_PATH, MANAGER_IFACE, "RegisterAgent",
		                       g_variant_new("(o)", AGENT_PATH), NULL, CALL_FLAGS, -1, NULL,
		                       registered, NULL);
		return;
	}
	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_warning("cannot register as agent with omacpd: %s", error->message);
		return;
	}
	A.registered = TRUE;
	g_message("registered as agent%s", user_data != NULL ? " (MMS settings too)" : "");
	if (user_data != NULL) {
		g_autoptr(GVariant) granted = g_variant_get_child_value(reply, 0);

		omacp_agent_mms_registered(granted);
	}
	queue_list_update();
}

/* Which of the proposed additions (src/agent/README.md) this omacpd has. */
static void
introspected(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GDBusNodeInfo) node = NULL;
	const char *xml = NULL;
	GDBusInterfaceInfo *manager;

	A.daemon_can_ask = FALSE;
	if (reply == NULL)
		return;
	g_variant_get(reply, "(&s)", &xml);
	node = g_dbus_node_info_new_for_xml(xml, NULL);
	manager = node ? g_dbus_node_info_lookup_interface(node, MANAGER_IFACE) : NULL;
	A.daemon_can_ask = manager != NULL && g_dbus_interface_info_lookup_method(manager, "Ask");
	g_message("omacpd %s Manager.Ask()", A.daemon_can_ask ? "has" : "has no");
}

static void
daemon_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	g_message("omacpd is on the bus (%s)", owner);
	g_free(A.daemon_owner);
	A.daemon_owner = g_strdup(owner);
	omacp_agent_activate_fetch(bus, BUS_NAME, ROOT_PATH);
	g_dbus_connection_call(bus, BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.Introspectable",
	                       "Introspect", NULL, G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE,
	                       -1, NULL, introspected, NULL);
	g_dbus_connection_call(bus, BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
	                       "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
	                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, managed_objects, NULL);
	g_dbus_connection_call(
	        bus, BUS_NAME, ROOT_PATH, MANAGER_IFACE, "RegisterAgentWithOptions",
	        g_variant_new("(o@a{sv})", AGENT_PATH, omacp_agent_mms_register_options()),
	        G_VARIANT_TYPE("(a{sv})"), CALL_FLAGS, -1, NULL, registered, GINT_TO_POINTER(TRUE));
}

static void
daemon_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	GHashTableIter iter;
	gpointer value;

	if (A.registered)
		g_message("omacpd left the bus");
	A.registered = FALSE;
	omacp_agent_mms_daemon_gone();
	/* A.daemon_owner stays: its Release may be dispatched after the name
	 * left, and unique names are never reused, so nobody can take it over */
	g_hash_table_iter_init(&iter, A.messages);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		decline_invocation(value, "omacp-agent: omacpd left");
	queue_list_update();
}

static gboolean
start_bus(GError **error)
{
	g_autoptr(GBytes) xml = g_resources_lookup_data(
	        "/org/omacp/Agent/" OMACP_DBUS_AGENT_INTERFACE ".xml", 0, error);
	GDBusInterfaceInfo *info;

	if (xml == NULL)
		return FALSE;
	A.agent_info = g_dbus_node_info_new_for_xml(g_bytes_get_data(xml, NULL), error);
	if (A.agent_info == NULL)
		return FALSE;
	info = g_dbus_node_info_lookup_interface(A.agent_info, AGENT_IFACE);
	A.bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (A.bus == NULL)
		return FALSE;
	A.agent_object = g_dbus_connection_register_object(A.bus, AGENT_PATH, info, &agent_vtable,
	                                                   NULL, NULL, error);
	if (A.agent_object == 0)
		return FALSE;
	A.subscriptions[0] = g_dbus_connection_signal_subscribe(
	        A.bus, BUS_NAME, "org.freedesktop.DBus.Properties", "PropertiesChanged", NULL, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, NULL, NULL);
	A.subscriptions[1] = g_dbus_connection_signal_subscribe(
	        A.bus, BUS_NAME, "org.freedesktop.DBus.ObjectManager", NULL, ROOT_PATH, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, NULL, NULL);
	A.subscriptions[2] = g_dbus_connection_signal_subscribe(
	        A.bus, BUS_NAME, MANAGER_IFACE, "MessageReceived", ROOT_PATH, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, NULL, NULL);
	A.name_watch =
	        g_bus_watch_name_on_connection(A.bus, BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       daemon_appeared, daemon_vanished, NULL, NULL);
	return TRUE;
}

/* ---- notifications ---- */

/* feedbackd's event (agent-feedback.c) when @waiting has a message the
 * notification of @old_key ("path path ") did not name: a replaced
 * notification gives no feedback of its own. */
static void
feedback_if_new(GPtrArray *waiting, const char *old_key)
{
	for (guint i = 0; i < waiting->len; i++) {
		Msg *m = g_ptr_array_index(waiting, i);
		g_autofree char *needle = g_strconcat(m->path, " ", NULL);

		if (old_key == NULL || strstr(old_key, needle) == NULL) {
			omacp_agent_feedback_new_message();
			return;
		}
	}
}

static void
update_notification(void)
{
	g_autoptr(GPtrArray) keys = sorted_keys(A.messages);
	g_autoptr(GPtrArray) waiting = g_ptr_array_new();
	g_autoptr(GString) key = g_string_new(NULL);
	g_autoptr(GNotification) n = NULL;
	g_autofree char *old_key = NULL;

	for (guint i = 0; i < keys->len; i++) {
		Msg *m = msg_lookup(g_ptr_array_index(keys, i));

		if (m->props != NULL && state_waits(msg_state(m)) && !m->dismissed) {
			g_ptr_array_add(waiting, m);
			g_string_append_printf(key, "%s ", m->path);
		}
	}
	if (g_strcmp0(key->str, A.notified_key ? A.notified_key : "") == 0)
		return;
	old_key = g_steal_pointer(&A.notified_key);
	A.notified_key = g_strdup(key->str);
	if (waiting->len == 0) {
		g_application_withdraw_notification(G_APPLICATION(A.app), NOTIFICATION_ID);
		g_message("notification withdrawn");
		return;
	}
	if (waiting->len == 1) {
		Msg *m = g_ptr_array_index(waiting, 0);
		g_autofree char *summary = msg_summary(m);
		const char *sec_title = NULL;
		const char *sec_detail = NULL;
		g_autofree char *body = NULL;
		g_autofree char *title = NULL;

		omacp_agent_security_text(prop_s(m->props, "Security"),
		                          prop_b(m->props, "Authenticated"), &sec_title,
		                          &sec_detail);
		/* short: a phone's lock screen shows the title alone */
		title = g_strdup_printf(_("Settings from %s"), msg_sender(m));
		body = g_strdup_printf("%s\n%s", summary, sec_title);
		n = g_notification_new(title);
		g_notification_set_body(n, body);
		g_notification_set_default_action_and_target(n, "app.review", "s", m->path);
		g_notification_add_button_with_target(n, _("Review"), "app.review", "s", m->path);
		g_notification_add_button_with_target(n, _("Dismiss"), "app.dismiss", "s", m->path);
	} else {
		g_autoptr(GString) body = g_string_new(NULL);
		g_autofree char *title = g_strdup_printf(
		        ngettext("%u configuration message waits for you",
		                 "%u configuration messages wait for you", waiting->len),
		        waiting->len);

		for (guint i = 0; i < waiting->len && i < NOTIFY_MAX_LINES; i++) {
			g_autofree char *summary = msg_summary(g_ptr_array_index(waiting, i));

			g_string_append_printf(body, "%s%s", i ? "\n" : "", summary);
		}
		n = g_notification_new(title);
		g_notification_set_body(n, body->str);
		g_notification_set_default_action(n, "app.list");
		g_notification_add_button(n, _("Review"), "app.list");
		g_notification_add_button_with_target(n, _("Dismiss"), "app.dismiss", "s", "");
	}
	g_notification_set_icon(n, g_themed_icon_new("network-cellular-symbolic"));
	g_notification_set_priority(n, G_NOTIFICATION_PRIORITY_HIGH);
	g_application_send_notification(G_APPLICATION(A.app), NOTIFICATION_ID, n);
	g_message("notification sent for %u message(s)", waiting->len);
	feedback_if_new(waiting, old_key);
}

/* ---- application actions ---- */

static void
action_review(GSimpleAction *action, GVariant *param, gpointer user_data)
{
	const char *path = g_variant_get_string(param, NULL);

	if (!g_variant_is_object_path(path) || !g_str_has_prefix(path, ROOT_PATH "/message/"))
		return;
	g_message("%s: review asked for (app.review)", path);
	show_review(path);
}

static void
action_list(GSimpleAction *action, GVariant *param, gpointer user_data)
{
	show_list();
	gtk_window_present(A.window);
}

static void
action_dismiss(GSimpleAction *action, GVariant *param, gpointer user_data)
{
	const char *path = g_variant_get_string(param, NULL);
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, A.messages);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Msg *m = value;

		if (path[0] != '\0' && g_strcmp0(m->path, path) != 0)
			continue;
		if (!state_waits(msg_state(m)))
			continue;
		m->dismissed = TRUE;
		decline_invocation(m, "omacp-agent: dismissed by the user");
		g_message("%s: dismissed", m->path);
	}
	update_notification();
}

/* ---- files opened with the agent (the provisioning MIME types) ---- */

static const char *
format_of(GFile *file, GBytes *bytes)
{
	g_autofree char *name = g_file_get_basename(file);
	gsize n = 0;
	const guint8 *d = g_bytes_get_data(bytes, &n);

	if (g_str_has_suffix(name, ".wbxml"))
		return "wbxml";
	if (g_str_has_suffix(name, ".xml"))
		return "xml";
	if (g_str_has_suffix(name, ".wsp") || g_str_has_suffix(name, ".push"))
		return "wsp";
	/* by content */
	for (gsize i = 0; i < n && i < 64; i++) {
		if (d[i] == '<')
			return "xml";
		if (!g_ascii_isspace(d[i]))
			break;
	}
	if (n >= 2 && d[1] == 0x06)
		return "wsp"; /* TID, then the PDU type Push */
	return "wbxml";
}

static void
delivered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree char *name = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	const char *path = NULL;

	if (reply == NULL) {
		g_autofree char *t = NULL;

		g_dbus_error_strip_remote_error(error);
		g_message("%s: not delivered: %s", name, error->message);
		t = g_strdup_printf(_("%s could not be opened: %s"), name, error->message);
		show_list();
		gtk_window_present(A.window);
		toast(t);
		return;
	}
	g_variant_get(reply, "(&o)", &path);
	g_message("%s: delivered as %s", name, path);
	show_review(path);
}

static void
file_loaded(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GFile *file = G_FILE(source);
	g_autoptr(GError) error = NULL;
	g_autofree char *name = g_file_get_basename(file);
	char *contents = NULL;
	gsize length = 0;
	g_autoptr(GBytes) bytes = NULL;
	const char *format;

	g_application_release(G_APPLICATION(A.app));
	if (!g_file_load_contents_finish(file, result, &contents, &length, NULL, &error)) {
		g_autofree char *t =
		        g_strdup_printf(_("%s could not be opened: %s"), name, error->message);

		g_message("%s: %s", name, error->message);
		show_list();
		gtk_window_present(A.window);
		toast(t);
		return;
	}
	if (A.bus == NULL) {
		g_free(contents);
		toast(_("The provisioning service is not running."));
		return;
	}
	bytes = g_bytes_new_take(contents, length);
	format = format_of(file, bytes);
	g_message("%s: delivering %zu octets as %s", name, length, format);
	g_dbus_connection_call(
	        A.bus, BUS_NAME, ROOT_PATH, MANAGER_IFACE, "Deliver",
	        g_variant_new("(@aysa{sv})",
	                      g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, bytes, TRUE),
	                      format, NULL),
	        G_VARIANT_TYPE("(o)"), CALL_FLAGS, CALL_TIMEOUT_MS, NULL, delivered,
	        g_steal_pointer(&name));
}

static void
app_open(GApplication *app, GFile **files, int n_files, const char *hint, gpointer user_data)
{
	for (int i = 0; i < n_files; i++) {
		g_application_hold(app);
		g_file_load_contents_async(files[i], NULL, file_loaded, NULL);
	}
}

static void
app_activate(GApplication *app, gpointer user_data)
{
	if (A.shown == NULL)
		show_list();
	gtk_window_present(A.window);
}

static void
app_startup(GApplication *app, gpointer user_data)
{
	static const GActionEntry actions[] = {
		{ "review", action_review, "s", NULL, NULL, { 0 } },
		{ "dismiss", action_dismiss, "s", NULL, NULL, { 0 } },
		{ "list", action_list, NULL, NULL, NULL, { 0 } },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GtkCssProvider) css = gtk_css_provider_new();

	omacp_agent_feedback_init(APP_ID);

	g_action_map_add_action_entries(G_ACTION_MAP(app), actions, G_N_ELEMENTS(actions), NULL);
	gtk_css_provider_load_from_resource(css, "/org/omacp/Agent/style.css");
	gtk_style_context_add_provider_for_display(gdk_display_get_default(),
	                                           GTK_STYLE_PROVIDER(css),
	                                           GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	A.messages =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) msg_free);
	A.profiles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                   (GDestroyNotify) g_variant_unref);
	if (!start_bus(&error)) {
		g_warning("cannot reach omacpd on the system bus: %s", error->message);
		return;
	}
	/* the agent lives as long as the session, windows or not */
	g_application_hold(app);
}

static void
app_shutdown(GApplication *app, gpointer user_data)
{
	if (A.bus != NULL) {
		if (A.registered)
			g_dbus_connection_call_sync(A.bus, BUS_NAME, ROOT_PATH, MANAGER_IFACE,
			                            "UnregisterAgent",
			                            g_variant_new("(o)", AGENT_PATH), NULL,
			                            G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
		for (guint i = 0; i < G_N_ELEMENTS(A.subscriptions); i++)
			if (A.subscriptions[i] != 0)
				g_dbus_connection_signal_unsubscribe(A.bus, A.subscriptions[i]);
		if (A.name_watch != 0)
			g_bus_unwatch_name(A.name_watch);
		if (A.agent_object != 0)
			g_dbus_connection_unregister_object(A.bus, A.agent_object);
	}
	g_clear_pointer(&A.messages, g_hash_table_unref);
	g_clear_pointer(&A.profiles, g_hash_table_unref);
	g_clear_pointer(&A.agent_info, g_dbus_node_info_unref);
	g_clear_object(&A.bus);
	g_clear_pointer(&A.notified_key, g_free);
	g_clear_pointer(&A.daemon_owner, g_free);
	g_clear_pointer(&A.status_text, g_free);
	omacp_agent_feedback_shutdown();
}

int
main(int argc, char **argv)
{
	const char *localedir = g_getenv("OMACP_LOCALEDIR");
	g_autoptr(AdwApplication) app = NULL;

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	g_set_application_name(_("Configuration Messages"));
	app = adw_application_new(APP_ID, G_APPLICATION_HANDLES_OPEN);
	A.app = app;
	g_signal_connect(app, "startup", G_CALLBACK(app_startup), NULL);
	g_signal_connect(app, "shutdown", G_CALLBACK(app_shutdown), NULL);
	g_signal_connect(app, "activate", G_CALLBACK(app_activate), NULL);
	g_signal_connect(app, "open", G_CALLBACK(app_open), NULL);
	return g_application_run(G_APPLICATION(app), argc, argv);
}
