import CFFmpeg

/// The AVOption names an opened input accepts when opening: the generic demuxing options, its demuxer's
/// own and its protocol's (decoding parameters, no named constants), for refusing unknown keys with the
/// list of valid ones, as ffmpeg does.
enum InputOptionNames {
    /// Sorted, without duplicates.
    static func valid(for context: UnsafeMutablePointer<AVFormatContext>, url: String) -> [String] {
        var names = Set<String>()
        var classes: [UnsafePointer<AVClass>?] = [avformat_get_class()]
        classes.append(context.pointee.iformat?.pointee.priv_class)
        if let protocolName = avio_find_protocol_name(url) { classes.append(avio_protocol_get_class(protocolName)) }
        for case var avClass? in classes {
            withUnsafeMutablePointer(to: &avClass) { object in
                var option = av_opt_next(object, nil)
                while let current = option {
                    if current.pointee.type != AV_OPT_TYPE_CONST, current.pointee.flags & AV_OPT_FLAG_DECODING_PARAM != 0 {
                        names.insert(String(cString: current.pointee.name))
                    }
                    option = av_opt_next(object, current)
                }
            }
        }
        return names.sorted()
    }
}
