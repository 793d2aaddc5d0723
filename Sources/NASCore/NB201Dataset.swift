/// The four data sets NAS-Bench-201 reports results on, named exactly as upstream spells them.
///
/// `cifar10-valid` trains on half of the CIFAR-10 training set and validates on the other
/// half; `cifar10` trains on all of it. Class counts and input sizes decide the closed-form
/// costs and the classifier of the training network.
public enum NB201Dataset: String, CaseIterable, Sendable, Codable {
    case cifar10Valid = "cifar10-valid"
    case cifar10 = "cifar10"
    case cifar100 = "cifar100"
    case imageNet16_120 = "ImageNet16-120"

    /// The upstream name (`cifar10-valid`, `cifar10`, `cifar100`, `ImageNet16-120`).
    public var name: String { rawValue }

    public init?(name: String) { self.init(rawValue: name) }

    /// Number of classes of the classifier.
    public var classCount: Int {
        switch self {
        case .cifar10Valid, .cifar10: return 10
        case .cifar100: return 100
        case .imageNet16_120: return 120
        }
    }

    /// Side length of the square input images (32 for CIFAR, 16 for ImageNet16-120).
    public var inputSize: Int {
        switch self {
        case .cifar10Valid, .cifar10, .cifar100: return 32
        case .imageNet16_120: return 16
        }
    }

    /// Input channels (RGB).
    public var inputChannels: Int { 3 }

    /// The evaluation sets upstream's `get_more_info` reads as "valid" and "test" for this
    /// data set: cifar10-valid validates on `x-valid`, cifar10 has only `ori-test`, and
    /// cifar100 / ImageNet16-120 use `x-valid` and `x-test` (with `ori-test` as `valtest`).
    public var evaluationSets: [EvaluationSet] {
        switch self {
        case .cifar10Valid: return [.xValid, .oriTest]
        case .cifar10: return [.oriTest]
        case .cifar100, .imageNet16_120: return [.xValid, .xTest, .oriTest]
        }
    }
}

/// An evaluation set name as it appears in `eval_acc1es` keys (`x-valid@199`).
public enum EvaluationSet: String, CaseIterable, Sendable, Codable {
    case xValid = "x-valid"
    case xTest = "x-test"
    case oriTest = "ori-test"
}
