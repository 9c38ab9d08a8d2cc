/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-agent: the usual event feedback (sound, vibration, LED) through
 * feedbackd when a new message waits, as a new SMS would give. Built with
 * libfeedback (-Dfeedback), else these do nothing (agent-feedback-none.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The feedbackd event for a new configuration message: it arrived as an
 * SMS, and feedback themes know this event (Event naming spec). */
#define OMACP_AGENT_FEEDBACK_EVENT "message-new-sms"

void omacp_agent_feedback_init(const char *app_id);
/* A new message waits and was notified. */
void omacp_agent_feedback_new_message(void);
void omacp_agent_feedback_shutdown(void);

G_END_DECLS
