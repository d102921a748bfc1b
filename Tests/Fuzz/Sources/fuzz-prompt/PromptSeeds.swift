import Foundation
import FuzzSupport

/// Seed prompts: the prompts of the committed fixtures (Tests/Fixtures/tokenizer/golden.json and the
/// clipvocab case's reference.json) plus inputs aimed at each tokenizer stage — special tokens,
/// normalisation (NFC, whitespace, case), the pre-tokenizer's contractions, digits and punctuation,
/// invalid UTF-8, and a prompt far past 77 tokens.
enum PromptSeeds {
    static func all() throws -> [Seed] {
        var prompts = [
            "", " ", "a red circle", "A  RED\tCircle\n", "<|startoftext|>cat<|endoftext|>dog<|endoftext|>",
            "<|endoftext", "it's we'll I'M they'd you've", "1234567890 3.14 1,000", "!!! ?? ... --- @#$%^&*()",
            "e\u{301}te\u{301} caf\u{E9} ﬁ Ⅷ ＡＢＣ", "日本語のテキスト 中文 한국어", "emoji 🙂👍🏽 👨‍👩‍👧",
            "\u{0}\u{1}\u{7F}\u{FEFF}\u{200B}zero width", "ß İ ǅ Σσς", String(repeating: "word ", count: 120),
            String(repeating: "x", count: 300),
        ]
        prompts += try fixturePrompts()
        var seeds = prompts.enumerated().map { Seed(String(format: "prompt-%02d.txt", $0.offset), text: $0.element) }
        seeds.append(Seed("invalid-utf8.txt", [0x61, 0xC3, 0x28, 0x20, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xFF, 0x62]))
        return seeds
    }

    /// Every string value under a "prompts" or "text" key of the fixtures' JSON files.
    private static func fixturePrompts() throws -> [String] {
        let files = [RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/tokenizer/golden.json"),
                     RepositoryPaths.clipsegFixture("p16-refined-bf16-clipvocab").appendingPathComponent("reference.json")]
        var found: [String] = []
        func collect(_ value: Any, key: String?) {
            switch value {
            case let text as String where key == "prompts" || key == "text" || key == "prompt": found.append(text)
            case let list as [Any]: list.forEach { collect($0, key: key) }
            case let object as [String: Any]: object.forEach { collect($0.value, key: $0.key) }
            default: break
            }
        }
        for file in files {
            collect(try JSONSerialization.jsonObject(with: Data(RepositoryPaths.contents(of: file))), key: nil)
        }
        return found
    }
}
