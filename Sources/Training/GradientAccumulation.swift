import NeuralNetwork
import Tensors

/// Gradient accumulation shared by the trainers: a batch split into equal micro-batches, each
/// loss scaled by 1/steps and backpropagated before the next micro-batch runs, so only one
/// micro-batch's activations are alive at a time and the summed gradients are those of the mean
/// loss over the whole batch (every released term is a mean over images, so the mean of equal
/// micro-batch means is the batch mean — equal up to float summation order).
///
/// ```swift
/// let terms = GradientAccumulation.backward(images: batch, steps: 2) { trainer.loss(images: $0) }
/// ```
enum GradientAccumulation {
    /// A trainer's gradients for one step: cleared, accumulated over `steps` micro-batches and,
    /// in a data-parallel run, averaged over the replicas (the terms too); returns the terms.
    static func gradients(images: Tensor, steps: Int, optimizer: any Optimizer, synchronizer: (any GradientSynchronizer)?,
                          loss: (Tensor) -> (loss: Tensor, terms: [String: Float])) -> [String: Float] {
        optimizer.zeroGradients()
        let terms = backward(images: images, steps: steps, loss: loss)
        guard let synchronizer else { return terms }
        synchronizer.averageGradients(of: optimizer.parameters)
        return synchronizer.average(terms)
    }

    /// Runs `loss` on each micro-batch of `images` [B, …] and backpropagates it; returns each term
    /// averaged over the micro-batches. B must be a multiple of `steps`.
    static func backward(images: Tensor, steps: Int,
                         loss: (Tensor) -> (loss: Tensor, terms: [String: Float])) -> [String: Float] {
        let batch = images.shape[0]
        precondition(steps >= 1 && batch % steps == 0,
                     "gradient accumulation: a batch of \(batch) does not split into \(steps) equal micro-batches")
        if steps == 1 {
            let (value, terms) = loss(images)
            value.backward()
            return terms
        }
        let size = batch / steps
        var averaged: [String: Float] = [:]
        for k in 0..<steps {
            let (value, terms) = loss(images.slice(0, start: k * size, end: (k + 1) * size))
            (value * (1 / Float(steps))).backward()
            for (key, term) in terms { averaged[key, default: 0] += term / Float(steps) }
        }
        return averaged
    }
}
