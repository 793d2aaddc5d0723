import ArgumentParser
import Foundation
import HDF5
import NASDataIO
import WeightArchive

/// nasdata's entry point: parses, runs, and turns every error into the one format and the one
/// exit-status table (`ExitStatus`):
///
///     nasdata SUBCOMMAND: WHAT IS WRONG (naming the user's file)
///
/// on one line of stderr; usage errors (64) add the subcommand's usage; library stack traces
/// (HDF5's error stack) only with `--verbose`, which every subcommand accepts. Commands throw;
/// they do not print errors or choose exit numbers themselves.
extension NASData {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Every subcommand declares --verbose (GlobalOptions); it is read here, before parsing.
        let verbose = arguments.contains("--verbose")
        let path = subcommandPath(arguments)
        if arguments.first == "help", arguments.count > 1, !arguments[1].hasPrefix("-"), path.count < arguments.count - 1 || path.isEmpty {
            let unknown = arguments.dropFirst().first { !$0.hasPrefix("-") && !path.contains($0) } ?? arguments[1]
            fail(.usage, "nasdata help: no subcommand named '\(unknown)' (subcommands: \(subcommandNames(NASData.self).joined(separator: ", ")))",
                 usage: usageString(for: NASData.self))
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }   // --help, --version
            let full = fullMessage(for: error)
            let text = full.hasPrefix("Error: ") ? String(full.dropFirst(7)) : full
            fail(.usage, prefix(path) + text)
        }
        do {
            try command.run()
        } catch {
            report(error, command: type(of: command), path: path, verbose: verbose)
        }
    }

    /// The exit status and message for an error thrown by a command's `run()`.
    static func report(_ error: Error, command: ParsableCommand.Type, path: [String], verbose: Bool) -> Never {
        switch error {
        case let code as ExitCode:
            // A command that already printed its outcome (verify's table, a schema's deviations)
            // and only sets the status.
            Foundation.exit(code.rawValue)
        case let failure as CommandFailure:
            fail(failure.status, prefix(path) + userPaths(failure.description))
        case let validation as ValidationError:
            fail(.usage, prefix(path) + oneLine(validation.message), usage: usageString(for: command))
        case let hdf5 as HDF5Error:
            let message = verbose ? "\(hdf5)" : hdf5.summary
            fail(hdf5.kind == .writeFailed ? .cannotWrite : .badInput, prefix(path) + userPaths(message))
        case let pack as PackError:
            fail(.cannotWrite, prefix(path) + userPaths("\(pack)"))
        case let archive as ArchiveError:
            switch archive {
            case .runNotFound: fail(.problemFound, prefix(path) + userPaths("\(archive)"))
            case .invalidArgument: fail(.usage, prefix(path) + "\(archive)", usage: usageString(for: command))
            default: fail(.badInput, prefix(path) + userPaths("\(archive)"))
            }
        case let io as IOError:
            if case let .system(operation, _, code) = io, writes(operation) || [ENOSPC, EROFS, EDQUOT, EFBIG].contains(code) {
                fail(.cannotWrite, prefix(path) + userPaths("\(io)"))
            }
            fail(.badInput, prefix(path) + userPaths("\(io)"))
        default:
            // nasdata's own messages: the first line says what is wrong; a few carry a report
            // after it (a strict load's missing / unexpected / mis-shaped keys), kept whole.
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(.badInput, prefix(path) + userPaths("\(error)"))
        }
    }

    /// Prints `message` (and `usage`) to stderr and exits with `status`.
    static func fail(_ status: ExitStatus, _ message: String, usage: String? = nil) -> Never {
        var text = message.hasSuffix("\n") ? message : message + "\n"
        if let usage { text += usage.hasPrefix("Usage:") || usage.hasPrefix("USAGE:") ? usage + "\n" : "Usage: " + usage + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
        // _exit, not exit: after a failed write (a full disk), libhdf5's exit handler would flush
        // and close what the failure left behind and can crash doing it. Every output is already
        // removed or left as its durable temporary by then; only stdout needs flushing.
        fflush(nil)
        _exit(status.rawValue)
    }

    /// The subcommand names at the start of `arguments` (`["archive", "ls"]`), skipping `help`.
    static func subcommandPath(_ arguments: [String]) -> [String] {
        var type: ParsableCommand.Type = NASData.self
        var path: [String] = []
        for argument in arguments.drop(while: { $0 == "help" }) {
            guard let next = type.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            type = next
        }
        return path
    }

    static func subcommandNames(_ type: ParsableCommand.Type) -> [String] {
        type.configuration.subcommands.map { $0._commandName }
    }

    static func prefix(_ path: [String]) -> String {
        (["nasdata"] + path).joined(separator: " ") + ": "
    }

    /// The first line only, unless `verbose` (library details follow on later lines).
    static func oneLine(_ message: String, verbose: Bool = false) -> String {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !verbose, let newline = trimmed.firstIndex(of: "\n") else { return trimmed }
        return String(trimmed[..<newline]) + " (--verbose for details)"
    }

    /// Messages name the file the user gave, never the temporary file written beside it
    /// (`dir/.out.h5.partial-1234` -> `dir/out.h5`; see NASDataIO.AtomicOutput).
    static func userPaths(_ message: String) -> String {
        message.replacingOccurrences(of: #"(^|[/\s(])\.([^/\s]+?)\.partial-\d+"#, with: "$1$2", options: .regularExpression)
    }

    private static func writes(_ operation: String) -> Bool {
        ["create", "write", "rename", "fsync", "mkdir", "ftruncate", "reserve", "open for writing"].contains { operation.hasPrefix($0) }
    }
}
