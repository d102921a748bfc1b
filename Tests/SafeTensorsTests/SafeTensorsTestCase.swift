import XCTest
import TestSupport
@testable import SafeTensors

/// Base class for the SafeTensors tests: a fresh temporary folder per test, helpers that assemble
/// safetensors files byte by byte (so no malformed binary is committed), and an assertion that
/// opening fails with an exact error kind and message.
class SafeTensorsTestCase: XCTestCase {
    private var scratch: TemporaryDirectory?

    override func setUpWithError() throws {
        scratch = try TemporaryDirectory(prefix: "safetensors-test")
    }

    override func tearDown() {
        scratch?.remove()
        scratch = nil
    }

    /// `scratch/name`.
    func path(_ name: String) throws -> URL {
        try XCTUnwrap(scratch).path(name)
    }

    /// A file: the 8-byte little-endian `declaredLength` (default: the header's byte count), the
    /// header bytes, then `data`.
    func fileBytes(headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        SafeTensorsWriter.littleEndianBytes([declaredLength ?? UInt64(headerBytes.count)]) + headerBytes + data
    }

    func fileBytes(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        fileBytes(headerBytes: Array(header.utf8), data: data, declaredLength: declaredLength)
    }

    /// Writes `bytes` to `scratch/name` and returns its URL.
    func write(_ bytes: [UInt8], name: String = "model.safetensors") throws -> URL {
        let url = try path(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Writes `bytes` and opens them.
    func open(_ bytes: [UInt8], name: String = "model.safetensors") throws -> SafeTensorsFile {
        try SafeTensorsFile(url: write(bytes, name: name))
    }

    /// A valid file holding one tensor "t" of `dtype` and shape `[count]`, opened.
    func openSingle(_ dtype: SafeTensorsDType, count: Int, bytes: [UInt8]) throws -> SafeTensorsFile {
        var writer = SafeTensorsWriter()
        writer.add("t", dtype: dtype, shape: [count], bytes: bytes)
        return try open(Array(writer.serialized()))
    }

    /// Asserts that opening `bytes` throws a `SafeTensorsError` of `kind` whose description is
    /// "<path>: <message>".
    func assertOpenFails(_ bytes: [UInt8], _ kind: SafeTensorsError.Kind, _ message: String,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let url = try write(bytes)
        assertFails(try SafeTensorsFile(url: url), url: url, kind, message, file: file, line: line)
    }

    /// Asserts that `expression` throws a `SafeTensorsError` for `url` of `kind` with `message`.
    func assertFails<T>(_ expression: @autoclosure () throws -> T, url: URL, _ kind: SafeTensorsError.Kind, _ message: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try expression()
            XCTFail("expected \(kind), but it succeeded", file: file, line: line)
        } catch let error as SafeTensorsError {
            XCTAssertEqual(error.kind, kind, file: file, line: line)
            XCTAssertEqual(error.file, url.path, file: file, line: line)
            XCTAssertEqual(error.description, "\(url.path): \(message)", file: file, line: line)
            XCTAssertEqual(error.localizedDescription, error.description, file: file, line: line)
        } catch {
            XCTFail("expected SafeTensorsError, got \(error)", file: file, line: line)
        }
    }
}
