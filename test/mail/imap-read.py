"""Reads a mailbox over IMAPS like a mail client and checks the message's DKIM signature.

JSON on stdin (never argv: it holds the password): {"host", "port", "user", "password", "subject",
"dnsServer", "dnsPort", "timeout"}. Waits until a message with that subject is in INBOX, then prints
{"login": "ok"|"refused", "found": bool, "dkimDomain", "dkimSelector", "verified": bool,
"quota": [used, limit] or null}. The server's certificate is self-signed (made on the host).
"""
import email
import imaplib
import json
import ssl
import sys
import time

import dkim
from pdns_dns import dnsfunc_for

a = json.loads(sys.stdin.read())
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL(a["host"], a["port"], ssl_context=ctx)
try:
    m.login(a["user"], a["password"])
except imaplib.IMAP4.error:
    print(json.dumps({"login": "refused"}))
    sys.exit(0)

dnsfunc = dnsfunc_for(a["dnsServer"], a["dnsPort"])

raw = None
deadline = time.time() + a.get("timeout", 30)
while raw is None and time.time() < deadline:
    m.select("INBOX")
    typ, ids = m.search(None, "SUBJECT", '"%s"' % a["subject"])
    if ids[0]:
        typ, data = m.fetch(ids[0].split()[-1], "(RFC822)")
        raw = data[0][1]
    else:
        time.sleep(0.5)
out = {"login": "ok", "found": raw is not None}
if raw is not None:
    msg = email.message_from_bytes(raw)
    sig = msg.get("DKIM-Signature", "")
    tags = dict(t.strip().split("=", 1) for t in sig.replace("\r\n", "").split(";") if "=" in t)
    out["dkimDomain"] = tags.get("d", "").strip()
    out["dkimSelector"] = tags.get("s", "").strip()
    out["verified"] = bool(dkim.verify(raw, dnsfunc=dnsfunc))
typ, q = m.getquotaroot("INBOX")
quota = [x for x in q[1] if x] if typ == "OK" else []
out["quota"] = quota[0].decode() if quota else None
m.logout()
print(json.dumps(out))
