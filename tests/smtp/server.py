#!/usr/bin/env python3
"""The office's SMTP server for form-fn's notification tests (TEST ONLY).

A real SMTP server (aiosmtpd, from deploy/requirements.txt) on 127.0.0.1
that behaves as a submission server should: it requires STARTTLS before
anything else (certificate and key from tests/pki), and login with the
account it was given before it takes a message. Each message it takes is
kept in --out as <n>.eml (the raw bytes as received) and <n>.json: the
envelope, the login used, whether the session was encrypted, and the
subject and plain-text body decoded, so the tests can read what a clerk
would see.

    server.py --port 2587 --cert server.pem --key server-key.pem \
              --user form-fn --password secret --out DIR
"""

import argparse
import asyncio
import email
import email.policy
import json
import ssl
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Keeper:
    """Writes every accepted message into a folder."""

    def __init__(self, out: Path):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data,
            "encrypted": session.ssl is not None,
            "subject": str(message["subject"]),
            "auto_submitted": str(message.get("auto-submitted", "")),
            "text": body.get_content() if body is not None else "",
        }
        stem = self.out / f"{self.count:03d}"
        stem.with_suffix(".eml").write_bytes(raw)
        # Written last: a test that sees the .json sees the whole message.
        partial = stem.with_suffix(".partial")
        partial.write_text(json.dumps(record, ensure_ascii=False))
        partial.rename(stem.with_suffix(".json"))
        return "250 Message accepted for delivery"


def authenticator(user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=good, auth_data=user if good else None)

    return check


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    keeper = Keeper(out)
    check = authenticator(args.user, args.password)

    def factory():
        return SMTP(
            keeper,
            hostname="smtp.test",
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=check,
        )

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=args.port)
    )
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
