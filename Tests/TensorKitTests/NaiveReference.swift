import Foundation
import TestSupport
@testable import TensorKit

/// Straightforward Double-precision implementations the optimised kernels are checked against.
enum NaiveReference {
    /// Deterministic pseudo-random values in [-1, 1) (a linear congruential generator).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(state >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    /// `[m, k] × [k, n]` with A and B given row-major.
    static func matmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    /// PyTorch `Linear`: weight `[out, in]`.
    static func linear(_ x: [Float], rows: Int, weight: [Float], bias: [Float]?, inputs: Int, outputs: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var s = Double(bias?[o] ?? 0)
                for i in 0..<inputs { s += Double(x[r * inputs + i]) * Double(weight[o * inputs + i]) }
                y[r * outputs + o] = Float(s)
            }
        }
        return y
    }

    /// PyTorch `LayerNorm` over rows of `size` values, statistics in Double.
    static func layerNorm(_ x: [Float], rows: Int, size: Int, gamma: [Float], beta: [Float], epsilon: Double) -> [Float] {
        var y = [Float]()
        for r in 0..<rows {
            let row = x[(r * size)..<((r + 1) * size)].map(Double.init)
            let mean = row.reduce(0, +) / Double(size)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(size)
            for j in 0..<size {
                y.append(Float((row[j] - mean) / (variance + epsilon).squareRoot() * Double(gamma[j]) + Double(beta[j])))
            }
        }
        return y
    }

    static func softmax(_ row: [Double]) -> [Double] {
        let m = row.max() ?? 0
        let e = row.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// PyTorch `Conv2d` on NCHW input, weight `[out, in, k, k]`; returns NCHW.
    static func conv2d(_ x: [Float], batch: Int, channels: Int, height: Int, width: Int,
                       weight: [Float], bias: [Float]?, outChannels: Int, kernel: Int, stride: Int, padding: Int)
        -> (values: [Float], height: Int, width: Int) {
        let oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1
        var y = [Float](repeating: 0, count: batch * outChannels * oh * ow)
        for b in 0..<batch { for o in 0..<outChannels { for oy in 0..<oh { for ox in 0..<ow {
            var s = Double(bias?[o] ?? 0)
            for c in 0..<channels { for ky in 0..<kernel { for kx in 0..<kernel {
                let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                s += Double(x[((b * channels + c) * height + iy) * width + ix])
                    * Double(weight[((o * channels + c) * kernel + ky) * kernel + kx])
            } } }
            y[((b * outChannels + o) * oh + oy) * ow + ox] = Float(s)
        } } } }
        return (y, oh, ow)
    }

    /// PyTorch `ConvTranspose2d` on NCHW input, weight `[in, out, k, k]`; returns NCHW.
    static func convTranspose2d(_ x: [Float], batch: Int, channels: Int, height: Int, width: Int,
                                weight: [Float], bias: [Float]?, outChannels: Int, kernel: Int, stride: Int,
                                padding: Int, outputPadding: Int) -> (values: [Float], height: Int, width: Int) {
        let oh = (height - 1) * stride - 2 * padding + kernel + outputPadding
        let ow = (width - 1) * stride - 2 * padding + kernel + outputPadding
        var acc = [Double](repeating: 0, count: batch * outChannels * oh * ow)
        for b in 0..<batch { for o in 0..<outChannels { for oy in 0..<oh { for ox in 0..<ow {
            acc[((b * outChannels + o) * oh + oy) * ow + ox] = Double(bias?[o] ?? 0)
        } } } }
        for b in 0..<batch { for c in 0..<channels { for iy in 0..<height { for ix in 0..<width {
            for o in 0..<outChannels { for ky in 0..<kernel { for kx in 0..<kernel {
                let oy = iy * stride - padding + ky, ox = ix * stride - padding + kx
                guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                acc[((b * outChannels + o) * oh + oy) * ow + ox] +=
                    Double(x[((b * channels + c) * height + iy) * width + ix])
                    * Double(weight[((c * outChannels + o) * kernel + ky) * kernel + kx])
            } } }
        } } } }
        return (acc.map { Float($0) }, oh, ow)
    }

    /// NCHW → NHWC.
    static func channelsLast(_ x: [Float], batch: Int, channels: Int, height: Int, width: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        for b in 0..<batch { for c in 0..<channels { for h in 0..<height { for w in 0..<width {
            y[((b * height + h) * width + w) * channels + c] = x[((b * channels + c) * height + h) * width + w]
        } } } }
        return y
    }

    /// `max |a[i] − b[i]|`; NaN when any element of either is NaN, `.infinity` when the lengths differ
    /// (TestSupport's `largestAbsoluteDifference`), so a bound on it fails rather than passing by accident.
    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float { largestAbsoluteDifference(a, b) }
}
