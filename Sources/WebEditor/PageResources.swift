import Foundation

/// The page's files (plain HTML, CSS and JavaScript, no build step), read from the target's
/// resources once at start. Requests pick a file from this fixed table by route; no path from
/// a request ever reaches the file system.
struct PageResources: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    /// Route path → file.
    let files: [String: File]

    /// The route paths and the resource each serves.
    static let table: [(route: String, resource: String, contentType: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/editor.css", "editor.css", "text/css; charset=utf-8"),
        ("/editor.js", "editor.js", "text/javascript; charset=utf-8"),
    ]

    package static func load() throws -> PageResources {
        guard let folder = Bundle.module.url(forResource: "Page", withExtension: nil) else {
            throw SliderError("the web editor's page is missing from the package's resources (Page/)")
        }
        var files: [String: File] = [:]
        for entry in table {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(entry.resource))
            files[entry.route] = File(bytes: [UInt8](bytes), contentType: entry.contentType)
        }
        return PageResources(files: files)
    }
}
