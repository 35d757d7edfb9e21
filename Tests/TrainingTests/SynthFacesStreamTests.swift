import Foundation
import Imaging
import SynthFaces
import Testing
import Training

/// `--data synthfaces[-STYLE][:SEED]`.
@Suite struct SynthFacesStreamTests {
    @Test func parsesStyleAndSeed() throws {
        #expect(try SynthFacesStream(description: "synthfaces") == SynthFacesStream(seed: 0))
        #expect(try SynthFacesStream(description: "synthfaces:7") == SynthFacesStream(seed: 7))
        #expect(try SynthFacesStream(description: "synthfaces-classic:7") == SynthFacesStream(seed: 7, style: .classic))
        #expect(try SynthFacesStream(description: "synthfaces-large-mouth") == SynthFacesStream(seed: 0, style: .largeMouth))
        #expect(try SynthFacesStream(description: "synthfaces-large-mouth:2147483647") == SynthFacesStream(seed: 2_147_483_647, style: .largeMouth))
        // Folders: anything that does not start like a stream.
        for folder in ["faces", "synthfacesX", "/data/synthfaces:1", "./synthfaces"] {
            #expect(try SynthFacesStream(description: folder) == nil, "\(folder)")
        }
    }

    @Test func malformedStreamsAreOneLineErrorsNamingTheValue() {
        for bad in ["synthfaces-huge:1", "synthfaces-:1", "synthfaces:x", "synthfaces:-1", "synthfaces-large-mouth:2147483648", "synthfaces:99999999999999999999"] {
            do {
                _ = try SynthFacesStream(description: bad)
                Issue.record("\(bad) parsed")
            } catch {
                let message = "\(error)"
                #expect(message.contains(bad) && !message.contains("\n"), "\(bad): \(message)")
            }
        }
    }

    /// Item i is the face of seed SEED·2³² + i in the stream's style; validation faces come from
    /// the block with bit 63 set.
    @Test func itemsAreTheRendersOfTheirSeeds() throws {
        let stream = try #require(try SynthFacesStream(description: "synthfaces-large-mouth:3"))
        let train = stream.source(size: 32), validation = stream.source(size: 32, validation: true)
        for index in [0, 1, 17] {
            #expect(try train.image(at: index) == FaceRenderer.render(seed: (3 << 32) + UInt64(index), size: 32, style: .largeMouth))
            #expect(try validation.image(at: index) == FaceRenderer.render(seed: (1 << 63) | (3 << 32) + UInt64(index), size: 32, style: .largeMouth))
        }
        #expect(try train.image(at: 0) != FaceRenderer.render(seed: 3 << 32, size: 32))
    }
}
