import CHDF5

/// A failed HDF5 operation: which file and object, what went wrong in words, and
/// HDF5's own error stack (innermost last) for the details.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The file does not exist (or cannot be reached).
        case fileNotFound
        /// The file exists but is not an HDF5 file.
        case notHDF5
        /// The file has an HDF5 signature but ends before its metadata does.
        case truncated
        /// The named group, dataset or attribute does not exist.
        case objectNotFound
        /// The object exists but is not the kind asked for (a group where a dataset was expected...).
        case wrongKind
        /// Element type or shape does not match what the call needs.
        case typeMismatch, shapeMismatch
        /// A feature this layer does not support (e.g. a bfloat16 dataset).
        case unsupported
        /// Writing failed: creating, writing, extending, flushing, syncing or renaming the file
        /// (a full disk, a read-only folder, ...): an output problem, not a bad input.
        case writeFailed
        /// Any other failure of an HDF5 call; `stack` says more.
        case failed
    }

    public let kind: Kind
    /// The HDF5 file involved.
    public let file: String
    /// The object inside the file ("/a/b", "/a/b@attr"), if any.
    public let object: String?
    /// What went wrong, in words.
    public let message: String
    /// HDF5's error stack as text, outermost call first (empty when the error is ours).
    public let stack: [String]

    public init(_ kind: Kind, file: String, object: String? = nil, _ message: String, stack: [String] = []) {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message
        self.stack = stack
    }

    /// An error for a failed HDF5 call, carrying (and clearing) the thread's error stack.
    static func fromLibrary(_ kind: Kind = .failed, file: String, object: String? = nil, _ message: String) -> HDF5Error {
        HDF5Error(kind, file: file, object: object, message, stack: ErrorStack.takeCurrent())
    }

    /// The error in one line: file, object and message, without HDF5's stack.
    public var summary: String {
        object.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }

    public var description: String {
        var text = file
        if let object { text += ": \(object)" }
        text += ": \(message)"
        if !stack.isEmpty { text += "\n" + stack.map { "  HDF5: \($0)" }.joined(separator: "\n") }
        return text
    }
}

/// Reads the calling thread's HDF5 error stack into text.
enum ErrorStack {
    /// The current stack, outermost call first; the thread's stack is cleared.
    static func takeCurrent() -> [String] {
        // Copy (and thereby clear) the stack first, so nothing called while walking it
        // (H5Eget_msg) can disturb it.
        let copy = H5Eget_current_stack()
        guard copy >= 0 else { return [] }
        defer { H5Eclose_stack(copy) }
        final class Lines { var items: [String] = [] }
        let lines = Lines()
        _ = withExtendedLifetime(lines) {
            H5Ewalk2(copy, H5E_WALK_DOWNWARD, { _, entry, data in
                guard let entry, let data else { return 0 }
                let lines = Unmanaged<Lines>.fromOpaque(data).takeUnretainedValue()
                let e = entry.pointee
                let function = e.func_name.map { String(cString: $0) } ?? "?"
                let desc = e.desc.map { String(cString: $0) } ?? ""
                let major = ErrorStack.message(e.maj_num)
                let minor = ErrorStack.message(e.min_num)
                lines.items.append("\(function): \(desc) [\(major) / \(minor)]")
                return 0
            }, Unmanaged.passUnretained(lines).toOpaque())
        }
        return lines.items
    }

    static func message(_ id: hid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = H5Eget_msg(id, nil, &buffer, buffer.count)
        return n > 0 ? String(nulTerminated: buffer) : "?"
    }
}
