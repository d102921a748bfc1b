import Foundation
import FuzzSupport

/// Seeds: every committed fixture's config.json and preprocessor_config.json, the sample model's
/// tokenizer_config.json, and the other shapes transformers writes (legacy `*_config_dict`, a bare
/// integer `size`, `shortest_edge` with and without `longest_edge`, scalar mean/std, pair sizes,
/// `model_max_length` of 1e30 or null).
enum ConfigurationSeeds {
    static func all() throws -> [Seed] {
        var seeds: [Seed] = []
        func add(_ name: String, _ kind: ConfigurationInput, _ bytes: [UInt8]) { seeds.append(Seed(name, [kind.tag] + bytes)) }
        func add(_ name: String, _ kind: ConfigurationInput, text: String) { add(name, kind, Array(text.utf8)) }

        for fixture in ["p8-refined-f16-firsteos", "p8-plain-f32", "p16-refined-bf16-clipvocab"] {
            let folder = RepositoryPaths.clipsegFixture(fixture)
            add("config-\(fixture)", .model, RepositoryPaths.contents(of: folder.appendingPathComponent("config.json")))
            add("preprocessor-\(fixture)", .preprocessor,
                RepositoryPaths.contents(of: folder.appendingPathComponent("preprocessor_config.json")))
        }
        // Near the bugs this target led to (README.md, Findings): a damaged layer count and image size.
        let matching = RepositoryPaths.clipsegFixture("p8-refined-f16-firsteos").appendingPathComponent("config.json")
        add("config-huge-layer-count", .model, try edited(matching) { $0["text_config", "num_hidden_layers"] = 100_000_000 })
        add("config-huge-image-size", .model, try edited(matching) { $0["vision_config", "image_size"] = 1 << 40 })
        add("config-empty-object", .model, text: "{}")
        add("config-legacy-dicts", .model, text: """
            {"text_config": {"hidden_size": 8}, "text_config_dict": {"hidden_size": 20, "num_attention_heads": 5},
             "vision_config_dict": {"image_size": [48, 48], "patch_size": 8, "hidden_act": "quick_gelu"},
             "extract_layers": [0], "reduce_dim": 12, "decoder_num_attention_heads": 3, "conditional_layer": 0,
             "use_complex_transposed_convolution": false, "logit_scale_init_value": 2}
            """)
        add("preprocessor-size-int", .preprocessor, text: #"{"size": 32, "resample": 3, "image_mean": 0.5, "image_std": 0.25}"#)
        add("preprocessor-shortest-edge", .preprocessor, text: #"{"size": {"shortest_edge": 40}, "resample": 1, "do_normalize": false}"#)
        add("preprocessor-longest-edge", .preprocessor,
            text: #"{"size": {"shortest_edge": 48, "longest_edge": 64}, "resample": 4, "do_rescale": false, "rescale_factor": 1e-3}"#)
        add("preprocessor-huge-edge", .preprocessor, text: #"{"size": {"shortest_edge": 9223372036854775807}}"#)
        add("preprocessor-no-resize", .preprocessor, text: #"{"do_resize": false, "resample": 9, "size": null, "do_center_crop": false}"#)
        add("tokenizer-sample", .tokenizer,
            RepositoryPaths.contents(of: RepositoryPaths.sampleTokenizer.appendingPathComponent("tokenizer_config.json")))
        add("tokenizer-unlimited", .tokenizer, text: #"{"model_max_length": 1e30}"#)
        add("tokenizer-null", .tokenizer, text: #"{"model_max_length": null, "other": [1, 2.5, "x"]}"#)
        return seeds
    }

    /// The JSON object in `url` with one nested value changed by `edit`.
    private static func edited(_ url: URL, _ edit: (inout JSONObjectEdit) -> Void) throws -> [UInt8] {
        guard let object = try JSONSerialization.jsonObject(with: Data(RepositoryPaths.contents(of: url))) as? [String: Any] else {
            FuzzCheck.fail("\(url.path) is not a JSON object")
        }
        var json = JSONObjectEdit(object: object)
        edit(&json)
        return [UInt8](try JSONSerialization.data(withJSONObject: json.object, options: [.sortedKeys]))
    }
}

/// Sets `object[outer][inner]` for seed making.
struct JSONObjectEdit {
    var object: [String: Any]

    subscript(outer: String, inner: String) -> Any? {
        get { (object[outer] as? [String: Any])?[inner] }
        set {
            var nested = object[outer] as? [String: Any] ?? [:]
            nested[inner] = newValue
            object[outer] = nested
        }
    }
}
