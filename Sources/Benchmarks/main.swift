// styleprompter-bench: times named kernel rows (median after warm-up) and prints seconds and
// GFLOP/s; `Scripts/bench.sh` runs it beside `Scripts/bench_pytorch.py` and compares.
//
//   styleprompter-bench [--threads N] [--rows name,name] [--json FILE] [--runs N] [--pool-gib G] [--list]
// --runs N: at least N timed runs per row (kind) instead of the row's own minimum (a quick look).
// --pool-gib G: StoragePool.shared.capacityBytes (the freed-buffer cache) for this run.
import CPUKernels
import Foundation
import Tensors

struct Options {
    var threads = 2
    var rows: Set<String>? = nil
    var jsonPath: String? = nil
    var runs: Int? = nil
    var poolGiB: Double? = nil

    init(_ commandLine: [String]) {
        var arguments = commandLine.dropFirst()
        func value(after flag: String) -> String {
            guard let v = arguments.popFirst() else { fatalError("\(flag) needs a value") }
            return v
        }
        while let argument = arguments.popFirst() {
            switch argument {
            case "--threads": threads = Int(value(after: argument)) ?? threads
            case "--rows": rows = Set(value(after: argument).split(separator: ",").map(String.init))
            case "--json": jsonPath = value(after: argument)
            case "--runs": runs = Int(value(after: argument))
            case "--pool-gib": poolGiB = Double(value(after: argument))
            case "--list":
                for row in BenchmarkRow.all { print(row.name.padding(toLength: 24, withPad: " ", startingAt: 0), row.summary) }
                exit(0)
            default:
                FileHandle.standardError.write("usage: styleprompter-bench [--threads N] [--rows a,b] [--json FILE] [--runs N] [--pool-gib G] [--list]\n".data(using: .utf8)!)
                exit(2)
            }
        }
    }
}
let options = Options(CommandLine.arguments)
let threads = options.threads
Parallel.threadCount = threads
if let poolGiB = options.poolGiB { StoragePool.shared.capacityBytes = Int(poolGiB * 1_073_741_824) }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
}

/// Median seconds of one run: one warm-up (unless `warmUp` is false), then at least `minimumRuns` runs and ~1.5 s in all.
func measure(_ work: () -> Void, minimumRuns: Int, warmUp: Bool = true) -> (median: Double, best: Double, runs: Int) {
    if warmUp { work() }
    var times: [Double] = []
    let start = now()
    while times.count < minimumRuns || (now() - start < 1.5 && times.count < 200) {
        let t0 = now()
        work()
        times.append(now() - t0)
    }
    times.sort()
    return (times[times.count / 2], times[0], times.count)
}

/// The peak resident set of this process so far, in KiB (Linux `ru_maxrss`). `bench.sh` runs
/// every row in its own process, so this is the row's peak.
func peakResidentKiB() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss
}

let peakGFLOPS = PeakProbe.gflops(threads: threads)
print("styleprompter-bench, \(threads) thread(s), kernels \(KernelDispatch.level.rawValue); FMA peak \(String(format: "%.0f", peakGFLOPS)) GFLOP/s (PeakProbe)")
print("row                        seconds      GFLOP/s  runs  peak RSS  work")
var results: [[String: Any]] = []
let inferenceFootprint = StoragePool.shared.footprintFactor
// Codec rows only when named (their other side is libjpeg-turbo, not PyTorch).
for row in BenchmarkRow.all + BenchmarkRow.codecs.filter({ options.rows?.contains($0.name) == true })
    where options.rows?.contains(row.name) ?? true {
    // Training rows repeat a step's whole pattern of buffers, as `train` does: cache all of it.
    StoragePool.shared.footprintFactor = row.name.contains("_step_") || row.name.hasPrefix("gan") ? nil : inferenceFootprint
    let kinds = row.prepareKinds()
    var seconds = 0.0, best = 0.0, runs = 0
    var parts: [[String: Any]] = []
    let totalWeight = kinds.reduce(0) { $0 + $1.weight }
    for (k, kind) in kinds.enumerated() {
        let (median, fastest, count) = measure(kind.work, minimumRuns: options.runs ?? row.minimumRuns,
                                               warmUp: k == 0 || !row.sharedWarmUp)
        seconds += kind.weight * median / totalWeight
        best += kind.weight * fastest / totalWeight
        runs += count
        parts.append(["label": kind.label, "weight": kind.weight, "seconds": median, "best_seconds": fastest, "runs": count])
        if kinds.count > 1 {
            print("  \(kind.label.padding(toLength: 22, withPad: " ", startingAt: 0))", String(format: "%10.5f %18d", median, count),
                  " weight \(kind.weight)/\(totalWeight)")
        }
    }
    let gflops = row.flops > 0 ? row.flops / seconds / 1e9 : 0
    let peak = peakResidentKiB()
    let share = gflops > 0 ? String(format: " (%.0f %% of peak)", 100 * gflops / peakGFLOPS) : ""
    print(row.name.padding(toLength: 24, withPad: " ", startingAt: 0),
          String(format: "%10.5f %12.1f %5d %7.2f GiB", seconds, gflops, runs, Double(peak) / 1_048_576), " ", row.summary + share)
    var result: [String: Any] = ["name": row.name, "seconds": seconds, "best_seconds": best, "gflops": gflops, "flops": row.flops,
                                 "runs": runs, "peak_rss_kib": peak]
    if kinds.count > 1 { result["kinds"] = parts }
    results.append(result)
}
// The direct convolution's tile choices (ConvolutionTuning), so a table states what ran.
for line in ConvolutionTuning.report { print("tile: \(line)") }
if let jsonPath = options.jsonPath {
    let document: [String: Any] = ["implementation": "swift", "threads": threads, "peak_gflops": peakGFLOPS, "rows": results,
                                   "kernel_level": KernelDispatch.level.rawValue, "convolution_tiles": ConvolutionTuning.report]
    let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: jsonPath))
}
