import CFFmpeg

/// FFmpeg's own words for an error code (`av_strerror`), e.g. "Invalid data found when processing input".
func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let count = buffer.count
    return buffer.withUnsafeMutableBufferPointer { raw in
        String(cString: clipseg_av_err2str(code, raw.baseAddress, count))
    }
}

/// `AVERROR(errno)` for a POSIX error number.
func averror(_ posixError: Int32) -> Int32 { clipseg_averror(posixError) }
