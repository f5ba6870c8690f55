"""Signs a message with a DKIM key and verifies it with dkimpy against what a DNS server answers.

Reads JSON on stdin (never argv, so the key is not in the process list):
{"key": PKCS#1 PEM, "selector", "domain", "server", "port"}; prints {"verified": bool}.
"""
import json
import sys

import dkim
from pdns_dns import dnsfunc_for

args = json.loads(sys.stdin.read())
dnsfunc = dnsfunc_for(args["server"], args["port"])

domain = args["domain"]
message = (
    f"From: alice@{domain}\r\nTo: bob@example.net\r\nSubject: hello\r\n"
    "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n"
).encode()
signature = dkim.sign(
    message,
    args["selector"].encode(),
    domain.encode(),
    args["key"].encode(),
    include_headers=[b"from", b"to", b"subject", b"date"],
)
print(json.dumps({"verified": bool(dkim.verify(signature + message, dnsfunc=dnsfunc))}))
