#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemon's side of the MMS hand-off (dbus/README.md) against scripted
agents, for what a real agent and mmsd-tng do not do on demand: an agent
that never reports (the request times out after [Agent] Timeout and the
profile waits for the next agent), one that leaves before reporting, one
that reports a failure (the message fails with its words), a report for
another agent's request, and the capabilities and what omacpd grants.

Run with --agent MODE ADDRESS it is itself the scripted agent: it
registers with the "mms" capability, prints every call as a line on stdout
and answers ApplyMms as MODE says: "silent" (never reports), "leave" (exits
without reporting), "fail" (reports applied=false), "ok" (reports applied
with the values it holds before, mmsd-tng's unset values at first),
"huge" (as "ok", but the first report carries a value one octet over the
cap and is refused)."""

import subprocess
import sys
import time
import unittest

import dbus

from omacptest.daemon import (ERR, MANAGER, Daemon, Lines, dbus_error_name, mac, main, push,
                              stop_child)

IMSI = '262015550002222'
SENDER = '+4930999'
UNSET = {'CarrierMMSC': 'http://mms.invalid', 'MMS_APN': 'apn.invalid',
         'CarrierMMSProxy': 'NULL', 'AutoProcessSMSWAP': True}
MMS = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="MMS-%s"/>
    <parm name="NAME" value="MMS %s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="mms.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/>
    <parm name="TO-NAPID" value="MMS-%s"/>
    <parm name="ADDR" value="http://mmsc.%s.example/"/>
  </characteristic>
</wap-provisioningdoc>
"""


def nth_line(lines, needle, n, timeout=10):
    """The @n-th line (from 1) of @lines with @needle, waiting for it."""
    deadline = time.time() + timeout
    while True:
        found = [line for line in lines.seen if needle in line]
        if len(found) >= n:
            return found[n - 1]
        if time.time() > deadline:
            raise AssertionError('no %d lines with %r; got:\n%s' % (n, needle,
                                                                    '\n'.join(lines.seen)))
        try:
            lines.wait_for('\0', timeout=0.1)  # reads what came meanwhile
        except AssertionError:
            pass


def wait_error(d, path, needle, timeout=10):
    deadline = time.time() + timeout
    error = ''
    while time.time() < deadline:
        error = d.props(path)['Error']
        if needle in error:
            return error
        time.sleep(0.05)
    raise AssertionError('%s: Error %r has no %r' % (path, error, needle))


def scripted_agent(mode, address):
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    loop = GLib.MainLoop()
    manager = bus.get_object('org.omacp.Provisioning1', '/org/omacp/Provisioning1',
                             introspect=False)

    class Agent(dbus.service.Object):
        @dbus.service.method('org.omacp.Provisioning1.Agent', in_signature='sa{sv}a{sv}',
                             out_signature='')
        def ApplyMms(self, request, settings, context):
            print('ApplyMms %s %s %s' % (request, context.get('operation'),
                                         ','.join(sorted('%s=%s' % kv
                                                         for kv in settings.items()))),
                  flush=True)
            if mode == 'leave':
                GLib.idle_add(loop.quit)
            elif mode == 'huge' and context.get('operation') == 'read':
                GLib.idle_add(report_huge, request)
            elif mode in ('ok', 'fail', 'huge'):
                GLib.idle_add(report, request, mode != 'fail', dict(held))
                if mode != 'fail':
                    held.update(settings)  # what mmsd-tng holds now

        @dbus.service.method('org.omacp.Provisioning1.Agent', in_signature='', out_signature='')
        def Release(self):
            pass

    held = dict(UNSET)  # mmsd-tng's settings, as this agent pretends

    def report(request, ok, before):
        previous = dbus.Dictionary(before if ok else {}, signature='sv')
        manager.ReportMms(request, ok, '' if ok else 'mmsd-tng is not running', previous,
                          dbus_interface=MANAGER)
        print('reported', request, flush=True)
        return False

    def report_huge(request):
        # one octet over OMACP_MMS_HANDOFF_MAX_VALUE_LEN (2048), then exactly it
        for size in (2049, 2048):
            before = dict(held, CarrierMMSC='http://' + 'x' * (size - 7))
            try:
                manager.ReportMms(request, True, '', dbus.Dictionary(before, signature='sv'),
                                  dbus_interface=MANAGER)
                print('reported', size, flush=True)
            except dbus.DBusException as e:
                print('refused', size, e.get_dbus_name(), flush=True)
        return False

    Agent(bus, '/org/omacp/TestAgent')
    granted = manager.RegisterAgentWithOptions(
        dbus.ObjectPath('/org/omacp/TestAgent'),
        dbus.Dictionary({'capabilities': dbus.Array(['mms', 'mms-push'], signature='s')},
                        signature='sv'),
        dbus_interface=MANAGER)
    print('registered mms-push=%s' % bool(granted.get('mms-push')), flush=True)
    loop.run()


class MmsHandoff(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(dropins={'50-mms.conf': '[Backends]\nmmsd=true\n[Agent]\nTimeout=2\n'})
        self.addCleanup(self.d.close)

    def agent(self, mode):
        proc = subprocess.Popen([sys.executable, __file__, '--agent', mode, self.d.address],
                                stdout=subprocess.PIPE, text=True, env=self.d.env)
        self.addCleanup(stop_child, proc)
        lines = Lines(proc)
        lines.wait_for('registered')
        return proc, lines

    def accept(self, tag):
        body = MMS.replace(b'%s', tag.encode())
        path = self.d.deliver(push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True),
                              'wsp', imsi=IMSI, sender=SENDER)
        self.d.call(path, 'Accept', '')
        return path

    def test_waits_for_an_agent_with_the_capability(self):
        path = self.accept('wait')
        self.assertEqual(self.d.state_of(path), 'accepted')
        self.assertIn('waiting for mmsd', self.d.props(path)['Error'])
        proc, lines = self.agent('ok')
        self.assertIn('registered mms-push=False', lines.seen[0])  # no MM adapter here
        read = nth_line(lines, 'ApplyMms ', 1)
        self.assertIn(' read ', read)
        write = nth_line(lines, 'ApplyMms ', 2)
        self.assertIn(' write CarrierMMSC=http://mmsc.wait.example/', write)
        self.assertIn('MMS_APN=mms.wait.example', write)
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed')), 'applied')
        # the values before, from the report, are what Undo writes back
        self.d.call(path, 'Undo')
        self.assertIn(' read', nth_line(lines, 'ApplyMms ', 3))
        undo = nth_line(lines, 'ApplyMms ', 4)
        self.assertIn('CarrierMMSC=http://mms.invalid', undo)
        self.assertIn('MMS_APN=apn.invalid', undo)
        self.assertEqual(self.d.wait_state(path, ('undone', 'failed')), 'undone')

    def test_an_agent_that_never_reports(self):
        proc, lines = self.agent('silent')
        path = self.accept('silent')
        request = lines.wait_for('ApplyMms ').split()[1]
        # after [Agent] Timeout (2 s) the profile waits for the next agent
        wait_error(self.d, path, 'waiting for a backend to apply mms:')
        self.assertEqual(self.d.state_of(path), 'accepted')
        self.assertIn('did not report', self.d.read_log())
        self.assertEqual(len([line for line in lines.seen if 'ApplyMms' in line]), 1)
        # a report after the time is refused
        with self.assertRaises(dbus.DBusException) as cm:
            self.d.obj().ReportMms(request, True, '', dbus.Dictionary({}, signature='sv'),
                                   dbus_interface=MANAGER)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'NotFound')

    def test_an_agent_that_leaves_then_another_one(self):
        proc, lines = self.agent('leave')
        path = self.accept('leave')
        lines.wait_for('ApplyMms ')
        proc.wait(10)
        wait_error(self.d, path, 'waiting for a backend to apply mms:')
        self.assertEqual(self.d.state_of(path), 'accepted')
        self.assertIn('left before it reported', self.d.read_log())
        proc2, lines2 = self.agent('ok')
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed'), 10), 'applied')
        profile = [p for p in self.d.props(path)['Profiles']
                   if self.d.props(p)['Kind'] == 'mms'][0]
        self.assertEqual([t[0] for t in self.d.props(profile)['Targets']], ['mmsd'])

    def test_a_failure_report_fails_the_message(self):
        proc, lines = self.agent('fail')
        with self.assertRaises(dbus.DBusException) as cm:
            self.accept('fail')
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'Backend')
        path = self.d.messages()[-1]
        self.assertEqual(self.d.wait_state(path, ('failed', 'applied'), 10), 'failed')
        self.assertIn('mmsd-tng is not running', self.d.props(path)['Error'])

    def test_report_values_are_capped(self):
        proc, lines = self.agent('huge')
        path = self.accept('huge')
        self.assertIn(ERR + 'InvalidArgs', lines.wait_for('refused 2049'))
        lines.wait_for('reported 2048')
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed'), 10), 'applied')

    def test_other_profiles_go_first_mms_follows(self):
        body = MMS.replace(b'%s', b'mixed').replace(
            b'<characteristic type="APPLICATION">',
            b'<characteristic type="NAPDEF"><parm name="NAPID" value="NET"/>'
            b'<parm name="NAME" value="Net"/><parm name="BEARER" value="GSM-GPRS"/>'
            b'<parm name="NAP-ADDRESS" value="net.mixed.example"/>'
            b'<parm name="NAP-ADDRTYPE" value="APN"/><parm name="INTERNET"/>'
            b'</characteristic><characteristic type="APPLICATION">')
        path = self.d.deliver(push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True),
                              'wsp', imsi=IMSI, sender=SENDER)
        self.d.call(path, 'Accept', '')
        # no backend for internet here: nothing to wait for; MMS waits
        self.assertEqual(self.d.state_of(path), 'applied')
        kinds = {self.d.props(p)['Kind']: p for p in self.d.props(path)['Profiles']}
        self.assertEqual(set(kinds), {'internet', 'mms'})
        self.assertEqual(self.d.props(kinds['mms'])['Targets'], [])
        proc, lines = self.agent('ok')
        deadline = time.time() + 10
        while time.time() < deadline and not self.d.props(kinds['mms'])['Targets']:
            time.sleep(0.05)
        self.assertEqual([t[0] for t in self.d.props(kinds['mms'])['Targets']], ['mmsd'])
        self.assertIn('CarrierMMSC=http://mmsc.mixed.example/', nth_line(lines, 'ApplyMms ', 2))

    def test_report_of_another_agents_request(self):
        proc, lines = self.agent('silent')
        self.accept('other')
        request = lines.wait_for('ApplyMms ').split()[1]
        with self.assertRaises(dbus.DBusException) as cm:
            self.d.obj().ReportMms(request, True, '', dbus.Dictionary({}, signature='sv'),
                                   dbus_interface=MANAGER)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'NotFound')


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--agent':
        scripted_agent(sys.argv[2], sys.argv[3])
        sys.exit(0)
    main()
