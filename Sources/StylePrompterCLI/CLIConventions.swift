import ArgumentParser
import Foundation

/// The package version `styleprompter --version` prints.
package enum StylePrompterVersion {
    package static let current = "0.5.0"
}

/// A subcommand whose failures name it: `styleprompter edit: …`. Commands implement `execute()`;
/// `run()` wraps it and prefixes the command's name to a `CommandErrors.Failure` message that
/// does not already start with it.
protocol StylePrompterSubcommand: ParsableCommand {
    func execute() throws
}

extension StylePrompterSubcommand {
    package func run() throws {
        let name = Self.configuration.commandName ?? String(describing: Self.self)
        do {
            try execute()
        } catch let failure as CommandErrors.Failure {
            throw CommandErrors.Failure(message: CommandErrors.prefixed(failure.message, command: name))
        }
    }
}

extension CommandErrors {
    /// `message` with `command: ` in front unless it already starts so.
    package static func prefixed(_ message: String, command: String) -> String {
        message.hasPrefix("\(command):") || message.hasPrefix("\(command) ") ? message : "\(command): \(message)"
    }
}

/// Standard-error lines that do not collide with a progress line being redrawn in place.
package enum StatusLine {
    /// True while a `Progress` line is on screen without its newline.
    nonisolated(unsafe) static var progressOpen = false

    /// Writes `text` as its own line on standard error (ending an open progress line first).
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(line(text).utf8))
    }

    /// What `write` puts out: an open progress line is cleared (`\r`, ESC[K) first.
    package static func line(_ text: String) -> String {
        defer { progressOpen = false }
        return line(text, clearing: progressOpen)
    }

    /// The line, after `\r` ESC[K when it replaces an open progress line.
    package static func line(_ text: String, clearing: Bool) -> String {
        (clearing ? "\r\u{1B}[K" : "") + text + "\n"
    }

    /// "loading model M…" before a slow load.
    static func loading(_ what: String, _ path: String) {
        write("loading \(what) \(path)…")
    }
}
