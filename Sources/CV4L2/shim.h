#ifndef CLIPSEG_CV4L2_SHIM_H
#define CLIPSEG_CV4L2_SHIM_H
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

// libv4l2's entry points are variadic (open) or take a generic pointer (ioctl); these fixed-arity
// wrappers are what Swift calls.
static inline int clipseg_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }
static inline int clipseg_v4l2_close(int fd) { return v4l2_close(fd); }
// Hands a descriptor opened with open(2) to libv4l2 (which then owns it: v4l2_close closes it).
static inline int clipseg_v4l2_fd_open(int fd, int flags) { return v4l2_fd_open(fd, flags); }
// A plain ioctl(2), not through libv4l2: asking VIDIOC_QUERYCAP this way first keeps libv4l2's plugins
// from printing perror() lines for files that are not V4L2 devices.
static inline int clipseg_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
static inline int clipseg_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
static inline void *clipseg_v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset) {
    return v4l2_mmap(start, length, prot, flags, fd, offset);
}
static inline int clipseg_v4l2_munmap(void *start, size_t length) { return v4l2_munmap(start, length); }

// libv4l2 prints its own errors on stderr ("libv4l2: error setting pixformat: ...") unless a log file is set;
// clipseg reports device errors itself in one line, so the log goes to /dev/null unless the user asked for
// one with LIBV4L2_LOG_FILENAME. Call once before the first v4l2_open.
static inline void clipseg_v4l2_quiet_log(void) {
    if (v4l2_log_file == NULL && getenv("LIBV4L2_LOG_FILENAME") == NULL) v4l2_log_file = fopen("/dev/null", "w");
}

// major() of a device number (a macro); video4linux nodes are major 81.
static inline unsigned int clipseg_device_major(dev_t device) { return major(device); }

// ioctl request codes (function-like macros in videodev2.h).
static const unsigned long CLIPSEG_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long CLIPSEG_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long CLIPSEG_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long CLIPSEG_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long CLIPSEG_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long CLIPSEG_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long CLIPSEG_VIDIOC_TRY_FMT = VIDIOC_TRY_FMT;
static const unsigned long CLIPSEG_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long CLIPSEG_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long CLIPSEG_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long CLIPSEG_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long CLIPSEG_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long CLIPSEG_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long CLIPSEG_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long CLIPSEG_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

// Enumerations as plain numbers (the C enums import as wrapper structs).
static const unsigned int CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE = V4L2_BUF_TYPE_VIDEO_CAPTURE;
static const unsigned int CLIPSEG_V4L2_BUF_TYPE_VIDEO_OUTPUT = V4L2_BUF_TYPE_VIDEO_OUTPUT;
static const unsigned int CLIPSEG_V4L2_MEMORY_MMAP = V4L2_MEMORY_MMAP;
static const unsigned int CLIPSEG_V4L2_FRMSIZE_TYPE_DISCRETE = V4L2_FRMSIZE_TYPE_DISCRETE;
static const unsigned int CLIPSEG_V4L2_FRMSIZE_TYPE_CONTINUOUS = V4L2_FRMSIZE_TYPE_CONTINUOUS;
static const unsigned int CLIPSEG_V4L2_FRMSIZE_TYPE_STEPWISE = V4L2_FRMSIZE_TYPE_STEPWISE;
static const unsigned int CLIPSEG_V4L2_FRMIVAL_TYPE_DISCRETE = V4L2_FRMIVAL_TYPE_DISCRETE;
static const unsigned int CLIPSEG_V4L2_FRMIVAL_TYPE_CONTINUOUS = V4L2_FRMIVAL_TYPE_CONTINUOUS;
static const unsigned int CLIPSEG_V4L2_FRMIVAL_TYPE_STEPWISE = V4L2_FRMIVAL_TYPE_STEPWISE;
static const unsigned int CLIPSEG_V4L2_FMT_FLAG_COMPRESSED = V4L2_FMT_FLAG_COMPRESSED;
static const unsigned int CLIPSEG_V4L2_FMT_FLAG_EMULATED = V4L2_FMT_FLAG_EMULATED;
static const unsigned int CLIPSEG_V4L2_BUF_FLAG_TIMESTAMP_MASK = V4L2_BUF_FLAG_TIMESTAMP_MASK;
static const unsigned int CLIPSEG_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
static const unsigned int CLIPSEG_V4L2_BUF_FLAG_ERROR = V4L2_BUF_FLAG_ERROR;

// Pixel formats (v4l2_fourcc macros).
static const unsigned int CLIPSEG_V4L2_PIX_FMT_RGB24 = V4L2_PIX_FMT_RGB24;
static const unsigned int CLIPSEG_V4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const unsigned int CLIPSEG_V4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
static const unsigned int CLIPSEG_V4L2_PIX_FMT_NV12 = V4L2_PIX_FMT_NV12;
static const unsigned int CLIPSEG_V4L2_PIX_FMT_YUV420 = V4L2_PIX_FMT_YUV420;

static const unsigned int CLIPSEG_V4L2_CAP_VIDEO_CAPTURE = V4L2_CAP_VIDEO_CAPTURE;
static const unsigned int CLIPSEG_V4L2_CAP_STREAMING = V4L2_CAP_STREAMING;
static const unsigned int CLIPSEG_V4L2_CAP_DEVICE_CAPS = V4L2_CAP_DEVICE_CAPS;
static const unsigned int CLIPSEG_V4L2_CAP_VIDEO_CAPTURE_MPLANE = V4L2_CAP_VIDEO_CAPTURE_MPLANE;
static const unsigned int CLIPSEG_V4L2_CAP_VIDEO_OUTPUT = V4L2_CAP_VIDEO_OUTPUT;
static const unsigned int CLIPSEG_V4L2_CAP_VIDEO_OUTPUT_MPLANE = V4L2_CAP_VIDEO_OUTPUT_MPLANE;
static const unsigned int CLIPSEG_V4L2_CAP_VIDEO_M2M = V4L2_CAP_VIDEO_M2M;
static const unsigned int CLIPSEG_V4L2_CAP_VIDEO_M2M_MPLANE = V4L2_CAP_VIDEO_M2M_MPLANE;
static const unsigned int CLIPSEG_V4L2_CAP_META_CAPTURE = V4L2_CAP_META_CAPTURE;
static const unsigned int CLIPSEG_V4L2_CAP_VBI_CAPTURE = V4L2_CAP_VBI_CAPTURE;
static const unsigned int CLIPSEG_V4L2_CAP_RADIO = V4L2_CAP_RADIO;
static const unsigned int CLIPSEG_V4L2_CAP_TUNER = V4L2_CAP_TUNER;
static const unsigned int CLIPSEG_V4L2_CAP_SDR_CAPTURE = V4L2_CAP_SDR_CAPTURE;
static const unsigned int CLIPSEG_V4L2_CAP_TOUCH = V4L2_CAP_TOUCH;
static const unsigned int CLIPSEG_V4L2_CAP_READWRITE = V4L2_CAP_READWRITE;
#endif
