/*
 * fakecam.c: a fake V4L2 video capture device for clipseg's tests (test code, never shipped).
 *
 * Loaded with LD_PRELOAD into a child process, it makes one path (default /tmp/clipseg-fakecam0; no file
 * need exist there) behave like a single-input USB webcam, so the real `clipseg` binary and libv4l2 can
 * be tested without /dev/video* or kernel modules:
 *
 *   make fakecam
 *   LD_PRELOAD=$PWD/.build/fakecam/libclipseg-fakecam.so clipseg devices /tmp/clipseg-fakecam0
 *   LD_PRELOAD=$PWD/.build/fakecam/libclipseg-fakecam.so v4l2-ctl -d /tmp/clipseg-fakecam0 --all
 *
 * Build (every .c file of this folder into one library; `make fakecam` does it):
 *   cc -O2 -Wall -shared -fPIC -o libclipseg-fakecam.so fakecam*.c -ldl -lpthread
 *
 * Files: fakecam.c (this one: the interposed libc entry points), fakecam_device.c (configuration, open
 * descriptors, frame pattern, pacing thread), fakecam_ioctl.c (the V4L2 ioctls), fakecam_stat.c (stat and
 * access of the path answer as for a character device, major 81), fakecam_jpeg.c (MJPEG frames),
 * fakecam_output.c (a V4L2 output device: a fake v4l2loopback virtual camera), fakecam.h.
 *
 * What is intercepted: libc's open/open64/openat/openat64 (and the _FORTIFY __open_2 variants), ioctl,
 * close, mmap/mmap64, poll/ppoll, write (for the output device of fakecam_output.c, which FFmpeg's V4L2
 * output device writes frames to), and syscall(), because libv4l2 1.22 reaches the kernel only through
 * syscall(SYS_openat | SYS_ioctl | SYS_mmap | SYS_munmap | SYS_close | SYS_read, ...). Opening the path
 * returns one end of an AF_UNIX socket pair; each finished frame writes one byte to the other end, so
 * poll/select/epoll on the descriptor wake up as on a real device. poll/ppoll results for it are then
 * corrected to what a V4L2 driver reports: POLLIN while a buffer is done, POLLERR|POLLHUP once unplugged,
 * POLLERR when not streaming. Buffers live in a memfd, so mmap of QUERYBUF offsets maps shared memory.
 * read()/write() on the camera are refused with EINVAL (no V4L2_CAP_READWRITE).
 *
 * Ioctls answered: QUERYCAP, ENUM_FMT, ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS, G/S/TRY_FMT, G/S_PARM,
 * REQBUFS (MMAP only), QUERYBUF, QBUF, DQBUF, STREAMON/OFF, ENUMINPUT, G/S_INPUT. Control ioctls
 * (QUERYCTRL, G/S_CTRL, *_EXT_CTRLS, QUERYMENU) fail with EINVAL (no controls); anything else ENOTTY.
 * The format is shared by all descriptors; one descriptor at a time may own buffers (others get EBUSY).
 *
 * Frames: YUYV 4:2:2 in full-range BT.601 (or MJPEG of the same picture), paced by a thread like a sensor with its own clock: frame
 * period n starts at STREAMON + n / fps on CLOCK_MONOTONIC, and its frame carries sequence number n and
 * that start time as its timestamp (so timestamps are exact multiples of the period). A period nobody
 * can take (no queued buffer, or the thread woke too late) is lost, as on a real camera, never delivered
 * late. The frame with sequence number n shows
 *   - eight vertical colour bars, each width/8 pixels wide (the last takes any remainder), left to right:
 *     white, yellow, cyan, green, magenta, red, blue, black, fully saturated, so libv4l2's YUYV->RGB24
 *     conversion yields exactly 0 or 255 in every channel;
 *   - over the bars, in rows 0..7, a 16-bit counter holding n & 0xffff: bit k (least significant first) is
 *     the 8-pixel block at x = 8k..8k+7, white (Y=255, RGB 255,255,255) when set, black when clear.
 * Sequence numbers count frame periods since STREAMON, so lost and dropped frames show up as gaps.
 *
 * Environment (read once, when the library loads):
 *   CLIPSEG_FAKECAM_PATH=path          device path (default /tmp/clipseg-fakecam0)
 *   CLIPSEG_FAKECAM_FORMATS=F,...      pixel formats offered, YUYV and/or MJPG, in this order (default YUYV);
 *                                      the first is the power-on format. MJPG frames are baseline JPEG,
 *                                      4:2:2, near lossless (fakecam_jpeg.c): colours decode within +-2
 *   CLIPSEG_FAKECAM_SIZES=WxH,...      discrete frame sizes, even widths (default 640x480,320x240,1280x720);
 *                                      the first is the power-on format
 *   CLIPSEG_FAKECAM_FPS=F,...          whole frame rates offered at every size (default 30,15); the first is
 *                                      the power-on rate
 *   CLIPSEG_FAKECAM_CARD=name          card name reported by QUERYCAP (default "clipseg fake camera")
 *   CLIPSEG_FAKECAM_NOT_CAPTURE=1      report a metadata node (V4L2_CAP_META_CAPTURE, no video capture)
 *   CLIPSEG_FAKECAM_BUSY=open|stream   fail with EBUSY: `open` (or 1) at open(); `stream` at S_FMT, REQBUFS
 *                                      and STREAMON, as uvcvideo does while another program streams
 *   CLIPSEG_FAKECAM_REFUSE_FORMAT=einval|size
 *                                      `einval`: S_FMT fails with EINVAL; `size`: S_FMT (not TRY_FMT)
 *                                      ignores the requested size and sets the first listed size, so
 *                                      libv4l2 gives up converting and hands the application YUYV
 *   CLIPSEG_FAKECAM_DISCONNECT_AFTER=N after N frames have been produced the device is unplugged at the next
 *                                      frame period: those N frames can still be dequeued, then DQBUF fails
 *                                      with ENODEV, poll reports POLLERR|POLLHUP, every other ioctl fails with
 *                                      ENODEV and opening the path again fails with ENOENT
 *   CLIPSEG_FAKECAM_STALL_AFTER=N      after N frames have been produced, produce none for
 *   CLIPSEG_FAKECAM_STALL_SECONDS=T      T seconds (default 5, fractions allowed), then carry on
 *   CLIPSEG_FAKECAM_DROP_PERCENT=X     skip X% of frame periods (a fixed pseudo-random choice, the same on
 *                                      every run); sequence numbers still advance
 *   CLIPSEG_FAKECAM_TRACE=1            log every call made on the device to stderr
 *   CLIPSEG_FAKECAM_OUTPUT_*           the fake V4L2 output device (a virtual camera): see fakecam_output.c
 * "Frames produced" counts frames finished into buffers since the library loaded, over all streams.
 */
#include "fakecam.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* 1: `path` is the fake camera, 2: the fake output device (fakecam_output.c), 0: neither. */
static int matches(int dirfd, const char *path) {
    fake_initialise();
    if (!path || (dirfd != AT_FDCWD && path[0] != '/')) return 0;
    if (fake_is_device_path(path)) return 1;
    return fake_output_path_state(path) != 0 ? 2 : 0;
}

/* Opens the fake device `which` (see matches). The output device's path, once gone, fails with ENOENT. */
static int open_fake(int which, const char *path, int flags) {
    if (which == 1) return fake_open_device(flags);
    if (fake_output_path_state(path) < 0) return -1;
    return fake_output_open(flags);
}

static mode_t mode_argument(int flags, va_list ap) {
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

/* ---- open ------------------------------------------------------------------------------------------ */

int open(const char *path, int flags, ...) {
    int which = matches(AT_FDCWD, path);
    if (which) return open_fake(which, path, flags);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return fake_real.open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    int which = matches(AT_FDCWD, path);
    if (which) return open_fake(which, path, flags);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return fake_real.open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
    int which = matches(dirfd, path);
    if (which) return open_fake(which, path, flags);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return fake_real.openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    int which = matches(dirfd, path);
    if (which) return open_fake(which, path, flags);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return fake_real.openat64(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags) {
    int which = matches(AT_FDCWD, path);
    return which ? open_fake(which, path, flags) : fake_real.open_2(path, flags);
}

int __open64_2(const char *path, int flags) {
    int which = matches(AT_FDCWD, path);
    return which ? open_fake(which, path, flags) : fake_real.open64_2(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags) {
    int which = matches(dirfd, path);
    return which ? open_fake(which, path, flags) : fake_real.openat_2(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags) {
    int which = matches(dirfd, path);
    return which ? open_fake(which, path, flags) : fake_real.openat64_2(dirfd, path, flags);
}

/* ---- ioctl, close, mmap, read ------------------------------------------------------------------------ */

/* Answers `request` when `fd` is a fake descriptor; returns 0 (and leaves *result alone) otherwise. */
static int fake_ioctl(int fd, unsigned long request, void *arg, int *result) {
    if (fake_output_ioctl(fd, request, arg, result)) return 1;
    if (fake_open_count == 0) return 0;
    pthread_mutex_lock(&fake_lock);
    struct fake_open *o = fake_find_open_locked(fd);
    if (o) {
        *result = fake_ioctl_locked(o, request, arg);
        int saved = errno;
        fake_trace("ioctl(%d, %s) = %d %s", fd, fake_ioctl_name(request), *result,
                   *result ? strerror(saved) : "");
        errno = saved;
    }
    pthread_mutex_unlock(&fake_lock);
    return o != NULL;
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    fake_initialise();
    int result;
    if (fake_ioctl(fd, request, arg, &result)) return result;
    return fake_real.ioctl(fd, request, arg);
}

static int fake_close(int fd, int *result) {
    if (fake_output_close(fd, result)) return 1;
    if (fake_open_count == 0) return 0;
    pthread_mutex_lock(&fake_lock);
    struct fake_open *o = fake_find_open_locked(fd);
    if (o) *result = fake_close_device_locked(o);
    pthread_mutex_unlock(&fake_lock);
    return o != NULL;
}

int close(int fd) {
    fake_initialise();
    int result;
    if (fake_close(fd, &result)) return result;
    return fake_real.close(fd);
}

/* Maps a buffer of a fake descriptor from its memfd; returns 0 when `fd` is not fake. */
static int fake_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset, void **result) {
    if (fake_open_count == 0) return 0;
    pthread_mutex_lock(&fake_lock);
    struct fake_open *o = fake_find_open_locked(fd);
    if (o) {
        size_t end = o->buffer_stride * (size_t)o->buffer_count;
        if (fake_device.gone) { *result = MAP_FAILED; errno = ENODEV; }
        else if (o->memfd < 0 || offset < 0 || (size_t)offset + length > end) { *result = MAP_FAILED; errno = EINVAL; }
        else *result = fake_real.mmap(addr, length, prot, flags, o->memfd, offset);
        fake_trace("mmap(%d, offset %ld, %zu bytes) %s", fd, (long)offset, length,
                   *result == MAP_FAILED ? "failed" : "ok");
    }
    pthread_mutex_unlock(&fake_lock);
    return o != NULL;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    fake_initialise();
    void *result;
    if (fake_mmap(addr, length, prot, flags, fd, offset, &result)) return result;
    return fake_real.mmap(addr, length, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off64_t offset) {
    fake_initialise();
    void *result;
    if (fake_mmap(addr, length, prot, flags, fd, (off_t)offset, &result)) return result;
    return fake_real.mmap64(addr, length, prot, flags, fd, offset);
}

static int is_fake(int fd) {
    if (fake_open_count == 0) return 0;
    pthread_mutex_lock(&fake_lock);
    int found = fake_find_open_locked(fd) != NULL;
    pthread_mutex_unlock(&fake_lock);
    return found;
}

/* write() on the fake output device: one frame (fakecam_output.c). */
ssize_t write(int fd, const void *bytes, size_t count) {
    fake_initialise();
    ssize_t written;
    if (fake_output_write(fd, bytes, count, &written)) return written;
    return ((ssize_t (*)(int, const void *, size_t))fake_real.write)(fd, bytes, count);
}

/* ---- syscall: how libv4l2 talks to drivers ------------------------------------------------------------ */

long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
    long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
    va_end(ap);
    fake_initialise();
    int result;
    switch (number) {
#ifdef SYS_open
    case SYS_open: {
        int which = matches(AT_FDCWD, (const char *)a1);
        if (which) return open_fake(which, (const char *)a1, (int)a2);
        break;
    }
#endif
    case SYS_openat: {
        int which = matches((int)a1, (const char *)a2);
        if (which) return open_fake(which, (const char *)a2, (int)a3);
        break;
    }
    case SYS_ioctl:
        if (fake_ioctl((int)a1, (unsigned long)a2, (void *)a3, &result)) return result;
        break;
    case SYS_close:
        if (fake_close((int)a1, &result)) return result;
        break;
    case SYS_mmap: {
        void *mapped;
        if (fake_mmap((void *)a1, (size_t)a2, (int)a3, (int)a4, (int)a5, (off_t)a6, &mapped)) return (long)mapped;
        break;
    }
    case SYS_write: {
        ssize_t written;
        if (fake_output_write((int)a1, (const void *)a2, (size_t)a3, &written)) return written;
        if (is_fake((int)a1)) { errno = EINVAL; return -1; }
        break;
    }
    case SYS_read:
        if (is_fake((int)a1)) { errno = EINVAL; return -1; }
        break;
    default:
        break;
    }
    return fake_real.syscall(number, a1, a2, a3, a4, a5, a6);
}

/* ---- poll: report what a V4L2 driver would ------------------------------------------------------------ */

static int driver_poll_events(const struct fake_open *o, short requested) {
    if (o->done_count > 0) return requested & (POLLIN | POLLRDNORM);
    if (fake_device.gone) return POLLERR | POLLHUP;
    if (!o->streaming) return POLLERR;
    return 0;
}

/* True when some fake descriptor in `fds` has an event now, so the real poll must not wait. */
static int fake_event_pending(const struct pollfd *fds, nfds_t count) {
    if (fake_open_count == 0) return 0;
    pthread_mutex_lock(&fake_lock);
    int pending = 0;
    for (nfds_t i = 0; i < count && !pending; i++) {
        struct fake_open *o = fake_find_open_locked(fds[i].fd);
        pending = o && driver_poll_events(o, fds[i].events);
    }
    pthread_mutex_unlock(&fake_lock);
    return pending;
}

/* Rewrites revents of fake descriptors; returns the new count of ready entries. */
static int correct_poll_result(struct pollfd *fds, nfds_t count, int ready) {
    if (ready < 0 || fake_open_count == 0) return ready;
    pthread_mutex_lock(&fake_lock);
    int total = 0;
    for (nfds_t i = 0; i < count; i++) {
        struct fake_open *o = fake_find_open_locked(fds[i].fd);
        if (o) fds[i].revents = (short)driver_poll_events(o, fds[i].events);
        if (fds[i].revents) total++;
    }
    pthread_mutex_unlock(&fake_lock);
    return total;
}

int poll(struct pollfd *fds, nfds_t count, int timeout) {
    fake_initialise();
    if (fake_event_pending(fds, count)) timeout = 0;
    return correct_poll_result(fds, count, fake_real.poll(fds, count, timeout));
}

int ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask) {
    fake_initialise();
    static const struct timespec now = {0, 0};
    if (fake_event_pending(fds, count)) timeout = &now;
    return correct_poll_result(fds, count, fake_real.ppoll(fds, count, timeout, mask));
}
