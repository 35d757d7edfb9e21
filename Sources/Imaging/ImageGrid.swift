/// Sheets of equal-size images in rows and columns, for "input | inversion | edits" figures.
///
/// ```swift
/// let sheet = try ImageGrid.make(rows: [[input, inversion] + edits], margin: 4)
/// try sheet.write(to: URL(fileURLWithPath: "sheet.png"))
/// ```
public enum ImageGrid {
    /// Lays `rows` out top to bottom, each left to right, with `margin` pixels of `background`
    /// between and around the cells. Rows may be shorter than the longest (the rest stays
    /// background); every image must have the size of the first.
    public static func make(rows: [[Image]], margin: Int = 2,
                            background: (red: UInt8, green: UInt8, blue: UInt8) = (255, 255, 255)) throws -> Image {
        guard let first = rows.lazy.flatMap({ $0 }).first else { throw ImagingError.invalidArgument("ImageGrid: no images") }
        guard margin >= 0 else { throw ImagingError.invalidArgument("ImageGrid: negative margin") }
        let cellWidth = first.width, cellHeight = first.height
        for image in rows.joined() where image.width != cellWidth || image.height != cellHeight {
            throw ImagingError.invalidArgument("ImageGrid: image of \(image.width)×\(image.height) among \(cellWidth)×\(cellHeight) cells")
        }
        let columns = rows.map(\.count).max()!
        let width = columns * cellWidth + (columns + 1) * margin
        let height = rows.count * cellHeight + (rows.count + 1) * margin
        var sheet = Image(width: width, height: height, red: background.red, green: background.green, blue: background.blue)
        for (r, row) in rows.enumerated() {
            for (c, image) in row.enumerated() {
                let x0 = margin + c * (cellWidth + margin), y0 = margin + r * (cellHeight + margin)
                for y in 0..<cellHeight {
                    let destination = ((y0 + y) * width + x0) * 3
                    sheet.pixels[destination..<destination + cellWidth * 3] = image.pixels[(y * cellWidth * 3)..<((y + 1) * cellWidth * 3)]
                }
            }
        }
        return sheet
    }
}
