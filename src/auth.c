/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder until the module lands */
#include <glib.h>
