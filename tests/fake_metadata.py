"""A fake EC2 instance metadata service (IMDSv2) and ECS container
credentials endpoint on loopback, for tests/test_credentials.c.

Prints FAKE_METADATA_ENDPOINT=http://127.0.0.1:<port> once listening and
serves until killed.  IMDSv2: PUT /latest/api/token (needs the TTL header)
gives a token; every GET must carry it.  ECS: GET /creds/<any> must carry
Authorization: Bearer-token-for-tests.  Counts requests at GET /_count.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "imds-token-123"
ROLE = "test-instance-role"
ECS_AUTH = "Bearer-token-for-tests"
COUNTS = {"imds": 0, "ecs": 0}
LOCK = threading.Lock()


def creds(prefix):
    return json.dumps({"Code": "Success", "AccessKeyId": f"AKID{prefix}",
                       "SecretAccessKey": f"{prefix.lower()}-secret",
                       "Token": f"{prefix.lower()}-session-token",
                       "Expiration": "2099-01-01T00:00:00Z"}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, TOKEN.encode())
        self.reply(400)

    def do_GET(self):
        if self.path == "/_count":
            with LOCK:
                return self.reply(200, json.dumps(COUNTS).encode())
        if self.path.startswith("/latest/"):
            if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                return self.reply(401)
            with LOCK:
                COUNTS["imds"] += 1
            if self.path == "/latest/meta-data/iam/security-credentials/":
                return self.reply(200, ROLE.encode())
            if self.path == "/latest/meta-data/iam/security-credentials/" + ROLE:
                return self.reply(200, creds("IMDS"))
            return self.reply(404)
        if self.path.startswith("/creds/"):
            if self.headers.get("Authorization") != ECS_AUTH:
                return self.reply(403)
            with LOCK:
                COUNTS["ecs"] += 1
            return self.reply(200, creds("ECS"))
        self.reply(404)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sys.stdout.write(f"FAKE_METADATA_ENDPOINT=http://127.0.0.1:{srv.server_address[1]}\n")
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
