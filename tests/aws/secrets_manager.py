#!/usr/bin/env python3
"""A test stand-in for AWS Secrets Manager's GetSecretValue, on 127.0.0.1.

It speaks the service's JSON protocol (POST /, X-Amz-Target:
secretsmanager.GetSecretValue) and answers only requests signed with
SigV4 for the access key it was given and the secretsmanager service; it
does not recompute signatures (s3s-fs does that for S3). Used by form-fn's
delivery tests for `{ aws_secret: … }` settings.

    secrets_manager.py PORT ACCESS_KEY SECRETS_JSON LOG
SECRETS_JSON maps secret names to values; every request is appended to LOG
as one JSON line: {"secret_id": …, "outcome": "found" | "missing" | "unsigned"}.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, ACCESS_KEY, SECRETS, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, secret_id, outcome):
        with open(LOG, "a") as log:
            log.write(json.dumps({"secret_id": secret_id, "outcome": outcome}) + "\n")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        secret_id = body.get("SecretId", "")
        authorization = self.headers.get("Authorization", "")
        signed = authorization.startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/") and "/secretsmanager/aws4_request" in authorization
        if self.headers.get("X-Amz-Target") != "secretsmanager.GetSecretValue" or not signed:
            self.record(secret_id, "unsigned")
            return self.answer(400, {"__type": "UnrecognizedClientException", "message": "unsigned"})
        with open(SECRETS) as f:
            secrets = json.load(f)
        if secret_id not in secrets:
            self.record(secret_id, "missing")
            return self.answer(400, {"__type": "ResourceNotFoundException", "message": "no such secret"})
        self.record(secret_id, "found")
        self.answer(200, {"ARN": f"arn:aws:secretsmanager:eu-central-1:000000000000:secret:{secret_id}",
                          "Name": secret_id, "SecretString": secrets[secret_id], "VersionId": "v1"})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
