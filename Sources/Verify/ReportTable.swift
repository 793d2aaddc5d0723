import Foundation

/// Renders reports as the terminal table (file, kind, rule, result) or JSON.
public enum ReportTable {
    public static func text(_ reports: [FileReport]) -> String {
        let header = ["FILE", "KIND", "RULE", "RESULT"]
        let rows = reports.map { r -> [String] in
            let result: String
            switch r.outcome {
            case .ok: result = "ok"
            case .failed: result = "FAILED"
            case .unchecked: result = "unchecked"
            }
            return [r.path, r.kind, r.rule, r.detail.isEmpty ? result : "\(result): \(r.detail)"]
        }
        var widths = header.map(\.count)
        for row in rows {
            for c in 0..<3 { widths[c] = max(widths[c], row[c].count) }
        }
        func line(_ cells: [String]) -> String {
            (0..<3).map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + "  " + cells[3]
        }
        var out = line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        out += VerifySummary(reports).line + "\n"
        return out
    }

    struct JSONDocument: Codable {
        let files: [FileReport]
        let summary: VerifySummary
    }

    public static func json(_ reports: [FileReport]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(JSONDocument(files: reports, summary: VerifySummary(reports)))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
