import CLIPTokenizer
import Foundation
import FuzzSupport

/// What the prompt target checks for one input, with the sample model's tokenizer at the usual 77 ids
/// and a copy limited to 8 (so truncation is hit by short inputs too):
/// - `[start] … [end]`, between 2 and `maxLength` ids, every id one of the vocabulary's;
/// - encoding again gives the same ids (the shared word cache changes nothing);
/// - the 8-id encoding is the 77-id one cut to 7 ids plus the end token (truncation only drops the tail).
enum PromptProbe {
    static let full = load(maxLength: 77)
    static let short = load(maxLength: 8)
    /// Every id vocab.json assigns (read with Foundation, independently of the tokenizer's own parser).
    static let vocabularyIDs: Set<Int32> = {
        let url = RepositoryPaths.sampleTokenizer.appendingPathComponent("vocab.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else {
            FuzzCheck.fail("cannot read \(url.path) as a JSON object of ids")
        }
        return Set(object.values.map { Int32($0) })
    }()

    static func prepare() {
        _ = (full, short, vocabularyIDs)
    }

    static func check(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        let ids = full.encode(text)
        checkShape(ids, tokenizer: full, text: text)
        FuzzCheck.require(full.encode(text) == ids, "encoding \(text.debugDescription) twice differs")

        let truncated = short.encode(text)
        checkShape(truncated, tokenizer: short, text: text)
        let expected = ids.count <= short.maxLength ? ids : Array(ids.prefix(short.maxLength - 1)) + [short.endTokenID]
        FuzzCheck.require(truncated == expected,
                          "\(text.debugDescription): 8-id encoding \(truncated) is not the 77-id \(ids) cut short")
    }

    private static func checkShape(_ ids: [Int32], tokenizer: CLIPTokenizer, text: String) {
        FuzzCheck.require(ids.count >= 2 && ids.count <= tokenizer.maxLength,
                          "\(text.debugDescription): \(ids.count) ids for a limit of \(tokenizer.maxLength)")
        FuzzCheck.require(ids.first == tokenizer.startTokenID && ids.last == tokenizer.endTokenID,
                          "\(text.debugDescription): \(ids) does not run from start to end token")
        if let stranger = ids.first(where: { !vocabularyIDs.contains($0) }) {
            FuzzCheck.fail("\(text.debugDescription): id \(stranger) is not in vocab.json")
        }
    }

    private static func load(maxLength: Int) -> CLIPTokenizer {
        let folder = RepositoryPaths.sampleTokenizer
        do {
            return try CLIPTokenizer(vocabularyFile: folder.appendingPathComponent("vocab.json"),
                                     mergesFile: folder.appendingPathComponent("merges.txt"), maxLength: maxLength)
        } catch {
            FuzzCheck.fail("cannot load the sample tokenizer: \(error)")
        }
    }
}
