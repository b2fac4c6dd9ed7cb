"""A fake GOV.UK Notify for the tests: the few endpoints Alongside uses, run as its own process
(`python -m tests.fake_notify.server PORT SERVICE_ID SECRET`).

- `POST /v2/notifications/email` (and `/sms`, the same with a phone number) checks the client's JSON Web Token
  (HS256, signed with the API key's secret, issued by the service id), as Notify does, and answers with the next
  of the answers it was told to give: 201 (the message is kept and its id returned), 400, 429, 500, `hang` (no
  answer for 30 s, nothing kept) or `accept-then-hang` (the message kept, then no answer: the window in which a
  sender cannot know).
- `GET /v2/notifications?reference=...` lists the kept messages with that reference, as Notify does.
- `POST /_answers` (a JSON list) sets the answers to come; `GET /_messages` lists every kept message;
  `POST /_status` sets a kept message's status (`{"id": ..., "status": ...}`).
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

MESSAGES: list[dict] = []
ANSWERS: list[str] = []
LOCK = threading.Lock()
HANG_SECONDS = 30


class FakeNotify(BaseHTTPRequestHandler):
    service_id = ""
    secret = ""

    def log_message(self, format: str, *args: object) -> None:
        return

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> object:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def _authorised(self) -> bool:
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError:
            return False
        return claims["iss"] == self.service_id

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_messages":
            with LOCK:
                self._answer(200, MESSAGES)
            return
        if url.path == "/v2/notifications":
            if not self._authorised():
                self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return
            reference = parse_qs(url.query).get("reference", [""])[0]
            with LOCK:
                found = [message for message in MESSAGES if message["reference"] == reference]
            self._answer(200, {"notifications": found, "links": {}})
            return
        self._answer(404, {"errors": [{"error": "NotFound", "message": "Not found"}]})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_answers":
            with LOCK:
                ANSWERS[:] = list(self._body())
            self._answer(200, {})
            return
        if url.path == "/_status":
            change = self._body()
            with LOCK:
                for message in MESSAGES:
                    if message["id"] == change["id"]:
                        message["status"] = change["status"]
            self._answer(200, {})
            return
        if url.path not in ("/v2/notifications/email", "/v2/notifications/sms"):
            self._answer(404, {"errors": [{"error": "NotFound", "message": "Not found"}]})
            return
        if not self._authorised():
            self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
            return
        sent = self._body()
        with LOCK:
            answer = ANSWERS.pop(0) if ANSWERS else "201"
        if answer == "hang":
            time.sleep(HANG_SECONDS)
            return
        if answer in ("400", "429", "500"):
            message = {"400": "BadRequestError", "429": "RateLimitError", "500": "Exception"}[answer]
            self._answer(int(answer), {"errors": [{"error": message, "message": f"{message} from the fake Notify"}]})
            return
        kind = "sms" if url.path.endswith("/sms") else "email"
        kept = {
            "id": str(uuid.uuid4()),
            "reference": sent.get("reference"),
            "template_id": sent["template_id"],
            "personalisation": sent.get("personalisation", {}),
            "status": "created",
            "type": kind,
            **({"phone_number": sent["phone_number"]} if kind == "sms" else {"email_address": sent["email_address"]}),
        }
        with LOCK:
            MESSAGES.append(kept)
        if answer == "accept-then-hang":
            time.sleep(HANG_SECONDS)
            return
        self._answer(201, {"id": kept["id"], "reference": kept["reference"], "content": {}, "template": {}})


def main() -> None:
    port, FakeNotify.service_id, FakeNotify.secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    server = ThreadingHTTPServer(("127.0.0.1", port), FakeNotify)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
