# SPDX-License-Identifier: GPL-2.0-or-later
"""omacpd.conf for the tests, written in one place."""

BACKENDS = ("NetworkManager", "oFono", "mmsd")
ADAPTERS = ("oFono", "ModemManager")


def omacpd_conf(backends=(), adapters=(), push_dir=None, trusted=None, max_stored=1000):
    """omacpd.conf text: the named backends and modem adapters on, the others
    off; no rate limits; @max_stored stored messages at most (None: the
    daemon's default); @trusted senders apply NETWPIN at once; @push_dir the
    push.d directory of the router."""
    lines = []
    if trusted:
        lines += ["[Policy]", "TrustedSenders=" + trusted, "NetwpinTrustedAction=apply"]
    lines += ["[Backends]"]
    lines += ["%s=%s" % (b, "true" if b in backends else "false") for b in BACKENDS]
    lines += ["[Adapters]"]
    lines += ["%s=%s" % (a, "true" if a in adapters else "false") for a in ADAPTERS]
    if push_dir:
        lines.append("PushForwardDir=" + push_dir)
    lines += ["[Limits]", "MaxMessagesPerSenderPerHour=0", "MaxMessagesPerModemPerHour=0"]
    if max_stored is not None:
        lines.append("MaxStoredMessages=%d" % max_stored)
    return "\n".join(lines) + "\n"
