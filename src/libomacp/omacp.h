/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * omacp.h: the one header of libomacp, the pure core (bytes in, typed result
 * or GError out; no main loop, no D-Bus, no file or environment access).
 * Code outside src/libomacp/ includes this header only.
 */
#pragma once

#include "omacp-error.h"
#include "sms.h"
#include "reassembly.h"
#include "wsp.h"
#include "auth.h"
#include "wbxml.h"
#include "provdoc.h"
#include "profiles.h"
#include "pipeline.h"
#include "encoder.h"
#include "templates.h"
#include "mask.h"
