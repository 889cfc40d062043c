#!/usr/bin/env python3
"""Test double of an office's side of delivery, for form-fn's transport tests.

One HTTPS server on 127.0.0.1 that plays

- an XTA 2 server (POST /xta/send: sendMessage; POST /xta/management:
  getTransportReport). A request is accepted only if it validates, with
  Debian's xmllint, against the published XTA 2 schemas (soap-envelope.xsd
  wraps them) and carries the parts the operation needs. Faults are SOAP 1.2
  faults carrying the XTA exception elements and error codes.
- a webhook intake (POST /webhook): checks the HMAC signature the way
  FIT-Connect callbacks are signed (hex HMAC-SHA512 over
  "<callback-timestamp>.<body>"), refuses stale timestamps, and answers 409
  for an Idempotency-Key it has seen.

With --client-ca the TLS handshake requires a client certificate signed by
that CA (XTA servers authenticate senders this way).

Everything it sees goes to --state DIR:
- requests.jsonl: one line per request: op, message_id, outcome, detail;
- messages/<n>.xml or messages/<n>.json: every request it accepted.

The tests steer it with DIR/control.json, read at every request:
{"behaviour": "fail" | "timeout" | "drop_after_accept" | "report_open" |
"report_red", "times": N} applies to the next N requests (then the file is
emptied):
- fail: HTTP 500 with an XTAWSTechnicalProblemException (nothing recorded);
- timeout: waits 5 s, longer than the tests' client timeout, then closes
  (nothing recorded);
- drop_after_accept: records the message, then closes the connection
  without an answer;
- report_open / report_red: a transport report for a known message says
  it is still in transport (Status 0) / failed with a critical error
  (Status 3, with an ErrorList).
"Down" is simply the process not running.

Usage: receiver.py --port P --state DIR --cert server.pem --key server-key.pem
                   [--client-ca ca.pem] [--webhook-secret S]
It prints "listening on https://127.0.0.1:P/" once it accepts connections.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ENVELOPE_SCHEMA = os.path.join(HERE, "soap-envelope.xsd")

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "oscimeta": "http://www.osci.eu/ws/2014/10/transport",
    "xta": "http://xoev.de/transport/xta/211",
}
SEND_ACTION = "http://www.xta.de/XTA/SendMessage"
REPORT_ACTION = "http://www.xta.de/XTA/GetTransportReport"
FEHLERNUMMER = 'listURI="urn:de:xta:webservice:codeliste:fehlernummer" listVersionID="1.0"'


class State:
    """The receiver's memory, shared by all handler threads."""

    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        self.messages = os.path.join(directory, "messages")
        os.makedirs(self.messages, exist_ok=True)
        # MessageID -> MessageMetaData element (as XML text) of accepted messages
        self.known = {}
        self.webhook_keys = set()
        self.count = len(os.listdir(self.messages))
        self._reload()

    def _reload(self):
        """Accepted messages survive a restart, as on a real server."""
        for name in sorted(os.listdir(self.messages)):
            path = os.path.join(self.messages, name)
            if name.endswith(".xml"):
                try:
                    root = ET.parse(path).getroot()
                    meta = root.find("env:Header/oscimeta:MessageMetaData", NS)
                    message_id = meta.findtext("oscimeta:MsgIdentification/wsa:MessageID", None, NS)
                    self.known[message_id] = ET.tostring(meta, encoding="unicode")
                except (ET.ParseError, AttributeError):
                    pass
            elif name.endswith(".key"):
                with open(path) as f:
                    self.webhook_keys.add(f.read())

    def behaviour(self):
        """The behaviour for this request, counting it down in control.json."""
        path = os.path.join(self.directory, "control.json")
        with self.lock:
            try:
                with open(path) as f:
                    control = json.load(f)
            except (OSError, ValueError):
                return None
            times = int(control.get("times", 0))
            if times <= 0:
                return None
            control["times"] = times - 1
            with open(path, "w") as f:
                json.dump(control if times > 1 else {}, f)
            return control.get("behaviour")

    def log(self, op, message_id, outcome, detail=""):
        line = json.dumps({"op": op, "message_id": message_id, "outcome": outcome, "detail": detail})
        with self.lock:
            with open(os.path.join(self.directory, "requests.jsonl"), "a") as f:
                f.write(line + "\n")

    def record(self, body, suffix):
        with self.lock:
            self.count += 1
            path = os.path.join(self.messages, f"{self.count:04d}.{suffix}")
            with open(path, "wb") as f:
                f.write(body)
            return path


def schema_errors(body):
    """xmllint's complaints about the request, or None if it validates."""
    result = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", ENVELOPE_SCHEMA, "-"],
                            input=body, capture_output=True)
    return None if result.returncode == 0 else result.stderr.decode("utf-8", "replace").strip()


def fault(exception, code, name, subcode="env:Receiver"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="{NS['env']}" xmlns:xta="{NS['xta']}">
<env:Body><env:Fault>
<env:Code><env:Value>{subcode}</env:Value></env:Code>
<env:Reason><env:Text xml:lang="de">{name}</env:Text></env:Reason>
<env:Detail><xta:{exception}><xta:errorCode {FEHLERNUMMER}><code>{code}</code><name>{name}</name></xta:errorCode></xta:{exception}></env:Detail>
</env:Fault></env:Body></env:Envelope>""".encode()


def envelope(body_xml=""):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="{NS['env']}"><env:Header/><env:Body>{body_xml}</env:Body></env:Envelope>""".encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "xta2-test-receiver"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/soap+xml; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        behaviour = state.behaviour()
        op = {"/xta/send": "sendMessage", "/xta/management": "getTransportReport",
              "/webhook": "webhook"}.get(self.path)
        if op is None:
            return self.answer(404, b"not found", "text/plain")
        if behaviour == "timeout":
            state.log(op, None, "timeout")
            time.sleep(5)
            return self.drop()
        if behaviour == "fail":
            state.log(op, None, "failed", "told to fail")
            return self.answer(500, fault("XTAWSTechnicalProblemException", "9030",
                                          "Interner Fehler im Dienst (Test)"))
        if op == "webhook":
            return self.webhook(state, body, behaviour)
        errors = schema_errors(body)
        if errors:
            state.log(op, None, "invalid", errors)
            return self.answer(500, fault("MessageSchemaViolationException", "9050",
                                          "Nachricht ist nicht schemakonform", "env:Sender"))
        root = ET.fromstring(body)
        action = root.findtext("env:Header/wsa:Action", "", NS).strip()
        if op == "sendMessage":
            return self.send_message(state, body, root, action, behaviour)
        return self.transport_report(state, root, action, behaviour)

    def send_message(self, state, body, root, action, behaviour):
        meta = root.find("env:Header/oscimeta:MessageMetaData", NS)
        container = root.find("env:Body/xta:GenericContentContainer", NS)
        if action != SEND_ACTION or meta is None or container is None:
            state.log("sendMessage", None, "invalid", "needs wsa:Action SendMessage, "
                      "MessageMetaData in the header and GenericContentContainer in the body")
            return self.answer(500, fault("ParameterIsNotValidException", "9020",
                                          "Parameter ungültig", "env:Sender"))
        message_id = meta.findtext("oscimeta:MsgIdentification/wsa:MessageID", "", NS).strip()
        state.record(body, "xml")
        with state.lock:
            state.known[message_id] = ET.tostring(meta, encoding="unicode")
        if behaviour == "drop_after_accept":
            state.log("sendMessage", message_id, "dropped", "accepted, then no answer")
            return self.drop()
        state.log("sendMessage", message_id, "accepted")
        return self.answer(200, envelope())

    def transport_report(self, state, root, action, behaviour):
        message_id = root.findtext("env:Body/wsa:MessageID", "", NS).strip()
        if action != REPORT_ACTION or not message_id:
            state.log("getTransportReport", None, "invalid", "needs wsa:Action and wsa:MessageID")
            return self.answer(500, fault("ParameterIsNotValidException", "9020",
                                          "Parameter ungültig", "env:Sender"))
        with state.lock:
            meta = state.known.get(message_id)
        if meta is None:
            state.log("getTransportReport", message_id, "unknown")
            return self.answer(500, fault("InvalidMessageIDException", "9070",
                                          "MessageID für den Account nicht bekannt.", "env:Sender"))
        status, outcome, errors = {
            "report_open": ("0", "open", ""),
            "report_red": ("3", "red", "<xta:ErrorList><xta:Error><xta:Timestamp>{now}</xta:Timestamp>"
                           "<xta:Code listURI=\"urn:de:xta:webservice:codeliste:fehlernummer\" listVersionID=\"2.0\">"
                           "<code>9999</code></xta:Code><xta:Reason>Zustellung fehlgeschlagen (Test)</xta:Reason>"
                           "</xta:Error></xta:ErrorList>"),
        }.get(behaviour, ("1", "known", ""))
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        errors = errors.replace("{now}", now)
        state.log("getTransportReport", message_id, outcome)
        report = (f'<xta:TransportReport xmlns:xta="{NS["xta"]}">{meta}'
                  f"<xta:ReportTime>{now}</xta:ReportTime>"
                  f"<xta:XTAServerIdentity>xta2-test-receiver</xta:XTAServerIdentity>"
                  f"<xta:MessageStatus><xta:Status>{status}</xta:Status>{errors}</xta:MessageStatus>"
                  f"</xta:TransportReport>")
        return self.answer(200, envelope(report))

    def webhook(self, state, body, behaviour):
        secret = self.server.webhook_secret
        stamp = self.headers.get("callback-timestamp", "")
        signature = self.headers.get("callback-authentication", "")
        key = self.headers.get("Idempotency-Key", "")
        expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha512).hexdigest()
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= 300
        if not secret or not hmac.compare_digest(signature, expected) or not fresh:
            state.log("webhook", key, "invalid", "bad or stale signature")
            return self.answer(401, b"signature refused", "text/plain")
        try:
            document = json.loads(body)
            base64.b64decode(document["package"], validate=True)
            reference = document["metadata"]["reference"]
        except (ValueError, KeyError, TypeError):
            state.log("webhook", key, "invalid", "expected JSON with metadata and package")
            return self.answer(400, b"bad body", "text/plain")
        with state.lock:
            seen = key in state.webhook_keys
            state.webhook_keys.add(key)
        if seen:
            state.log("webhook", key, "duplicate", reference)
            return self.answer(409, b"already received", "text/plain")
        path = state.record(body, "json")
        with open(path[:-len(".json")] + ".key", "w") as f:
            f.write(key)
        if behaviour == "drop_after_accept":
            state.log("webhook", key, "dropped", reference)
            return self.drop()
        state.log("webhook", key, "accepted", reference)
        return self.answer(202, b"", "text/plain")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca")
    parser.add_argument("--webhook-secret", default="")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)

    os.makedirs(args.state, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.state)
    server.webhook_secret = args.webhook_secret
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on https://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
