import Testing
import Foundation
import Training

/// The predictor's learning rate schedules: the cosine one starts at the base rate, falls
/// monotonically, is half the base at mid-run and reaches 0 on the last step; training applies it.
struct AttributePredictorScheduleTests {
    typealias Schedule = AttributePredictorTraining.LearningRateSchedule

    @Test func constantKeepsTheBaseRate() {
        for step in [0, 1, 499, 999] { #expect(Schedule.constant.learningRate(base: 1e-3, step: step, steps: 1000) == 1e-3) }
    }

    @Test func cosineFallsFromTheBaseToZero() {
        let steps = 1001
        let rates = (0..<steps).map { Schedule.cosine.learningRate(base: 2e-3, step: $0, steps: steps) }
        #expect(rates.first == 2e-3)
        #expect(abs(rates[500] - 1e-3) < 1e-9)
        #expect(rates.last! < 1e-12)
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(Schedule.cosine.learningRate(base: 1e-3, step: 0, steps: 1) == 1e-3)      // one step: no decay
    }

    @Test func trainingSetsTheScheduledRate() throws {
        let training = AttributePredictorTraining(size: 16, seed: 3, batchSize: 2, learningRate: 4e-3,
                                                  architecture: .compact, schedule: .cosine)
        try training.train(steps: 3)
        // The last of three steps ran at the schedule's last rate.
        #expect(training.optimizer.learningRate == Schedule.cosine.learningRate(base: 4e-3, step: 2, steps: 3))
        #expect(training.optimizer.learningRate < 1e-12)
    }
}
