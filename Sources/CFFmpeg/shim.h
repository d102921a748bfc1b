#ifndef CLIPSEG_CFFMPEG_SHIM_H
#define CLIPSEG_CFFMPEG_SHIM_H
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
#endif
