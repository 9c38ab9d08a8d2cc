#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Agents: omacpctl agent answering PINs and confirmations (also for messages
that waited before it registered), a wrong PIN asked again until the
attempts are gone, a refusal, an agent that never answers (timeout, Cancel,
the message keeps waiting), registration errors, Release on shutdown.

Run with --silent-agent ADDRESS it is itself the agent that never answers."""

import os
import subprocess
import sys
import time
import unittest

import dbus

from omacptest import provdoc
from omacptest.daemon import (BUS_NAME, ERR, MANAGER, ROOT, Daemon, Lines, dbus_error_name,
                        hex_lines, mac, main, push, stop_child, vector)

IMSI = '262015550001111'


def doc(tag):
    return provdoc.tagged('Agent', tag, 'agent')


def silent_agent(address):
    """Registers an agent that records every call on stdout and never answers
    RequestPin/RequestConfirmation."""
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    loop = GLib.MainLoop()
    pending = []

    class Agent(dbus.service.Object):
        @dbus.service.method('org.omacp.Provisioning1.Agent', in_signature='o',
                             out_signature='s', async_callbacks=('ok', 'err'))
        def RequestPin(self, message, ok, err):
            print('RequestPin', message, flush=True)
            pending.append((ok, err))

        @dbus.service.method('org.omacp.Provisioning1.Agent', in_signature='o',
                             out_signature='b', async_callbacks=('ok', 'err'))
        def RequestConfirmation(self, message, ok, err):
            print('RequestConfirmation', message, flush=True)
            pending.append((ok, err))

        @dbus.service.method('org.omacp.Provisioning1.Agent', in_signature='o')
        def Cancel(self, message):
            print('Cancel', message, flush=True)

        @dbus.service.method('org.omacp.Provisioning1.Agent')
        def Release(self):
            print('Release', flush=True)
            GLib.idle_add(loop.quit)

    Agent(bus, '/test/agent')
    bus.get_object(BUS_NAME, ROOT).RegisterAgent(dbus.ObjectPath('/test/agent'),
                                                 dbus_interface=MANAGER)
    print('registered', flush=True)
    GLib.timeout_add_seconds(60, loop.quit)
    loop.run()


class Agents(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(dropins={'50-agent.conf': '[Agent]\nTimeout=2\n'})
        self.children = []

    def tearDown(self):
        for child in self.children:
            stop_child(child)
        self.d.close()

    def agent(self, *args):
        proc = self.d.ctl_popen('agent', *args)
        self.children.append(proc)
        lines = Lines(proc)
        lines.wait_for('Agent registered')
        return proc, lines

    def test_cli_agent_answers_pin_and_confirmation(self):
        d = self.d
        # waits without an agent
        early = [d.deliver(s, 'ud', imsi=IMSI) for s in
                 hex_lines(vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))][0]
        time.sleep(0.3)
        self.assertEqual(d.state_of(early), 'pending-pin')

        proc, lines = self.agent('--pin', '1111', '--confirm', 'yes')
        # offered to the agent as soon as it registers
        d.wait_state(early, 'applied')
        lines.wait_for('asks for the PIN of message/')
        lines.wait_for('m-wap')                     # the change list is shown
        lines.wait_for('Security:')
        self.assertTrue(d.props(early)['Authenticated'])

        conf = d.deliver(push(doc('c'), 'netwpin', mac('netwpin', doc('c'), imsi=IMSI),
                              xml=True), 'wsp', imsi=IMSI, sender='+4930001')
        d.wait_state(conf, 'applied')
        lines.wait_for('asks whether to apply ' + conf.split('/Provisioning1/')[1])
        lines.wait_for('+4930001')
        lines.wait_for('26201********11')          # the SIM, masked
        self.assertNotIn(IMSI, '\n'.join(lines.seen))

    def test_cli_agent_refuses(self):
        proc, lines = self.agent('--confirm', 'no')
        conf = self.d.deliver(push(doc('n'), 'netwpin', mac('netwpin', doc('n'), imsi=IMSI),
                                   xml=True), 'wsp', imsi=IMSI)
        self.d.wait_state(conf, 'rejected')
        self.assertIn('user', self.d.props(conf)['Error'])

    def test_wrong_pin_from_agent_until_rejected(self):
        proc, lines = self.agent('--pin', '9999')
        m = [self.d.deliver(s, 'ud', imsi=IMSI) for s in
             hex_lines(vector('07-vn-viettel-gprs-userpin1111.ud.hex'))][0]
        self.d.wait_state(m, 'rejected')
        self.assertEqual(self.d.props(m)['PinAttemptsLeft'], 0)
        # asked again after each wrong PIN, three times in all
        self.assertEqual(self.d.read_log().count('wrong PIN, '), 3)

    def test_agent_once_exits(self):
        proc, lines = self.agent('--pin', '1111', '--once')
        # a test-network SIM: no "APN unknown" risk, so the PIN alone applies
        # it (a risk would need a second request)
        m = [self.d.deliver(s, 'ud', imsi='001017770001234') for s in
             hex_lines(vector('06-vn-vinaphone-gprs-userpin1111.ud.hex'))][0]
        self.d.wait_state(m, 'applied')
        self.assertEqual(proc.wait(10), 0)

    def test_silent_agent_times_out_and_message_waits(self):
        proc = subprocess.Popen([sys.executable, __file__, '--silent-agent', self.d.address],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.d.env)
        self.children.append(proc)
        lines = Lines(proc)
        lines.wait_for('registered')
        m = [self.d.deliver(s, 'ud', imsi=IMSI) for s in
             hex_lines(vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))][0]
        lines.wait_for('RequestPin ' + m)
        t0 = time.time()
        lines.wait_for('Cancel ' + m, timeout=10)
        self.assertGreater(time.time() - t0, 1.0)
        p = self.d.props(m)
        self.assertEqual(p['State'], 'pending-pin')
        self.assertEqual(p['PinAttemptsLeft'], 3)
        # the user can still answer directly
        self.d.call(m, 'Accept', '1111')
        # a risky APN: the right PIN leads to a confirmation
        self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        self.d.call(m, 'Accept', '')
        self.assertEqual(self.d.state_of(m), 'applied')
        # the agent is released when omacpd stops
        self.d.stop()
        lines.wait_for('Release')
        self.d.start()

    def test_answer_elsewhere_cancels_the_agent_prompt(self):
        proc = subprocess.Popen([sys.executable, __file__, '--silent-agent', self.d.address],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.d.env)
        self.children.append(proc)
        lines = Lines(proc)
        lines.wait_for('registered')
        conf = self.d.deliver(push(doc('e'), 'netwpin', mac('netwpin', doc('e'), imsi=IMSI),
                                   xml=True), 'wsp', imsi=IMSI)
        lines.wait_for('RequestConfirmation ' + conf)
        self.d.call(conf, 'Reject')
        lines.wait_for('Cancel ' + conf)
        self.assertEqual(self.d.state_of(conf), 'rejected')

    def test_registration_errors(self):
        mgr = self.d.obj()
        mgr.RegisterAgent(dbus.ObjectPath('/x/agent'), dbus_interface=MANAGER)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            mgr.RegisterAgent(dbus.ObjectPath('/x/agent'), dbus_interface=MANAGER)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'InvalidArgs')
        mgr.UnregisterAgent(dbus.ObjectPath('/x/agent'), dbus_interface=MANAGER)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            mgr.UnregisterAgent(dbus.ObjectPath('/x/agent'), dbus_interface=MANAGER)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'NotFound')

    def test_agent_that_leaves_is_forgotten(self):
        proc, lines = self.agent('--pin', '1111')
        stop_child(proc)
        m = [self.d.deliver(s, 'ud', imsi=IMSI) for s in
             hex_lines(vector('06-vn-vinaphone-gprs-userpin1111.ud.hex'))][0]
        time.sleep(0.5)
        self.assertEqual(self.d.state_of(m), 'pending-pin')
        self.assertIn('unregistered', self.d.read_log())


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--silent-agent':
        silent_agent(sys.argv[2])
    else:
        main()
