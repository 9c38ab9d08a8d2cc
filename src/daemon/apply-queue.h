/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Carrying out accepted messages on the backends: one apply per profile at
 * a time (a message whose profiles another apply holds waits in a queue, in
 * the order it was accepted), the profiles applied on backends that
 * appeared after them (catch-up), Undo of a message and Remove of a
 * profile, and the oFono plugin's provisioning file after each.
 *
 * It listens: a message that becomes accepted (its "state-changed") is
 * applied, with the call that waits for it; "undo-requested" and a
 * profile's "remove-requested" start an undo or a removal; the applier's
 * ready callback starts what waited for a backend. */

#include "apply.h"
#include "objects.h"
#include "router.h"

G_BEGIN_DECLS

typedef struct _OmacpApplyQueue OmacpApplyQueue;

/* Listens to @objects' messages and profiles; @applier (not owned, may be
 * NULL: nothing is applied) and @objects outlive it. */
OmacpApplyQueue *omacp_apply_queue_new(OmacpObjects *objects, OmacpApplier *applier);
void omacp_apply_queue_free(OmacpApplyQueue *self);
/* What Activate= in omacpd.conf says (default OMACP_ACTIVATE_ASK). */
void omacp_apply_queue_set_activate(OmacpApplyQueue *self, OmacpActivate activate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpApplyQueue, omacp_apply_queue_free)

/* The adapters that know the SIMs' networks, without which the oFono
 * plugin's file is not written (not owned, may be NULL). */
void omacp_apply_queue_set_adapters(OmacpApplyQueue *self, OmacpAdapters *adapters);

/* Starts every message that is accepted now (after a restart), in order. */
void omacp_apply_queue_resume(OmacpApplyQueue *self);

/* Sets the Changes of @msg: what applying its document would change. */
void omacp_apply_queue_update_changes(OmacpApplyQueue *self, OmacpDaemonMessage *msg);

G_END_DECLS
