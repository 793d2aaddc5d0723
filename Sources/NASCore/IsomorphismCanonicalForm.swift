/// An extra, NOT what upstream's index uses: a canonical form that is equal for cells that
/// compute the same function up to the order of summation and the labelling of nodes.
///
/// Upstream looks architectures up by their exact string, so two isomorphic cells have two
/// indices and two sets of (different, independently trained) results. This form is for
/// users who want to group such cells. It is the symbolic expression of the output node:
/// node 0 is `x`; `skip_connect` passes its input's expression through; `none` contributes
/// nothing; a convolution or pooling wraps it (`c3(...)`, `c1(...)`, `ap(...)`); a node sums
/// its non-zero terms, sorted, so summation order does not matter. A node with no non-zero
/// term is `0`, and any operation applied to `0` is taken to be `0` (true for the
/// zero-input dataflow; ReLU-Conv-BN of zeros is a constant only in evaluation mode, which
/// this form ignores). Two cells have equal forms exactly when their output expressions are
/// equal as multisets of paths with their operation sequences.
extension Architecture {
    public var isomorphismCanonicalForm: String {
        var expressions = ["x"]
        for node in 1...Architecture.nodeCount {
            var terms: [String] = []
            for from in 0..<node {
                let input = expressions[from]
                guard input != "0" else { continue }
                switch operation(to: node, from: from) {
                case .none: continue
                case .skipConnect: terms.append(input)
                case .conv1x1: terms.append("c1(\(input))")
                case .conv3x3: terms.append("c3(\(input))")
                case .avgPool3x3: terms.append("ap(\(input))")
                }
            }
            // A term that is itself a sum is flattened so (a+b)+c == a+(b+c).
            let flat = terms.flatMap { $0.hasPrefix("(") ? Architecture.splitSum($0) : [$0] }
            expressions.append(flat.isEmpty ? "0" : (flat.count == 1 ? flat[0] : "(" + flat.sorted().joined(separator: "+") + ")"))
        }
        return expressions[Architecture.nodeCount]
    }

    /// The top-level terms of a parenthesised sum `(a+b+c)`.
    private static func splitSum(_ s: String) -> [String] {
        let inner = s.dropFirst().dropLast()
        var terms: [String] = []
        var depth = 0
        var current = ""
        for c in inner {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == "+" && depth == 0 { terms.append(current); current = "" } else { current.append(c) }
        }
        terms.append(current)
        return terms
    }
}
