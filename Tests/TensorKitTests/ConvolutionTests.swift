import XCTest
@testable import TensorKit

final class ConvolutionTests: XCTestCase {
    private func checkConvolution(channels: Int, outChannels: Int, height: Int, width: Int,
                                  kernel: Int, stride: Int, padding: Int, layout: ImageLayout,
                                  line: UInt = #line) {
        let batch = 2
        let nchw = NaiveReference.values(batch * channels * height * width, seed: 40)
        let weight = NaiveReference.values(outChannels * channels * kernel * kernel, seed: 41)
        let bias = NaiveReference.values(outChannels, seed: 42)
        let conv = Convolution2D(pytorchWeight: weight, bias: bias, inputChannels: channels, outputChannels: outChannels,
                                 kernelSize: kernel, stride: stride, padding: padding)
        let input = layout == .channelsFirst
            ? Tensor(shape: [batch, channels, height, width], data: nchw)
            : Tensor(shape: [batch, height, width, channels],
                     data: NaiveReference.channelsLast(nchw, batch: batch, channels: channels, height: height, width: width))
        let y = conv(input, layout: layout, activation: .relu)
        let ref = NaiveReference.conv2d(nchw, batch: batch, channels: channels, height: height, width: width,
                                        weight: weight, bias: bias, outChannels: outChannels, kernel: kernel,
                                        stride: stride, padding: padding)
        XCTAssertEqual(y.shape, [batch, ref.height, ref.width, outChannels], line: line)
        let expected = NaiveReference.channelsLast(ref.values, batch: batch, channels: outChannels,
                                                   height: ref.height, width: ref.width).map { max($0, 0) }
        XCTAssertLessThan(NaiveReference.maxDifference(y.data, expected), 1e-5, line: line)
    }

    func testPatchEmbeddingConvolution() {
        // Stride = kernel, no padding, planar input: the vision transformer's patch embedding.
        checkConvolution(channels: 3, outChannels: 8, height: 12, width: 8, kernel: 4, stride: 4, padding: 0,
                         layout: .channelsFirst)
    }

    func testThreeByThreePaddedConvolutionOnChannelsLastInput() {
        checkConvolution(channels: 5, outChannels: 4, height: 6, width: 7, kernel: 3, stride: 1, padding: 1,
                         layout: .channelsLast)
    }

    func testStridedPaddedConvolutionWithRaggedEdge() {
        checkConvolution(channels: 2, outChannels: 3, height: 9, width: 6, kernel: 3, stride: 2, padding: 1,
                         layout: .channelsFirst)
    }

    /// Split over threads (im2col rows, GEMM output columns in 16-column pieces, ragged last piece), the
    /// patch embedding gives the single-threaded result.
    func testThreadedConvolutionMatchesSingleThreaded() {
        let (batch, channels, outChannels, side, kernel) = (2, 3, 40, 16, 4)
        let conv = Convolution2D(pytorchWeight: NaiveReference.values(outChannels * channels * kernel * kernel, seed: 43),
                                 bias: NaiveReference.values(outChannels, seed: 44), inputChannels: channels,
                                 outputChannels: outChannels, kernelSize: kernel, stride: kernel)
        let input = NaiveReference.values(batch * channels * side * side, seed: 45)
        let rows = batch * (side / kernel) * (side / kernel)
        func run(threads: Int) -> [Float] {
            var output = [Float](repeating: .nan, count: rows * outChannels)
            var columns = [Float](repeating: .nan, count: conv.scratchCount(batch: batch, height: side, width: side))
            output.withUnsafeMutableBufferPointer { out in
                columns.withUnsafeMutableBufferPointer { scratch in
                    conv.apply(input, batch: batch, height: side, width: side, layout: .channelsFirst,
                               into: out.baseAddress!, columns: scratch.baseAddress!, activation: .quickGELU,
                               threads: threads)
                }
            }
            return output
        }
        let single = run(threads: 1)
        XCTAssertFalse(single.contains { $0.isNaN })
        for threads in [2, 3] {
            // OpenBLAS may sum a narrower piece in another order: float rounding of values up to ≈ 10.
            XCTAssertLessThan(NaiveReference.maxDifference(run(threads: threads), single), 1e-5, "\(threads) threads")
        }
    }

    private func checkTransposed(kernel: Int, stride: Int, padding: Int, outputPadding: Int, line: UInt = #line) {
        let (batch, channels, outChannels, height, width) = (2, 4, 3, 3, 5)
        let nchw = NaiveReference.values(batch * channels * height * width, seed: 50)
        let weight = NaiveReference.values(channels * outChannels * kernel * kernel, seed: 51)
        let bias = NaiveReference.values(outChannels, seed: 52)
        let deconv = TransposedConvolution2D(pytorchWeight: weight, bias: bias, inputChannels: channels,
                                             outputChannels: outChannels, kernelSize: kernel, stride: stride,
                                             padding: padding, outputPadding: outputPadding)
        let input = Tensor(shape: [batch, height, width, channels],
                           data: NaiveReference.channelsLast(nchw, batch: batch, channels: channels, height: height, width: width))
        let y = deconv(input)
        let ref = NaiveReference.convTranspose2d(nchw, batch: batch, channels: channels, height: height, width: width,
                                                 weight: weight, bias: bias, outChannels: outChannels, kernel: kernel,
                                                 stride: stride, padding: padding, outputPadding: outputPadding)
        XCTAssertEqual(y.shape, [batch, ref.height, ref.width, outChannels], line: line)
        let expected = NaiveReference.channelsLast(ref.values, batch: batch, channels: outChannels,
                                                   height: ref.height, width: ref.width)
        XCTAssertLessThan(NaiveReference.maxDifference(y.data, expected), 1e-5, line: line)
    }

    func testTransposedConvolutionKernelEqualsStride() { checkTransposed(kernel: 4, stride: 4, padding: 0, outputPadding: 0) }
    func testTransposedConvolutionOverlappingTaps() { checkTransposed(kernel: 3, stride: 2, padding: 0, outputPadding: 0) }
    func testTransposedConvolutionWithPaddingAndOutputPadding() {
        checkTransposed(kernel: 4, stride: 2, padding: 1, outputPadding: 1)
    }
}
