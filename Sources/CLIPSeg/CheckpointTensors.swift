
/// The checkpoint's tensors as Float32, keyed by Swift name (see `CheckpointKeys`), checked against
/// the configuration: every expected key present with its exact shape and a floating-point dtype,
/// and no key the configuration does not explain.
///
/// Components `take` their tensors while they are built, so each array is released as soon as the
/// component has made its own (transposed) copy. Used on one thread during loading only.
final class CheckpointTensors {
    private var values: [String: [Float]] = [:]
    private var shapes: [String: [Int]] = [:]
    let file: String

    /// Reads and validates every tensor `configuration` needs from `weights`.
    init(weights: any CheckpointFile, configuration: CLIPSegConfiguration) throws {
        file = weights.url.path
        // Every layer has tensors of its own, so a configuration asking for more layers than the
        // checkpoint holds tensors cannot match it; refuse it before building its key table (16 keys
        // a layer), which for a damaged num_hidden_layers would take forever and all memory.
        for (field, count) in [("text_config.num_hidden_layers", configuration.text.layerCount),
                               ("vision_config.num_hidden_layers", configuration.vision.layerCount),
                               ("extract_layers", configuration.extractLayers.count)] where count > weights.names.count {
            throw CLIPSegError.invalidConfiguration(
                file: file, reason: "\(field) asks for \(count) layers, more than the \(weights.names.count) tensors in the checkpoint")
        }
        let slots = CheckpointKeys.slots(for: configuration)
        for slot in slots {
            guard let info = weights.layout(of: slot.key) else { throw CLIPSegError.missingTensor(file: file, key: slot.key) }
            guard info.dtype.isConvertibleToFloat else {
                throw CLIPSegError.wrongDType(file: file, key: slot.key, dtype: info.dtype.rawValue)
            }
            guard info.shape == slot.shape else {
                throw CLIPSegError.wrongShape(file: file, key: slot.key, shape: info.shape, expected: slot.shape)
            }
            values[slot.name] = try weights.floats(slot.key)
            shapes[slot.name] = slot.shape
        }
        let known = Set(slots.map(\.key)).union(CheckpointKeys.ignoredKeys)
        let unexpected = weights.names.filter { !known.contains($0) }
        if let first = unexpected.first {
            throw CLIPSegError.unexpectedTensor(file: file, key: first, count: unexpected.count)
        }
    }

    /// Removes and returns the tensor called `name` (row-major in its checkpoint shape).
    func take(_ name: String) throws -> [Float] {
        guard let value = values.removeValue(forKey: name) else {
            // Only reachable if a component asks for a name the table does not list.
            throw CLIPSegError.invalidInput("internal: no checkpoint tensor is mapped to '\(name)'")
        }
        return value
    }

    /// The checkpoint shape of `name`.
    func shape(_ name: String) -> [Int] { shapes[name] ?? [] }

    /// Names not taken yet (for a completeness check after building the model).
    var remainingNames: [String] { values.keys.sorted() }
}
