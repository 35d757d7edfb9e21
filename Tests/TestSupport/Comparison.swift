import Tensors

/// ‖a − b‖₂ / ‖b‖₂ in double precision (`b` is the reference); ‖a − b‖₂ when `b` is all zeros,
/// and infinity when the shapes differ.
public func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    return relativeError(a.scalars.map(Double.init), b.scalars.map(Double.init))
}

/// ‖a − b‖₂ / ‖b‖₂ of two vectors (‖a − b‖₂ when `b` is zero).
public func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    var difference = 0.0, reference = 0.0
    for (x, y) in zip(a, b) {
        difference += (x - y) * (x - y)
        reference += y * y
    }
    return reference > 0 ? (difference / reference).squareRoot() : difference.squareRoot()
}

/// Largest |a − b| over the elements (infinity when the shapes differ).
public func maxAbsError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, Double(Swift.abs($1.0 - $1.1))) }
}
