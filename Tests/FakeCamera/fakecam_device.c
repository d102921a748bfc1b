/*
 * fakecam_device.c: the fake camera's configuration, open descriptors, frame pattern and the pacing
 * thread that fills queued buffers. See fakecam.c for the whole picture. Test code, never shipped.
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
#include <sys/socket.h>
#include <unistd.h>
#include <linux/videodev2.h>

struct fake_config fake_config;
struct fake_device fake_device;
struct fake_open fake_opens[FAKE_MAX_OPENS];
int fake_open_count;
pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t fake_changed;
struct fake_real_functions fake_real;

/* ---- configuration ---------------------------------------------------------------------------- */

static long env_long(const char *name, long fallback) {
    const char *text = getenv(name);
    if (!text || !*text) return fallback;
    char *end;
    long value = strtol(text, &end, 10);
    return *end ? fallback : value;
}

static void parse_sizes(const char *text) {
    fake_config.size_count = 0;
    while (text && *text && fake_config.size_count < FAKE_MAX_SIZES) {
        unsigned w, h;
        if (sscanf(text, "%ux%u", &w, &h) == 2 && w >= 2 && h >= 1) {
            struct fake_size *s = &fake_config.sizes[fake_config.size_count++];
            s->width = w & ~1u;  /* YUYV pairs pixels: the width is even */
            s->height = h;
        }
        text = strchr(text, ',');
        if (text) text++;
    }
}

static void parse_rates(const char *text) {
    fake_config.rate_count = 0;
    while (text && *text && fake_config.rate_count < FAKE_MAX_RATES) {
        unsigned rate;
        if (sscanf(text, "%u", &rate) == 1 && rate > 0 && rate <= 1000)
            fake_config.rates[fake_config.rate_count++] = rate;
        text = strchr(text, ',');
        if (text) text++;
    }
}

static void parse_formats(const char *text) {
    fake_config.format_count = 0;
    while (text && *text && fake_config.format_count < FAKE_MAX_FORMATS) {
        uint32_t code = !strncmp(text, "YUYV", 4) ? V4L2_PIX_FMT_YUYV : !strncmp(text, "MJPG", 4) ? V4L2_PIX_FMT_MJPEG : 0;
        int known = 0;
        for (int i = 0; i < fake_config.format_count; i++) known |= fake_config.formats[i] == code;
        if (code && !known) fake_config.formats[fake_config.format_count++] = code;
        text = strchr(text, ',');
        if (text) text++;
    }
}

static void parse_config(void) {
    struct fake_config *c = &fake_config;
    const char *path = getenv("CLIPSEG_FAKECAM_PATH");
    snprintf(c->path, sizeof c->path, "%s", path && *path ? path : "/tmp/clipseg-fakecam0");
    const char *card = getenv("CLIPSEG_FAKECAM_CARD");
    snprintf(c->card, sizeof c->card, "%s", card && *card ? card : "clipseg fake camera");
    parse_formats(getenv("CLIPSEG_FAKECAM_FORMATS"));
    if (c->format_count == 0) parse_formats("YUYV");
    parse_sizes(getenv("CLIPSEG_FAKECAM_SIZES"));
    if (c->size_count == 0) parse_sizes("640x480,320x240,1280x720");
    parse_rates(getenv("CLIPSEG_FAKECAM_FPS"));
    if (c->rate_count == 0) parse_rates("30,15");
    c->not_capture = env_long("CLIPSEG_FAKECAM_NOT_CAPTURE", 0) != 0;
    const char *busy = getenv("CLIPSEG_FAKECAM_BUSY");
    c->busy_open = busy && (!strcmp(busy, "open") || !strcmp(busy, "1"));
    c->busy_stream = busy && !strcmp(busy, "stream");
    const char *refuse = getenv("CLIPSEG_FAKECAM_REFUSE_FORMAT");
    c->refuse_einval = refuse && !strcmp(refuse, "einval");
    c->refuse_size = refuse && !strcmp(refuse, "size");
    c->disconnect_after = env_long("CLIPSEG_FAKECAM_DISCONNECT_AFTER", -1);
    c->stall_after = env_long("CLIPSEG_FAKECAM_STALL_AFTER", -1);
    const char *stall = getenv("CLIPSEG_FAKECAM_STALL_SECONDS");
    c->stall_seconds = stall && *stall ? atof(stall) : 5.0;
    c->drop_percent = (int)env_long("CLIPSEG_FAKECAM_DROP_PERCENT", 0);
    c->trace = env_long("CLIPSEG_FAKECAM_TRACE", 0) != 0;
    fake_output_configure();

    fake_device.pixelformat = c->formats[0];
    fake_device.width = c->sizes[0].width;
    fake_device.height = c->sizes[0].height;
    fake_device.rate = c->rates[0];
    fake_device.streamer = -1;
    fake_device.drop_seed = 12345;
}

/* Set once load() has run (the constructor runs it when the library loads). */
static int loaded;

static void load(void) {
    struct fake_real_functions *r = &fake_real;
    r->open = dlsym(RTLD_NEXT, "open");
    r->open64 = dlsym(RTLD_NEXT, "open64");
    r->openat = dlsym(RTLD_NEXT, "openat");
    r->openat64 = dlsym(RTLD_NEXT, "openat64");
    r->open_2 = dlsym(RTLD_NEXT, "__open_2");
    r->open64_2 = dlsym(RTLD_NEXT, "__open64_2");
    r->openat_2 = dlsym(RTLD_NEXT, "__openat_2");
    r->openat64_2 = dlsym(RTLD_NEXT, "__openat64_2");
    r->ioctl = dlsym(RTLD_NEXT, "ioctl");
    r->close = dlsym(RTLD_NEXT, "close");
    r->mmap = dlsym(RTLD_NEXT, "mmap");
    r->mmap64 = dlsym(RTLD_NEXT, "mmap64");
    r->poll = dlsym(RTLD_NEXT, "poll");
    r->ppoll = dlsym(RTLD_NEXT, "ppoll");
    r->syscall = dlsym(RTLD_NEXT, "syscall");
    r->write = dlsym(RTLD_NEXT, "write");

    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&fake_changed, &attr);
    pthread_condattr_destroy(&attr);
    parse_config();
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* pthread_once only until load() has finished: every interposed call (syscall() included, which libc and
 * Foundation also make while a thread is being torn down) runs through here, and ThreadSanitizer's
 * pthread_once interceptor crashes in a thread whose sanitizer state is already gone (SEGV in SlotLock
 * from Foundation's TSD destructor, found by Tools/reliability.sh's ThreadSanitizer camera run). */
void fake_initialise(void) {
    if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) pthread_once(&load_once, load);
}

__attribute__((constructor)) static void fakecam_constructor(void) { fake_initialise(); }

void fake_trace(const char *format, ...) {
    if (!fake_config.trace) return;
    int saved = errno;
    va_list ap;
    va_start(ap, format);
    fprintf(stderr, "fakecam: ");
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
    va_end(ap);
    errno = saved;
}

/* ---- descriptors -------------------------------------------------------------------------------- */

int fake_is_device_path(const char *path) { return path && !strcmp(path, fake_config.path); }

struct fake_open *fake_find_open_locked(int fd) {
    if (fd < 0 || fake_open_count == 0) return NULL;
    for (int i = 0; i < FAKE_MAX_OPENS; i++)
        if (fake_opens[i].used && fake_opens[i].fd == fd) return &fake_opens[i];
    return NULL;
}

int fake_open_device(int flags) {
    int fd = -1, error = 0;
    pthread_mutex_lock(&fake_lock);
    int slot = -1;
    for (int i = 0; i < FAKE_MAX_OPENS && slot < 0; i++)
        if (!fake_opens[i].used) slot = i;
    int pair[2];
    if (fake_device.gone) error = ENOENT;
    else if (fake_config.busy_open) error = EBUSY;
    else if (slot < 0) error = EMFILE;
    else if (socketpair(AF_UNIX, SOCK_STREAM | ((flags & O_CLOEXEC) ? SOCK_CLOEXEC : 0), 0, pair) != 0) error = errno;
    if (!error) {
        struct fake_open *o = &fake_opens[slot];
        memset(o, 0, sizeof *o);
        o->used = 1;
        o->fd = fd = pair[0];
        o->peer = pair[1];
        o->memfd = -1;
        o->nonblocking = (flags & O_NONBLOCK) != 0;
        fake_open_count++;
    }
    pthread_mutex_unlock(&fake_lock);
    fake_trace("open(%s) = %d %s", fake_config.path, fd, error ? strerror(error) : "");
    errno = error;
    return fd;
}

int fake_close_device_locked(struct fake_open *o) {
    int fd = o->fd;
    fake_stop_streaming_locked(o);
    fake_free_buffers_locked(o);
    fake_real.close(o->peer);
    o->used = 0;
    fake_open_count--;
    fake_trace("close(%d)", fd);
    return fake_real.close(fd);
}

void fake_free_buffers_locked(struct fake_open *o) {
    if (o->memfd >= 0) fake_real.close(o->memfd);
    o->memfd = -1;
    o->buffer_count = 0;
    if (fake_device.streamer == (int)(o - fake_opens)) fake_device.streamer = -1;
}

void fake_unplug_locked(void) {
    fake_device.gone = 1;
    for (int i = 0; i < FAKE_MAX_OPENS; i++)
        if (fake_opens[i].used) shutdown(fake_opens[i].peer, SHUT_RDWR);
    pthread_cond_broadcast(&fake_changed);
    fake_trace("unplugged after %ld frames", fake_device.produced);
}

/* ---- the frame pattern --------------------------------------------------------------------------- */

/* Full-range BT.601 Y, U, V of white, yellow, cyan, green, magenta, red, blue, black. */
static const uint8_t bar_yuv[8][3] = {
    {255, 128, 128}, {226, 1, 149}, {179, 171, 1}, {150, 44, 21},
    {105, 212, 235}, {76, 85, 255}, {29, 255, 107}, {0, 128, 128},
};

static void fill_yuyv(uint8_t *out, uint32_t width, uint32_t height, uint32_t sequence) {
    uint32_t bar_width = width / 8 ? width / 8 : 1;
    for (uint32_t x = 0; x + 1 < width; x += 2) {
        uint32_t bar = x / bar_width > 7 ? 7 : x / bar_width;
        const uint8_t *c = bar_yuv[bar];
        uint8_t *p = out + (size_t)x * 2;
        p[0] = c[0], p[1] = c[1], p[2] = c[0], p[3] = c[2];
    }
    for (uint32_t y = 1; y < height; y++) memcpy(out + (size_t)y * width * 2, out, (size_t)width * 2);
    uint32_t counter = sequence & 0xffff;
    for (uint32_t y = 0; y < FAKE_COUNTER_BLOCK && y < height; y++) {
        uint8_t *row = out + (size_t)y * width * 2;
        for (uint32_t x = 0; x < FAKE_COUNTER_BITS * FAKE_COUNTER_BLOCK && x < width; x++) {
            row[x * 2] = ((counter >> (x / FAKE_COUNTER_BLOCK)) & 1) ? 255 : 0;
            row[x * 2 + 1] = 128;
        }
    }
}

/* ---- streaming ------------------------------------------------------------------------------------ */

static double seconds_between(const struct timespec *a, const struct timespec *b) {
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* True when this frame period produces nothing (a stall or a drop). */
static int skip_this_period_locked(const struct timespec *now) {
    struct fake_device *d = &fake_device;
    if (fake_config.stall_after >= 0 && d->produced >= fake_config.stall_after && d->stall_state != 2) {
        if (d->stall_state == 0) {
            d->stall_state = 1;
            d->stall_start = *now;
            fake_trace("stalling for %.3f s", fake_config.stall_seconds);
        }
        if (seconds_between(&d->stall_start, now) < fake_config.stall_seconds) return 1;
        d->stall_state = 2;
        fake_trace("stall over");
    }
    if (fake_config.drop_percent > 0) {
        d->drop_seed = d->drop_seed * 1103515245u + 12345u;
        if ((int)((d->drop_seed >> 16) % 100) < fake_config.drop_percent) return 1;
    }
    return 0;
}

/* Produces one frame into the oldest queued buffer; drops and retakes `fake_lock` while filling. */
static void produce_frame_locked(struct fake_open *o, uint32_t sequence, const struct timespec *now) {
    int index = o->queued[o->queued_head];
    o->queued_head = (o->queued_head + 1) % FAKE_MAX_BUFFERS;
    o->queued_count--;
    uint32_t width = fake_device.width, height = fake_device.height, pixelformat = fake_device.pixelformat;
    off_t offset = (off_t)index * (off_t)o->buffer_stride;
    size_t length = o->buffer_length, used = 0;
    int memfd = o->memfd;
    pthread_mutex_unlock(&fake_lock);
    /* A queued buffer belongs to the driver, so it is filled without the lock. */
    uint8_t *memory = fake_real.mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, offset);
    if (memory != MAP_FAILED) {
        if (pixelformat == V4L2_PIX_FMT_MJPEG) {
            uint8_t *yuyv = malloc((size_t)width * height * 2);
            if (yuyv) {
                fill_yuyv(yuyv, width, height, sequence);
                used = fake_encode_jpeg(yuyv, width, height, memory, length);
                free(yuyv);
            }
        } else {
            fill_yuyv(memory, width, height, sequence);
            used = (size_t)width * height * 2;
        }
        munmap(memory, length);
    }
    pthread_mutex_lock(&fake_lock);
    struct fake_buffer *b = &o->buffers[index];
    b->state = BUFFER_DONE;
    b->bytesused = (uint32_t)used;
    b->error = used == 0;
    b->sequence = sequence;
    b->timestamp.tv_sec = now->tv_sec;
    b->timestamp.tv_usec = now->tv_nsec / 1000;
    o->done[(o->done_head + o->done_count) % FAKE_MAX_BUFFERS] = index;
    o->done_count++;
    fake_device.produced++;
    char byte = 'f';
    if (send(o->peer, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL) != 1) fake_trace("wake-up byte not sent");
    pthread_cond_broadcast(&fake_changed);
}

static int64_t nanoseconds(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

/* Paces frames like a sensor with its own clock: period k starts at STREAMON + k * period, carries
   sequence number k and that start time as its timestamp. A period the thread wakes too late for is
   lost (its sequence number skipped), never delivered late in a burst. */
static void *stream_thread(void *arg) {
    struct fake_open *o = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = nanoseconds(&now);
    pthread_mutex_lock(&fake_lock);
    while (!o->stop && !fake_device.gone) {
        int64_t period = 1000000000 / (int64_t)fake_device.rate;
        deadline += period;
        struct timespec wake = { (time_t)(deadline / 1000000000), (long)(deadline % 1000000000) };
        while (!o->stop && !fake_device.gone &&
               pthread_cond_timedwait(&fake_changed, &fake_lock, &wake) != ETIMEDOUT) {}
        if (o->stop || fake_device.gone) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t late = (nanoseconds(&now) - deadline) / period;
        if (late > 0) {
            o->sequence += (uint32_t)late;
            deadline += late * period;
        }
        if (fake_config.disconnect_after >= 0 && fake_device.produced >= fake_config.disconnect_after) {
            fake_unplug_locked();
            break;
        }
        struct timespec stamp = { (time_t)(deadline / 1000000000), (long)(deadline % 1000000000) };
        uint32_t sequence = o->sequence++;
        if (skip_this_period_locked(&stamp) || o->queued_count == 0) continue;
        produce_frame_locked(o, sequence, &stamp);
    }
    pthread_mutex_unlock(&fake_lock);
    return NULL;
}

int fake_start_streaming_locked(struct fake_open *o) {
    if (o->streaming) return 0;
    o->stop = 0;
    o->sequence = 0;
    int error = pthread_create(&o->thread, NULL, stream_thread, o);
    if (error) { errno = error; return -1; }
    o->streaming = 1;
    return 0;
}

/* STREAMOFF: stops the pacing thread (dropping `fake_lock` while joining it) and hands every buffer
   back to the application. */
void fake_stop_streaming_locked(struct fake_open *o) {
    if (!o->streaming) return;
    o->stop = 1;
    pthread_cond_broadcast(&fake_changed);
    pthread_mutex_unlock(&fake_lock);
    pthread_join(o->thread, NULL);
    pthread_mutex_lock(&fake_lock);
    o->streaming = 0;
    o->stop = 0;
    for (int i = 0; i < o->buffer_count; i++) o->buffers[i].state = BUFFER_IDLE;
    o->queued_count = o->queued_head = o->done_count = o->done_head = 0;
    char sink[64];
    while (recv(o->fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {}
    pthread_cond_broadcast(&fake_changed);
}
