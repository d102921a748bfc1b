import Foundation
import Pipeline
import XCTest
@testable import clipseg
#if canImport(Glibc)
import Glibc
#endif

/// `--control` input on its way in: lines cut from a byte stream, and the reader thread on a pipe.
final class ControlInputTests: XCTestCase {
    func testSplitterCutsLinesAcrossChunks() {
        var splitter = ControlLineSplitter()
        XCTAssertTrue(splitter.append(Array("prompt add c".utf8)).isEmpty)
        let first = splitter.append(Array("at\r\nthreshold 0.3\nqu".utf8))
        XCTAssertEqual(first.map { try? $0.get() }, [.addPrompt("cat"), .threshold(0.3)])
        XCTAssertTrue(splitter.append(Array("it".utf8)).isEmpty)
        XCTAssertEqual(splitter.finish().map { try? $0.get() }, [.quit], "a last line without newline counts")
        XCTAssertTrue(splitter.finish().isEmpty)
    }

    func testSplitterSkipsOverlongLinesWithOneError() {
        var splitter = ControlLineSplitter(maxLineLength: 16)
        let results = splitter.append(Array(("prompt add " + String(repeating: "x", count: 100) + "\nquit\n").utf8))
        XCTAssertEqual(results.count, 2)
        if case .failure(let failure) = results[0] {
            XCTAssertEqual(failure.message, "control line longer than 16 bytes, ignored")
        } else {
            XCTFail("the long line should be an error")
        }
        XCTAssertEqual(try? results[1].get(), .quit)
    }

    func testReaderDeliversCommandsFromAPipe() async throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let stream = ControlCommandReader.start(fileDescriptor: fds[0])
        let text = "prompt add cat\nbogus\nprompt set a;b\nquit"
        _ = text.utf8CString.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count - 1) }
        close(fds[1])
        var received: [String] = []
        for await result in stream {
            switch result {
            case .success(let command): received.append("\(command)")
            case .failure(let failure): received.append("error: \(failure.message)")
            }
        }
        close(fds[0])
        XCTAssertEqual(received, [
            "addPrompt(\"cat\")",
            "error: unknown control command 'bogus' (expected \(ControlCommand.usage))",
            "setPrompts([\"a\", \"b\"])",
            "quit",
        ])
    }
}
