#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Denial of service against the operator's real messages,
each against an omacpd on a private bus:

  * an unsigned or wrongly signed copy of a document, sent first, never
    stands for the signed original (the replay fingerprint covers the SEC
    method and the MAC);
  * a flood of unauthenticated messages that wait for a user never fills
    the store against an authenticated one: they are evicted first, and
    expire after UnauthenticatedExpiry;
  * the hourly rate limits count unauthenticated and authenticated messages
    apart, for single and multi-part messages."""

import time
import unittest

import dbus

from omacptest import provdoc
from omacptest.daemon import ERR, Daemon, dbus_error_name, mac, main, push
import catalogue

IMSI = '001017770001234'  # test network: no MBPI entry, so no APN risk
PIN = '8642'


def doc(tag):
    return provdoc.tagged('Operator', tag, 'operator')


def netwpin(body):
    """The operator's message: signed with the SIM's IMSI."""
    return push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True)


def userpin(body, pin=PIN):
    return push(body, 'userpin', mac('userpin', body, pin=pin), xml=True)


def unsigned(body):
    return push(body, xml=True)


def parts(datagram, ref):
    """SMS user data segments of at most about 120 octets of payload."""
    return catalogue.segmented(datagram, (len(datagram) + 119) // 120, ref)


def deliver_parts(d, segs, **opts):
    """All segments; the message's path (the same for every one)."""
    paths = {d.deliver(s, 'ud', **opts) for s in segs}
    assert len(paths) == 1, paths
    return paths.pop()


class Fingerprint(unittest.TestCase):

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.close)

    def test_unsigned_copy_does_not_preempt_the_signed_original(self):
        d = self.d
        body = doc('pre-empted')
        forged = d.deliver(unsigned(body), imsi=IMSI, sender='Operator')
        self.assertEqual(d.state_of(forged), 'quarantined')
        real = d.deliver(netwpin(body), imsi=IMSI, sender='Operator')
        self.assertNotEqual(real, forged, 'the signed original was swallowed by its copy')
        p = d.props(real)
        self.assertEqual(p['State'], 'pending-confirmation')
        self.assertIs(p['Authenticated'], True)
        self.assertEqual(p['Security'], 'netwpin')
        # the real one is accepted and applied; the copy stays as it was
        d.call(real, 'Accept', '')
        d.wait_state(real, 'applied')
        self.assertEqual(d.state_of(forged), 'quarantined')
        # a second signed copy is a replay of the applied one
        again = d.deliver(netwpin(body), imsi=IMSI, sender='Operator')
        self.assertEqual(again, real)

    def test_wrong_mac_copy_does_not_break_the_right_pin(self):
        d = self.d
        body = doc('wrong-mac')
        forged = d.deliver(userpin(body, pin='0000'), imsi=IMSI, sender='Operator')
        self.assertEqual(d.state_of(forged), 'pending-pin')
        real = d.deliver(userpin(body), imsi=IMSI, sender='Operator')
        self.assertNotEqual(real, forged, 'the right copy was swallowed by the wrong-MAC one')
        self.assertEqual(d.state_of(real), 'pending-pin')
        d.call(real, 'Accept', PIN)
        d.wait_state(real, 'applied')
        self.assertEqual(d.state_of(forged), 'pending-pin')

    def test_same_copy_is_still_one_message(self):
        d = self.d
        body = doc('twice')
        first = d.deliver(unsigned(body), imsi=IMSI)
        self.assertEqual(d.deliver(unsigned(body), imsi=IMSI), first)
        signed = d.deliver(netwpin(body), imsi=IMSI)
        self.assertEqual(d.deliver(netwpin(body), imsi=IMSI), signed)
        self.assertEqual(len(d.messages()), 2)


class Store(unittest.TestCase):

    def test_flood_of_pending_messages_evicts_unauthenticated_first(self):
        d = Daemon(dropins={'10-store.conf': '[Limits]\nMaxStoredMessages=10\n'})
        self.addCleanup(d.close)
        real = d.deliver(netwpin(doc('real')), imsi=IMSI, sender='+4930000')
        self.assertEqual(d.state_of(real), 'pending-confirmation')
        # 30 messages that anyone can make, each waiting for a PIN
        forged = [d.deliver(userpin(doc('forged-%d' % i), pin='1234'), imsi=IMSI,
                            sender='+4966%03d' % i) for i in range(30)]
        self.assertTrue(all(d.state_of(p) == 'pending-pin' for p in forged[-9:]))
        paths = set(d.messages())
        self.assertEqual(len(paths), 10)
        self.assertIn(real, paths)
        # the oldest forged ones went first
        self.assertEqual(paths - {real}, set(forged[-9:]))
        # the operator's next message still gets in, and the first still applies
        second = d.deliver(netwpin(doc('real-2')), imsi=IMSI, sender='+4930000')
        self.assertEqual(d.state_of(second), 'pending-confirmation')
        self.assertIn(real, d.messages())
        d.call(real, 'Accept', '')
        d.wait_state(real, 'applied')
        self.assertIn('store full: dropping message/', d.read_log())

    def test_store_full_of_authenticated_messages_refuses(self):
        d = Daemon(dropins={'10-store.conf': '[Limits]\nMaxStoredMessages=3\n'})
        self.addCleanup(d.close)
        for i in range(3):
            d.deliver(netwpin(doc('auth-%d' % i)), imsi=IMSI)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            d.deliver(unsigned(doc('late')), imsi=IMSI)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'TooLarge')
        self.assertEqual(len(d.messages()), 3)

    def test_unauthenticated_pending_messages_expire(self):
        d = Daemon(dropins={'10-expiry.conf': '[Limits]\nUnauthenticatedExpiry=2\n'})
        self.addCleanup(d.close)
        quarantined = d.deliver(unsigned(doc('q')), imsi=IMSI)
        pin = d.deliver(userpin(doc('p')), imsi=IMSI)
        real = d.deliver(netwpin(doc('r')), imsi=IMSI)
        self.assertEqual([d.state_of(p) for p in (quarantined, pin, real)],
                         ['quarantined', 'pending-pin', 'pending-confirmation'])
        d.wait_state(quarantined, 'rejected', timeout=10)
        d.wait_state(pin, 'rejected', timeout=10)
        for path in (quarantined, pin):
            self.assertIn('expired', d.props(path)['Error'])
        time.sleep(1)
        self.assertEqual(d.state_of(real), 'pending-confirmation')


class Rates(unittest.TestCase):

    def setUp(self):
        self.d = Daemon(dropins={'10-rate.conf': '[Limits]\nMaxMessagesPerSenderPerHour=3\n'
                                                 'MaxMessagesPerModemPerHour=5\n'})
        self.addCleanup(self.d.close)

    def limited(self, data, fmt='wsp', **opts):
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.d.deliver(data, fmt, **opts)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'RateLimited')
        return str(cm.exception.get_dbus_message())

    def test_forged_messages_do_not_use_up_the_modem_limit(self):
        d = self.d
        for i in range(5):
            d.deliver(unsigned(doc('forged-%d' % i)), imsi=IMSI, sender='+4977%03d' % i,
                      modem='/modem/A')
        text = self.limited(unsigned(doc('forged-5')), imsi=IMSI, sender='+4977999',
                            modem='/modem/A')
        self.assertIn('MaxMessagesPerModemPerHour', text)
        # the operator's signed message on the same modem is taken
        real = d.deliver(netwpin(doc('real')), imsi=IMSI, sender='+4930000', modem='/modem/A')
        self.assertEqual(d.state_of(real), 'pending-confirmation')
        self.assertIn('unauthenticated', text)
        # and so is a multi-part one, whose first segment comes first
        segs = parts(netwpin(doc('real-parts')), 0x51)
        first = d.deliver(segs[0], 'ud', imsi=IMSI, sender='+4930000', modem='/modem/A')
        self.assertEqual(d.state_of(first), 'receiving')
        self.assertEqual(deliver_parts(d, segs[1:], imsi=IMSI, sender='+4930000',
                                       modem='/modem/A'), first)
        self.assertEqual(d.state_of(first), 'pending-confirmation')

    def test_forged_sender_does_not_use_up_the_operators_limit(self):
        d = self.d
        for i in range(3):
            d.deliver(unsigned(doc('spoof-%d' % i)), imsi=IMSI, sender='Operator',
                      modem='/modem/%d' % i)
        self.limited(unsigned(doc('spoof-3')), imsi=IMSI, sender='Operator', modem='/modem/9')
        real = d.deliver(netwpin(doc('real')), imsi=IMSI, sender='Operator', modem='/modem/9')
        self.assertIs(d.props(real)['Authenticated'], True)

    def test_multipart_unauthenticated_over_the_limit_is_dropped_when_complete(self):
        d = self.d
        paths = []
        for i in range(3):
            segs = parts(unsigned(doc('parts-%d' % i)), 0x60 + i)
            paths.append(deliver_parts(d, segs, imsi=IMSI, sender='+4955555',
                                       modem='/modem/D'))
            self.assertEqual(d.state_of(paths[-1]), 'quarantined')
        segs = parts(unsigned(doc('parts-3')), 0x70)
        first = deliver_parts(d, segs[:-1], imsi=IMSI, sender='+4955555', modem='/modem/D')
        self.assertEqual(d.state_of(first), 'receiving')
        text = self.limited(segs[-1], 'ud', imsi=IMSI, sender='+4955555', modem='/modem/D')
        self.assertIn('MaxMessagesPerSenderPerHour', text)
        self.assertNotIn(first, d.messages())
        self.assertEqual(sorted(d.messages()), sorted(paths))


if __name__ == '__main__':
    main()
