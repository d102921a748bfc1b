import SafeTensors

/// Interprets the pickle of a `torch.save` state dict without executing anything.
///
/// Only the opcodes a state dict is written with (protocols 2 to 4) are read, and the only globals
/// are those of `AllowedGlobal`; REDUCE may "call" just those, by building the value they stand for. Any
/// other opcode or global stops the reading with an error naming it. Every length is checked against
/// the bytes left, so a damaged or hostile pickle ends in an error, never a crash or a long loop
/// (each opcode consumes at least one byte and pushes at most one value).
struct RestrictedUnpickler {
    private let bytes: LittleEndianBytes
    private var position = 0
    private var stack: [PickleValue] = []
    /// Stacks saved by MARK, restored when the marked items are taken.
    private var marks: [[PickleValue]] = []
    private var memo: [UInt64: PickleValue] = [:]
    /// Every list and dict made, emptied when loading ends: a pickle can put a dict inside itself, and the
    /// reference cycle would otherwise outlive the reader.
    private var boxes: [AnyObject] = []
    /// Resolves `BINPERSID` ids: `('storage', storage type, key, location, element count)`.
    private let storage: (_ key: String, _ dtype: SafeTensorsDType, _ count: Int) throws(TorchCheckpointError.Kind) -> TorchStorage

    init(pickle: UnsafeRawBufferPointer,
         storage: @escaping (String, SafeTensorsDType, Int) throws(TorchCheckpointError.Kind) -> TorchStorage) {
        bytes = LittleEndianBytes(pickle)
        self.storage = storage
    }

    /// Runs the pickle to its STOP and returns the value it built. A dict or list returned is a copy of the
    /// one built, holding its items; the lists and dicts inside it are left empty (a state dict holds none).
    mutating func load() throws(TorchCheckpointError.Kind) -> PickleValue {
        defer {
            for box in boxes {
                (box as? PickleDict)?.entries = []
                (box as? PickleList)?.items = []
            }
        }
        switch try run() {
        case .dict(let dict):
            let copy = PickleDict()
            copy.entries = dict.entries
            return .dict(copy)
        case .list(let list):
            let copy = PickleList()
            copy.items = list.items
            return .list(copy)
        case let value:
            return value
        }
    }

    private mutating func run() throws(TorchCheckpointError.Kind) -> PickleValue {
        while true {
            let at = position
            let opcode = try byte()
            switch opcode {
            case 0x80: _ = try byte()                                  // PROTO
            case 0x95: _ = try fixed(8)                                // FRAME
            case 0x2E:                                                 // STOP
                guard marks.isEmpty, stack.count == 1, let value = stack.first else { throw malformed("STOP with \(stack.count) values on the stack", at) }
                return value
            case 0x28: marks.append(stack); stack = []                 // MARK
            case 0x29: stack.append(.tuple([]))                        // EMPTY_TUPLE
            case 0x5D: stack.append(.list(made(PickleList())))         // EMPTY_LIST
            case 0x7D: stack.append(.dict(made(PickleDict())))         // EMPTY_DICT
            case 0x4E: stack.append(.none)                             // NONE
            case 0x88: stack.append(.bool(true))                       // NEWTRUE
            case 0x89: stack.append(.bool(false))                      // NEWFALSE
            case 0x4B: stack.append(.int(Int64(try byte())))           // BININT1
            case 0x4D: stack.append(.int(Int64(try fixed(2))))         // BININT2
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try fixed(4)))))  // BININT
            case 0x8A: stack.append(.int(try long(count: Int(try byte()), at: at)))  // LONG1
            case 0x47: stack.append(.float(Double(bitPattern: try bigEndian8())))  // BINFLOAT
            case 0x58: stack.append(.string(try text(count: try fixed(4), at: at)))  // BINUNICODE
            case 0x8C: stack.append(.string(try text(count: UInt64(try byte()), at: at)))  // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try text(count: try fixed(8), at: at)))  // BINUNICODE8
            case 0x42: stack.append(.bytes(count: try skip(count: try fixed(4), at: at)))  // BINBYTES
            case 0x43: stack.append(.bytes(count: try skip(count: UInt64(try byte()), at: at)))  // SHORT_BINBYTES
            case 0x74: stack.append(.tuple(try popMark(at)))           // TUPLE
            case 0x85: stack.append(.tuple(try pop(1, at)))            // TUPLE1
            case 0x86: stack.append(.tuple(try pop(2, at)))            // TUPLE2
            case 0x87: stack.append(.tuple(try pop(3, at)))            // TUPLE3
            case 0x71: try put(UInt64(try byte()), at)                 // BINPUT
            case 0x72: try put(try fixed(4), at)                       // LONG_BINPUT
            case 0x94: try put(UInt64(memo.count), at)                 // MEMOIZE
            case 0x68: try get(UInt64(try byte()), at)                 // BINGET
            case 0x6A: try get(try fixed(4), at)                       // LONG_BINGET
            case 0x30: _ = try pop(1, at)                              // POP
            case 0x63:                                                 // GLOBAL
                let module = try line(at), name = try line(at)
                stack.append(.global(try allowed(module: module, name: name)))
            case 0x93:                                                 // STACK_GLOBAL
                let parts = try pop(2, at)
                guard case .string(let module) = parts[0], case .string(let name) = parts[1] else {
                    throw malformed("STACK_GLOBAL needs two strings", at)
                }
                stack.append(.global(try allowed(module: module, name: name)))
            case 0x51: stack.append(try persistentLoad(try pop(1, at)[0], at))  // BINPERSID
            case 0x52:                                                 // REDUCE
                let parts = try pop(2, at)
                let value = try TorchRebuild.reduce(parts[0], arguments: parts[1], at: at)
                if case .dict(let dict) = value { boxes.append(dict) }
                stack.append(value)
            case 0x62:                                                 // BUILD
                let state = try pop(1, at)[0]
                // An OrderedDict's attributes (a state dict's `_metadata`) are not needed: dropped.
                guard case .dict = try top(at) else { throw malformed("BUILD of \(state.kindName) on \(try top(at).kindName)", at) }
            case 0x73: try setItems(try pop(2, at), at)                // SETITEM
            case 0x75: try setItems(try popMark(at), at)               // SETITEMS
            case 0x61: try append(try pop(1, at), at)                  // APPEND
            case 0x65: try append(try popMark(at), at)                 // APPENDS
            default: throw .unsupportedOpcode(opcode: opcode, offset: at)
            }
        }
    }

    // MARK: Reading bytes

    private mutating func made<Box: AnyObject>(_ box: Box) -> Box {
        boxes.append(box)
        return box
    }

    private func malformed(_ reason: String, _ at: Int) -> TorchCheckpointError.Kind { .malformedPickle(reason, offset: at) }

    private mutating func byte() throws(TorchCheckpointError.Kind) -> UInt8 {
        guard let value = bytes.uint8(at: position) else { throw malformed("the pickle ends without STOP", position) }
        position += 1
        return value
    }

    /// A little-endian unsigned integer of `count` (2, 4 or 8) bytes.
    private mutating func fixed(_ count: Int) throws(TorchCheckpointError.Kind) -> UInt64 {
        let value: UInt64?
        switch count {
        case 2: value = bytes.uint16(at: position).map(UInt64.init)
        case 4: value = bytes.uint32(at: position).map(UInt64.init)
        default: value = bytes.uint64(at: position)
        }
        guard let value else { throw malformed("the pickle ends inside an argument", position) }
        position += count
        return value
    }

    private mutating func bigEndian8() throws(TorchCheckpointError.Kind) -> UInt64 {
        UInt64(bigEndian: UInt64(littleEndian: try fixed(8)))
    }

    /// Takes `count` bytes (checked against what is left) and returns where they start.
    private mutating func take(_ count: UInt64, at: Int) throws(TorchCheckpointError.Kind) -> UnsafeRawBufferPointer {
        guard count <= UInt64(bytes.count - position), let slice = bytes.bytes(at: position, count: Int(count)) else {
            throw malformed("a length of \(count) runs past the end of the pickle", at)
        }
        position += Int(count)
        return slice
    }

    private mutating func text(count: UInt64, at: Int) throws(TorchCheckpointError.Kind) -> String {
        let slice = try take(count, at: at)
        guard let string = String(validating: slice, as: UTF8.self) else { throw malformed("a string is not UTF-8", at) }
        return string
    }

    private mutating func skip(count: UInt64, at: Int) throws(TorchCheckpointError.Kind) -> Int {
        Int(try take(count, at: at).count)
    }

    /// A newline-terminated ASCII line (GLOBAL's module and name), at most 256 bytes.
    private mutating func line(_ at: Int) throws(TorchCheckpointError.Kind) -> String {
        var text: [UInt8] = []
        while true {
            let next = try byte()
            if next == 0x0A { break }
            guard text.count < 256 else { throw malformed("a GLOBAL name longer than 256 bytes", at) }
            text.append(next)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// LONG1: a little-endian two's-complement integer of `count` bytes that must fit in Int64.
    private mutating func long(count: Int, at: Int) throws(TorchCheckpointError.Kind) -> Int64 {
        let slice = try take(UInt64(count), at: at)
        guard count > 0 else { return 0 }
        let negative = slice[count - 1] & 0x80 != 0
        let low = min(8, count)
        var value: UInt64 = 0
        for index in 0..<low { value |= UInt64(slice[index]) << (8 * index) }
        if low < 8 && negative { value |= UInt64.max << (8 * low) }
        if count > 8 {
            for index in 8..<count where slice[index] != (negative ? 0xFF : 0) {
                throw malformed("an integer wider than 64 bits", at)
            }
            guard (Int64(bitPattern: value) < 0) == negative else { throw malformed("an integer wider than 64 bits", at) }
        }
        return Int64(bitPattern: value)
    }

    // MARK: The stack and the memo

    private mutating func pop(_ count: Int, _ at: Int) throws(TorchCheckpointError.Kind) -> [PickleValue] {
        guard stack.count >= count else { throw malformed("stack underflow", at) }
        let items = Array(stack.suffix(count))
        stack.removeLast(count)
        return items
    }

    private func top(_ at: Int) throws(TorchCheckpointError.Kind) -> PickleValue {
        guard let value = stack.last else { throw malformed("stack underflow", at) }
        return value
    }

    private mutating func popMark(_ at: Int) throws(TorchCheckpointError.Kind) -> [PickleValue] {
        guard let saved = marks.popLast() else { throw malformed("no MARK to take items from", at) }
        let items = stack
        stack = saved
        return items
    }

    private mutating func put(_ index: UInt64, _ at: Int) throws(TorchCheckpointError.Kind) {
        memo[index] = try top(at)
    }

    private mutating func get(_ index: UInt64, _ at: Int) throws(TorchCheckpointError.Kind) {
        guard let value = memo[index] else { throw malformed("memo entry \(index) was never stored", at) }
        stack.append(value)
    }

    private func allowed(module: String, name: String) throws(TorchCheckpointError.Kind) -> AllowedGlobal {
        guard let global = AllowedGlobal(module: module, name: name) else { throw .refusedGlobal("\(module).\(name)") }
        return global
    }

    private mutating func setItems(_ items: [PickleValue], _ at: Int) throws(TorchCheckpointError.Kind) {
        guard items.count % 2 == 0 else { throw malformed("SETITEMS with an odd number of items", at) }
        guard case .dict(let dict) = try top(at) else { throw malformed("SETITEMS on \(try top(at).kindName)", at) }
        for pair in stride(from: 0, to: items.count, by: 2) {
            dict.entries.append((key: items[pair], value: items[pair + 1]))
        }
    }

    private mutating func append(_ items: [PickleValue], _ at: Int) throws(TorchCheckpointError.Kind) {
        guard case .list(let list) = try top(at) else { throw malformed("APPEND on \(try top(at).kindName)", at) }
        list.items.append(contentsOf: items)
    }

    private func persistentLoad(_ id: PickleValue, _ at: Int) throws(TorchCheckpointError.Kind) -> PickleValue {
        guard case .tuple(let parts) = id, parts.count == 5, case .string("storage") = parts[0],
              case .global(.storageType(let dtype, _)) = parts[1], case .string(let key) = parts[2],
              case .string = parts[3], case .int(let count) = parts[4], count >= 0, let elements = Int(exactly: count) else {
            throw malformed("a persistent id that is not ('storage', type, key, location, count)", at)
        }
        return .storage(try storage(key, dtype, elements))
    }
}
