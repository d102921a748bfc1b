#ifndef CLIPSEG_CFFMPEG_SHIM_H
#define CLIPSEG_CFFMPEG_SHIM_H
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libavutil/error.h>
#include <libswscale/swscale.h>

// Macros Swift cannot import, as prefixed functions and constants.
static inline int clipseg_averror(int e) { return AVERROR(e); }
static const int CLIPSEG_AVERROR_EOF = AVERROR_EOF;
static const int CLIPSEG_AVERROR_EAGAIN = AVERROR(EAGAIN);
static const int CLIPSEG_AVERROR_INVALIDDATA = AVERROR_INVALIDDATA;
static const int CLIPSEG_AVERROR_DECODER_NOT_FOUND = AVERROR_DECODER_NOT_FOUND;
static const int64_t CLIPSEG_AV_NOPTS_VALUE = AV_NOPTS_VALUE;
static const int CLIPSEG_AV_TIME_BASE = AV_TIME_BASE;
static const int CLIPSEG_AVFMT_GLOBALHEADER = AVFMT_GLOBALHEADER;
static const int CLIPSEG_AVFMT_NOFILE = AVFMT_NOFILE;
static const int CLIPSEG_AV_CODEC_FLAG_GLOBAL_HEADER = AV_CODEC_FLAG_GLOBAL_HEADER;

/// Writes FFmpeg's message for `errnum` into `buf` (at least 64 bytes).
static inline const char *clipseg_av_err2str(int errnum, char *buf, size_t size) {
    av_strerror(errnum, buf, size);
    return buf;
}

// FFmpeg's log, captured. A C callback (va_list cannot cross into Swift) formats each line at or
// above the capture or the print level and hands it, with its level, to one Swift sink, which routes
// captured lines and prints the others itself (so that it can hide credentials in both). State is
// private to the module that installs it (MediaIO).
typedef void (*clipseg_log_sink)(void *context, int level, const char *line);
static clipseg_log_sink clipseg_log_sink_function = 0;
static int clipseg_log_print_level = AV_LOG_QUIET;
static int clipseg_log_capture_level = AV_LOG_ERROR;

static void clipseg_log_callback(void *context, int level, const char *fmt, va_list args) {
    if (level > clipseg_log_print_level && level > clipseg_log_capture_level) return;
    if (!clipseg_log_sink_function) {
        av_log_default_callback(context, level, fmt, args);
        return;
    }
    char line[1024];
    int print_prefix = 1;
    av_log_format_line2(context, level, fmt, args, line, sizeof line, &print_prefix);
    clipseg_log_sink_function(context, level, line);
}

/// Routes FFmpeg's lines at `capture_level` or `print_level` or more severe through `sink`, with their
/// level (the sink prints those at `print_level`). Call again to change the levels.
static inline void clipseg_install_log_capture(clipseg_log_sink sink, int print_level, int capture_level) {
    clipseg_log_sink_function = sink;
    clipseg_log_print_level = print_level;
    clipseg_log_capture_level = capture_level;
    av_log_set_level(print_level > capture_level ? print_level : capture_level);
    av_log_set_callback(clipseg_log_callback);
}

/// The item name of a logging context's AVClass ("h264", "mov,mp4,m4a,3gp,3g2,mj2"), or NULL.
static inline const char *clipseg_log_context_name(void *context) {
    if (!context) return 0;
    const AVClass *cls = *(const AVClass **)context;
    return cls && cls->item_name ? cls->item_name(context) : 0;
}
#endif
