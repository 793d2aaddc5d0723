/// Why a forward pass refused to run or to return its result.
public enum ForwardError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input is not `[B, 3, H, W]` with H and W multiples of 4 (two stride-2 reductions).
    case badInputShape([Int], reason: String)
    /// Image `image` (0-based) of the input holds NaN or an infinite value.
    case nonFiniteInput(image: Int, count: Int)
    /// The logits of these images came out NaN or infinite; `warnings` name weight tensors that hold NaN/Inf.
    case nonFiniteOutput(images: [Int], warnings: [String])

    public var description: String {
        switch self {
        case let .badInputShape(shape, reason):
            return "input of shape \(shape) cannot go through the network: \(reason)"
        case let .nonFiniteInput(image, count):
            return "input image \(image) holds \(count) NaN or infinite value(s)"
        case let .nonFiniteOutput(images, warnings):
            let list = images.prefix(10).map(String.init).joined(separator: ", ") + (images.count > 10 ? ", ..." : "")
            return "the logits of \(images.count) image(s) (\(list)) are NaN or infinite"
                + (warnings.isEmpty ? "" : "; the weights are suspect:\n" + warnings.joined(separator: "\n"))
        }
    }
}
