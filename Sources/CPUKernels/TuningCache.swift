import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Convolution tile choices kept between processes, as FFTW keeps its wisdom: a one-image command
/// otherwise spends ~35 ms timing tiles for layers an earlier run on this machine already timed,
/// and its choice would depend on that moment's load.
///
/// A text file, one choice a line: `machine <TAB> layer <TAB> tile`, where `machine` is the kernel
/// level and the CPU's name (a file copied to another machine, or read with another level forced,
/// does not apply there) and `layer` is what the choice depends on (input and output channels per
/// group, kernel height and width, output width). Reading is bounded (`maximumBytes`) and
/// forgiving: a line that does not parse, names a tile this level lacks or belongs to another
/// machine is not used, so a damaged or hostile file costs at most a re-timing. Writing replaces
/// the file whole through a temporary and a rename, so a reader never sees half of it; two
/// processes writing at once lose one's new line, which is timed again next time.
///
/// ```swift
/// let cache = TuningCache(url: URL(fileURLWithPath: "/tmp/tiles.tsv"))
/// cache.record("64,64,3,3,512", tile: "8×32")
/// cache.choice(for: "64,64,3,3,512")    // "8×32" — in this process and the next
/// ```
package final class TuningCache: @unchecked Sendable {
    package let url: URL
    /// This machine and kernel level, as the file names them.
    package let machine: String
    private let lock = NSLock()
    private var loaded: [String: String]?

    /// Bytes read at most: a few hundred lines, far more than any model's layers need.
    package static let maximumBytes = 256 << 10
    /// Lines kept at most when rewriting (the newest win).
    package static let maximumLines = 2_000

    package static let environmentVariable = "STYLEPROMPTER_TUNING_CACHE"

    /// The file every convolution uses: `STYLEPROMPTER_TUNING_CACHE` (a path; `off` or empty for
    /// none), else `$XDG_CACHE_HOME/styleprompter/convolution-tiles.tsv`, else the same under
    /// `~/.cache`; none without a home.
    package static let shared: TuningCache? = location().map { TuningCache(url: $0) }

    package static func location(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let path = environment[environmentVariable] {
            return path.isEmpty || path == "off" ? nil : URL(fileURLWithPath: path)
        }
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache", isDirectory: true)
        } else {
            return nil
        }
        return base.appendingPathComponent("styleprompter", isDirectory: true).appendingPathComponent("convolution-tiles.tsv")
    }

    package init(url: URL, machine: String = TuningCache.thisMachine) {
        self.url = url
        self.machine = machine
    }

    /// The kernel level and the CPU's name (tabs and line breaks, which the format uses, removed).
    package static let thisMachine: String =
        "\(KernelDispatch.level.rawValue) \(KernelDispatch.processorName)".filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }

    /// The tile remembered for `layer` on this machine, if any.
    package func choice(for layer: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if loaded == nil { loaded = Self.parse(readLines(), machine: machine) }
        return loaded![layer]
    }

    /// Remembers `tile` for `layer` here and in the file (best effort: a cache that cannot be
    /// written is only a cache; the choice still holds for this process).
    package func record(_ layer: String, tile: String) {
        lock.lock()
        defer { lock.unlock() }
        let current = readLines()
        if loaded == nil { loaded = Self.parse(current, machine: machine) }
        loaded![layer] = tile
        let entry = "\(machine)\t\(layer)\t\(tile)"
        // Keep the other machines' lines and this machine's other layers, as the file has them now.
        var lines = current.filter { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count == 3 && !(fields[0] == machine && fields[1] == layer)
        }
        lines.append(entry)
        if lines.count > Self.maximumLines { lines.removeFirst(lines.count - Self.maximumLines) }
        write(lines.joined(separator: "\n") + "\n")
    }

    /// This machine's choices among `lines` (the last line for a layer wins).
    static func parse(_ lines: [String], machine: String) -> [String: String] {
        var choices: [String: String] = [:]
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == machine, !fields[1].isEmpty, !fields[2].isEmpty else { continue }
            choices[String(fields[1])] = String(fields[2])
        }
        return choices
    }

    /// The file's lines, reading at most `maximumBytes` (a longer file's last partial line is dropped).
    private func readLines() -> [String] {
        // Regular files only: opening a FIFO named by the environment would wait for a writer forever.
        var status = stat()
        guard stat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return [] }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: Self.maximumBytes), !data.isEmpty else { return [] }
        var text = String(decoding: data, as: UTF8.self)
        if data.count == Self.maximumBytes, let end = text.lastIndex(of: "\n") { text = String(text[..<end]) }
        return text.split(separator: "\n").map(String.init)
    }

    /// Replaces the file through a temporary beside it and a rename. No fsync: after a crash the
    /// worst case is a missing or empty cache, which only means timing again.
    private func write(_ text: String) {
        let folder = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard (try? Data(text.utf8).write(to: temporary)) != nil else { return }
        if rename(temporary.path, url.path) != 0 { unlink(temporary.path) }
    }
}
