/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The Manager skeleton with its Statistics property read live: a Get (or
 * GetAll, GetManagedObjects) reads the counters as they are now, while
 * PropertiesChanged for it is coalesced: the first change after a quiet
 * second at once, later ones with one one-shot timeout; nothing is
 * scheduled while nothing changes (no idle wakeups). */

#include "omacp-dbus-generated.h"
#include "omacp-dbus-names.h"

G_BEGIN_DECLS

/* The live value of the Statistics property (a{st}, may be floating). */
typedef GVariant *(*OmacpStatisticsReadFunc)(gpointer data);

/* A new Manager skeleton whose Statistics property is @read(@data). */
OmacpDBusManager *omacp_statistics_skeleton_new(OmacpStatisticsReadFunc read, gpointer data);

/* The counters may have changed: PropertiesChanged now when the last one
 * is a second old, else when it will be (when the value differs). */
void omacp_statistics_skeleton_changed(OmacpDBusManager *skeleton);

/* Stops reading @read's counters (their owner goes away first) and drops
 * a planned PropertiesChanged. */
void omacp_statistics_skeleton_detach(OmacpDBusManager *skeleton);

G_END_DECLS
