import XCTest
@testable import SafeTensors

/// The file and its header as bytes: size, length prefix, UTF-8, JSON, top-level shape.
final class FileLevelValidationTests: SafeTensorsTestCase {
    func testMissingFileCannotBeOpened() throws {
        let url = try path("absent.safetensors")
        assertFails(try SafeTensorsFile(url: url), url: url,
                    .cannotOpen(reason: "No such file or directory"), "cannot open: No such file or directory")
    }

    func testDirectoryIsNotARegularFile() throws {
        let url = try path("folder.safetensors")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        assertFails(try SafeTensorsFile(url: url), url: url, .notRegularFile, "is not a regular file")
    }

    func testEmptyFileIsTruncated() throws {
        try assertOpenFails([], .truncated(fileSize: 0), "file is 0 bytes, too short to hold the 8-byte header length")
    }

    func testFileShorterThanLengthPrefixIsTruncated() throws {
        try assertOpenFails([2, 0, 0, 0, 0], .truncated(fileSize: 5), "file is 5 bytes, too short to hold the 8-byte header length")
    }

    func testHeaderLengthPastEndOfFile() throws {
        try assertOpenFails(fileBytes(header: "{}", declaredLength: 100), .headerPastEnd(length: 100, fileSize: 10),
                            "header length 100 runs past the end of the 10-byte file")
    }

    func testHeaderLengthOverLimit() throws {
        // 100 000 001 bytes would be refused even if the file were that long; nothing is read.
        try assertOpenFails(fileBytes(header: "{}", declaredLength: 100_000_001),
                            .headerTooLarge(length: 100_000_001, limit: 100_000_000),
                            "header length 100000001 exceeds the 100000000-byte limit")
        try assertOpenFails(fileBytes(header: "{}", declaredLength: UInt64.max),
                            .headerTooLarge(length: UInt64.max, limit: 100_000_000),
                            "header length 18446744073709551615 exceeds the 100000000-byte limit")
    }

    func testHeaderNotUTF8() throws {
        let cases: [([UInt8], Int)] = [
            (Array(#"{"a"#.utf8) + [0xFF] + Array(#"":1}"#.utf8), 3),     // byte that never occurs in UTF-8
            (Array(#"{"ab"#.utf8) + [0xC0, 0xAF] + Array(#"":1}"#.utf8), 4), // overlong '/'
            (Array(#"{""#.utf8) + [0xED, 0xA0, 0x80] + Array(#"":1}"#.utf8), 2), // encoded surrogate U+D800
            (Array(#"{""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#"":1}"#.utf8), 2), // above U+10FFFF
            (Array(#"{"é":1}"#.utf8) + [0xE2, 0x82], 8),                   // sequence cut by the header's end
        ]
        for (header, offset) in cases {
            try assertOpenFails(fileBytes(headerBytes: header), .headerNotUTF8(offset: offset),
                                "header is not valid UTF-8 (bad byte at header offset \(offset))")
        }
    }

    func testHeaderNotJSON() throws {
        try assertOpenFails(fileBytes(header: #"{"a": }"#), .headerNotJSON(offset: 6, reason: "unexpected character '}', expected a value"),
                            "header is not valid JSON at header offset 6: unexpected character '}', expected a value")
        try assertOpenFails(fileBytes(header: ""), .headerNotJSON(offset: 0, reason: "unexpected end of input, expected a value"),
                            "header is not valid JSON at header offset 0: unexpected end of input, expected a value")
        try assertOpenFails(fileBytes(header: "{} {}"), .headerNotJSON(offset: 3, reason: "unexpected data after the top-level value"),
                            "header is not valid JSON at header offset 3: unexpected data after the top-level value")
    }

    func testHeaderNotAnObject() throws {
        try assertOpenFails(fileBytes(header: "[1, 2]"), .headerNotObject(found: "a JSON array"),
                            "header is a JSON array, expected a JSON object")
        try assertOpenFails(fileBytes(header: #""{}""#), .headerNotObject(found: "a JSON string"),
                            "header is a JSON string, expected a JSON object")
    }

    func testEmptyObjectWithNoDataIsAValidEmptyFile() throws {
        let file = try open(fileBytes(header: "{}"))
        XCTAssertEqual(file.names, [])
        XCTAssertEqual(file.metadata, [:])
        XCTAssertEqual(file.fileSize, 10)
    }

    func testHeaderPaddedWithSpacesAndUnalignedDataIsAccepted() throws {
        // Reference writers pad the header with spaces to a multiple of 8; others do not pad, which
        // leaves the data unaligned. Both must load.
        let header = #"{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let data = SafeTensorsWriter.littleEndianBytes([Float(1.5).bitPattern, Float(-2).bitPattern])
        for padding in 0..<8 {
            let file = try open(fileBytes(header: header + String(repeating: " ", count: padding), data: data))
            XCTAssertEqual(try file.floats("b"), [1.5, -2], "padding \(padding)")
        }
    }

    func testDuplicateTensorNameIsRefused() throws {
        let entry = #"{"dtype":"U8","shape":[1],"data_offsets":[0,1]}"#
        try assertOpenFails(fileBytes(header: #"{"a":\#(entry),"a":\#(entry)}"#, data: [7]), .duplicateName("a"),
                            "tensor name 'a' appears more than once in the header")
    }

    func testControlCharactersInNamesAreEscapedToKeepTheMessageOnOneLine() throws {
        let entry = #"{"dtype":"U8","shape":[1],"data_offsets":[0,1]}"#
        try assertOpenFails(fileBytes(header: #"{"a\nb\u0085":\#(entry),"a\nb\u0085":\#(entry)}"#, data: [7]), .duplicateName("a\nb\u{85}"),
                            #"tensor name 'a\u{a}b\u{85}' appears more than once in the header"#)
    }
}
