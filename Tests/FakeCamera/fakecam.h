/*
 * fakecam.h: state shared by the parts of the fake V4L2 camera (see fakecam.c for what it is and the
 * environment variables it reads). Test code, never shipped.
 */
#ifndef CLIPSEG_FAKECAM_H
#define CLIPSEG_FAKECAM_H
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>

#define FAKE_MAX_SIZES 16
#define FAKE_MAX_RATES 8
#define FAKE_MAX_FORMATS 2
#define FAKE_MAX_OPENS 16
#define FAKE_MAX_BUFFERS 16
#define FAKE_COUNTER_BITS 16
#define FAKE_COUNTER_BLOCK 8

struct fake_size { uint32_t width, height; };

/* Settings read from the environment when the library loads. */
struct fake_config {
    char path[4096];
    uint32_t formats[FAKE_MAX_FORMATS];  /* V4L2_PIX_FMT_YUYV and/or V4L2_PIX_FMT_MJPEG, in ENUM_FMT order */
    int format_count;
    char card[32];
    struct fake_size sizes[FAKE_MAX_SIZES];
    int size_count;
    uint32_t rates[FAKE_MAX_RATES];  /* frames per second */
    int rate_count;
    int not_capture;
    int busy_open, busy_stream;
    int refuse_einval, refuse_size;
    long disconnect_after;           /* -1: never */
    long stall_after;                /* -1: never */
    double stall_seconds;
    int drop_percent;
    int trace;
};

/* The device as a whole: format and rate are shared by every open descriptor, as on a real driver. */
struct fake_device {
    uint32_t pixelformat, width, height, rate;
    int gone;                        /* unplugged */
    int streamer;                    /* index in fake_opens of the open owning the buffers, or -1 */
    long produced;                   /* frames put in a done queue since the library loaded */
    long dequeued;                   /* frames handed to the application */
    int stall_state;                 /* 0: not yet, 1: stalling, 2: over */
    struct timespec stall_start;
    uint32_t drop_seed;
};

enum fake_buffer_state { BUFFER_IDLE, BUFFER_QUEUED, BUFFER_DONE };

struct fake_buffer {
    enum fake_buffer_state state;
    uint32_t bytesused, sequence;
    int error;                       /* V4L2_BUF_FLAG_ERROR: the frame did not fit */
    struct timeval timestamp;
};

/* One open() of the device path. */
struct fake_open {
    int used;
    int fd;                          /* what the application holds: socket end 0 */
    int peer;                        /* socket end 1: one byte written per done frame */
    int memfd;                       /* backing store of the buffers, or -1 */
    size_t buffer_length, buffer_stride;
    int buffer_count;
    struct fake_buffer buffers[FAKE_MAX_BUFFERS];
    int queued[FAKE_MAX_BUFFERS], queued_head, queued_count;   /* FIFOs of buffer indexes */
    int done[FAKE_MAX_BUFFERS], done_head, done_count;
    int nonblocking;
    int streaming;
    int stop;
    pthread_t thread;
    uint32_t sequence;
};

extern struct fake_config fake_config;
extern struct fake_device fake_device;
extern struct fake_open fake_opens[FAKE_MAX_OPENS];
extern int fake_open_count;               /* fast path: no fake descriptor exists */
extern pthread_mutex_t fake_lock;         /* guards everything above */
extern pthread_cond_t fake_changed;       /* CLOCK_MONOTONIC: a buffer got done, streaming stopped, unplugged */

/* The functions the interposers stand in front of (RTLD_NEXT). */
struct fake_real_functions {
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*open_2)(const char *, int);
    int (*open64_2)(const char *, int);
    int (*openat_2)(int, const char *, int);
    int (*openat64_2)(int, const char *, int);
    int (*ioctl)(int, unsigned long, ...);
    int (*close)(int);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    void *(*mmap64)(void *, size_t, int, int, int, off64_t);
    int (*poll)(struct pollfd *, nfds_t, int);
    int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
    long (*syscall)(long, ...);
    void *write;                     /* ssize_t (*)(int, const void *, size_t) */
};
extern struct fake_real_functions fake_real;

/* fakecam_device.c */
void fake_initialise(void);
void fake_trace(const char *format, ...) __attribute__((format(printf, 1, 2)));
int fake_is_device_path(const char *path);
struct fake_open *fake_find_open_locked(int fd);
int fake_open_device(int flags);
int fake_close_device_locked(struct fake_open *o);
int fake_start_streaming_locked(struct fake_open *o);
void fake_stop_streaming_locked(struct fake_open *o);
void fake_free_buffers_locked(struct fake_open *o);
void fake_unplug_locked(void);

/* fakecam_jpeg.c: JPEG of a YUYV frame into out; its length, or 0 when it does not fit in capacity */
size_t fake_encode_jpeg(const uint8_t *yuyv, uint32_t width, uint32_t height, uint8_t *out, size_t capacity);

/* fakecam_output.c: the fake V4L2 output device (a v4l2loopback virtual camera) */
void fake_output_configure(void);
int fake_output_path_state(const char *path);   /* 1 ours, -1 ours but gone (errno set), 0 not ours */
int fake_output_owns(int fd);
int fake_output_open(int flags);
int fake_output_close(int fd, int *result);     /* 1 when fd was ours (*result set) */
int fake_output_ioctl(int fd, unsigned long request, void *arg, int *result);
int fake_output_write(int fd, const void *bytes, size_t count, ssize_t *result);

/* fakecam_ioctl.c */
int fake_ioctl_locked(struct fake_open *o, unsigned long request, void *arg);
const char *fake_ioctl_name(unsigned long request);
#endif
