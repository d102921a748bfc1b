import ArgumentParser
import MaskRender

/// `--mode overlay|matte|cutout|blur|replace`.
extension OutputMode: ExpressibleByArgument {}

/// `--mask-layout union|labels|stack`.
extension MaskLayout: ExpressibleByArgument {}
