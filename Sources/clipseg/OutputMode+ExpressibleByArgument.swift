import ArgumentParser
import MaskRender
import Pipeline

/// `--mode overlay|matte|cutout|blur|replace`.
extension OutputMode: ExpressibleByArgument {}

/// `--mask-layout union|labels|stack`.
extension MaskLayout: ExpressibleByArgument {}
