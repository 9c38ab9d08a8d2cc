# SPDX-License-Identifier: GPL-2.0-or-later
"""The integration tests' harness, written once and imported by every test
(tests/integration/meson.build puts tests/integration and
tests/integration/fakemodem on PYTHONPATH):

  conf      omacpd.conf for a test (which backends and adapters, limits)
  bus       a private dbus-daemon (session or system type, open or strict)
  daemon    a private bus and an omacpd on it, pushes signed from the spec,
            the unittest TAP runner (daemon, acl, hardening tests)
  harness   a private system bus and process bookkeeping for the modem
            stacks, JSON-lines readers, TAP checks (mm, ofono, e2e tests)
  pdu       SMS PDUs for the fake modem
  provdoc   provisioning documents: characteristics, parms, the internet
            access point most tests send
  e2e       the whole chain in one private world (e2e tests)
  polkitworld  the acl tests' world (private system bus, real polkitd) in a
            private mount namespace, for the agent's polkit and owner tests
"""
