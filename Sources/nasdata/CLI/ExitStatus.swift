import ArgumentParser

/// The exit statuses of every nasdata subcommand: the one table, also printed in the README
/// ("Exit status") and in `nasdata --help`. Commands never pick numbers of their own.
enum ExitStatus: Int32, CaseIterable {
    /// Success.
    case ok = 0
    /// A check ran and found a problem: verify FAILED, a schema deviation, a lookup miss,
    /// `reload --fail-on-disagreement`.
    case problemFound = 1
    /// An input is missing, unreadable or not what the command needs.
    case badInput = 2
    /// A usage error: unknown option, missing argument, bad value (sysexits EX_USAGE).
    case usage = 64
    /// An output cannot be written (sysexits EX_IOERR).
    case cannotWrite = 74

    var meaning: String {
        switch self {
        case .ok: return "success"
        case .problemFound: return "a check ran and found a problem (verify FAILED, schema deviation, lookup miss, reload --fail-on-disagreement)"
        case .badInput: return "an input is missing, unreadable or not what the command needs"
        case .usage: return "usage error (the subcommand's usage is printed)"
        case .cannotWrite: return "an output cannot be written"
        }
    }

    /// The table as help text.
    static var table: String {
        allCases.map { String(format: "  %3d  ", $0.rawValue) + $0.meaning }.joined(separator: "\n")
    }
}

/// An error a command reports with a chosen status (one line, naming the user's file);
/// without a status it is an input that is missing, unreadable or wrong (2).
struct CommandFailure: Error, CustomStringConvertible {
    let status: ExitStatus
    let description: String

    init(_ status: ExitStatus, _ description: String) {
        self.status = status
        self.description = description
    }

    init(_ description: String) { self.init(.badInput, description) }
}

extension ExitStatus {
    /// For a command that printed its outcome itself (verify's table, a schema's deviations)
    /// and only sets the status.
    var code: ExitCode { ExitCode(rawValue) }
}
