/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built without libfeedback (-Dfeedback=disabled, or libfeedback-dev
 * missing): no event feedback. */
#include "agent-feedback.h"

void
omacp_agent_feedback_init(const char *app_id)
{
}

void
omacp_agent_feedback_new_message(void)
{
}

void
omacp_agent_feedback_shutdown(void)
{
}
