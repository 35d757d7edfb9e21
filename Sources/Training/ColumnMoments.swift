import Tensors

/// Mean and (population) standard deviation of each column of a [rows, columns] tensor, in Double:
/// the attribute term's real statistics, its spread ratios and the evaluation's generator spread
/// all read their predictor columns this way.
struct ColumnMoments {
    let mean: [Double]
    let deviation: [Double]

    init(_ table: Tensor) {
        let rows = table.shape[0], columns = table.shape[1], values = table.scalars
        var mean = [Double](repeating: 0, count: columns), deviation = [Double](repeating: 0, count: columns)
        for c in 0..<columns {
            var sum = 0.0
            for r in 0..<rows { sum += Double(values[r * columns + c]) }
            let m = sum / Double(max(rows, 1))
            var squares = 0.0
            for r in 0..<rows { let d = Double(values[r * columns + c]) - m; squares += d * d }
            mean[c] = m
            deviation[c] = (squares / Double(max(rows, 1))).squareRoot()
        }
        self.mean = mean
        self.deviation = deviation
    }
}
