"""A local stand-in for Google's OAuth2 token and userinfo endpoints.

Only the two server-to-server calls are faked; social-auth's real views, strategy,
backend logic and our pipeline run unchanged. The browser step at
accounts.google.com is replaced by the test reading the `state` from the session
and coming back with a code this server issued.
"""

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from social_core.backends.google import GoogleOAuth2

CLIENT_ID = "test-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "test-client-secret"


class FakeGoogleOAuth2(GoogleOAuth2):
    """GoogleOAuth2 whose userinfo URL can be set (the library hard-codes it).

    The token URL is already a setting: SOCIAL_AUTH_GOOGLE_OAUTH2_ACCESS_TOKEN_URL.
    """

    def user_data(self, access_token, *args, **kwargs):
        response = self.get_json(
            self.setting("USERINFO_URL"),
            headers={"Authorization": f"Bearer {access_token}"},
        )
        self.validate_email_verified(response)
        return response


class FakeGoogle:
    def __init__(self):
        self.codes: dict[str, dict] = {}  # code -> the Google profile it stands for
        self.tokens: dict[str, dict] = {}  # access token -> profile
        self.token_requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _json(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                if self.path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {
                    k: v[0]
                    for k, v in parse_qs(self.rfile.read(length).decode()).items()
                }
                fake.token_requests.append(form)
                profile = fake.codes.pop(form.get("code"), None)  # codes work once
                if (
                    form.get("grant_type") != "authorization_code"
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or profile is None
                ):
                    return self._json(400, {"error": "invalid_grant"})
                token = secrets.token_urlsafe(16)
                fake.tokens[token] = profile
                return self._json(
                    200,
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": 3599,
                        "scope": "openid email profile",
                    },
                )

            def do_GET(self):
                if self.path != "/userinfo":
                    return self._json(404, {"error": "not_found"})
                auth = self.headers.get("Authorization", "")
                profile = fake.tokens.get(auth.removeprefix("Bearer "))
                if not auth.startswith("Bearer ") or profile is None:
                    return self._json(401, {"error": "invalid_token"})
                return self._json(200, profile)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def issue_code(self, **profile) -> str:
        """What Google's consent page would hand back for this Google account."""
        code = secrets.token_urlsafe(12)
        self.codes[code] = {"email_verified": True, **profile}
        return code
