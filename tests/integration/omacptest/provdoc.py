# SPDX-License-Identifier: GPL-2.0-or-later
"""Provisioning documents (OMA ProvCont XML) for the tests, written in one
place: characteristics with their parms, a document of them, and the
internet access point most tests send."""

from xml.sax.saxutils import quoteattr


def characteristic(kind, parms=(), children=(), level=1):
    """A characteristic of type @kind: its @parms, each a (NAME, VALUE) pair
    or a NAME alone (a parm without value, such as INTERNET), then its
    @children, characteristics made with level=@level + 1. Values are
    escaped as XML attributes."""
    pad = '  ' * level
    lines = ['%s<characteristic type=%s>\n' % (pad, quoteattr(kind))]
    for parm in parms:
        if isinstance(parm, str):
            lines.append('%s  <parm name=%s/>\n' % (pad, quoteattr(parm)))
        else:
            lines.append('%s  <parm name=%s value=%s/>\n' % (pad, quoteattr(parm[0]),
                                                             quoteattr(parm[1])))
    lines.extend(children)
    lines.append('%s</characteristic>\n' % pad)
    return ''.join(lines)


def document(*characteristics, encoding=None):
    """A wap-provisioningdoc of @characteristics (str); @encoding named in
    the XML declaration when given."""
    decl = '<?xml version="1.0"%s?>\n' % (' encoding="%s"' % encoding if encoding else '')
    return (decl + '<wap-provisioningdoc version="1.1">\n' + ''.join(characteristics) +
            '</wap-provisioningdoc>\n')


def napdef(napid, name, apn, auth=None, parms=(), level=1):
    """An internet access point (NAPDEF with INTERNET) on GSM-GPRS with
    APN @apn; @auth an (AUTHTYPE, AUTHNAME, AUTHSECRET) triple (AUTHSECRET
    None: none); @parms more parms after INTERNET."""
    children = []
    if auth is not None:
        kind, user, secret = auth
        auth_parms = [('AUTHTYPE', kind), ('AUTHNAME', user)]
        if secret is not None:
            auth_parms.append(('AUTHSECRET', secret))
        children.append(characteristic('NAPAUTHINFO', auth_parms, level=level + 1))
    return characteristic('NAPDEF', [('NAPID', napid), ('NAME', name), ('BEARER', 'GSM-GPRS'),
                                     ('NAP-ADDRESS', apn), ('NAP-ADDRTYPE', 'APN'),
                                     'INTERNET'] + list(parms), children, level)


def internet(napid, name, apn, auth=None, parms=(), encoding=None):
    """A document with one internet access point (napdef()), as str."""
    return document(napdef(napid, name, apn, auth, parms), encoding=encoding)


def tagged(label, tag, domain='internet', parms=()):
    """The access point most tests send, as bytes: named "@label @tag",
    NAPID NAP-@tag, APN @domain.@tag.example, so that every @tag is a
    profile of its own."""
    return internet('NAP-' + tag, '%s %s' % (label, tag), '%s.%s.example' % (domain, tag),
                    parms=parms).encode()
