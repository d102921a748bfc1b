import Foundation
import MaskRender
import XCTest
@testable import Pipeline
#if canImport(Glibc)
import Glibc
#endif

final class ControlCommandTests: XCTestCase {
    private func parsed(_ line: String) -> ControlCommand? { try? ControlCommand.parse(line).get() }

    private func error(_ line: String) -> String? {
        if case .failure(let error) = ControlCommand.parse(line) { return error.message }
        return nil
    }

    func testCommands() {
        XCTAssertEqual(parsed("prompt add a red car"), .addPrompt("a red car"))
        XCTAssertEqual(parsed("  PROMPT  Add   a dog  \r\n"), .addPrompt("a dog"))
        XCTAssertEqual(parsed("prompt remove person"), .removePrompt("person"))
        XCTAssertEqual(parsed("prompt set cat; dog ;;a tree"), .setPrompts(["cat", "dog", "a tree"]))
        XCTAssertEqual(parsed("threshold 0.4"), .threshold(0.4))
        XCTAssertEqual(parsed("threshold 1"), .threshold(1))
        XCTAssertEqual(parsed("threshold .25"), .threshold(0.25))
        XCTAssertEqual(parsed("smooth 0.3"), .smoothing(0.3))
        XCTAssertEqual(parsed("SMOOTH 1"), .smoothing(1))
        XCTAssertEqual(parsed("quit"), .quit)
        XCTAssertEqual(parsed("\tquit\n"), .quit)
    }

    func testEffectCommands() {
        XCTAssertEqual(parsed("effect blur a monitor"), .effect(prompt: "a monitor", .blur))
        XCTAssertEqual(parsed("EFFECT Keep  a person "), .effect(prompt: "a person", .keep))
        XCTAssertEqual(parsed("effect fill:#ff0000 the papers"), .effect(prompt: "the papers", .fill(RGBColor(red: 255, green: 0, blue: 0))))
        XCTAssertEqual(parsed("effect redact a face"), .effect(prompt: "a face", .redact(RGBColor(red: 0, green: 0, blue: 0))))
        XCTAssertEqual(parsed("effect none a monitor"), .effect(prompt: "a monitor", nil))
        XCTAssertEqual(error("effect blur"), "effect needs a kind (\(ControlCommand.effectKinds)) and a prompt text")
        XCTAssertEqual(error("effect fill a cat"), "unknown effect 'fill' (expected \(ControlCommand.effectKinds))")
        XCTAssertEqual(error("effect sparkle a cat"), "unknown effect 'sparkle' (expected \(ControlCommand.effectKinds))")
        XCTAssertNotNil(error("effect fill:notacolour a cat"))
        // A new prompt is added with its effect; an effect on a prompt in use leaves the set as it is.
        var set = try? PromptSet(["cat"])
        XCTAssertEqual(set?.apply(.effect(prompt: " dog ", .blur)), .effectChanged(prompt: "dog", effect: .blur, added: true))
        XCTAssertEqual(set?.apply(.effect(prompt: "Cat", .keep)), .effectChanged(prompt: "Cat", effect: .keep, added: false))
        XCTAssertEqual(set?.prompts, ["cat", "dog"])
    }

    func testErrorsAreOneLineMessages() {
        XCTAssertEqual(error(""), "empty control line (expected \(ControlCommand.usage))")
        XCTAssertEqual(error("   \n"), "empty control line (expected \(ControlCommand.usage))")
        XCTAssertEqual(error("jump 3"), "unknown control command 'jump' (expected \(ControlCommand.usage))")
        XCTAssertEqual(error("prompt"), "prompt needs add, remove or set")
        XCTAssertEqual(error("prompt rename a"), "unknown prompt command 'rename' (expected add, remove or set)")
        XCTAssertEqual(error("prompt add   "), "prompt add needs a prompt text")
        XCTAssertEqual(error("prompt remove"), "prompt remove needs a prompt text")
        XCTAssertEqual(error("prompt set ; ;"), "prompt set needs at least one prompt (TEXT[;TEXT...])")
        XCTAssertEqual(error("threshold"), "threshold needs a number between 0 and 1")
        XCTAssertEqual(error("threshold high"), "threshold must be a number between 0 and 1, got 'high'")
        XCTAssertEqual(error("threshold 1.5"), "threshold must be a number between 0 and 1, got '1.5'")
        XCTAssertEqual(error("threshold -0.1"), "threshold must be a number between 0 and 1, got '-0.1'")
        XCTAssertEqual(error("threshold nan"), "threshold must be a number between 0 and 1, got 'nan'")
        XCTAssertEqual(error("threshold 0.4 0.5"), "threshold must be a number between 0 and 1, got '0.4 0.5'")
        XCTAssertEqual(error("smooth"), "smooth needs a number over 0 and at most 1 (1 turns smoothing off)")
        XCTAssertEqual(error("smooth 0"), "smooth must be a number over 0 and at most 1, got '0'")
        XCTAssertEqual(error("smooth 1.01"), "smooth must be a number over 0 and at most 1, got '1.01'")
        XCTAssertEqual(error("smooth inf"), "smooth must be a number over 0 and at most 1, got 'inf'")
        XCTAssertEqual(error("quit now"), "quit takes no arguments, got 'now'")
    }

    func testInvalidUTF8IsAnError() {
        let bytes: [UInt8] = Array("prompt add ".utf8) + [0xC3, 0x28]
        guard case .failure(let failure) = ControlCommand.parse(bytes) else { return XCTFail("should fail") }
        XCTAssertEqual(failure.message, "control line is not valid UTF-8")
        XCTAssertEqual(try? ControlCommand.parse(Array("prompt add café".utf8)).get(), .addPrompt("café"))
    }
}

final class PromptSetTests: XCTestCase {
    func testApplyingCommandsKeepsOrder() throws {
        var set = try PromptSet(["person", "car"])
        XCTAssertEqual(set.apply(.smoothing(0.5)), .smoothingChanged(0.5))
        XCTAssertEqual(set.apply(.addPrompt("dog")), .promptsChanged(added: ["dog"], removed: []))
        XCTAssertEqual(set.prompts, ["person", "car", "dog"])
        XCTAssertEqual(set.apply(.removePrompt("CAR")), .promptsChanged(added: [], removed: ["car"]))
        XCTAssertEqual(set.prompts, ["person", "dog"])
        XCTAssertEqual(set.apply(.setPrompts(["tree", "dog"])), .promptsChanged(added: ["tree"], removed: ["person"]))
        XCTAssertEqual(set.prompts, ["tree", "dog"])
        XCTAssertEqual(set.revision, 3)
        XCTAssertEqual(set.apply(.threshold(0.2)), .thresholdChanged(0.2))
        XCTAssertEqual(set.apply(.quit), .quit)
        XCTAssertEqual(set.revision, 3)
    }

    func testRefusalsLeaveTheSetUnchanged() throws {
        var set = try PromptSet(["a red car", "dog"])
        XCTAssertEqual(set.apply(.addPrompt("A  red car")),
                       .refused("prompt 'A  red car' is already in use (as 'a red car')"))
        XCTAssertEqual(set.apply(.removePrompt("cat")), .refused("no prompt 'cat' to remove (prompts: 'a red car', 'dog')"))
        XCTAssertEqual(set.apply(.setPrompts(["x", "X"])), .refused("prompt 'X' is given twice"))
        XCTAssertEqual(set.prompts, ["a red car", "dog"])
        XCTAssertEqual(set.revision, 0)
        XCTAssertEqual(set.apply(.removePrompt("dog")), .promptsChanged(added: [], removed: ["dog"]))
        XCTAssertEqual(set.apply(.removePrompt("a red car")),
                       .refused("cannot remove the last prompt 'a red car'; use 'prompt set' to replace it"))
    }

    func testEmptySetOnlyWhenAllowed() throws {
        XCTAssertThrowsError(try PromptSet([])) { error in
            XCTAssertEqual((error as? ControlCommandError)?.message, "at least one prompt is needed")
        }
        XCTAssertThrowsError(try PromptSet(["cat", " cat "])) { error in
            XCTAssertEqual((error as? ControlCommandError)?.message, "prompt 'cat' is given twice")
        }
        var open = try PromptSet(["cat"], allowsEmpty: true)
        XCTAssertEqual(open.apply(.removePrompt("cat")), .promptsChanged(added: [], removed: ["cat"]))
        XCTAssertEqual(open.prompts, [])
    }
}
