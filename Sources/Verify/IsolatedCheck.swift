import Foundation

/// Runs one file's check in a child process, for readers over C libraries that may
/// crash on crafted input (libhdf5 1.10 does, see the README's fuzzing table): the child
/// is `command + [path]` and prints `nasdata verify --json`'s document; a child killed
/// by a signal becomes one FAILED line instead of a dead `verify`.
struct IsolatedCheck: Sendable {
    /// The child's argv up to the path, e.g. `[nasdata, "verify", "--json", "--threads", "1", "--in-process"]`.
    let command: [String]

    func run(path: String, report: FileReport) -> FileReport {
        var r = report
        let child = Process()
        child.executableURL = URL(fileURLWithPath: command[0])
        child.arguments = Array(command.dropFirst()) + [path]
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        child.standardInput = FileHandle.nullDevice
        do { try child.run() } catch {
            r.fail("cannot start the isolated check \(command[0]): \(error.localizedDescription)")
            return r
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        if child.terminationReason == .uncaughtSignal {
            r.fail("the reader crashed on this file (signal \(child.terminationStatus) in the isolated child process): "
                + "a hostile or badly damaged file")
            return r
        }
        guard let document = try? JSONDecoder().decode(ReportTable.JSONDocument.self, from: data),
              let first = document.files.first else {
            r.fail("the isolated check ended (exit status \(child.terminationStatus)) without a verdict")
            return r
        }
        // The child saw the same path: take its verdict whole, keeping this side's size.
        var verdict = first
        verdict.path = report.path
        verdict.size = verdict.size ?? report.size
        return verdict
    }
}
