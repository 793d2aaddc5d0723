import Foundation
import NASCore

/// Upstream's metric-set aliases (`remap_dataset_set_names`): `valid` / `test` name the split a
/// data set uses for validation / test, and `cifar10` + `valid` means cifar10-valid's x-valid.
public func remapDatasetAndSet(dataset: String, set: String) -> (dataset: String, set: String) {
    switch (dataset, set) {
    case ("cifar10", "valid"): return ("cifar10-valid", "x-valid")
    case ("cifar10", "test"): return ("cifar10", "ori-test")
    case ("cifar100", "valid"), ("ImageNet16-120", "valid"): return (dataset, "x-valid")
    case ("cifar100", "test"), ("ImageNet16-120", "test"): return (dataset, "x-test")
    default: return (dataset, set)
    }
}

extension ArchResults {
    /// `get_more_info(index, dataset, iepoch, hp, is_random)` for `is_random=False` (mean) or a
    /// seed: `train-loss`, `train-accuracy`, `train-per-time`, `train-all-time`, then the same four
    /// for `valid`, `test` and `valtest` where the data set has them, in upstream's order and with
    /// upstream's choice of sets (cifar10-valid: x-valid / ori-test; cifar10: ori-test as test;
    /// cifar100, ImageNet16-120: x-valid, x-test, and ori-test as valtest).
    public func moreInfo(dataset: String, epoch: Int? = nil, seeds: SeedSelection = .mean) throws -> [(key: String, value: Double?)] {
        let train = try metric(dataset: dataset, set: "train", epoch: epoch, seeds: seeds)
        let total = Double(train.epoch + 1)
        var out: [(String, Double?)] = [
            ("train-loss", train.loss), ("train-accuracy", train.accuracy),
            ("train-per-time", train.totalTime.map { $0 / total }), ("train-all-time", train.totalTime),
        ]
        func attempt(_ set: String) -> Metric? { try? metric(dataset: dataset, set: set, epoch: epoch, seeds: seeds) }
        var valid: Metric?, test: Metric?, valtest: Metric?
        if dataset == "cifar10-valid" {
            valid = try metric(dataset: dataset, set: "x-valid", epoch: epoch, seeds: seeds)
            test = attempt("ori-test")
        } else {
            test = attempt(dataset == "cifar10" ? "ori-test" : "x-test")
            valid = attempt("x-valid")
            valtest = dataset == "cifar10" ? nil : attempt("ori-test")
        }
        for (prefix, m) in [("valid", valid), ("test", test), ("valtest", valtest)] {
            guard let m else { continue }
            out += [("\(prefix)-loss", m.loss), ("\(prefix)-accuracy", m.accuracy),
                    ("\(prefix)-per-time", m.totalTime.map { $0 / total }), ("\(prefix)-all-time", m.totalTime)]
        }
        return out
    }

    /// The lines upstream's `print_information` (and so `show` / `query_info_str_by_arch`) prints.
    public func informationLines(extraInfo: String? = nil) throws -> [String] {
        let names = datasetNames.map { "'\($0)'" }.joined(separator: ", ")
        var lines = [archString, "datasets : [\(names)], extra-info : \(extraInfo ?? "None")"]
        func pad(_ s: String) -> String { s.count >= 14 ? s : s + String(repeating: " ", count: 14 - s.count) }
        func metric2str(_ m: Metric) -> String { String(format: "loss = %.3f, top1 = %.2f%%", m.loss, m.accuracy) }
        for dataset in datasetNames {
            let costs = try computeCosts(dataset: dataset)
            let latency = costs.latency.flatMap { $0 > 0 ? String(format: "%.2f", $0 * 1000) : nil } ?? "None"
            lines.append(pad(dataset) + String(format: " FLOP=%6.2f M, Params=%.3f MB, latency=", costs.flops, costs.params)
                         + latency + " ms.")
            let train = try metric(dataset: dataset, set: "train")
            switch dataset {
            case "cifar10-valid":
                let valid = try metric(dataset: dataset, set: "x-valid")
                lines.append(pad(dataset) + " train : [\(metric2str(train))], valid : [\(metric2str(valid))]")
            case "cifar10":
                let test = try metric(dataset: dataset, set: "ori-test")
                lines.append(pad(dataset) + " train : [\(metric2str(train))], test  : [\(metric2str(test))]")
            default:
                let valid = try metric(dataset: dataset, set: "x-valid"), test = try metric(dataset: dataset, set: "x-test")
                lines.append(pad(dataset) + " train : [\(metric2str(train))], valid : [\(metric2str(valid))], test : [\(metric2str(test))]")
            }
        }
        return lines
    }
}

extension Benchmark {
    /// `get_more_info(index, dataset, iepoch, hp, is_random=False or seed)`.
    public func moreInfo(index: Int, dataset: String, schedule: Schedule, epoch: Int? = nil,
                         seeds: SeedSelection = .mean) throws -> [(key: String, value: Double?)] {
        try results(index: index, schedule: schedule).moreInfo(dataset: dataset, epoch: epoch, seeds: seeds)
    }

    /// `query_info_str_by_arch(index, hp)`: the text upstream prints for one architecture.
    public func informationText(index: Int, schedule: Schedule) throws -> String {
        try results(index: index, schedule: schedule).informationLines(extraInfo: "arch-index=\(index)").joined(separator: "\n")
    }

    /// `show(index)`: both schedules, framed as upstream frames them.
    public func show(index: Int) throws -> String {
        var lines: [String] = []
        for schedule in Schedule.nasBench201 {
            let ar = try results(index: index, schedule: schedule)
            lines.append(String(repeating: ">", count: 40) + String(format: " %03d epochs ", ar.epochs ?? schedule.epochs)
                         + String(repeating: ">", count: 40))
            lines += try ar.informationLines()
        }
        lines.append(String(repeating: "<", count: 40) + "------------" + String(repeating: "<", count: 40))
        return lines.joined(separator: "\n")
    }
}
