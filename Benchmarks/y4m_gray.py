"""Reads and writes YUV4MPEG2 (y4m) mask streams: one 8-bit luma plane per frame.

Writing: `YUV4MPEG2 W<w> H<h> F<num>:<den> Ip A1:1 Cmono` then per frame `FRAME\\n` + w·h bytes (what
`ffmpeg -pix_fmt gray -f yuv4mpegpipe` writes). Reading accepts any `C` tag ffmpeg writes for 8-bit streams
(mono, 420*, 422, 444; default 420jpeg) and returns only the luma plane, so a mask written as 4:2:0 compares
the same as one written as mono. Frame parameter lines (`FRAME <params>`) are allowed.
"""
from typing import BinaryIO, Iterator

import numpy as np

# the 8-bit colour-space tags ffmpeg writes (chroma sizes are computed in read_header)
_COLOUR_SPACES = {"mono", "420jpeg", "420paldv", "420mpeg2", "420", "422", "444"}


class Y4MFormatError(ValueError):
    pass


class Y4MWriter:
    """Writes gray frames ([height, width] uint8 arrays) to a binary file object it does not own."""

    def __init__(self, stream: BinaryIO, width: int, height: int, rate_num: int, rate_den: int):
        self.stream, self.width, self.height = stream, width, height
        stream.write(f"YUV4MPEG2 W{width} H{height} F{rate_num}:{rate_den} Ip A1:1 Cmono\n".encode())

    def write(self, plane: np.ndarray) -> None:
        if plane.shape != (self.height, self.width) or plane.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 [{self.height}, {self.width}], got {plane.dtype} {plane.shape}")
        self.stream.write(b"FRAME\n")
        self.stream.write(np.ascontiguousarray(plane).tobytes())


def read_header(stream: BinaryIO) -> dict:
    """Parses the stream header: {"width", "height", "colorspace", "frame_bytes", "luma_bytes"}."""
    line = stream.readline(4096)
    if not line.startswith(b"YUV4MPEG2 ") or not line.endswith(b"\n"):
        raise Y4MFormatError("not a YUV4MPEG2 stream (header missing)")
    fields = {token[:1]: token[1:] for token in line.decode("ascii", "replace").split()[1:]}
    try:
        width, height = int(fields["W"]), int(fields["H"])
    except (KeyError, ValueError):
        raise Y4MFormatError("y4m header has no valid W/H") from None
    colorspace = fields.get("C", "420jpeg")
    if colorspace not in _COLOUR_SPACES:
        raise Y4MFormatError(f"unsupported y4m colour space C{colorspace} (8-bit mono/420/422/444 only)")
    luma = width * height
    if colorspace == "mono":
        chroma = 0
    elif colorspace.startswith("420"):
        chroma = 2 * ((width + 1) // 2) * ((height + 1) // 2)
    elif colorspace == "422":
        chroma = 2 * ((width + 1) // 2) * height
    else:
        chroma = 2 * luma
    return {"width": width, "height": height, "colorspace": colorspace, "luma_bytes": luma,
            "frame_bytes": luma + chroma}


def read_frames(stream: BinaryIO) -> Iterator[np.ndarray]:
    """Yields each frame's luma plane as [height, width] uint8; raises Y4MFormatError on a truncated frame."""
    header = read_header(stream)
    index = 0
    while True:
        marker = stream.readline(4096)
        if not marker:
            return
        if not marker.startswith(b"FRAME"):
            raise Y4MFormatError(f"frame {index}: expected FRAME marker")
        data = stream.read(header["frame_bytes"])
        if len(data) != header["frame_bytes"]:
            raise Y4MFormatError(f"frame {index}: truncated ({len(data)} of {header['frame_bytes']} bytes)")
        yield np.frombuffer(data, dtype=np.uint8, count=header["luma_bytes"]).reshape(header["height"],
                                                                                       header["width"])
        index += 1
