/*
 * fakecam_stat.c: stat() and access() of the fake camera's path answer as for a V4L2 character device
 * node (major 81, like /dev/video*), so tools that check the node first (v4l2-ctl, ffmpeg, clipseg)
 * accept it. After an unplug the path is gone (ENOENT). See fakecam.c. Test code, never shipped.
 */
#include "fakecam.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define FAKE_VIDEO_MAJOR 81
#define FAKE_VIDEO_MINOR 200
#define FAKE_OUTPUT_MINOR 201  /* the fake output device (fakecam_output.c) */

/* The next definition of `name` (libc's), looked up once per name. */
#define NEXT(name) ({                                                        \
    static void *cached;                                                     \
    void *found = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);                \
    if (!found) {                                                            \
        found = dlsym(RTLD_NEXT, #name);                                     \
        __atomic_store_n(&cached, found, __ATOMIC_RELEASE);                  \
    }                                                                        \
    found;                                                                   \
})

/* Fills *st as for the device node of `minor` (the camera's, or the output device's). */
static void describe_node(struct stat *st, unsigned minor) {
    memset(st, 0, sizeof *st);
    st->st_dev = makedev(0, 5);
    st->st_ino = 0xc11b5e6 + (minor - FAKE_VIDEO_MINOR);
    st->st_mode = S_IFCHR | 0660;
    st->st_nlink = 1;
    st->st_uid = getuid();
    st->st_gid = getgid();
    st->st_rdev = makedev(FAKE_VIDEO_MAJOR, minor);
    st->st_blksize = 4096;
    clock_gettime(CLOCK_REALTIME, &st->st_mtim);
    st->st_atim = st->st_ctim = st->st_mtim;
}

/* 1: `path` names the device and *st is filled; -1: it names the unplugged device (errno set); 0: not ours. */
static int fake_stat(int dirfd, const char *path, struct stat *st) {
    fake_initialise();
    if (!path || (dirfd != AT_FDCWD && path[0] != '/')) return 0;
    int output = fake_output_path_state(path);
    if (output < 0) return -1;
    if (output > 0) { describe_node(st, FAKE_OUTPUT_MINOR); return 1; }
    if (!fake_is_device_path(path)) return 0;
    pthread_mutex_lock(&fake_lock);
    int gone = fake_device.gone;
    pthread_mutex_unlock(&fake_lock);
    if (gone) { errno = ENOENT; return -1; }
    describe_node(st, FAKE_VIDEO_MINOR);
    return 1;
}

#define STAT_RESULT(dirfd, path, st) \
    do { int r = fake_stat(dirfd, path, (struct stat *)(st)); if (r) return r > 0 ? 0 : -1; } while (0)

int stat(const char *path, struct stat *st) {
    STAT_RESULT(AT_FDCWD, path, st);
    return ((int (*)(const char *, struct stat *))NEXT(stat))(path, st);
}

int stat64(const char *path, struct stat64 *st) {
    STAT_RESULT(AT_FDCWD, path, st);
    return ((int (*)(const char *, struct stat64 *))NEXT(stat64))(path, st);
}

int lstat(const char *path, struct stat *st) {
    STAT_RESULT(AT_FDCWD, path, st);
    return ((int (*)(const char *, struct stat *))NEXT(lstat))(path, st);
}

int lstat64(const char *path, struct stat64 *st) {
    STAT_RESULT(AT_FDCWD, path, st);
    return ((int (*)(const char *, struct stat64 *))NEXT(lstat64))(path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags) {
    STAT_RESULT(dirfd, path, st);
    return ((int (*)(int, const char *, struct stat *, int))NEXT(fstatat))(dirfd, path, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags) {
    STAT_RESULT(dirfd, path, st);
    return ((int (*)(int, const char *, struct stat64 *, int))NEXT(fstatat64))(dirfd, path, st, flags);
}

int __xstat(int version, const char *path, struct stat *st) {
    STAT_RESULT(AT_FDCWD, path, st);
    return ((int (*)(int, const char *, struct stat *))NEXT(__xstat))(version, path, st);
}

int __lxstat(int version, const char *path, struct stat *st) {
    STAT_RESULT(AT_FDCWD, path, st);
    return ((int (*)(int, const char *, struct stat *))NEXT(__lxstat))(version, path, st);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx) {
    struct stat st;
    int r = fake_stat(dirfd, path, &st);
    if (r < 0) return -1;
    if (r == 0)
        return ((int (*)(int, const char *, int, unsigned, struct statx *))NEXT(statx))(dirfd, path, flags, mask, stx);
    memset(stx, 0, sizeof *stx);
    stx->stx_mask = STATX_BASIC_STATS;
    stx->stx_blksize = (uint32_t)st.st_blksize;
    stx->stx_nlink = (uint32_t)st.st_nlink;
    stx->stx_uid = st.st_uid;
    stx->stx_gid = st.st_gid;
    stx->stx_mode = (uint16_t)st.st_mode;
    stx->stx_ino = st.st_ino;
    stx->stx_atime.tv_sec = stx->stx_mtime.tv_sec = stx->stx_ctime.tv_sec = st.st_mtim.tv_sec;
    stx->stx_rdev_major = FAKE_VIDEO_MAJOR;
    stx->stx_rdev_minor = minor(st.st_rdev);
    stx->stx_dev_minor = 5;
    return 0;
}

/* fstat of an open fake descriptor describes the device node too. */
int fstat(int fd, struct stat *st) {
    fake_initialise();
    if (fake_open_count > 0) {
        pthread_mutex_lock(&fake_lock);
        int ours = fake_find_open_locked(fd) != NULL;
        pthread_mutex_unlock(&fake_lock);
        if (ours) {
            describe_node(st, FAKE_VIDEO_MINOR);  /* even when unplugged: the descriptor still refers to the node */
            return 0;
        }
    }
    if (fake_output_owns(fd)) {
        describe_node(st, FAKE_OUTPUT_MINOR);
        return 0;
    }
    return ((int (*)(int, struct stat *))NEXT(fstat))(fd, st);
}

int fstat64(int fd, struct stat64 *st) { return fstat(fd, (struct stat *)st); }

static int fake_access(int dirfd, const char *path) {
    struct stat st;
    return fake_stat(dirfd, path, &st);
}

int access(const char *path, int mode) {
    int r = fake_access(AT_FDCWD, path);
    if (r) return r > 0 ? 0 : -1;
    return ((int (*)(const char *, int))NEXT(access))(path, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags) {
    int r = fake_access(dirfd, path);
    if (r) return r > 0 ? 0 : -1;
    return ((int (*)(int, const char *, int, int))NEXT(faccessat))(dirfd, path, mode, flags);
}
