/// Why a pickle (or a container around one) could not be read. Every error names
/// the file (or `<memory>`) and the byte offset where reading stopped, so a bad
/// download can be told from a bug.
public struct PickleError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The input ended while `needed` more bytes were required.
        case truncated(needed: Int)
        /// A byte that is no opcode of pickle protocols 0-5.
        case unknownOpcode(UInt8)
        /// A global that is not on the allow-list (`module.name`): never imported, never called.
        case refusedGlobal(String)
        /// GET of a memo slot that was never PUT.
        case missingMemo(Int)
        /// GET of a memo slot whose value the streaming hook took (see `Unpickler.dictItemHandler`).
        case consumedMemo(Int)
        /// An opcode needed more stack items (or a MARK) than there were.
        case stackUnderflow(String)
        /// Containers nested deeper than `Unpickler.maxNesting`.
        case tooDeep(Int)
        /// A declared length larger than the bytes that remain (or than a hard limit).
        case tooLarge(String)
        /// Bytes after the pickle's STOP that no container format explains (a damaged,
        /// concatenated or mislabelled file): their count.
        case trailingBytes(Int64)
        /// Anything else that is not what the format requires.
        case malformed(String)
    }

    public var path: String
    public var offset: Int64
    public var reason: Reason

    public init(path: String, offset: Int64, reason: Reason) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .truncated(let n): what = "truncated: \(n) more byte(s) needed"
        case .unknownOpcode(let op): what = "unknown pickle opcode 0x" + String(op, radix: 16)
        case .refusedGlobal(let name): what = "refused global \(name) (not on the allow-list; nothing is executed)"
        case .missingMemo(let i): what = "memo reference to slot \(i), which was never stored"
        case .consumedMemo(let i): what = "memo reference to slot \(i), whose value the streaming hook consumed"
        case .stackUnderflow(let op): what = "\(op): stack underflow"
        case .tooDeep(let n): what = "containers nested deeper than \(n)"
        case .tooLarge(let s): what = "declared length too large: \(s)"
        case .trailingBytes(let n): what = "\(n) byte(s) after the pickle's STOP opcode, which no container format explains (damaged or not a single pickle)"
        case .malformed(let s): what = s
        }
        return "\(path) (byte \(offset)): \(what)"
    }
}
