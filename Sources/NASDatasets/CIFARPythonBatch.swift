import NASDataIO

// TEMPORARY until module Pickle lands on main: the python format is refused.
public enum CIFARPythonBatch {
    static func unavailable(_ path: String) -> IOError {
        .malformed(path: path, offset: nil, reason: "reading CIFAR python pickles needs the unpickler (not yet in this build)")
    }
    public static func decode(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> CIFARRecords { throw unavailable(path) }
    public static func count(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> Int { throw unavailable(path) }
    public static func classNames(_ bytes: [UInt8], path: String, layout: CIFARLayout) throws -> [String] { throw unavailable(path) }
}
