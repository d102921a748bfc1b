/// What REDUCE builds from an allowed global and its argument tuple: an empty OrderedDict, or a tensor
/// described by `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`
/// (or unwrapped from `_rebuild_parameter(tensor, requires_grad, backward_hooks)`). Nothing is called:
/// the arguments are checked and turned into a `PickledTensor`, whose view must lie inside its storage.
enum TorchRebuild {
    static func reduce(_ callable: PickleValue, arguments: PickleValue, at: Int) throws(TorchCheckpointError.Kind) -> PickleValue {
        guard case .global(let global) = callable else {
            throw .malformedPickle("REDUCE of \(callable.kindName), which is not a callable", offset: at)
        }
        guard case .tuple(let args) = arguments else {
            throw .malformedPickle("REDUCE arguments are \(arguments.kindName), not a tuple", offset: at)
        }
        switch global {
        case .orderedDict:
            guard args.isEmpty else { throw .malformedPickle("OrderedDict built from arguments", offset: at) }
            return .dict(PickleDict())
        case .rebuildParameter:
            guard (3...4).contains(args.count), case .tensor = args[0] else {
                throw .malformedPickle("_rebuild_parameter without a tensor", offset: at)
            }
            return args[0]
        case .rebuildTensorV2:
            return .tensor(try tensor(args, at: at))
        case .storageType:
            throw .malformedPickle("\(global.qualifiedName) called directly", offset: at)
        }
    }

    private static func tensor(_ args: [PickleValue], at: Int) throws(TorchCheckpointError.Kind) -> PickledTensor {
        guard (6...7).contains(args.count), case .storage(let storage) = args[0], case .int(let offset64) = args[1],
              case .tuple(let sizes) = args[2], case .tuple(let strides) = args[3], sizes.count == strides.count else {
            throw .malformedPickle("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, …)", offset: at)
        }
        let shape = try integers(sizes, at: at), steps = try integers(strides, at: at)
        guard let offset = Int(exactly: offset64), offset >= 0 else {
            throw .malformedPickle("a negative storage offset", offset: at)
        }
        // The highest element the view touches must lie inside the storage (an empty view touches none).
        var elements = 1
        var last = offset
        for (size, step) in zip(shape, steps) {
            let (count, countOverflow) = elements.multipliedReportingOverflow(by: size)
            let (reach, reachOverflow) = (size == 0 ? 0 : size - 1).multipliedReportingOverflow(by: step)
            let (end, endOverflow) = last.addingReportingOverflow(reach)
            guard !countOverflow, !reachOverflow, !endOverflow else {
                throw .malformedPickle("a tensor whose size overflows", offset: at)
            }
            elements = count
            last = end
        }
        guard elements == 0 || last < storage.count else {
            throw .malformedPickle("a view reaching element \(last) of a storage of \(storage.count)", offset: at)
        }
        return PickledTensor(storage: storage, offset: offset, shape: shape, strides: steps)
    }

    /// Non-negative integers of a size or stride tuple.
    private static func integers(_ values: [PickleValue], at: Int) throws(TorchCheckpointError.Kind) -> [Int] {
        var result: [Int] = []
        for value in values {
            guard case .int(let number) = value, number >= 0, let integer = Int(exactly: number) else {
                throw .malformedPickle("a size or stride that is not a non-negative integer", offset: at)
            }
            result.append(integer)
        }
        return result
    }
}
