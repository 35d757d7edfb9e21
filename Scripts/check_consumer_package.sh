#!/usr/bin/env bash
# A package that depends on this one *by version* resolves, builds and runs.
#
# SwiftPM refuses a versioned dependency whose targets use `unsafeFlags` ("contains unsafe build
# flags"), which is what kept app developers from `.package(url:…, from:)`. This clones the
# committed tree, tags the clone 1.0.0, and builds a small consumer against it through
# `.package(url: "file://…", from: "1.0.0")`: `import StylePrompter`, the bundled default model,
# one inversion and one edit (the README's getting-started code).
#
# Usage: Scripts/check_consumer_package.sh [configuration]   (debug by default: the quickest build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
configuration=${1:-debug}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone -q "$root" "$work/StylePrompter"
git -C "$work/StylePrompter" tag 1.0.0

mkdir -p "$work/Consumer/Sources/Consumer"
cat > "$work/Consumer/Package.swift" <<SWIFT
// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v14)],
    dependencies: [.package(url: "file://$work/StylePrompter", from: "1.0.0")],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [.product(name: "StylePrompter", package: "StylePrompter")]),
    ]
)
SWIFT
cat > "$work/Consumer/Sources/Consumer/main.swift" <<'SWIFT'
import Foundation
import StylePrompter

// The getting-started code: invert a face with the bundled model, edit it, write both.
let photo = Image(width: 64, height: 64, red: 200, green: 160, blue: 140)
let inverter = try Inverter()
let face = try inverter.invert([photo])[0]
let smile = try Edit.load(contentsOf: DefaultModel.direction("smile")!)
let edited = try inverter.render(face, edit: smile, strength: 5)
let output = URL(fileURLWithPath: CommandLine.arguments[1])
try edited.write(to: output)
print("consumer: inverted and edited a \(photo.width)×\(photo.height) image into \(output.path) (\(edited.width)×\(edited.height))")
SWIFT

cd "$work/Consumer"
swift build -c "$configuration" 2>&1 | tail -n 3
# The consumer resolved the dependency as a version, not a branch or a path.
grep -q '"version" : "1.0.0"' Package.resolved || { echo "check_consumer_package: StylePrompter was not resolved as version 1.0.0" >&2; cat Package.resolved >&2; exit 1; }
"$(swift build -c "$configuration" --show-bin-path)/Consumer" "$work/edited.png"
test -s "$work/edited.png"
echo "check_consumer_package: OK (versioned dependency 1.0.0, $configuration build)"
