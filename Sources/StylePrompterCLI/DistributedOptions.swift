import ArgumentParser
import CPUKernels
import Foundation
import MessagePassing

/// `--distributed`: the command is one rank of an MPI job (`mpirun -np N styleprompter … --distributed`).
struct DistributedOptions: ParsableArguments {
    @Flag(help: "Run as one rank of an MPI job started by mpirun (a build with --traits MPI): data-parallel training, or one shard each of a batch inversion.")
    var distributed = false

    /// The job's communicator (one process without `--distributed`). Under MPI, a run without
    /// `--threads` gives each rank its share of the cores (cores ÷ ranks on this host), not all.
    func communicator(threadsGiven: Bool) throws -> any Communicator {
        let world = try CommandErrors.reporting { try Communicators.world(distributed: distributed) }
        if distributed && !threadsGiven {
            let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? world.size
            Parallel.threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, local))
        }
        return world
    }

    /// A batch command's run as this job's part: `work` on the `--shard` given, or under MPI on
    /// rank r's shard r/N, after which rank 0 runs `merge` once every rank's shard is written.
    func runSharded(_ shardOption: String?, command: String, threadsGiven: Bool,
                    work: (InputShard?) throws -> Void, merge: () throws -> Void) throws {
        let world = try communicator(threadsGiven: threadsGiven)
        try Self.run(on: world) {
            let share = try shardOption.map { try InputShard(parsing: $0, command: command) }
                ?? (world.size > 1 ? InputShard(index: world.rank, count: world.size) : nil)
            try work(share)
            guard world.size > 1 else { return }
            world.barrier()
            if world.isRoot { try merge() }
        }
    }

    /// A training command's run as this job's rank: `body` gets the communicator and a `say` that
    /// prints on rank 0 alone (one rank of a data-parallel job speaks for all).
    func runTraining(threadsGiven: Bool, _ body: (any Communicator, (String) -> Void) throws -> Void) throws {
        let world = try communicator(threadsGiven: threadsGiven)
        let say: (String) -> Void = world.isRoot ? { print($0) } : { _ in }
        try Self.run(on: world) { try CommandErrors.reporting { try body(world, say) } }
    }

    /// Runs `body` as this rank. An error on one rank is printed with its rank and ends the
    /// whole job (the other ranks would wait for it in their next collective); a finished
    /// rank closes MPI cleanly.
    static func run(on world: any Communicator, _ body: () throws -> Void) throws {
        guard world.size > 1 else {
            defer { world.finish() }
            return try body()
        }
        do {
            try body()
        } catch {
            FileHandle.standardError.write(Data("error: rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(code: 1)
        }
        world.finish()
    }
}
