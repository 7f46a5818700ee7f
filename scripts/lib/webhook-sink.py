"""A webhook receiver for the benchmark scripts: it answers every POST with
200 and counts them. `waybill bench seed` points each organization's
endpoint at http://127.0.0.1:9/hooks/ORG; with this listening there (and
WAYBILL_WEBHOOK_ALLOW_PRIVATE=true on the server) the seed's deliveries
succeed as most real endpoints' do, instead of failing and being retried
for days beside whatever is measured.

    python3 scripts/lib/webhook-sink.py [PORT]    (default 9)
"""

import http.server
import signal
import sys


class Server(http.server.ThreadingHTTPServer):
    # The server's webhook workers connect many at once: the default
    # backlog of 5 reset some of their connections.
    request_queue_size = 1024
    daemon_threads = True


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received = 0

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        Sink.received += 1
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    server = Server(("127.0.0.1", port), Sink)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        print(f"webhook-sink: {Sink.received} deliveries received", file=sys.stderr)
