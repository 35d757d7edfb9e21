import Foundation

extension JSONEncoder {
    /// An encoder with sorted keys: configuration metadata written into checkpoints comes out
    /// byte-identical for the same model, so re-saving an unchanged model leaves the file unchanged.
    public static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
