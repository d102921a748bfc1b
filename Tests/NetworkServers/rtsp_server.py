#!/usr/bin/python3
"""A loopback RTSP server for the network input tests (GStreamer's RTSP server through python3-gi).

usage: rtsp_server.py PORT [USER PASSWORD] [--file CLIP.mp4]
Serves rtsp://127.0.0.1:PORT/live: videotestsrc → x264 (zerolatency) → RTP/H.264, 160x120 at 15 fps, over
TCP or UDP as the client asks; with --file, the H.264 video of an MP4 clip instead, at its own pace, from its
start for each client, ending with it. With USER and PASSWORD, Basic authentication is required. Prints
"ready" once listening. Run with Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0).
"""
import argparse
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer

arguments = argparse.ArgumentParser()
arguments.add_argument("port")
arguments.add_argument("user", nargs="?")
arguments.add_argument("password", nargs="?")
arguments.add_argument("--file")
options = arguments.parse_args()
Gst.init(None)
port = options.port
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
if options.file:
    factory.set_launch(f"( filesrc location={options.file} ! qtdemux ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(False)
else:
    factory.set_launch("( videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=15/1 "
                       "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(True)
if options.user is not None and options.password is not None:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(options.user, options.password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("viewer", "media.factory.access", True)
    permissions.add_permission_for_role("viewer", "media.factory.construct", True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory("/live", factory)
if server.attach(None) == 0:
    raise SystemExit("cannot listen on port " + port)
print("ready", flush=True)
GLib.MainLoop().run()
