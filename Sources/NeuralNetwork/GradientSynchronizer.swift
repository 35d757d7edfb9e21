import Tensors

/// What keeps data-parallel replicas of a model identical: after each backward pass, every
/// replica's gradients are replaced by their mean over the replicas (then each takes the same
/// optimiser step), and the few scalars a step carries forward (a running mean, logged losses)
/// are averaged the same way. Trainers call it when one is set; a single process has none.
///
/// ```swift
/// loss.backward()
/// synchronizer?.averageGradients(of: optimizer.parameters)
/// optimizer.step()
/// ```
public protocol GradientSynchronizer: AnyObject {
    /// How many replicas train together.
    var replicas: Int { get }
    /// Replaces each parameter's gradient by its mean over the replicas. Every replica must
    /// have gradients for the same parameters.
    func averageGradients(of parameters: [Tensor])
    /// The elementwise mean over the replicas.
    func average(_ values: [Float]) -> [Float]
}

extension GradientSynchronizer {
    /// Each value of a loss-term dictionary averaged over the replicas (same keys on all).
    public func average(_ terms: [String: Float]) -> [String: Float] {
        let keys = terms.keys.sorted()
        let means = average(keys.map { terms[$0]! })
        return Dictionary(uniqueKeysWithValues: zip(keys, means))
    }
}
