/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "agent-feedback.h"

/* libfeedback 0.0.x says its API may still change */
#define LIBFEEDBACK_USE_UNSTABLE_API
#include <libfeedback.h>

void
omacp_agent_feedback_init(const char *app_id)
{
	g_autoptr(GError) error = NULL;

	/* feedbackd is D-Bus activated on the session bus; without it the
	 * events fail quietly */
	if (!lfb_init(app_id, &error))
		g_message("feedbackd: %s", error->message);
}

static void
triggered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	if (lfb_event_trigger_feedback_finish(LFB_EVENT(source), result, &error))
		g_message("feedbackd: %s triggered", OMACP_AGENT_FEEDBACK_EVENT);
	else
		g_message("feedbackd: %s not triggered: %s", OMACP_AGENT_FEEDBACK_EVENT,
		          error->message);
}

void
omacp_agent_feedback_new_message(void)
{
	g_autoptr(LfbEvent) event = NULL;

	if (!lfb_is_initted())
		return;
	event = lfb_event_new(OMACP_AGENT_FEEDBACK_EVENT);
	lfb_event_trigger_feedback_async(event, NULL, triggered, NULL);
}

void
omacp_agent_feedback_shutdown(void)
{
	if (lfb_is_initted())
		lfb_uninit();
}
