"""Container HEALTHCHECK of the example app image: GET /health on the local
gunicorn and exit 0 on HTTP 200, 1 otherwise.

Standard library only, so it works on python:*-slim images without curl.
The Host header is taken from ALLOWED_HOSTS, so Django does not answer 400
when the container only allows its public host name.
"""

import os
import sys
import urllib.request

port = os.environ.get("PORT", "8000")
hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and "*" not in h), "localhost")
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/health",
    # The proxy in front of a production container terminates TLS.
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure means unhealthy
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
