import Foundation
import FuzzSupport
import SafeTensors

/// Seed files: small valid checkpoints of every dtype written by `SafeTensorsWriter`, hand-written
/// headers the writer never produces (unsorted offsets, escapes, odd numbers), and shrunken copies of
/// the committed CLIPSeg fixtures (their real tensor names and dtypes, each dimension cut to ≤ 2).
enum SafeTensorsSeeds {
    static func all() throws -> [Seed] {
        var seeds = [Seed("empty-header.safetensors", Array(SafeTensorsWriter().serialized()))]

        var metadataOnly = SafeTensorsWriter(metadata: ["format": "pt", "note": "quote \" backslash \\ tab \t"])
        seeds.append(Seed("metadata-only.safetensors", Array(metadataOnly.serialized())))
        metadataOnly.add("scalar", shape: [], floats: [1.5])
        seeds.append(Seed("scalar.safetensors", Array(metadataOnly.serialized())))

        var everyType = SafeTensorsWriter()
        for dtype in SafeTensorsDType.allCases {
            let shape = [2, 3]
            let count = shape.reduce(dtype.byteSize, *)
            everyType.add("t.\(dtype.rawValue.lowercased())", dtype: dtype, shape: shape,
                          bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 0xF0) })
        }
        everyType.add("zero.sized", dtype: .f32, shape: [0, 5], bytes: [])
        everyType.add("u64.too.big", dtype: .u64, shape: [1], bytes: [0, 0, 0, 0, 0, 0, 0, 0x80])
        seeds.append(Seed("every-dtype.safetensors", Array(everyType.serialized())))

        var oddNames = SafeTensorsWriter()
        oddNames.add("quote\"back\\slash", shape: [1], floats: [.nan])
        oddNames.add("control\u{1}\u{1F}", shape: [1], floats: [-.infinity])
        oddNames.add("ünïcødé 名前 🙂", shape: [2], int64s: [.min, .max])
        seeds.append(Seed("odd-names.safetensors", Array(oddNames.serialized())))

        seeds.append(handWritten("unsorted-offsets", #"{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a":{"shape":[2],"data_offsets":[0,2],"dtype":"I8","extra":null}}"#, data: 4))
        seeds.append(handWritten("escapes-and-numbers", #" { "\u0061\ud83d\ude00" : { "dtype" : "F16" , "shape" : [ 1e0 , 2.0 ] , "data_offsets" : [ 0 , 4 ] } , "__metadata__" : { "k" : "\n" } } "#, data: 4))
        seeds.append(handWritten("nested-values", #"{"x":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3],"more":[[{}],true,false,null,-0.5e-3]}}"#, data: 3))

        for fixture in ["p8-refined-f16-firsteos", "p8-plain-f32", "p16-refined-bf16-clipvocab"] {
            seeds.append(Seed("fixture-\(fixture).safetensors", try shrunken(fixture)))
        }
        return seeds
    }

    /// `header` behind its 8-byte length, then `data` bytes.
    private static func handWritten(_ name: String, _ header: String, data: Int) -> Seed {
        let json = Array(header.utf8)
        return Seed("\(name).safetensors",
                    SafeTensorsWriter.littleEndianBytes([UInt64(json.count)]) + json + (0..<data).map { UInt8($0 & 0xFF) })
    }

    /// The fixture's first 16 tensors by name with their dtypes, each dimension cut to at most 2.
    private static func shrunken(_ fixture: String) throws -> [UInt8] {
        let file = try SafeTensorsFile(url: RepositoryPaths.clipsegFixture(fixture).appendingPathComponent("model.safetensors"))
        var writer = SafeTensorsWriter(metadata: file.metadata)
        for info in file.tensors.prefix(16) {
            let shape = info.shape.map { min($0, 2) }
            let byteCount = shape.reduce(info.dtype.byteSize, *)
            let bytes = try file.withRawBytes(info.name) { Array($0.prefix(byteCount)) }
            writer.add(info.name, dtype: info.dtype, shape: shape, bytes: bytes)
        }
        return Array(writer.serialized())
    }
}
