/*
 * fakecam_ioctl.c: the V4L2 ioctls of the fake camera, answered as a single-input uvcvideo webcam
 * with MMAP streaming would. See fakecam.c for the whole picture. Test code, never shipped.
 */
#include "fakecam.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/version.h>
#include <linux/videodev2.h>

static int fail(int error) { errno = error; return -1; }

static int is_capture(uint32_t type) { return type == V4L2_BUF_TYPE_VIDEO_CAPTURE && !fake_config.not_capture; }

static int is_offered(uint32_t pixelformat) {
    for (int i = 0; i < fake_config.format_count; i++)
        if (fake_config.formats[i] == pixelformat) return 1;
    return 0;
}

static int size_index(uint32_t width, uint32_t height) {
    for (int i = 0; i < fake_config.size_count; i++)
        if (fake_config.sizes[i].width == width && fake_config.sizes[i].height == height) return i;
    return -1;
}

/* The listed size closest to width x height (sum of absolute differences), as drivers pick. */
static struct fake_size nearest_size(uint32_t width, uint32_t height) {
    struct fake_size best = fake_config.sizes[0];
    long best_distance = -1;
    for (int i = 0; i < fake_config.size_count; i++) {
        struct fake_size s = fake_config.sizes[i];
        long distance = labs((long)s.width - (long)width) + labs((long)s.height - (long)height);
        if (best_distance < 0 || distance < best_distance) { best = s; best_distance = distance; }
    }
    return best;
}

static void describe_format(struct v4l2_pix_format *pix, uint32_t pixelformat, uint32_t width, uint32_t height) {
    memset(pix, 0, sizeof *pix);
    pix->width = width;
    pix->height = height;
    pix->pixelformat = pixelformat;
    pix->field = V4L2_FIELD_NONE;
    pix->bytesperline = pixelformat == V4L2_PIX_FMT_MJPEG ? 0 : width * 2;
    pix->sizeimage = width * height * 2;
    pix->colorspace = V4L2_COLORSPACE_SRGB;
}

static int query_capabilities(struct v4l2_capability *cap) {
    memset(cap, 0, sizeof *cap);
    snprintf((char *)cap->driver, sizeof cap->driver, "clipseg-fakecam");
    snprintf((char *)cap->card, sizeof cap->card, "%s", fake_config.card);
    snprintf((char *)cap->bus_info, sizeof cap->bus_info, "platform:clipseg-fakecam");
    cap->version = KERNEL_VERSION(6, 1, 0);
    cap->device_caps = (fake_config.not_capture ? V4L2_CAP_META_CAPTURE : V4L2_CAP_VIDEO_CAPTURE) |
                       V4L2_CAP_STREAMING;
    cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
    return 0;
}

static int enumerate_format(struct v4l2_fmtdesc *desc) {
    if (!is_capture(desc->type) || desc->index >= (uint32_t)fake_config.format_count) return fail(EINVAL);
    uint32_t index = desc->index, type = desc->type;
    memset(desc, 0, sizeof *desc);
    desc->index = index;
    desc->type = type;
    desc->pixelformat = fake_config.formats[index];
    int jpeg = desc->pixelformat == V4L2_PIX_FMT_MJPEG;
    desc->flags = jpeg ? V4L2_FMT_FLAG_COMPRESSED : 0;
    snprintf((char *)desc->description, sizeof desc->description, jpeg ? "Motion-JPEG" : "YUYV 4:2:2");
    return 0;
}

static int enumerate_sizes(struct v4l2_frmsizeenum *sizes) {
    if (fake_config.not_capture || !is_offered(sizes->pixel_format)) return fail(EINVAL);
    if (sizes->index >= (uint32_t)fake_config.size_count) return fail(EINVAL);
    sizes->type = V4L2_FRMSIZE_TYPE_DISCRETE;
    sizes->discrete.width = fake_config.sizes[sizes->index].width;
    sizes->discrete.height = fake_config.sizes[sizes->index].height;
    return 0;
}

static int enumerate_intervals(struct v4l2_frmivalenum *intervals) {
    if (fake_config.not_capture || !is_offered(intervals->pixel_format)) return fail(EINVAL);
    if (size_index(intervals->width, intervals->height) < 0) return fail(EINVAL);
    if (intervals->index >= (uint32_t)fake_config.rate_count) return fail(EINVAL);
    intervals->type = V4L2_FRMIVAL_TYPE_DISCRETE;
    intervals->discrete.numerator = 1;
    intervals->discrete.denominator = fake_config.rates[intervals->index];
    return 0;
}

static int get_format(struct v4l2_format *format) {
    if (!is_capture(format->type)) return fail(EINVAL);
    describe_format(&format->fmt.pix, fake_device.pixelformat, fake_device.width, fake_device.height);
    return 0;
}

static int try_or_set_format(struct fake_open *o, struct v4l2_format *format, int set) {
    if (!is_capture(format->type)) return fail(EINVAL);
    if (set && fake_config.refuse_einval) return fail(EINVAL);
    if (set && fake_config.busy_stream) return fail(EBUSY);
    if (set && (o->buffer_count > 0 || (fake_device.streamer >= 0 && fake_device.streamer != o - fake_opens)))
        return fail(EBUSY);
    /* `size` refusal: S_FMT breaks the promise TRY_FMT made, as some drivers do. */
    struct fake_size size = set && fake_config.refuse_size
        ? fake_config.sizes[0] : nearest_size(format->fmt.pix.width, format->fmt.pix.height);
    uint32_t pixelformat = is_offered(format->fmt.pix.pixelformat) ? format->fmt.pix.pixelformat : fake_config.formats[0];
    describe_format(&format->fmt.pix, pixelformat, size.width, size.height);
    if (set) {
        fake_device.pixelformat = pixelformat;
        fake_device.width = size.width;
        fake_device.height = size.height;
    }
    return 0;
}

static int get_or_set_rate(struct v4l2_streamparm *parm, int set) {
    if (!is_capture(parm->type)) return fail(EINVAL);
    struct v4l2_fract requested = parm->parm.capture.timeperframe;
    if (set && requested.numerator > 0 && requested.denominator > 0) {
        double wanted = (double)requested.denominator / requested.numerator;
        uint32_t best = fake_config.rates[0];
        for (int i = 1; i < fake_config.rate_count; i++)
            if (abs((int)(fake_config.rates[i] - wanted)) < abs((int)(best - wanted))) best = fake_config.rates[i];
        fake_device.rate = best;
    }
    memset(&parm->parm, 0, sizeof parm->parm);
    parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
    parm->parm.capture.timeperframe.numerator = 1;
    parm->parm.capture.timeperframe.denominator = fake_device.rate;
    return 0;
}

static int request_buffers(struct fake_open *o, struct v4l2_requestbuffers *request) {
    if (!is_capture(request->type) || request->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
    if (fake_config.busy_stream) return fail(EBUSY);
    if (o->streaming) return fail(EBUSY);
    if (fake_device.streamer >= 0 && fake_device.streamer != o - fake_opens) return fail(EBUSY);
    fake_free_buffers_locked(o);
    if (request->count == 0) return 0;
    uint32_t count = request->count < 2 ? 2 : request->count > FAKE_MAX_BUFFERS ? FAKE_MAX_BUFFERS : request->count;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t length = (size_t)fake_device.width * fake_device.height * 2;
    size_t stride = (length + page - 1) / page * page;
    int memfd = memfd_create("clipseg-fakecam", MFD_CLOEXEC);
    if (memfd < 0) return -1;
    if (ftruncate(memfd, (off_t)(stride * count)) != 0) { int e = errno; fake_real.close(memfd); return fail(e); }
    o->memfd = memfd;
    o->buffer_length = length;
    o->buffer_stride = stride;
    o->buffer_count = (int)count;
    memset(o->buffers, 0, sizeof o->buffers);
    fake_device.streamer = (int)(o - fake_opens);
    request->count = count;
    request->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
    return 0;
}

static void describe_buffer(struct fake_open *o, int index, struct v4l2_buffer *buffer) {
    struct fake_buffer *b = &o->buffers[index];
    memset(buffer, 0, sizeof *buffer);
    buffer->index = (uint32_t)index;
    buffer->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buffer->memory = V4L2_MEMORY_MMAP;
    buffer->length = (uint32_t)o->buffer_length;
    buffer->m.offset = (uint32_t)(index * o->buffer_stride);
    buffer->field = V4L2_FIELD_NONE;
    buffer->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE;
    if (b->state == BUFFER_QUEUED) buffer->flags |= V4L2_BUF_FLAG_QUEUED;
    if (b->state == BUFFER_DONE) buffer->flags |= V4L2_BUF_FLAG_DONE;
    if (b->error) buffer->flags |= V4L2_BUF_FLAG_ERROR;
    buffer->bytesused = b->state == BUFFER_IDLE && b->bytesused == 0 ? 0 : b->bytesused;
    buffer->sequence = b->sequence;
    buffer->timestamp = b->timestamp;
}

static int query_buffer(struct fake_open *o, struct v4l2_buffer *buffer) {
    if (!is_capture(buffer->type) || buffer->index >= (uint32_t)o->buffer_count) return fail(EINVAL);
    describe_buffer(o, (int)buffer->index, buffer);
    return 0;
}

static int queue_buffer(struct fake_open *o, struct v4l2_buffer *buffer) {
    if (!is_capture(buffer->type) || buffer->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
    if (buffer->index >= (uint32_t)o->buffer_count) return fail(EINVAL);
    struct fake_buffer *b = &o->buffers[buffer->index];
    if (b->state != BUFFER_IDLE) return fail(EINVAL);
    b->state = BUFFER_QUEUED;
    o->queued[(o->queued_head + o->queued_count) % FAKE_MAX_BUFFERS] = (int)buffer->index;
    o->queued_count++;
    describe_buffer(o, (int)buffer->index, buffer);
    return 0;
}

static int dequeue_buffer(struct fake_open *o, struct v4l2_buffer *buffer) {
    if (!is_capture(buffer->type) || buffer->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
    for (;;) {
        if (o->done_count > 0) break;
        if (fake_device.gone) return fail(ENODEV);
        if (!o->streaming) return fail(EINVAL);
        if (o->nonblocking) return fail(EAGAIN);
        pthread_cond_wait(&fake_changed, &fake_lock);
    }
    int index = o->done[o->done_head];
    o->done_head = (o->done_head + 1) % FAKE_MAX_BUFFERS;
    o->done_count--;
    char byte;
    if (recv(o->fd, &byte, 1, MSG_DONTWAIT) != 1) fake_trace("wake-up byte missing");
    o->buffers[index].state = BUFFER_IDLE;
    fake_device.dequeued++;
    describe_buffer(o, index, buffer);
    return 0;
}

static int stream(struct fake_open *o, const int *type, int on) {
    if (!is_capture((uint32_t)*type)) return fail(EINVAL);
    if (!on) { fake_stop_streaming_locked(o); return 0; }
    if (fake_config.busy_stream) return fail(EBUSY);
    if (o->buffer_count == 0) return fail(EINVAL);
    return fake_start_streaming_locked(o);
}

static int enumerate_input(struct v4l2_input *input) {
    if (input->index != 0) return fail(EINVAL);
    memset(input, 0, sizeof *input);
    snprintf((char *)input->name, sizeof input->name, "Camera 1");
    input->type = V4L2_INPUT_TYPE_CAMERA;
    return 0;
}

int fake_ioctl_locked(struct fake_open *o, unsigned long request, void *arg) {
    /* Frames finished before an unplug can still be dequeued; everything else fails at once. */
    if (fake_device.gone && request != VIDIOC_DQBUF) return fail(ENODEV);
    if (!arg && request != VIDIOC_LOG_STATUS) return fail(EFAULT);
    switch (request) {
    case VIDIOC_QUERYCAP: return query_capabilities(arg);
    case VIDIOC_ENUM_FMT: return enumerate_format(arg);
    case VIDIOC_ENUM_FRAMESIZES: return enumerate_sizes(arg);
    case VIDIOC_ENUM_FRAMEINTERVALS: return enumerate_intervals(arg);
    case VIDIOC_G_FMT: return get_format(arg);
    case VIDIOC_TRY_FMT: return try_or_set_format(o, arg, 0);
    case VIDIOC_S_FMT: return try_or_set_format(o, arg, 1);
    case VIDIOC_G_PARM: return get_or_set_rate(arg, 0);
    case VIDIOC_S_PARM: return get_or_set_rate(arg, 1);
    case VIDIOC_REQBUFS: return request_buffers(o, arg);
    case VIDIOC_QUERYBUF: return query_buffer(o, arg);
    case VIDIOC_QBUF: return queue_buffer(o, arg);
    case VIDIOC_DQBUF: return dequeue_buffer(o, arg);
    case VIDIOC_STREAMON: return stream(o, arg, 1);
    case VIDIOC_STREAMOFF: return stream(o, arg, 0);
    case VIDIOC_ENUMINPUT: return enumerate_input(arg);
    case VIDIOC_G_INPUT: *(int *)arg = 0; return 0;
    case VIDIOC_S_INPUT: return *(int *)arg == 0 ? 0 : fail(EINVAL);
    case VIDIOC_QUERYCTRL: case VIDIOC_QUERY_EXT_CTRL: case VIDIOC_QUERYMENU:
    case VIDIOC_G_CTRL: case VIDIOC_S_CTRL:
    case VIDIOC_G_EXT_CTRLS: case VIDIOC_S_EXT_CTRLS: case VIDIOC_TRY_EXT_CTRLS:
        return fail(EINVAL);
    default: return fail(ENOTTY);
    }
}

const char *fake_ioctl_name(unsigned long request) {
    switch (request) {
    case VIDIOC_QUERYCAP: return "QUERYCAP";
    case VIDIOC_ENUM_FMT: return "ENUM_FMT";
    case VIDIOC_ENUM_FRAMESIZES: return "ENUM_FRAMESIZES";
    case VIDIOC_ENUM_FRAMEINTERVALS: return "ENUM_FRAMEINTERVALS";
    case VIDIOC_G_FMT: return "G_FMT";
    case VIDIOC_TRY_FMT: return "TRY_FMT";
    case VIDIOC_S_FMT: return "S_FMT";
    case VIDIOC_G_PARM: return "G_PARM";
    case VIDIOC_S_PARM: return "S_PARM";
    case VIDIOC_REQBUFS: return "REQBUFS";
    case VIDIOC_QUERYBUF: return "QUERYBUF";
    case VIDIOC_QBUF: return "QBUF";
    case VIDIOC_DQBUF: return "DQBUF";
    case VIDIOC_STREAMON: return "STREAMON";
    case VIDIOC_STREAMOFF: return "STREAMOFF";
    case VIDIOC_ENUMINPUT: return "ENUMINPUT";
    case VIDIOC_G_INPUT: return "G_INPUT";
    case VIDIOC_S_INPUT: return "S_INPUT";
    case VIDIOC_QUERYCTRL: return "QUERYCTRL";
    case VIDIOC_QUERY_EXT_CTRL: return "QUERY_EXT_CTRL";
    case VIDIOC_G_CTRL: return "G_CTRL";
    case VIDIOC_S_CTRL: return "S_CTRL";
    default: return "other";
    }
}
