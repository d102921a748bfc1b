/*
 * fakecam_output.c: a fake V4L2 video OUTPUT device beside the fake camera, answered as v4l2loopback
 * 0.12 answers before any program writes to it (exclusive_caps=1): what FFmpeg's `video4linux2` output
 * device (libavdevice/v4l2enc.c) and clipseg's V4L2OutputDevice ask of a virtual camera. Test code,
 * never shipped. See fakecam.c for how the library is loaded.
 *
 * The path (CLIPSEG_FAKECAM_OUTPUT_PATH; none by default) stats as a character device of the video4linux
 * major (81, minor 201); opening it returns a memfd that stands for the device. Answered on it:
 *   QUERYCAP      driver "v4l2 loopback", VIDEO_OUTPUT | READWRITE | STREAMING (device_caps too)
 *   ENUM_FMT      the accepted formats, for V4L2_BUF_TYPE_VIDEO_OUTPUT only
 *   G_FMT         the current format (power-on: the first accepted format, 640x480)
 *   TRY_FMT/S_FMT an accepted pixel format is kept (bytesperline and sizeimage filled in); any other
 *                 fails with EINVAL, as v4l2loopback 0.12 does; S_FMT makes it the current format
 *   G_PARM/S_PARM the output frame interval (power-on 1/30)
 * Any other buffer type fails with EINVAL, any other request with ENOTTY. write() takes one frame per call
 * (EINVAL before S_FMT) and appends it to the frames file.
 *
 * Environment (read when the library loads):
 *   CLIPSEG_FAKECAM_OUTPUT_PATH=path         where the output device answers (no file is created there)
 *   CLIPSEG_FAKECAM_OUTPUT_FORMATS=F,...     accepted four-character codes, in ENUM_FMT order (default
 *                                            YUYV,YU12); e.g. RGB3,BGR4 for a device clipseg cannot feed
 *   CLIPSEG_FAKECAM_OUTPUT_CARD=name         QUERYCAP card (default "clipseg fake output")
 *   CLIPSEG_FAKECAM_OUTPUT_FRAMES=file       every written frame's bytes are appended to this file
 *   CLIPSEG_FAKECAM_OUTPUT_LOG=file          one line per event: `open`, `TRY_FMT YUYV 160x120 ok|EINVAL`,
 *                                            `G_FMT`, `S_FMT YUYV 160x120 sizeimage 38400`, `S_PARM 1/30`,
 *                                            `frame N BYTES`, `gone`, `close`
 *   CLIPSEG_FAKECAM_OUTPUT_GONE_AFTER=N      after N frames were written the device goes away: the next
 *                                            write and every ioctl fail with ENODEV, the path stats ENOENT
 */
#include "fakecam.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define OUTPUT_MAX_FORMATS 8
#define OUTPUT_MAX_OPENS 8

static struct {
    char path[4096], card[32], frames[4096], log[4096];
    uint32_t formats[OUTPUT_MAX_FORMATS];
    int format_count;
    long gone_after;  /* -1: never */
} config;

static struct {
    int fds[OUTPUT_MAX_OPENS];
    struct v4l2_pix_format pix;
    struct v4l2_fract timeperframe;
    int format_set, gone;
    long frames;
} device;

static int open_count;  /* fast path for write(): no output descriptor exists */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
static ssize_t (*real_write)(int, const void *, size_t);

static uint32_t four_cc(const char *text) {
    return (uint32_t)text[0] | (uint32_t)text[1] << 8 | (uint32_t)text[2] << 16 | (uint32_t)text[3] << 24;
}

static const char *name_of(uint32_t code, char out[5]) {
    for (int i = 0; i < 4; i++) out[i] = (char)((code >> (8 * i)) & 0xff);
    out[4] = 0;
    return out;
}

/* Appends one formatted line to the log file, if there is one. */
static void log_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *format, ...) {
    if (!config.log[0]) return;
    int saved = errno;
    char line[512];
    va_list ap;
    va_start(ap, format);
    int length = vsnprintf(line, sizeof line - 1, format, ap);
    va_end(ap);
    if (length > (int)sizeof line - 2) length = (int)sizeof line - 2;
    line[length++] = '\n';
    int fd = fake_real.open(config.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (real_write(fd, line, (size_t)length) != length) fake_trace("output log write failed");
        fake_real.close(fd);
    }
    errno = saved;
}

static void copy_setting(char *out, size_t size, const char *name, const char *fallback) {
    const char *value = getenv(name);
    snprintf(out, size, "%s", value && *value ? value : fallback);
}

void fake_output_configure(void) {
    real_write = dlsym(RTLD_NEXT, "write");
    copy_setting(config.path, sizeof config.path, "CLIPSEG_FAKECAM_OUTPUT_PATH", "");
    copy_setting(config.card, sizeof config.card, "CLIPSEG_FAKECAM_OUTPUT_CARD", "clipseg fake output");
    copy_setting(config.frames, sizeof config.frames, "CLIPSEG_FAKECAM_OUTPUT_FRAMES", "");
    copy_setting(config.log, sizeof config.log, "CLIPSEG_FAKECAM_OUTPUT_LOG", "");
    char formats[256];
    copy_setting(formats, sizeof formats, "CLIPSEG_FAKECAM_OUTPUT_FORMATS", "YUYV,YU12");
    for (const char *p = formats; p && strlen(p) >= 4 && config.format_count < OUTPUT_MAX_FORMATS;) {
        config.formats[config.format_count++] = four_cc(p);
        p = strchr(p, ',');
        if (p) p++;
    }
    const char *gone = getenv("CLIPSEG_FAKECAM_OUTPUT_GONE_AFTER");
    config.gone_after = gone && *gone ? strtol(gone, NULL, 10) : -1;
    for (int i = 0; i < OUTPUT_MAX_OPENS; i++) device.fds[i] = -1;
    device.pix.pixelformat = config.format_count ? config.formats[0] : four_cc("YUYV");
    device.pix.width = 640;
    device.pix.height = 480;
    device.pix.field = V4L2_FIELD_NONE;
    device.timeperframe = (struct v4l2_fract){1, 30};
}

/* 1: `path` is the output device; -1: it was, and is gone (errno ENOENT); 0: not ours. */
int fake_output_path_state(const char *path) {
    if (!path || !config.path[0] || strcmp(path, config.path)) return 0;
    pthread_mutex_lock(&output_lock);
    int gone = device.gone;
    pthread_mutex_unlock(&output_lock);
    if (gone) { errno = ENOENT; return -1; }
    return 1;
}

static int find_locked(int fd) {
    for (int i = 0; fd >= 0 && i < OUTPUT_MAX_OPENS; i++)
        if (device.fds[i] == fd) return i;
    return -1;
}

int fake_output_owns(int fd) {
    if (!__atomic_load_n(&open_count, __ATOMIC_ACQUIRE)) return 0;
    pthread_mutex_lock(&output_lock);
    int found = find_locked(fd) >= 0;
    pthread_mutex_unlock(&output_lock);
    return found;
}

int fake_output_open(int flags) {
    pthread_mutex_lock(&output_lock);
    int slot = -1, error = 0, fd = -1;
    for (int i = 0; i < OUTPUT_MAX_OPENS && slot < 0; i++)
        if (device.fds[i] < 0) slot = i;
    if (device.gone) error = ENOENT;
    else if (slot < 0) error = EMFILE;
    else if ((fd = memfd_create("clipseg-fakecam-output", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0)) < 0) error = errno;
    if (!error) {
        device.fds[slot] = fd;
        __atomic_add_fetch(&open_count, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&output_lock);
    if (!error) log_line("open");
    errno = error;
    return error ? -1 : fd;
}

int fake_output_close(int fd, int *result) {
    if (!__atomic_load_n(&open_count, __ATOMIC_ACQUIRE)) return 0;
    pthread_mutex_lock(&output_lock);
    int slot = find_locked(fd);
    if (slot >= 0) {
        device.fds[slot] = -1;
        __atomic_sub_fetch(&open_count, 1, __ATOMIC_RELEASE);
        *result = fake_real.close(fd);
    }
    pthread_mutex_unlock(&output_lock);
    if (slot >= 0) log_line("close");
    return slot >= 0;
}

static int fail(int error) { errno = error; return -1; }

static uint32_t accepted(uint32_t code) {
    for (int i = 0; i < config.format_count; i++)
        if (config.formats[i] == code) return 1;
    return 0;
}

static int try_or_set(struct v4l2_format *format, int set) {
    char name[5];
    struct v4l2_pix_format *pix = &format->fmt.pix;
    if (!accepted(pix->pixelformat)) {
        log_line("%s %s %ux%u EINVAL", set ? "S_FMT" : "TRY_FMT", name_of(pix->pixelformat, name), pix->width, pix->height);
        return fail(EINVAL);
    }
    uint32_t width = pix->width ? pix->width : 640, height = pix->height ? pix->height : 480;
    uint32_t code = pix->pixelformat;
    memset(pix, 0, sizeof *pix);
    pix->width = width;
    pix->height = height;
    pix->pixelformat = code;
    pix->field = V4L2_FIELD_NONE;
    pix->colorspace = V4L2_COLORSPACE_SRGB;
    if (code == V4L2_PIX_FMT_YUYV) { pix->bytesperline = (width + 1) / 2 * 4; pix->sizeimage = pix->bytesperline * height; }
    else if (code == V4L2_PIX_FMT_YUV420) { pix->bytesperline = width; pix->sizeimage = width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2); }
    else { pix->bytesperline = width * 4; pix->sizeimage = pix->bytesperline * height; }
    if (set) {
        device.pix = *pix;
        device.format_set = 1;
        log_line("S_FMT %s %ux%u sizeimage %u", name_of(code, name), width, height, pix->sizeimage);
    } else {
        log_line("TRY_FMT %s %ux%u ok", name_of(code, name), width, height);
    }
    return 0;
}

static int answer_locked(unsigned long request, void *arg) {
    if (device.gone) return fail(ENODEV);
    if (!arg) return fail(EFAULT);
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *cap = arg;
        memset(cap, 0, sizeof *cap);
        snprintf((char *)cap->driver, sizeof cap->driver, "v4l2 loopback");
        snprintf((char *)cap->card, sizeof cap->card, "%s", config.card);
        snprintf((char *)cap->bus_info, sizeof cap->bus_info, "platform:v4l2loopback-000");
        cap->version = 0x000c07;
        cap->device_caps = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_READWRITE | V4L2_CAP_STREAMING;
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *desc = arg;
        if (desc->type != V4L2_BUF_TYPE_VIDEO_OUTPUT || desc->index >= (uint32_t)config.format_count) return fail(EINVAL);
        uint32_t index = desc->index;
        memset(desc, 0, sizeof *desc);
        desc->index = index;
        desc->type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
        desc->pixelformat = config.formats[index];
        name_of(desc->pixelformat, (char *)desc->description);
        return 0;
    }
    case VIDIOC_G_FMT: {
        struct v4l2_format *format = arg;
        if (format->type != V4L2_BUF_TYPE_VIDEO_OUTPUT) return fail(EINVAL);
        format->fmt.pix = device.pix;
        log_line("G_FMT");
        return 0;
    }
    case VIDIOC_TRY_FMT:
    case VIDIOC_S_FMT: {
        struct v4l2_format *format = arg;
        if (format->type != V4L2_BUF_TYPE_VIDEO_OUTPUT) return fail(EINVAL);
        return try_or_set(format, request == VIDIOC_S_FMT);
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *parm = arg;
        if (parm->type != V4L2_BUF_TYPE_VIDEO_OUTPUT) return fail(EINVAL);
        struct v4l2_fract wanted = parm->parm.output.timeperframe;
        if (request == VIDIOC_S_PARM && wanted.numerator && wanted.denominator) {
            device.timeperframe = wanted;
            log_line("S_PARM %u/%u", wanted.numerator, wanted.denominator);
        }
        memset(&parm->parm, 0, sizeof parm->parm);
        parm->parm.output.capability = V4L2_CAP_TIMEPERFRAME;
        parm->parm.output.timeperframe = device.timeperframe;
        return 0;
    }
    default:
        return fail(ENOTTY);
    }
}

int fake_output_ioctl(int fd, unsigned long request, void *arg, int *result) {
    if (!__atomic_load_n(&open_count, __ATOMIC_ACQUIRE)) return 0;
    pthread_mutex_lock(&output_lock);
    int ours = find_locked(fd) >= 0;
    if (ours) *result = answer_locked(request, arg);
    int saved = errno;
    pthread_mutex_unlock(&output_lock);
    errno = saved;
    return ours;
}

int fake_output_write(int fd, const void *bytes, size_t count, ssize_t *result) {
    if (!__atomic_load_n(&open_count, __ATOMIC_ACQUIRE)) return 0;
    pthread_mutex_lock(&output_lock);
    if (find_locked(fd) < 0) { pthread_mutex_unlock(&output_lock); return 0; }
    int error = 0, newly_gone = 0;
    long frame = device.frames;
    if (device.gone) error = ENODEV;
    else if (!device.format_set) error = EINVAL;
    else if (config.gone_after >= 0 && frame >= config.gone_after) { device.gone = newly_gone = 1; error = ENODEV; }
    else device.frames++;
    pthread_mutex_unlock(&output_lock);
    if (newly_gone) log_line("gone");
    if (error) { errno = error; *result = -1; return 1; }
    if (config.frames[0]) {
        int out = fake_real.open(config.frames, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (out >= 0) {
            if (real_write(out, bytes, count) != (ssize_t)count) fake_trace("output frames write failed");
            fake_real.close(out);
        }
    }
    log_line("frame %ld %zu", frame, count);
    *result = (ssize_t)count;
    return 1;
}
