#!/usr/bin/env python3
"""A loopback MJPEG-over-HTTP server (multipart/x-mixed-replace), as phone camera apps serve, for the
network input tests.

usage: mjpeg_server.py PORT FOLDER [FPS]
Sends the folder's *.jpg files in name order, over and over, FPS (default 15) a second, to each client
at http://127.0.0.1:PORT/ (any path). Prints "ready" once listening.
"""
import http.server
import pathlib
import sys
import time

port, folder = int(sys.argv[1]), pathlib.Path(sys.argv[2])
fps = float(sys.argv[3]) if len(sys.argv) > 3 else 15.0
frames = [path.read_bytes() for path in sorted(folder.glob("*.jpg"))]
boundary = "clipsegframe"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace;boundary=" + boundary)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        start, count = time.monotonic(), 0
        try:
            while True:
                frame = frames[count % len(frames)]
                self.wfile.write(b"--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % (boundary.encode(), len(frame)))
                self.wfile.write(frame + b"\r\n")
                self.wfile.flush()
                count += 1
                delay = start + count / fps - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *arguments):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
