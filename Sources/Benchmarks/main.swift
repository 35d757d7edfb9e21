// styleprompter-bench: times named kernel rows (median after warm-up) and prints seconds and
// GFLOP/s; `Scripts/bench.sh` runs it beside `Scripts/bench_pytorch.py` and compares.
//
//   styleprompter-bench [--threads N] [--rows name,name] [--json FILE] [--list]
import CPUKernels
import Foundation

struct Options {
    var threads = 2
    var rows: Set<String>? = nil
    var jsonPath: String? = nil

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
            case "--list":
                for row in BenchmarkRow.all { print(row.name.padding(toLength: 24, withPad: " ", startingAt: 0), row.summary) }
                exit(0)
            default:
                FileHandle.standardError.write("usage: styleprompter-bench [--threads N] [--rows a,b] [--json FILE] [--list]\n".data(using: .utf8)!)
                exit(2)
            }
        }
    }
}
let options = Options(CommandLine.arguments)
let threads = options.threads
Parallel.threadCount = threads

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
}

/// Median seconds of one run: one warm-up, then at least 5 runs and ~1.5 s in all.
func measure(_ work: () -> Void) -> (median: Double, best: Double, runs: Int) {
    work()
    var times: [Double] = []
    let start = now()
    while times.count < 5 || (now() - start < 1.5 && times.count < 200) {
        let t0 = now()
        work()
        times.append(now() - t0)
    }
    times.sort()
    return (times[times.count / 2], times[0], times.count)
}

print("styleprompter-bench, \(threads) thread(s)")
print("row                        seconds      GFLOP/s  runs  work")
var results: [[String: Any]] = []
for row in BenchmarkRow.all where options.rows?.contains(row.name) ?? true {
    let work = row.prepare()
    let (seconds, best, runs) = measure(work)
    let gflops = row.flops > 0 ? row.flops / seconds / 1e9 : 0
    print(row.name.padding(toLength: 24, withPad: " ", startingAt: 0),
          String(format: "%10.5f %12.1f %5d", seconds, gflops, runs), " ", row.summary)
    results.append(["name": row.name, "seconds": seconds, "best_seconds": best, "gflops": gflops, "flops": row.flops,
                    "runs": runs])
}
if let jsonPath = options.jsonPath {
    let document: [String: Any] = ["implementation": "swift", "threads": threads, "rows": results]
    let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: jsonPath))
}
