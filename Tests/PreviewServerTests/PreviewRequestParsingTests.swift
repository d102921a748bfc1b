@testable import PreviewServer
import XCTest

/// `[HOST:]PORT`, the access token and the request-head parser, without sockets.
final class PreviewRequestParsingTests: XCTestCase {
    func testAddressTakesAPortOrAHostAndPort() {
        XCTAssertEqual(PreviewAddress(parsing: "8080"), PreviewAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(PreviewAddress(parsing: "localhost:0"), PreviewAddress(host: "127.0.0.1", port: 0))
        XCTAssertEqual(PreviewAddress(parsing: "0.0.0.0:9000"), PreviewAddress(host: "0.0.0.0", port: 9000))
        XCTAssertTrue(PreviewAddress(parsing: "127.0.0.2:1")!.isLoopback)
        XCTAssertFalse(PreviewAddress(parsing: "0.0.0.0:1")!.isLoopback)
        XCTAssertFalse(PreviewAddress(parsing: "192.168.1.5:1")!.isLoopback)
        for bad in ["", ":", "80a", "65536", "-1", "host:80", "1.2.3:80", "1:2:3", "::1", "127.0.0.1:", " 80", "1.2.3.4.5:1"] {
            XCTAssertNil(PreviewAddress(parsing: bad), bad)
        }
    }

    func testTokenIsRandomHexAndComparedWhole() {
        let token = PreviewAccessToken()
        XCTAssertEqual(token.value.count, 32)
        XCTAssertTrue(token.value.allSatisfy(\.isHexDigit))
        XCTAssertNotEqual(token, PreviewAccessToken())
        XCTAssertTrue(token.matches(Substring(token.value)))
        XCTAssertFalse(token.matches(Substring(token.value.dropLast())))
        XCTAssertFalse(token.matches(Substring(token.value + "0")))
        XCTAssertFalse(token.matches(""))
        XCTAssertFalse(token.matches(nil))
    }

    private func parse(_ text: String) -> Result<HTTPRequestHead, HTTPRequestHead.Refusal> {
        HTTPRequestHead.parse(Array(text.utf8)[...])
    }

    func testParsesMethodPathQueryAndLength() throws {
        let head = try parse("POST /control?token=abc&x=1 HTTP/1.1\r\nHost: a\r\ncontent-LENGTH:  12\r\n").get()
        XCTAssertEqual(head.method, "POST")
        XCTAssertEqual(head.path, "/control")
        XCTAssertEqual(head.queryValue("token"), "abc")
        XCTAssertEqual(head.queryValue("x"), "1")
        XCTAssertNil(head.queryValue("y"))
        XCTAssertEqual(head.contentLength, 12)
        XCTAssertEqual(try parse("GET / HTTP/1.0\n").get().path, "/")
    }

    func testTellsLoopbackHostNamesFromOthers() throws {
        for host in ["127.0.0.1:8080", "127.0.0.1", "LOCALHOST:1", "127.9.9.9:80", "[::1]:8080", "[::1]"] {
            XCTAssertTrue(try parse("GET / HTTP/1.1\r\nHost: \(host)\r\n").get().hostIsLoopback, host)
        }
        XCTAssertTrue(try parse("GET / HTTP/1.0\r\n").get().hostIsLoopback, "no Host header: a local tool")
        for host in ["evil.example:8080", "evil.example", "10.0.0.1:80", "localhost.evil.example", "[::1]x", "", "0.0.0.0"] {
            XCTAssertFalse(try parse("GET / HTTP/1.1\r\nHost: \(host)\r\n").get().hostIsLoopback, host)
        }
    }

    func testRefusesMalformedHeadsWithTheRightStatus() {
        let cases: [(String, HTTPStatus)] = [
            ("", .badRequest),
            ("GET\r\n", .badRequest),
            ("GET / HTTP/1.1 extra\r\n", .badRequest),
            ("get / HTTP/1.1\r\n", .badRequest),
            ("GET index.html HTTP/1.1\r\n", .badRequest),
            ("GET / HTTP/2.0\r\n", .httpVersionNotSupported),
            ("GET / HTTP/1.1\r\nno colon here\r\n", .badRequest),
            ("GET / HTTP/1.1\r\n: empty name\r\n", .badRequest),
            ("POST /control HTTP/1.1\r\nContent-Length: -1\r\n", .badRequest),
            ("POST /control HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n", .badRequest),
            ("POST /control HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n", .badRequest),
            ("POST /control HTTP/1.1\r\nTransfer-Encoding: chunked\r\n", .lengthRequired),
            ("GET /\u{00e9} HTTP/1.1\r\n", .badRequest),
            ("GET /\0 HTTP/1.1\r\n", .badRequest),
            ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n", .payloadTooLarge),
        ]
        for (text, status) in cases {
            switch parse(text) {
            case .success(let head): XCTFail("accepted \(text.prefix(60).debugDescription) as \(head)")
            case .failure(let refusal): XCTAssertEqual(refusal.status, status, text.prefix(60).debugDescription)
            }
        }
    }

    func testFindsTheEndOfTheHeadAfterCRLFOrLF() {
        XCTAssertEqual(PreviewConnection.endOfHead(Array("GET / HTTP/1.1\r\n\r\nbody".utf8))?.head, 15)
        XCTAssertEqual(PreviewConnection.endOfHead(Array("GET / HTTP/1.1\r\n\r\nbody".utf8))?.body, 18)
        XCTAssertEqual(PreviewConnection.endOfHead(Array("GET / HTTP/1.1\n\nb".utf8))?.body, 16)
        XCTAssertNil(PreviewConnection.endOfHead(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)))
    }
}
